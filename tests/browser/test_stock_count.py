"""Acceptance 4 (issue 13) in the browser: a stock count with the keyboard and a keyboard-wedge
scanner alone (it types the code and presses Enter). Focus starts in the scan field; the bin, then
items are scanned; the quantity key counts many; the product is named as each scan lands; Enter on
an empty field sends nothing; F2 records, and a shelf below reserved is recorded as counted."""

import pytest

from inventory import services
from inventory.models import Location, StockLevel
from orders import services as order_services
from orders.models import AttentionReason, OrderStatus
from tests.core.factories import UserFactory
from tests.inventory.factories import BinFactory, SKUFactory, make_ean13
from tests.orders.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_count_with_the_scanner_alone(page, login):
    UserFactory(username="counter", role="Warehouse")
    bin_a = BinFactory(code="A-01", name="Aisle A shelf 1", parent=Location.objects.get(code="MAIN"))
    tee = SKUFactory(seller_sku="TEE-BLK-M", name="Classic tee black M", barcode=make_ean13(11))
    services.receive(sku=tee, location=bin_a, quantity=5)
    order = OrderFactory(status=OrderStatus.AWAITING_CONFIRMATION)
    OrderLineFactory(order=order, sku=tee, quantity=4)
    assert order_services.confirm_order(order=order).confirmed

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/inventory/count/" in r.url else None)
    login("counter")
    page.goto("/inventory/count/")
    assert page.evaluate("document.activeElement.id") == "id_code"  # focus starts in the scan field

    page.keyboard.press("Enter")  # Enter on an empty field sends nothing
    page.wait_for_timeout(300)
    assert posts == []

    page.keyboard.type("A-01", delay=2)
    page.keyboard.press("Enter")
    page.locator("#count-session [data-bin]").filter(has_text="A-01").wait_for()

    page.keyboard.type(make_ean13(11), delay=2)
    page.keyboard.press("Enter")
    card = page.locator("[data-scanned]")
    card.filter(has_text="Classic tee black M").wait_for()  # the product is named as the scan lands
    assert "TEE-BLK-M" in card.inner_text() and "Reserved here" in card.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_code"

    page.keyboard.type("2", delay=2)
    page.keyboard.press("*")  # the quantity key: the next scan counts 2
    assert page.locator("#id_quantity").input_value() == "2"
    assert page.locator("#id_code").input_value() == ""
    page.keyboard.type(make_ean13(11), delay=2)
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="counted 3").wait_for()
    assert page.locator("#id_quantity").input_value() == "1"
    assert page.evaluate("document.activeElement.id") == "id_code"

    sent = len(posts)
    page.keyboard.press("Enter")  # a stray Enter after the scans records nothing
    page.wait_for_timeout(300)
    assert len(posts) == sent and StockLevel.objects.get(sku=tee, location=bin_a).on_hand == 5

    page.keyboard.press("F2")  # record, as the button says
    page.get_by_role("status").filter(has_text="Recorded the count of A-01").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_code"
    level = StockLevel.objects.get(sku=tee, location=bin_a)
    assert (level.on_hand, level.reserved) == (3, 0)  # 3 on the shelf, below the 4 reserved
    order.refresh_from_db()
    assert (order.status, order.attention_reason) == (OrderStatus.AWAITING_CONFIRMATION,
                                                      AttentionReason.SHORT_AFTER_COUNT)
    assert "Record count F2" in page.get_by_role("button", name="Record count").inner_text().replace("\n", " ")
