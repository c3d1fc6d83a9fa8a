"""Replenishment planning: weighted demand, on order, pack sizes, one draft PO per supplier, roles,
constant queries (inventory/replenishment.py, /inventory/reorder/, /api/v1/reorder-suggestions)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import replenishment, services
from inventory.fbt.selectors import inbound_suggestions
from inventory.models import Location, StockMovement
from inventory.purchasing.services import create_draft_po
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderStatus, Supplier, SupplierSKU
from inventory.services import StockRequest
from tests.inventory.factories import SKUFactory


def sell(sku, units, *, days_ago=0, reference=None):
    reference = reference or f"sale:{sku.pk}:{days_ago}"
    services.reserve(reference=reference, requests=[StockRequest("1", sku.pk, units)])
    services.consume(reference=reference)
    if days_ago:
        StockMovement.objects.filter(reference=reference).update(created_at=timezone.now() - timedelta(days=days_ago))


def supplier(name, *, lead=10, minimum_value="0"):
    return Supplier.objects.create(name=name, lead_time_days=lead, minimum_order_value=Decimal(minimum_value))


def supplies(supplier_row, sku, *, cost="3.50", pack=1, minimum=0, preferred=True):
    return SupplierSKU.objects.create(supplier=supplier_row, sku=sku, unit_cost=Decimal(cost), pack_size=pack,
                                      minimum_quantity=minimum, preferred=preferred)


def row_for(sku):
    return next(r for r in replenishment.plan(sku_ids=[sku.pk]) if r.sku.pk == sku.pk)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def spiking(stocked):
    """VIRAL-01: 20 sold three weeks ago, 70 this week, 30 left; its supplier (10 days, packs of 12)."""
    sku = stocked("VIRAL-01", 120)
    sell(sku, 20, days_ago=20)
    sell(sku, 70, days_ago=2)
    supplies(supplier("Northwind Blanks", lead=10), sku, pack=12, minimum=24)
    return sku


def test_a_spiking_sku_is_suggested_net_of_what_is_on_order(spiking, owner_client):
    row = row_for(spiking)
    # per day: 70/7 = 10 this week, 90/30 = 3 this month -> (2 x 10 + 3) / 3 = 7.67
    assert (row.demand.sold_recent, row.demand.sold_base, round(row.demand.per_day, 2)) == (70, 90, 7.67)
    assert row.demand.trend_label == "up 233%"
    # safety 7 days = 54, lead 10 days = 77 -> reorder level 131; target + 30 days (230) = 361
    assert (row.available, row.safety_stock, row.reorder_level, row.target) == (30, 54, 131, 361)
    assert row.quantity == 336  # 361 - 30 = 331, in packs of 12
    assert row.cover.stockout_on == timezone.localdate() + timedelta(days=3)  # 30 / 7.67 = 3.9 days

    po = create_draft_po(supplier=row.supplier, lines=[(spiking, 100, Decimal("3.50"))])
    assert row_for(spiking).quantity == 240  # a draft counts too: 361 - 130 = 231 -> 240
    PurchaseOrder.objects.filter(pk=po.pk).update(status=PurchaseOrderStatus.SENT)
    row = row_for(spiking)
    assert (row.on_order, row.drafted, row.quantity) == (100, 0, 240)

    page = html(owner_client.get("/inventory/reorder/"))
    assert "Northwind Blanks" in page and "VIRAL-01" in page and "up 233%" in page
    assert "<strong>240</strong>" in page and '<td class="num">100</td>' in page
    # the low-stock view and the dashboard panel see the spike and the order too
    spiking.reorder_point = 50
    spiking.save(update_fields=["reorder_point"])
    low = html(owner_client.get("/inventory/low-stock/"))
    assert "70 / 90" in low and "up 233%" in low and '<td class="num">100</td>' in low
    assert html(owner_client.get("/")).count("VIRAL-01") >= 1


def test_suggestions_become_one_draft_po_per_supplier(stocked, client, role_users):
    acme, zenith = supplier("Acme Mills", lead=7), supplier("Zenith Supply", lead=21)
    tee, cap = stocked("TEE-RED-M", 2, reorder_point=10), stocked("CAP-RED", 0, reorder_point=10)
    mug, loose = stocked("MUG-RED", 1, reorder_point=10), stocked("PIN-RED", 0, reorder_point=10)
    supplies(acme, tee, pack=6)
    supplies(acme, cap, cost="2.00")
    supplies(zenith, cap, cost="1.50", preferred=False)  # cheaper, but Acme is preferred
    supplies(zenith, mug, cost="4.00", minimum=12)
    stocked("SOCK-RED", 50, reorder_point=10)  # covered: not suggested

    client.force_login(role_users["Warehouse"])
    page = html(client.get("/inventory/reorder/"))
    assert page.index("Acme Mills") < page.index("Zenith Supply") < page.index("No supplier yet")
    assert "SOCK-RED" not in page and "PIN-RED" in page
    assert 'name="sku"' not in page and "Draft purchase orders" not in page  # warehouse reads only
    assert client.post("/inventory/reorder/draft/", {"sku": [tee.pk]}).status_code == 403
    client.force_login(role_users["Ops"])
    assert client.post("/inventory/reorder/draft/", {"sku": [tee.pk]}).status_code == 403
    assert not PurchaseOrder.objects.exists()

    client.force_login(role_users["Owner"])
    owner_client = client
    assert 'name="sku"' in html(owner_client.get("/inventory/reorder/"))
    response = owner_client.post("/inventory/reorder/draft/", {"sku": [tee.pk, cap.pk, mug.pk, loose.pk]},
                                 follow=True)
    assert "Drafted 2 purchase orders" in html(response)
    orders = {po.supplier.name: po for po in PurchaseOrder.objects.prefetch_related("lines__sku")}
    assert set(orders) == {"Acme Mills", "Zenith Supply"}
    assert all(po.status == PurchaseOrderStatus.DRAFT for po in orders.values())
    lines = {name: sorted((ln.sku.seller_sku, ln.quantity_ordered, ln.unit_cost) for ln in po.lines.all())
             for name, po in orders.items()}
    assert lines == {"Acme Mills": [("CAP-RED", 10, Decimal("2.0000")), ("TEE-RED-M", 12, Decimal("3.5000"))],
                     "Zenith Supply": [("MUG-RED", 12, Decimal("4.0000"))]}
    assert orders["Zenith Supply"].expected_on == timezone.localdate() + timedelta(days=21)

    again = html(owner_client.post("/inventory/reorder/draft/", {"sku": [tee.pk, cap.pk, mug.pk]}, follow=True))
    assert "Nothing to order" in again and PurchaseOrder.objects.count() == 2  # already drafted
    bad = html(owner_client.post("/inventory/reorder/draft/", {"sku": ["x'; drop"]}, follow=True))
    assert "Tick the SKUs to order" in bad and PurchaseOrder.objects.count() == 2


def test_api_lists_suggestions_and_drafts_orders_for_the_owner_only(stocked, api_client_for, role_users):
    acme = supplier("Acme Mills", lead=7)
    tee = stocked("TEE-RED-M", 2, reorder_point=10)
    supplies(acme, tee, pack=6)
    stocked("SOCK-RED", 50, reorder_point=10)
    warehouse = api_client_for(role_users["Warehouse"])
    body = warehouse.get("/api/v1/reorder-suggestions").json()
    assert [(r["sku"], r["supplier"], r["quantity"], r["on_order"]) for r in body["results"]] == [
        ("TEE-RED-M", "Acme Mills", 12, 0)]
    assert {r["sku"] for r in warehouse.get("/api/v1/reorder-suggestions?all=true").json()["results"]} >= {
        "TEE-RED-M", "SOCK-RED"}
    assert warehouse.get("/api/v1/reorder-suggestions?all=maybe").status_code == 400
    assert warehouse.post("/api/v1/reorder-suggestions/purchase-orders", {}, format="json").status_code == 403
    assert api_client_for(role_users["Ops"]).post("/api/v1/reorder-suggestions/purchase-orders", {},
                                                  format="json").status_code == 403
    owner = api_client_for(role_users["Owner"])
    assert owner.post("/api/v1/reorder-suggestions/purchase-orders", {"skus": ["NOPE"]},
                      format="json").status_code == 404
    made = owner.post("/api/v1/reorder-suggestions/purchase-orders", {}, format="json")
    assert made.status_code == 201, made.content
    assert [(p["supplier"], p["lines"], p["units"]) for p in made.json()["purchase_orders"]] == [("Acme Mills", 1, 12)]
    assert owner.post("/api/v1/reorder-suggestions/purchase-orders", {}, format="json").status_code == 409


def test_rounding_to_pack_and_minimum():
    assert replenishment.round_to_pack(0, pack_size=12, minimum=24) == 0
    assert replenishment.round_to_pack(5, pack_size=12, minimum=24) == 24
    assert replenishment.round_to_pack(25, pack_size=12, minimum=24) == 36
    assert replenishment.round_to_pack(7, pack_size=1, minimum=0) == 7


def _catalogue(n, start):
    """n SKUs below their reorder point from one supplier, and n // 2 that no supplier sells."""
    acme = Supplier.objects.get_or_create(name="Acme Mills", defaults={"lead_time_days": 7})[0]
    for i in range(start, start + n):
        supplies(acme, SKUFactory(seller_sku=f"Q-{i:03d}", reorder_point=10))
        if i % 2:
            SKUFactory(seller_sku=f"QB-{i:03d}", reorder_point=5)


