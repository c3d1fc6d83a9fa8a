"""Demo suppliers and purchase orders (after the inventory demo; see ``load_demo_data``'s
``LOADERS``).

Two suppliers: Northbound Mills (tees, hoodies, totes, caps, stickers) and Kiln & Co (mugs,
candles), each with its SKUs (its own codes, unit costs, pack sizes) and preferred for them.
Purchase orders: one to Northbound sent and partly received (6 of 30 TEE-BLK-L into MAIN, the 20
TOTE-STR into bin B-02, HOOD-NVY-XL still to come), one to Kiln & Co sent and waiting, and a
draft to Kiln & Co. Everything goes through inventory.purchasing's services: the sendings are
recorded (the emails go to a dummy mail backend, not to these example addresses) and the
receipts are in the ledger under ``po:<number>``. Loading again does nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import get_connection
from django.utils import timezone

from devtools.demo.inventory import CATALOGUE
from inventory.models import SKU, Location
from inventory.purchasing import receiving, sending, services
from inventory.purchasing_models import Supplier

SUPPLIERS = {
    "Northbound": dict(name="Northbound Mills", contact_name="Nora Lind", email="orders@northbound-mills.example",
                       phone="+1 503 555 0110", address="1200 NW Front Ave\nPortland, OR 97209",
                       lead_time_days=21, minimum_order_value=Decimal("250.00"), currency="USD"),
    "Kiln & Co": dict(name="Kiln & Co", contact_name="Kim Ashby", email="wholesale@kilnandco.example",
                      phone="+1 828 555 0177", address="44 Clay St\nAsheville, NC 28801",
                      lead_time_days=10, minimum_order_value=Decimal("120.00"), currency="USD"),
}
# unit cost and pack size per product
COSTS = {"Classic Tee": ("3.40", 10), "Heavy Hoodie": ("11.80", 6), "Stoneware Mug": ("4.10", 12),
         "Canvas Tote": ("2.60", 10), "Dad Cap": ("3.10", 12), "Soy Candle": ("3.90", 6),
         "Sticker Pack": ("0.45", 50)}
# (supplier, [(seller sku, quantity ordered, [(units received, bin or None)])], sent, days until expected)
ORDERS = [
    ("Northbound", [("TEE-BLK-L", 30, [(4, None), (2, None)]), ("HOOD-NVY-XL", 12, []),
                    ("TOTE-STR", 20, [(20, "B-02")])], True, 3),
    ("Kiln & Co", [("MUG-02", 48, []), ("CNDL-FIG", 24, [])], True, 6),
    ("Kiln & Co", [("CNDL-CEDAR", 24, [])], False, 14),
]


def load(*, users):
    if Supplier.objects.exists() or not SKU.objects.filter(seller_sku="TEE-BLK-L").exists():
        return
    owner, warehouse = users.get("owner"), users.get("warehouse")
    suppliers = {key: services.save_supplier(user=owner, **fields) for key, fields in SUPPLIERS.items()}
    skus = {sku.seller_sku: sku for sku in SKU.objects.all()}
    costs = {}
    for product, brand, _size, variants in CATALOGUE:
        key = "Kiln & Co" if brand == "Kiln & Co" else "Northbound"
        cost, pack = COSTS[product]
        rows = [{"sku": skus[v[0]], "supplier_code": f"{key[:2].upper()}-{v[0]}", "unit_cost": Decimal(cost),
                 "pack_size": pack, "minimum_quantity": pack, "preferred": True} for v in variants if v[0] in skus]
        costs.update({row["sku"].seller_sku: row["unit_cost"] for row in rows})
        existing = [{"sku": s.sku, "supplier_code": s.supplier_code, "unit_cost": s.unit_cost,
                     "pack_size": s.pack_size, "minimum_quantity": s.minimum_quantity, "preferred": s.preferred}
                    for s in suppliers[key].skus.select_related("sku")]
        services.set_supplier_skus(supplier=suppliers[key], rows=existing + rows, user=owner)
    quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
    for key, lines, sent, days in ORDERS:
        po = services.create_draft_po(
            supplier=suppliers[key], user=owner,
            lines=[(skus[code], quantity, costs[code]) for code, quantity, _receipts in lines],
            expected_on=timezone.localdate() + dt.timedelta(days=days),
            notes="Please pack each size in its own carton.")
        if not sent:
            continue
        sending.send_po(purchase_order=po, user=owner, connection=quiet)
        for code, _quantity, receipts in lines:
            for units, bin_code in receipts:
                receiving.receive_against_po(purchase_order_id=po.pk, sku=skus[code], quantity=units, user=warehouse,
                                             location=Location.objects.get(code=bin_code) if bin_code else None,
                                             note="demo delivery")
