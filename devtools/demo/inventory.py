"""Demo catalogue and stock: ~30 SKUs with barcodes, bins in MAIN, a TikTok FBT warehouse, stock,
recent sales, and a few SKUs below their reorder point. Safe to run again (get_or_create; stock is
only received for SKUs that have no ledger yet)."""

import datetime as dt

from django.utils import timezone

from inventory import services
from inventory.models import SKU, Location, Product, StockLevel, StockMovement
from inventory.validators import gtin_check_digit

BINS = [("A-01", "Aisle A, bay 1"), ("A-02", "Aisle A, bay 2"), ("A-03", "Aisle A, bay 3"),
        ("B-01", "Aisle B, bay 1"), ("B-02", "Aisle B, bay 2"), ("C-01", "Aisle C, pallet bay")]
FBT = ("FBT-US-ONT", "TikTok FBT Ontario, CA", "7359027381234567")

# product, brand, (weight g, (length, width, height) mm),
#   [(seller sku, name, attributes, reorder point, bin, on hand, FBT on hand, sold in the last days)]
CATALOGUE = [
    ("Classic Tee", "Northbound", (170, (300, 250, 20)), [
        ("TEE-BLK-S", "Classic Tee Black S", {"color": "Black", "size": "S"}, 10, "A-01", 24, 0, 6),
        ("TEE-BLK-M", "Classic Tee Black M", {"color": "Black", "size": "M"}, 15, "A-01", 40, 30, 14),
        ("TEE-BLK-L", "Classic Tee Black L", {"color": "Black", "size": "L"}, 15, "A-01", 6, 20, 12),
        ("TEE-WHT-S", "Classic Tee White S", {"color": "White", "size": "S"}, 10, "A-02", 18, 0, 3),
        ("TEE-WHT-M", "Classic Tee White M", {"color": "White", "size": "M"}, 15, "A-02", 31, 0, 9),
        ("TEE-WHT-L", "Classic Tee White L", {"color": "White", "size": "L"}, 15, "A-02", 27, 0, 5),
        ("TEE-SND-S", "Classic Tee Sand S", {"color": "Sand", "size": "S"}, 8, "A-03", 12, 0, 1),
        ("TEE-SND-M", "Classic Tee Sand M", {"color": "Sand", "size": "M"}, 8, "A-03", 3, 0, 7),
        ("TEE-SND-L", "Classic Tee Sand L", {"color": "Sand", "size": "L"}, 8, "A-03", 9, 0, 2),
    ]),
    ("Heavy Hoodie", "Northbound", (620, (350, 300, 60)), [
        ("HOOD-NVY-M", "Heavy Hoodie Navy M", {"color": "Navy", "size": "M"}, 6, "B-01", 14, 10, 4),
        ("HOOD-NVY-L", "Heavy Hoodie Navy L", {"color": "Navy", "size": "L"}, 6, "B-01", 11, 0, 5),
        ("HOOD-NVY-XL", "Heavy Hoodie Navy XL", {"color": "Navy", "size": "XL"}, 4, "B-01", 2, 0, 3),
        ("HOOD-OLV-M", "Heavy Hoodie Olive M", {"color": "Olive", "size": "M"}, 6, "B-02", 9, 0, 2),
        ("HOOD-OLV-L", "Heavy Hoodie Olive L", {"color": "Olive", "size": "L"}, 6, "B-02", 7, 0, 1),
        ("HOOD-OLV-XL", "Heavy Hoodie Olive XL", {"color": "Olive", "size": "XL"}, 4, "B-02", 5, 0, 0),
    ]),
    ("Stoneware Mug", "Kiln & Co", (420, (130, 100, 100)), [
        ("MUG-01", "Stoneware Mug Speckled 12oz", {"color": "Speckled"}, 12, "C-01", 48, 0, 10),
        ("MUG-02", "Stoneware Mug Midnight 12oz", {"color": "Midnight"}, 12, "C-01", 10, 0, 11),
        ("MUG-03", "Stoneware Mug Sage 12oz", {"color": "Sage"}, 12, "C-01", 36, 0, 4),
        ("MUG-04", "Stoneware Mug Clay 16oz", {"color": "Clay", "capacity": "16oz"}, 6, "C-01", 20, 0, 2),
    ]),
    ("Canvas Tote", "Northbound", (210, (400, 380, 10)), [
        ("TOTE-NAT", "Canvas Tote Natural", {"color": "Natural"}, 10, "B-02", 60, 25, 8),
        ("TOTE-BLK", "Canvas Tote Black", {"color": "Black"}, 10, "B-02", 33, 0, 6),
        ("TOTE-STR", "Canvas Tote Striped", {"color": "Striped"}, 5, "B-02", 4, 0, 6),
    ]),
    ("Dad Cap", "Northbound", (90, (260, 180, 120)), [
        ("CAP-BLK", "Dad Cap Black", {"color": "Black"}, 8, "A-03", 22, 0, 5),
        ("CAP-KHK", "Dad Cap Khaki", {"color": "Khaki"}, 8, "A-03", 15, 0, 2),
        ("CAP-GRN", "Dad Cap Forest", {"color": "Forest"}, 8, "A-03", 0, 0, 0),
    ]),
    ("Soy Candle", "Kiln & Co", (350, (90, 90, 100)), [
        ("CNDL-CEDAR", "Soy Candle Cedar 8oz", {"scent": "Cedar"}, 10, "C-01", 26, 0, 9),
        ("CNDL-FIG", "Soy Candle Fig 8oz", {"scent": "Fig"}, 10, "C-01", 8, 0, 8),
        ("CNDL-SEA", "Soy Candle Sea Salt 8oz", {"scent": "Sea salt"}, 10, "C-01", 19, 0, 3),
    ]),
    ("Sticker Pack", "Northbound", (20, (150, 100, 2)), [
        ("STK-TRAIL", "Sticker Pack Trail (5)", {"theme": "Trail"}, 20, "A-02", 140, 0, 30),
        ("STK-OCEAN", "Sticker Pack Ocean (5)", {"theme": "Ocean"}, 20, "A-02", 12, 0, 18),
    ]),
]


