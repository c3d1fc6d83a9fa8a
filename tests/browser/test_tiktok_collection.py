"""Acceptance 1 (TikTok Shipping): as the owner, a collection request for 10 TikTok-label
packages with a pickup slot from the emulator; the emulator receives handover method PICKUP
with that slot; the packages show scheduled, then collected after the emulator's webhook."""

import pytest
from django.urls import reverse

from devtools.emulators import start_emulator
from fulfilment.models import Package
from fulfilment.tiktok import shipping as tiktok_shipping
from tests.core.factories import UserFactory
from tests.fulfilment.tiktok_support import connect, platform_orders, run_jobs, ship_from_address

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def emu(uses_rq, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    handle = start_emulator()
    yield handle
    handle.stop()


def states(page):
    return page.locator("#collection-packages tbody [data-state]").all_inner_texts()


def test_collection_request_with_a_pickup_slot_is_scheduled_then_collected(page, login, live_server, emu):
    UserFactory(username="boss", role="Owner")
    ship_from_address()
    account = connect(emu)
    packages = platform_orders(emu, account, 10)
    for package in packages:  # their TikTok labels were printed
        tiktok_shipping.ensure_label(package=package)

    login("boss")
    page.goto("/fulfilment/collection/")
    group = page.locator("[data-collection-group]")
    assert group.locator("input[name=package]:checked").count() == 10
    assert "USPS" in group.locator("h3").inner_text()  # the carrier TikTok designated
    slot_select = page.get_by_label("Pickup time slot")  # TikTok's slots, loaded from the emulator
    slot_select.wait_for()
    options = slot_select.locator("option").all()
    chosen = options[2].get_attribute("value")
    slot_select.select_option(chosen)
    page.get_by_label("Pickup by the carrier in a time slot").check()
    page.get_by_role("button", name="Request collection").click()
    page.wait_for_url("**/fulfilment/collection/*/?run=*")
    assert states(page) == ["Requested"] * 10

    run_jobs("sync")  # the worker asks TikTok to ship them
    page.reload()
    assert states(page) == ["Scheduled"] * 10
    start, end = (int(v) for v in chosen.split("-"))
    shipped = emu.state.received("tiktok", "ship_package")
    assert len(shipped) == 10
    assert all(s["handover_method"] == "PICKUP" and s["pickup_slot"] == {"start_time": start, "end_time": end}
               for s in shipped)

    # The carrier collects them: the emulator notifies SellerHub (PACKAGE_UPDATE, type 4, sent to
    # the address registered for it), and the worker reads the packages back from TikTok.
    hook = live_server.url + reverse("tiktok_fulfilment_webhook", args=[account.pk])
    emu.state.tiktok.webhooks["PACKAGE_UPDATE"] = {"address": hook, "event_type": "PACKAGE_UPDATE",
                                                   "create_time": 0, "update_time": 0}
    tiktok_ids = list(Package.objects.filter(pk__in=[p.pk for p in packages]).values_list("external_id", flat=True))
    for package_id in tiktok_ids:
        emu.state.tiktok.collect_package(package_id)
    assert emu.state.webhooks.flush(10)
    assert all(d.status == 200 for d in emu.state.webhooks.deliveries), [d.as_dict() for d in
                                                                        emu.state.webhooks.deliveries][-1]
    run_jobs("sync")
    page.reload()
    assert states(page) == ["Collected"] * 10
    assert "Collected" in page.locator("h1").inner_text()
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Handover manifest (PDF)").click()
    assert popup.value.url.endswith("/manifest.pdf")
