"""Channel health in a real browser, keyboard only: the Owner's "Save and test connection" with a
wrong store address saves nothing and says why in plain words; with the right one the account is
connected; Disconnect asks to confirm, and Reconnect brings it back."""

import pytest
from playwright.sync_api import expect

from sellerhub.models import ChannelAccount
from tests.core.factories import UserFactory
from tests.sync.conftest import emu, emulator  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrong_store_address_is_refused_then_connected_disconnected_and_reconnected(page, login,
                                                                                      emulator):  # noqa: F811
    UserFactory(role="Owner", username="boss")
    creds = emulator.state.config.credentials
    login("boss")
    page.goto("/channels/connect/?channel=woocommerce")
    page.get_by_label("Account name").fill("Our store")
    page.get_by_label("Store URL").fill("http://127.0.0.1:9")  # nothing listens there
    page.get_by_label("Consumer key (ck_...)").fill(creds.woo_consumer_key)
    page.get_by_label("Consumer secret (cs_...)").fill(creds.woo_consumer_secret)
    page.get_by_role("button", name="Save and test connection").press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text(
        "Not saved: SellerHub could not reach 127.0.0.1: the address refused the connection. Check the store address")
    assert not ChannelAccount.objects.filter(name="Our store").exists()

    page.get_by_label("Store URL").fill(emulator.url("woocommerce"))
    page.get_by_label("Consumer key (ck_...)").fill(creds.woo_consumer_key)
    page.get_by_label("Consumer secret (cs_...)").fill(creds.woo_consumer_secret)
    page.get_by_role("button", name="Save and test connection").press("Enter")
    page.get_by_text("Test connection: Connected to the store").wait_for()
    expect(page.locator("#state-h + p .badge")).to_have_text("connected")

    page.get_by_role("link", name="Disconnect…").press("Enter")
    page.get_by_label("Yes, disconnect Our store").press("Space")
    page.get_by_role("button", name="Disconnect").press("Enter")
    page.get_by_text("is disconnected").wait_for()
    assert ChannelAccount.objects.get(name="Our store").state == "disconnected"
    page.get_by_role("button", name="Reconnect").press("Enter")
    page.get_by_text("is connected again").wait_for()
    assert ChannelAccount.objects.get(name="Our store").state == "connected"
