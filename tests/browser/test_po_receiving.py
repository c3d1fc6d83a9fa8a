"""Receiving a purchase order by scanning, keyboard and scanner only: the scan box has the focus,
each Enter receives one unit, the order turns "partly received" with the remainder shown."""

import pytest

from inventory.models import StockMovement
from inventory.purchasing import services
from inventory.purchasing_models import PurchaseOrder, Supplier
from tests.core.factories import UserFactory
from tests.inventory.factories import SKUFactory, make_ean13

pytestmark = pytest.mark.django_db(transaction=True)


def test_scanning_part_of_a_purchase_order(page, login):
    UserFactory(username="picker", role="Warehouse")
    tee = SKUFactory(seller_sku="TEE-BLK-M", barcode=make_ean13(21))
    supplier = Supplier.objects.create(name="Northbound Mills", email="orders@northbound.example")
    po = services.create_draft_po(supplier=supplier, lines=[(tee, 5, 3)])
    PurchaseOrder.objects.filter(pk=po.pk).update(status="sent")
    login("picker")
    page.goto(f"/inventory/purchasing/receive/{po.pk}/")
    page.wait_for_load_state("networkidle")  # nothing else in flight on the live server when the scans start
    assert page.evaluate("document.activeElement.id") == "id_code"  # the scan box has the focus
    for _ in range(2):
        page.keyboard.type(make_ean13(21), delay=2)
        page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="2 of 5 received, 3 to come").wait_for(timeout=60000)
    line = page.locator('[data-line="TEE-BLK-M"]').inner_text()
    assert "3 short" in line
    assert page.locator("#po-receive-lines [data-po-status]").inner_text() == "Partly received"
    assert page.evaluate("document.activeElement.id") == "id_code"  # ready for the next scan
    assert StockMovement.objects.filter(reference=f"po:{po.number}", reason="receipt").count() == 2
