"""A buyer's cancellation request in a real browser (issue 12, acceptance 1), against the loopback
emulators over real HTTP: the buyer asks TikTok to cancel a confirmed order; TikTok's notification
11 reaches SellerHub's webhook endpoint; the request shows in the queue with its deadline counting
down; the Owner approves it with the keyboard; the emulator records the approval; the order is
cancelled with the buyer as initiator, its reservation released and the new stock pushed to all
four channels (each emulator received it)."""

import django_rq
import pytest
import requests
from rq import SimpleWorker

from channels import coordination
from channels import jobs as channel_jobs
from channels import services as channel_services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from inventory.models import Reservation
from orders.models import CancellationRequest, Order, OrderStatus
from tests.browser.test_fbs import emu, warehouse_with_stock  # noqa: F401 -- the emulator fixture and the stock
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_jobs():
    queue = django_rq.get_queue("sync")
    SimpleWorker([django_rq.get_queue("push"), queue], connection=queue.connection).work(burst=True)


def connect_all(emu):  # noqa: F811 -- the emulator fixture
    conn = coordination.connection()
    for key in conn.scan_iter(f"{coordination.PREFIX}:*"):  # coalescing flags of earlier tests
        conn.delete(key)
    accounts = {}
    for channel in ("tiktok", "woocommerce", "etsy", "square"):
        url, shop_id, credentials = emulator_connection(channel, emu.base_url, emu.state.config.credentials)
        account = channel_services.save_connection(channel=channel, name=f"{channel} shop", api_base_url=url,
                                                   shop_id=shop_id, credentials=credentials)
        channel_services.import_listings(account=account, listings=catalogue_listings(channel, emu.state.catalogue))
        accounts[channel] = account
    return accounts


def pushed_quantities(emu, sku):  # noqa: F811
    """The last quantity of ``sku`` each emulated channel was sent."""
    received = emu.state.received
    tiktok = [r["quantity"] for r in received("tiktok", "stock_update") if r["seller_sku"] == sku]
    woo = [r["stock_quantity"] for r in received("woocommerce", "stock_update") if r["sku"] == sku]
    etsy = [r["quantity"] for r in received("etsy", "stock_update") if r["sku"] == sku]
    square = [int(float(r["quantity"])) for r in received("square", "inventory_change") if r["sku"] == sku]
    return {name: values[-1] if values else None
            for name, values in (("tiktok", tiktok), ("woocommerce", woo), ("etsy", etsy), ("square", square))}


def test_buyer_request_arrives_by_webhook_owner_approves_stock_goes_back_everywhere(page, login, live_server,
                                                                                   emu):  # noqa: F811
    warehouse_with_stock()
    accounts = connect_all(emu)
    tiktok = accounts["tiktok"]
    order_id = emu.state.generate_orders("tiktok", 1, skus={"TEE-BLK-M": 2})[0]
    assert not channel_jobs.pull_orders(tiktok).get("failed")
    order = Order.objects.get(account=tiktok, external_id=order_id)
    assert order.status == OrderStatus.CONFIRMED
    assert Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()
    run_jobs()  # the reservation's stock change reaches the channels
    assert set(pushed_quantities(emu, "TEE-BLK-M").values()) == {18}

    # The buyer asks TikTok to cancel; TikTok notifies SellerHub (type 11) at the registered address.
    emu.state.tiktok.webhooks["CANCELLATION_STATUS_CHANGE"] = {
        "address": f"{live_server.url}/webhooks/tiktok/{tiktok.pk}", "event_type": "CANCELLATION_STATUS_CHANGE",
        "create_time": 0, "update_time": 0}
    opened = requests.post(emu.url("tiktok") + "/_emulator/cancellations", timeout=5,
                           json={"order_id": order_id, "reason": "Found a better price"}).json()
    assert emu.state.webhooks.flush(10)
    assert [d.status for d in emu.state.webhooks.deliveries] == [200]
    run_jobs()  # the notification's job reads the request from TikTok
    request = CancellationRequest.objects.get()
    assert (request.external_id, request.status) == (opened["cancel_id"], "pending")

    UserFactory(username="olive", role="Owner")
    login("olive")
    page.goto("/orders/")
    page.get_by_role("link", name="Cancellation requests").click()
    page.wait_for_url("**/orders/cancellation-requests/")
    row = page.locator(f'tr[data-request="{request.external_id}"]')
    assert order_id in row.inner_text() and "Found a better price" in row.inner_text()
    countdown = row.locator("[data-countdown-for]")
    first = countdown.inner_text()
    assert first.endswith(" left") and " h " in first
    page.wait_for_function("(first) => document.querySelector('[data-countdown-for]').textContent !== first", arg=first)
    approve = row.get_by_role("button", name=f"Approve cancellation of order {order_id}")
    approve.focus()
    page.keyboard.press("Enter")
    page.locator(".messages").filter(has_text="is being sent to TikTok").wait_for()
    # On SQLite the live server shares the test's in-memory connection: let the page finish loading
    # before the jobs use that connection from this thread.
    page.wait_for_load_state("networkidle")

    run_jobs()  # the decision goes to TikTok, the order is cancelled here ...
    run_jobs()  # ... and the released stock is pushed to every channel
    approvals = emu.state.received("tiktok", "cancellation_approved")
    assert [a["cancel_id"] for a in approvals] == [request.external_id]
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_initiator == "BUYER"
    assert not Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()
    assert pushed_quantities(emu, "TEE-BLK-M") == {"tiktok": 20, "woocommerce": 20, "etsy": 20, "square": 20}

    page.reload()
    page.get_by_label("Show").select_option("decided")
    page.get_by_role("button", name="Show").click()
    assert "Approved" in page.locator(f'tr[data-request="{request.external_id}"]').inner_text()
    page.goto(f"/orders/{order.pk}/")
    assert "Cancelled" in page.locator("header.order-head").inner_text()
    assert "Approved" in page.locator(f'[data-cancellation-request="{request.external_id}"]').inner_text()
