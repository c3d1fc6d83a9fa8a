"""A TikTok return from request to refund in a real browser: the buyer's return-and-refund request
arrives by notification, the Owner approves the return, the emulated TikTok moves it to awaiting
buyer shipment, the buyer ships the parcel back, the warehouse scans it (keyboard only, focus in
the scan box), restocks one unit and writes one off with a reason (two ledger rows), and the
emulator records the received-package decision; the return's timeline shows every step.

The emulator runs in-process on a free port and sends its notifications to the live server."""

import django_rq
import pytest
from rq import SimpleWorker

from channels import jobs as channel_jobs
from channels import services as channel_services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from devtools.emulators import EmulatorConfig, start_emulator
from inventory import services as stock
from inventory.models import Location, StockMovement
from orders.models import Order, Return
from tests.core.factories import UserFactory
from tests.fulfilment.conftest import SEED
from tests.inventory.factories import SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def emu(settings, uses_rq):
    handle = start_emulator(0, config=EmulatorConfig(seed=SEED))
    settings.CHANNEL_SYNC_READ_TIMEOUT = 5.0
    yield handle
    handle.stop()


def run_jobs():
    queues = [django_rq.get_queue(name) for name in ("push", "sync", "default")]
    SimpleWorker(queues, connection=queues[0].connection).work(burst=True)


def test_a_tiktok_return_from_request_to_received_package(page, login, live_server, emu):
    main = Location.objects.get(code="MAIN")
    bin_ = Location.objects.create(code="R-01", name="Returns shelf", kind=Location.Kind.BIN, parent=main)
    tee = SKUFactory(seller_sku="TEE-BLK-M")
    stock.receive(sku=tee, location=main, quantity=10)
    url, shop_id, credentials = emulator_connection("tiktok", emu.base_url, emu.state.config.credentials)
    account = channel_services.save_connection(channel="tiktok", name="TikTok US", api_base_url=url,
                                               shop_id=shop_id, credentials=credentials)
    channel_services.import_listings(account=account, listings=catalogue_listings("tiktok", emu.state.catalogue))
    shop = emu.state.tiktok
    order_id = emu.state.generate_orders("tiktok", 1, skus={"TEE-BLK-M": 2}, status="DELIVERED")[0]
    assert not channel_jobs.pull_orders(account).get("failed")
    order = Order.objects.get(account=account, external_id=order_id)
    for event in ("RETURN_STATUS_CHANGE", "RMA", "REFUND_SUCCESS", "AFTERSALE"):
        shop.webhooks[event] = {"address": f"{live_server.url}/webhooks/tiktok/{account.pk}", "event_type": event}

    # The buyer asks for a return and refund: TikTok's notification brings it in.
    return_id = shop.returns_desk.open_return(
        order_id, reason="ecom_order_delivered_refund_and_return_reason_damaged", note="One mug-print is smudged")
    assert emu.state.webhooks.flush(10)
    run_jobs()
    ret = Return.objects.get(account=account, external_id=return_id)
    assert ret.order == order and ret.kind == "return_and_refund" and ret.respond_by

    # The Owner sees it with its deadline and approves the return.
    UserFactory(username="olive", role="Owner")
    login("olive")
    page.goto("/orders/returns/?status=decide")
    row = page.get_by_role("row").filter(has_text=order_id)
    assert "Waiting for your decision" in row.inner_text() and "left" in row.locator(".countdown").inner_text()
    row.get_by_role("link", name=f"Return {ret.pk}").click()
    page.get_by_role("button", name="Approve the return").click()
    page.locator(".message.success").filter(has_text="sending to the channel").wait_for()
    run_jobs()
    assert shop.returns_desk.returns[return_id]["return_status"] == "AWAITING_BUYER_SHIP"
    page.reload()
    assert "Approved: waiting for the buyer to ship" in page.locator("#channel-status").inner_text()

    # The buyer ships the parcel back; TikTok tells us its tracking number.
    tracking = shop.returns_desk.buyer_ships(return_id)
    assert emu.state.webhooks.flush(10)
    run_jobs()
    ret.refresh_from_db()
    assert ret.return_tracking_number == tracking and ret.channel_status == "BUYER_SHIPPED_ITEM"

    # The warehouse scans the parcel, restocks one unit and writes one off.
    page.context.clear_cookies()
    UserFactory(username="wren", role="Warehouse")
    login("wren")
    page.goto("/orders/returns/receive/")
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.keyboard.type("NOT-A-PARCEL", delay=2)
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="No return waiting for its parcel").wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type(tracking, delay=2)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/orders/returns/{ret.pk}/")
    first, second = ret.lines.order_by("pk")
    page.locator(f"#restock-{first.pk}").wait_for()
    for _ in range(50):  # returns.js puts the focus on the first line (no eval under the strict CSP)
        if page.evaluate("document.activeElement.id") == f"restock-{first.pk}":
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.activeElement.id") == f"restock-{first.pk}"
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.locator(f"#location-{first.pk}").select_option(str(bin_.pk))
    page.locator(f"#restock-{second.pk}").fill("0")
    page.locator(f"#write-off-{second.pk}").fill("1")
    page.locator(f"#reason-{second.pk}").fill("Print smudged")
    page.locator(f"#reason-{second.pk}").press("Enter")
    page.locator(".message.success").filter(has_text="inspected").wait_for()
    rows = list(StockMovement.objects.filter(reference=f"return:{ret.pk}").order_by("pk"))
    assert [(r.reason, r.location.code, r.on_hand_change) for r in rows] == [
        ("return", "R-01", 1), ("return_write_off", "MAIN", 0)]
    assert "Print smudged" in rows[1].note

    # The received-package decision goes back to TikTok.
    run_jobs()
    decisions = [d["decision"] for d in emu.state.received("tiktok", "return_decision")]
    assert decisions == ["APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE"]
    assert shop.returns_desk.returns[return_id]["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"

    page.reload()
    timeline = page.locator("#return-timeline").inner_text()
    for step in ("The buyer asked for a return and refund", "Approve the return; sending", "TikTok Shop accepted: "
                 "Approve the return", "Approved: waiting for the buyer to ship", "Buyer shipped the parcel",
                 f"Parcel received in the warehouse ({tracking})", "1 restocked into R-01",
                 "1 written off (Print smudged)", "Accept the returned package", "Refunded, closed"):
        assert step in timeline, (step, timeline)
    assert "Restocked" in page.locator("#warehouse-status").inner_text()
