"""The owner connects a WooCommerce store and syncs it, with the keyboard alone, against the
loopback emulator; the page shows the sync's progress until it is done."""

import django_rq
import pytest
from rq import SimpleWorker

from channels import coordination
from orders.models import Order
from tests.core.factories import UserFactory
from tests.sync.conftest import emu, emulator  # noqa: F401  (fixtures)


@pytest.mark.django_db(transaction=True)
def test_connect_a_store_and_sync_it_with_the_keyboard(page, login, emulator):  # noqa: F811
    UserFactory(role="Owner", username="boss")
    creds = emulator.state.config.credentials
    login("boss")
    page.goto("/channels/connect/")
    page.get_by_label("Channel").select_option("woocommerce")
    page.get_by_role("button", name="Continue").press("Enter")
    page.get_by_label("Account name").fill("Our store")
    page.get_by_label("Store URL").fill(emulator.url("woocommerce"))
    page.get_by_label("Consumer key (ck_...)").fill(creds.woo_consumer_key)
    page.get_by_label("Consumer secret (cs_...)").fill(creds.woo_consumer_secret)
    page.get_by_role("button", name="Save and test connection").press("Enter")
    page.get_by_text("Test connection: Connected to the store").wait_for()
    assert creds.woo_consumer_secret not in page.content()

    emulator.state.generate_orders("woocommerce", 5)
    page.get_by_role("button", name="Sync now").first.press("Enter")
    progress = page.get_by_role("status").filter(has_text="Channel sync")
    progress.wait_for()
    SimpleWorker([django_rq.get_queue("push"), django_rq.get_queue("sync")],
                 connection=coordination.connection()).work(burst=True)
    page.locator('.job-progress[data-status="succeeded"]').wait_for()
    assert "5 orders read: 5 new" in progress.inner_text()
    assert Order.objects.filter(account__name="Our store").count() == 5
