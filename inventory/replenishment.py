"""Replenishment planning: what to buy from suppliers, per SKU, and when stock runs out.

Reads only (the one write, drafting purchase orders from the suggestions, is in
inventory/replenishment_services.py). For every active SKU that is not a bundle (a bundle's
demand lands on its components through the ledger):

- demand per day from the last 7 and 30 days of sales, the recent week weighted double
  (inventory.demand), own-warehouse sales from the ledger plus FBT sales (inventory.fbt.hooks);
- stock: available at own sellable locations, at TikTok's FBT warehouses, in transit to FBT
  (open inbound shipments), on order from suppliers (sent and partly received purchase orders)
  and already in draft purchase orders;
- the supplier: the preferred supplier SKU, else the cheapest active one; its lead time, pack
  size and minimum quantity;
- reorder level = max(reorder point, demand over the lead time + safety stock), where safety
  stock = demand over the SKU's ``safety_stock_days``; when stock + transit + on order + drafted
  falls below it, the suggestion brings it up to the reorder level plus ORDER_COVER_DAYS days of
  demand, rounded up to the supplier's pack size and minimum quantity.

A plan is a constant number of queries (eight), whatever the number of SKUs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inventory import bundles
from inventory.demand import BASE_DAYS, RECENT_DAYS, Cover, Demand
from inventory.fbt import hooks as fbt_hooks
from inventory.fbt.selectors import in_transit
from inventory.models import SKU, Location
from inventory.purchasing.selectors import on_order
from inventory.purchasing_models import PurchaseOrderLine, PurchaseOrderStatus, Supplier, SupplierSKU
from inventory.selectors import sold_since

ORDER_COVER_DAYS = 30  # an order brings stock up to the reorder level plus this many days of demand
DEFAULT_LEAD_TIME_DAYS = 14  # for a SKU no supplier sells yet

_OWN = Q(levels__location__kind__in=(Location.Kind.WAREHOUSE, Location.Kind.BIN), levels__location__sellable=True,
         levels__location__active=True)
_FBT = Q(levels__location__kind=Location.Kind.FBT, levels__location__sellable=True, levels__location__active=True)
_AVAILABLE = F("levels__on_hand") - F("levels__reserved")


@dataclass
class Suggestion:
    """One SKU's replenishment figures (``quantity`` > 0: buy that many from ``supplier``)."""

    sku: SKU
    supplier: Supplier | None
    supplier_sku: SupplierSKU | None
    demand: Demand
    available: int  # own sellable, on hand - reserved
    fbt: int  # at TikTok's FBT warehouses, on hand - reserved
    transit: int  # on its way to FBT
    on_order: int  # sent and partly received purchase orders, not yet received
    drafted: int  # in draft purchase orders
    lead_time_days: int
    safety_stock: int
    reorder_level: int
    target: int
    quantity: int
    cover: Cover  # of the stock in hand (own + FBT)
    today: dt.date

    @property
    def stock(self) -> int:
        return self.available + self.fbt

    @property
    def position(self) -> int:
        """Everything in hand or coming: stock, in transit to FBT, on order."""
        return self.stock + self.transit + self.on_order

    @property
    def short(self) -> int:
        """Units below the target before rounding (what the demand calls for)."""
        return max(self.target - self.position - self.drafted, 0)

    @property
    def order_by(self) -> dt.date | None:
        """The last day to order so the goods arrive before stock runs out (None without demand)."""
        if self.cover.stockout_on is None:
            return None
        return self.cover.stockout_on - dt.timedelta(days=self.lead_time_days)

    @property
    def overdue(self) -> bool:
        return self.order_by is not None and self.order_by < self.today

    @property
    def unit_cost(self) -> Decimal:
        return self.supplier_sku.unit_cost if self.supplier_sku else Decimal("0")

    @property
    def line_cost(self) -> Decimal:
        return self.unit_cost * self.quantity

    @property
    def pack_size(self) -> int:
        return self.supplier_sku.pack_size if self.supplier_sku else 1


def round_to_pack(units: int, *, pack_size: int = 1, minimum: int = 0) -> int:
    """``units`` raised to the supplier's minimum quantity, then up to a whole number of packs
    (0 stays 0: nothing is needed)."""
    if units <= 0:
        return 0
    pack = max(int(pack_size or 1), 1)
    units = max(units, int(minimum or 0))
    return math.ceil(units / pack) * pack


def _stock_rows(sku_ids=None):
    """Active SKUs with own and FBT available units and own sales in the two windows: one query."""
    skus = SKU.objects.filter(active=True)
    if sku_ids is not None:
        skus = skus.filter(pk__in=list(sku_ids))
    return list(skus.select_related("product").annotate(
        own_available=Coalesce(Sum(_AVAILABLE, filter=_OWN), Value(0)),
        fbt_available=Coalesce(Sum(_AVAILABLE, filter=_FBT), Value(0)),
        sold_base=sold_since(BASE_DAYS),
        sold_recent=sold_since(RECENT_DAYS),
    ).order_by("seller_sku"))