# Cycle counts (/inventory/count/today/): were last counted 45 days ago (due), B-01 this
# morning (not due), the other bins never. The shelf of A-03 really holds SHORT_SHELF's 1 TEE-SND-M
# while the demo's Square order reserves 2: count A-03 (scan A-03, then TEE-SND-M once, F2) and that
# order goes back to Needs attention, "short after count".
LAST_COUNTED_DAYS_AGO = {"A-01": 45, "A-02": 45}
COUNTED_TODAY = "B-01"
SHORT_SHELF = ("A-03", "TEE-SND-M", 1)


def barcode_for(index):
    body = f"8500{1234:04d}{index:03d}"  # UPC-A: 11 digits and the check digit
    return body + str(gtin_check_digit(body))


def load(*, users):
    owner = users.get("owner")
    main = Location.objects.get(code="MAIN")
    if not main.street1:  # the ship-from address on labels
        Location.objects.filter(pk=main.pk).update(
            contact_name="Shipping desk", company="Northbound Goods", street1="1450 Harbor Way", street2="Unit 4",
            city="Oakland", state="CA", postal_code="94607", country="US", phone="+1 510 555 0142")
    bins = {}
    for sequence, (code, name) in enumerate(BINS, start=1):
        bins[code], _ = Location.objects.get_or_create(
            code=code, defaults={"name": name, "kind": Location.Kind.BIN, "parent": main, "sellable": True,
                                 "pick_sequence": sequence * 10})
    fbt, _ = Location.objects.get_or_create(
        code=FBT[0], defaults={"name": FBT[1], "kind": Location.Kind.FBT, "external_id": FBT[2], "sellable": True,
                               "city": "Ontario", "state": "CA", "country": "US"})

    index = 0
    for product_name, brand, (grams, (length, width, height)), variants in CATALOGUE:
        product, _ = Product.objects.get_or_create(name=product_name, defaults={"brand": brand})
        for seller_sku, name, attributes, reorder, bin_code, on_hand, at_fbt, sold in variants:
            index += 1
            sku, _ = SKU.objects.get_or_create(seller_sku=seller_sku, defaults={
                "name": name, "product": product, "attributes": attributes, "barcode": barcode_for(index),
                "weight_grams": grams, "length_mm": length, "width_mm": width, "height_mm": height,
                "reorder_point": reorder})
            if StockMovement.objects.filter(sku=sku).exists():
                continue  # stock was loaded before: never double it
            total = on_hand + sold
            if total:
                services.receive(sku=sku, location=bins[bin_code], quantity=total, user=owner,
                                 reference="PO-2026-0042", note="demo opening stock")
            if at_fbt:
                services.receive(sku=sku, location=fbt, quantity=at_fbt, user=owner, reason="fbt_inbound",
                                 reference="IBR-58211", note="demo FBT inbound")
            if sold:  # recent sales, so the low-stock page has days of cover
                reference = f"demo-sale:{seller_sku}"
                services.reserve(reference=reference, requests=[services.StockRequest("1", sku.pk, sold)],
                                 user=owner)
                services.consume(reference=reference, user=owner)
    _count_history(owner, bins)


def _count_history(owner, bins):
    """When the demo's bins were last counted (once: levels already counted are left alone)."""
    for code, days in LAST_COUNTED_DAYS_AGO.items():
        StockLevel.objects.filter(location__code=code, last_counted_at__isnull=True).update(
            last_counted_at=timezone.now() - dt.timedelta(days=days))
    levels = StockLevel.objects.filter(location__code=COUNTED_TODAY, last_counted_at__isnull=True)
    counts = [(level.sku_id, level.on_hand) for level in levels]
    if counts:  # counted this morning, every figure right
        services.record_count(location=bins[COUNTED_TODAY], counts=counts, user=owner, note="demo cycle count")
