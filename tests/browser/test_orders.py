"""Orders in a real browser: the warehouse works the queue with the keyboard alone (search, j/k, x,
send to picking); the owner fixes an unmatched SKU from the needs-attention queue."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory import services as stock
from inventory.models import Location
from orders.models import Order, OrderStatus
from sellerhub.models import Channel
from tests.core.factories import UserFactory
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory, OrderSKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def make_orders():
    sku = OrderSKUFactory(seller_sku="TEE-BLK-M")
    stock.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=10)
    now = timezone.now()
    orders = []
    for i, external_id in enumerate(("TT-1001", "TT-1002", "WC-2001")):
        order = OrderFactory(external_id=external_id, status=OrderStatus.AWAITING_CONFIRMATION,
                             dispatch_due_at=now + dt.timedelta(hours=i + 1))
        OrderLineFactory(order=order, sku=sku)
        orders.append(order)
    from orders import services

    for order in orders:
        services.confirm_order(order=order)
    return orders


def test_warehouse_sends_an_order_to_picking_with_the_keyboard(page, login):
    make_orders()
    UserFactory(username="wren", role="Warehouse")
    login("wren")
    page.goto("/orders/")
    assert page.locator("tr[data-row]").count() == 3
    page.keyboard.press("/")  # focus the search box
    page.keyboard.type("TT-1002")
    expect(page.locator("tr[data-row]")).to_have_count(1)  # htmx swapped the results (no eval under the CSP)
    page.keyboard.press("ArrowDown")  # from the search box to the first order
    assert page.evaluate("document.activeElement.textContent").strip() == "TT-1002"
    page.keyboard.press("x")  # select it
    assert page.locator("[data-selected-count]").inner_text() == "1"
    page.get_by_role("button", name="Send to picking").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".message.success")
    assert "Send to picking: 1 order(s) (TT-1002)" in page.locator(".messages").inner_text()
    assert Order.objects.get(external_id="TT-1002").status == OrderStatus.PICKING
    assert Order.objects.get(external_id="TT-1001").status == OrderStatus.CONFIRMED
    assert page.get_by_role("button", name="Confirm").count() == 0  # not the warehouse's to do


def test_owner_maps_an_unmatched_sku_and_the_order_is_confirmed(page, login):
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    order = OrderFactory(account=account, external_id="TT-GLOW", status=OrderStatus.AWAITING_CONFIRMATION,
                         attention_reason="unmatched_sku", attention_detail="No SKU matches channel SKU GLOW-30")
    OrderLineFactory(order=order, sku=None, channel_sku="GLOW-30", channel_product_id="17", channel_variant_id="18")
    sku = OrderSKUFactory(seller_sku="SERUM-30")
    stock.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=2)
    UserFactory(username="olive", role="Owner")
    login("olive")
    page.goto("/orders/attention/")
    field = page.get_by_label("Your SKU for GLOW-30")
    field.fill("SERUM-30")
    field.press("Enter")
    page.wait_for_selector(".message.success")
    assert "GLOW-30 is now SERUM-30 on TikTok US" in page.locator(".messages").inner_text()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_filters_refresh_the_results_in_place(page, login):
    make_orders()
    UserFactory(username="olive2", role="Owner")
    login("olive2")
    page.goto("/orders/")
    page.get_by_label("Status").select_option("picking")
    expect(page.locator("tr[data-row]")).to_have_count(0)  # no eval under the CSP
    assert "status=picking" in page.url
    page.get_by_label("Status").select_option("to_ship")
    expect(page.locator("tr[data-row]")).to_have_count(3)  # no eval under the CSP
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent").strip() == "TT-1002"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent").strip() == "TT-1001"
    page.keyboard.press("Enter")  # opens the order
    page.wait_for_url("**/orders/*/")
    assert page.locator("h1").inner_text() == "Order TT-1001"