def _supplier_skus(sku_ids) -> dict[int, SupplierSKU]:
    """{sku_id: the supplier SKU suggestions go to}: the preferred one, else the cheapest (then
    the supplier's name) among active suppliers. One query."""
    chosen: dict[int, SupplierSKU] = {}
    rows = (SupplierSKU.objects.filter(sku_id__in=list(sku_ids), supplier__active=True).select_related("supplier")
            .order_by("sku_id", "-preferred", "unit_cost", "supplier__name"))
    for row in rows:
        chosen.setdefault(row.sku_id, row)
    return chosen


def _drafted(sku_ids) -> dict[int, int]:
    """{sku_id: units on draft purchase orders}: not on order yet, but already planned. One query."""
    rows = (PurchaseOrderLine.objects.filter(purchase_order__status=PurchaseOrderStatus.DRAFT,
                                             sku_id__in=list(sku_ids))
            .order_by().values("sku_id").annotate(units=Sum("quantity_ordered")))
    return {row["sku_id"]: row["units"] for row in rows}


def plan(*, sku_ids=None, today: dt.date | None = None) -> list[Suggestion]:
    """Every active SKU's replenishment figures (bundles left out), most urgent first: those to
    order, soonest stock-out first; then the rest. Eight queries, whatever the number of SKUs."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    rows = _stock_rows(sku_ids)
    ids = [row.pk for row in rows]
    bundle_ids = set(bundles.components_of(ids))
    rows = [row for row in rows if row.pk not in bundle_ids]
    ids = [row.pk for row in rows]
    if not ids:
        return []
    fbt_recent = fbt_hooks.fbt_sales(since=now - dt.timedelta(days=RECENT_DAYS), sku_ids=ids)
    fbt_base = fbt_hooks.fbt_sales(since=now - dt.timedelta(days=BASE_DAYS), sku_ids=ids)
    transit: dict[int, int] = defaultdict(int)
    for (sku_id, _destination), units in in_transit().items():
        transit[sku_id] += units
    ordered = on_order(sku_ids=ids)
    drafted = _drafted(ids)
    suppliers = _supplier_skus(ids)
    result = [_suggest(row, today=today, supplier_sku=suppliers.get(row.pk),
                       demand=Demand(row.sold_recent + fbt_recent.get(row.pk, 0),
                                     row.sold_base + fbt_base.get(row.pk, 0)),
                       transit=transit.get(row.pk, 0), on_order=ordered.get(row.pk, 0), drafted=drafted.get(row.pk, 0))
              for row in rows]
    result.sort(key=urgency)
    return result


def _suggest(row, *, today, supplier_sku, demand, transit, on_order, drafted) -> Suggestion:
    lead = supplier_sku.supplier.lead_time_days if supplier_sku else DEFAULT_LEAD_TIME_DAYS
    safety = demand.units(row.safety_stock_days)
    reorder_level = max(row.reorder_point, demand.units(lead) + safety)
    target = reorder_level + demand.units(ORDER_COVER_DAYS)
    available, fbt = max(row.own_available, 0), max(row.fbt_available, 0)
    covered = available + fbt + transit + on_order + drafted
    quantity = 0
    if covered < reorder_level:
        quantity = round_to_pack(target - covered, pack_size=supplier_sku.pack_size if supplier_sku else 1,
                                 minimum=supplier_sku.minimum_quantity if supplier_sku else 0)
    return Suggestion(sku=row, supplier=supplier_sku.supplier if supplier_sku else None, supplier_sku=supplier_sku,
                      demand=demand, available=available, fbt=fbt, transit=transit, on_order=on_order,
                      drafted=drafted, lead_time_days=lead, safety_stock=safety, reorder_level=reorder_level,
                      target=target, quantity=quantity, cover=Cover(available + fbt, demand, today), today=today)


def urgency(row: Suggestion):
    days = row.cover.days if row.cover.days is not None else float("inf")
    return (0 if row.quantity else 1, days, row.sku.seller_sku)


def suggestions(*, sku_ids=None, today: dt.date | None = None) -> list[Suggestion]:
    """The SKUs to order now (quantity above zero), most urgent first."""
    return [row for row in plan(sku_ids=sku_ids, today=today) if row.quantity]


@dataclass
class SupplierGroup:
    """The suggestions that go to one supplier (``supplier`` None: SKUs no supplier sells yet)."""

    supplier: Supplier | None
    rows: list[Suggestion]

    @property
    def total(self) -> Decimal:
        return sum((row.line_cost for row in self.rows), Decimal("0"))

    @property
    def units(self) -> int:
        return sum(row.quantity for row in self.rows)

    @property
    def below_minimum(self) -> bool:
        """The order would be smaller than the supplier's minimum order value."""
        return self.supplier is not None and self.total < self.supplier.minimum_order_value


def by_supplier(rows: list[Suggestion]) -> list[SupplierGroup]:
    """Suggestions grouped by supplier (by name; SKUs without a supplier last), each group in
    the rows' order."""
    groups: dict[int | None, SupplierGroup] = {}
    for row in rows:
        key = row.supplier.pk if row.supplier else None
        if key not in groups:
            groups[key] = SupplierGroup(supplier=row.supplier, rows=[])
        groups[key].rows.append(row)
    return sorted(groups.values(), key=lambda g: (g.supplier is None, g.supplier.name if g.supplier else ""))