def test_suggestion_pages_run_a_constant_number_of_queries(owner_client, django_assert_max_num_queries, db):
    _catalogue(2, 0)
    owner_client.get("/inventory/reorder/")  # warm the session and permission caches
    with django_assert_max_num_queries(16) as few:
        html(owner_client.get("/inventory/reorder/"))
    _catalogue(20, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(owner_client.get("/inventory/reorder/"))
    assert page.count('name="sku"') == 22
    with django_assert_max_num_queries(len(few.captured_queries)):
        html(owner_client.get("/inventory/low-stock/"))


def test_the_fbt_inbound_plan_counts_stock_on_order(stocked, main, owner_client):
    fbt = Location.objects.create(code="FBT-T", name="TikTok FBT test", kind=Location.Kind.FBT, sellable=True)
    tee = stocked("TEE-FBT-M", 4, reorder_point=10)
    services.receive(sku=tee, location=fbt, quantity=1)  # below its reorder point at FBT: send 9, have 4
    acme = supplier("Acme Mills")
    row = next(r for r in inbound_suggestions(destination=fbt, source=main) if r.sku.pk == tee.pk)
    assert (row.suggested, row.short, row.on_order, row.short_after_order) == (4, 5, 0, 5)
    url = f"/inventory/fbt/inbound/new/?destination=FBT-T&source={main.code}"
    assert "5 short, none on order" in html(owner_client.get(url))
    po = create_draft_po(supplier=acme, lines=[(tee, 20, Decimal("3.00"))])
    PurchaseOrder.objects.filter(pk=po.pk).update(status=PurchaseOrderStatus.SENT)
    row = next(r for r in inbound_suggestions(destination=fbt, source=main) if r.sku.pk == tee.pk)
    assert (row.suggested, row.short, row.on_order, row.short_after_order) == (4, 5, 20, 0)
    page = html(owner_client.get(url))
    assert "(+20 on order)" in page and "5 short: on order" in page
