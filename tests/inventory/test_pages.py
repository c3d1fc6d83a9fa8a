"""The inventory pages as the warehouse and the owner use them."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import SKU, StockLevel, StockMovement
from inventory.services import StockRequest
from tests.inventory.factories import BinFactory, ListingFactory, LocationFactory, SKUFactory, make_ean13

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_sku_list_searches_and_filters(warehouse_client, stocked, main):
    stocked("TEE-BLK-M", 20, reorder_point=5)
    stocked("TEE-WHT-M", 2, reorder_point=5)
    stocked("MUG-01", 0, barcode=make_ean13(42))
    SKUFactory(seller_sku="OLD-01", active=False)
    east = LocationFactory(code="EAST")
    services.receive(sku=SKU.objects.get(seller_sku="MUG-01"), location=east, quantity=4)

    page = html(warehouse_client.get("/inventory/"))
    assert "TEE-BLK-M" in page and "MUG-01" in page and "OLD-01" not in page and "3 SKUs" in page
    assert "TEE-WHT-M" in html(warehouse_client.get("/inventory/?q=wht"))
    assert "TEE-BLK-M" not in html(warehouse_client.get("/inventory/?q=wht"))
    page = html(warehouse_client.get(f"/inventory/?q={make_ean13(42)}"))  # a scanned barcode finds its SKU
    assert "MUG-01" in page and "1 SKU" in page
    page = html(warehouse_client.get("/inventory/?low=on"))
    assert "TEE-WHT-M" in page and "TEE-BLK-M" not in page and "Low stock" in page
    page = html(warehouse_client.get("/inventory/?location=EAST"))
    assert "MUG-01" in page and "TEE-BLK-M" not in page
    page = html(warehouse_client.get("/inventory/?status=inactive"))
    assert "OLD-01" in page and "TEE-BLK-M" not in page
    for label in ("Search (SKU, name, barcode, product)", "Status", "Low stock only", "Held at", "Rows per page"):
        assert label in page


def test_sku_detail_shows_levels_ledger_listings_and_reservations(warehouse_client, stocked, main):
    fbt = LocationFactory(code="FBT-1", kind="fbt", name="TikTok FBT")
    tee = stocked("TEE-BLK-M", 9, reorder_point=3)
    services.receive(sku=tee, location=fbt, quantity=4, reason="fbt_inbound")
    services.reserve(reference="order:77", requests=[StockRequest("1", tee.pk, 2)])
    ListingFactory(sku=tee, account__name="Woo shop", external_product_id="991", external_variant_id="992")
    page = html(warehouse_client.get(f"/inventory/skus/{tee.pk}/"))
    for text in ("Stock by location", "FBT-1", "Woo shop", "991", "992", "order:77", "Reservation", "FBT inbound",
                 "<strong>7</strong> (9 on hand, 2 reserved)"):
        assert text in page, text
    assert "Edit SKU" not in page and "Count" in page  # the warehouse counts but does not edit
    assert warehouse_client.get("/inventory/skus/999999/").status_code == 404


def test_adjustment_form_for_the_owner_only(owner_client, stocked, main, warehouse_user, client):
    tee = stocked("TEE-BLK-M", 5)
    page = html(owner_client.get("/inventory/adjust/?sku=TEE-BLK-M"))
    for label in ("SKU (scan its barcode or type the seller SKU)", "Location", "Change to on hand", "Reason", "Note"):
        assert f">{label}" in page
    response = owner_client.post("/inventory/adjust/", {"sku": "TEE-BLK-M", "location": "MAIN", "quantity": "-9",
                                                         "reason": "adjustment", "note": "damaged"})
    assert response.status_code == 400 and "Cannot remove 9" in response.content.decode()
    response = owner_client.post("/inventory/adjust/", {"sku": tee.barcode, "location": "MAIN", "quantity": "-2",
                                                         "reason": "adjustment", "note": "damaged"})
    assert response.status_code == 302 and response["Location"] == f"/inventory/skus/{tee.pk}/"
    assert StockLevel.objects.get(sku=tee, location=main).on_hand == 3
    assert StockMovement.objects.filter(reason="adjustment", note="damaged", on_hand_change=-2).exists()
    client.force_login(warehouse_user)
    assert client.post("/inventory/adjust/", {"sku": "TEE-BLK-M"}).status_code == 403


def test_stock_count_form(warehouse_client, stocked, main):
    """The count page is a scan session (tests/inventory/test_counts.py has the rest)."""
    tee = stocked("TEE-BLK-M", 5)
    for code in ("MAIN", "8*TEE-BLK-M"):  # the bin, then 8 units with the quantity key
        warehouse_client.post("/inventory/count/", {"session": "CNT-P", "code": code})
    response = warehouse_client.post("/inventory/count/", {"session": "CNT-P", "action": "record", "note": "aisle A"})
    assert response.status_code == 302
    assert StockLevel.objects.get(sku=tee, location=main).on_hand == 8
    follow = html(warehouse_client.get(response["Location"]))
    assert "Recorded the count of MAIN: TEE-BLK-M +3." in follow
    response = warehouse_client.post("/inventory/count/", {"session": "CNT-P", "code": "NOPE", "quantity": "-1"})
    text = response.content.decode()
    assert response.status_code == 400 and "greater than or equal to 0" in text


def test_receiving_by_scanning_into_a_bin(warehouse_client, stocked):
    bin_a = BinFactory(code="A-01")
    tee = stocked("TEE-BLK-M", 0, barcode=make_ean13(7))
    page = html(warehouse_client.get("/inventory/receive/?location=A-01"))
    assert 'id="id_code"' in page and "autofocus" in page and "RCV-" in page
    assert ">Scan item barcode (or type the seller SKU, then Enter)</label>" in page
    scan = {"location": "A-01", "reference": "PO-77", "quantity": "1", "scan": "1"}
    for _ in range(3):  # three scans with a scanner (htmx/fetch request)
        fragment = warehouse_client.post("/inventory/receive/", {**scan, "code": make_ean13(7)}, HTTP_HX_REQUEST="true")
        assert "+1 TEE-BLK-M" in fragment.content.decode()
    fragment = warehouse_client.post("/inventory/receive/", {**scan, "code": "0000000000000"},
                                     HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in fragment and "Unknown barcode 0000000000000: nothing received" in fragment
    assert StockLevel.objects.get(sku=tee, location=bin_a).on_hand == 3
    assert '<td class="num">3</td>' in fragment  # the tally of this delivery
    # a case of 12, as a plain form post (no JavaScript)
    response = warehouse_client.post("/inventory/receive/", {**scan, "quantity": "12", "code": "TEE-BLK-M"})
    assert response.status_code == 302 and "reference=PO-77" in response["Location"]
    assert StockLevel.objects.get(sku=tee, location=bin_a).on_hand == 15
    # undo the last scan
    fragment = warehouse_client.post("/inventory/receive/", {**scan, "undo": "1"}, HTTP_HX_REQUEST="true")
    assert "Undid the last scan: -12 TEE-BLK-M" in fragment.content.decode()
    assert StockLevel.objects.get(sku=tee, location=bin_a).on_hand == 3
    assert StockMovement.objects.filter(reference="PO-77", reason="receipt").count() == 4
    fragment = warehouse_client.post("/inventory/receive/", {**scan, "location": "NOWHERE", "code": make_ean13(7)},
                                     HTTP_HX_REQUEST="true").content.decode()
    assert "No bin or warehouse has the code NOWHERE." in fragment


def test_low_stock_page_with_days_of_cover(warehouse_client, stocked, main):
    tee = stocked("TEE-BLK-M", 40, reorder_point=30)
    stocked("MUG-01", 2, reorder_point=5)
    stocked("CAP-01", 50, reorder_point=5)
    services.reserve(reference="s1", requests=[StockRequest("1", tee.pk, 30)])
    services.consume(reference="s1")  # 30 sold in the window: 1 a day
    services.reserve(reference="s0", requests=[StockRequest("1", tee.pk, 5)])
    services.consume(reference="s0")
    StockMovement.objects.filter(reference="s0").update(created_at=timezone.now() - timedelta(days=31))  # too old
    # 5 left; all 30 sold this week: demand (2 x 30/7 + 30/30) / 3 = 3.19 a day -> 1.6 days of cover
    page = html(warehouse_client.get("/inventory/low-stock/"))
    assert "CAP-01" not in page
    assert page.index("TEE-BLK-M") < page.index("MUG-01")  # most urgent first; MUG-01 has no sales
    assert "<td class=\"num\">30 / 30</td>" in page and "<td class=\"num\">1.6</td>" in page and "no sales" in page
    assert "up 329%" in page
    assert "<td class=\"num\">121</td>" in page  # suggested: 30 + 96 (30 days at 3.19) - 5


def test_csv_export_follows_the_filters(warehouse_client, stocked):
    stocked("TEE-BLK-M", 20, reorder_point=5, attributes={"size": "M"})
    stocked("MUG-01", 1, reorder_point=5)
    response = warehouse_client.get("/inventory/export.csv?low=on")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["seller_sku"] for r in rows] == ["MUG-01"]
    rows = list(csv.DictReader(io.StringIO(
        b"".join(warehouse_client.get("/inventory/export.csv").streaming_content).decode("utf-8-sig"))))
    tee = rows[1]
    assert (tee["seller_sku"], tee["attributes"], tee["on_hand"], tee["available"]) == (
        "TEE-BLK-M", "size=M", "20", "20")


def test_sku_create_and_edit_pages(owner_client, stocked):
    page = html(owner_client.get("/inventory/skus/new/"))
    assert "Barcode (GTIN / UPC / EAN)" in page
    response = owner_client.post("/inventory/skus/new/", {"seller_sku": "NEW-1", "name": "New",
                                                          "barcode": "4006381333932", "reorder_point": "0"})
    assert response.status_code == 200 and "wrong check digit (expected 1)" in response.content.decode()
    response = owner_client.post("/inventory/skus/new/", {
        "seller_sku": "NEW-1", "name": "New", "barcode": "4006381333931", "reorder_point": "4", "active": "on",
        "attributes_text": "size=M; color=Black", "product_name": "Tee"})
    sku = SKU.objects.get(seller_sku="NEW-1")
    assert response.status_code == 302 and sku.product.name == "Tee"
    assert sku.attributes == {"size": "M", "color": "Black"}
    response = owner_client.post(f"/inventory/skus/{sku.pk}/edit/", {"seller_sku": "NEW-1", "name": "Renamed",
                                                                      "reorder_point": "4"})
    sku.refresh_from_db()
    assert response.status_code == 302 and sku.name == "Renamed" and not sku.active


def test_replenishment_panel_on_the_owners_dashboard(client, owner_user, warehouse_user, stocked):
    stocked("MUG-01", 2, reorder_point=5)
    stocked("TEE-BLK-M", 20, reorder_point=5)
    client.force_login(owner_user)
    page = html(client.get("/"))
    assert "Replenish: 1 below reorder point" in page and "MUG-01" in page and "TEE-BLK-M" not in page
    client.force_login(warehouse_user)
    assert "Replenish" not in html(client.get("/"))
