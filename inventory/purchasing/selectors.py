"""Reads of purchasing: what is on order from suppliers, per SKU; suppliers and purchase orders
for the pages and the API, each list in a constant number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from inventory.models import StockMovement
from inventory.purchasing_models import (
    OUTSTANDING,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
    SupplierSKU,
)

OPEN_STATUSES = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


def on_order(*, sku_ids=None) -> dict[int, int]:
    """{sku_id: units ordered from suppliers and not yet received} over sent and partly received
    purchase orders (drafts are not on order yet). One query; SKUs with nothing on order are absent."""
    lines = PurchaseOrderLine.objects.filter(purchase_order__status__in=OPEN_STATUSES,
                                             quantity_received__lt=F("quantity_ordered"))
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=list(sku_ids))
    rows = lines.order_by().values("sku_id").annotate(units=Sum(OUTSTANDING))
    return {row["sku_id"]: row["units"] for row in rows if row["units"] > 0}


def attach_on_order(rows):
    """Set `row.on_order` (units on order from suppliers) on SKU rows; one query for the lot.
    Returns the rows as a list (so a page's rows keep the attribute when the template iterates)."""
    rows = list(rows)
    units = on_order(sku_ids={row.pk for row in rows}) if rows else {}
    for row in rows:
        row.on_order = units.get(row.pk, 0)
    return rows


def open_lines_for_sku(sku_id: int):
    """The SKU's lines on sent or partly received orders, oldest expected first (one query)."""
    return (PurchaseOrderLine.objects.filter(sku_id=sku_id, purchase_order__status__in=OPEN_STATUSES,
                                             quantity_received__lt=F("quantity_ordered"))
            .select_related("purchase_order", "purchase_order__supplier")
            .order_by(F("purchase_order__expected_on").asc(nulls_last=True), "purchase_order_id"))


def suppliers():
    """Suppliers with their number of SKUs and of open orders (one query)."""
    return Supplier.objects.annotate(
        sku_count=Count("skus", distinct=True),
        open_orders=Count("purchase_orders", filter=Q(purchase_orders__status__in=OPEN_STATUSES), distinct=True),
    ).order_by("-active", "name")


def supplier_skus(supplier):
    return SupplierSKU.objects.filter(supplier=supplier).select_related("sku").order_by("sku__seller_sku")


def purchase_orders(*, status: str = "", supplier_id: int | None = None, receivable: bool = False):
    """Purchase orders, newest first, with their line count, units ordered and received and their
    value (one query). `status` filters by one status; `receivable` keeps those that can be received."""
    orders = PurchaseOrder.objects.select_related("supplier", "deliver_to")
    if status:
        orders = orders.filter(status=status)
    if supplier_id:
        orders = orders.filter(supplier_id=supplier_id)
    if receivable:
        orders = orders.filter(status__in=OPEN_STATUSES)
    return orders.annotate(
        line_count=Count("lines"),
        units_ordered=Coalesce(Sum("lines__quantity_ordered"), Value(0)),
        units_received=Coalesce(Sum("lines__quantity_received"), Value(0)),
        value=Coalesce(Sum(F("lines__quantity_ordered") * F("lines__unit_cost"),
                           output_field=DecimalField(max_digits=18, decimal_places=4)),
                       Value(Decimal("0")), output_field=DecimalField(max_digits=18, decimal_places=4)),
    ).order_by("-created_at", "-id")


def po_lines(po):
    """An order's lines with their SKU, remainder and over-receipt (`outstanding`, `over`); one query."""
    lines = list(po.lines.select_related("sku").order_by("sku__seller_sku"))
    for line in lines:
        line.over = max(0, line.quantity_received - line.quantity_ordered)
        line.amount = (line.unit_cost * line.quantity_ordered).quantize(Decimal("0.01"))
    return lines


def po_sends(po):
    return po.sends.select_related("sent_by").order_by("-sent_at", "-id")


def po_receipts(po, reference: str):
    """The ledger rows of the order's receipts and their undos, newest first."""
    return (StockMovement.objects.filter(reference=reference).select_related("sku", "location", "user")
            .order_by("-id"))


def receipt_mark(reference: str) -> int | None:
    """The newest ledger row of the order's receipts (what the receiving page had in front of it)."""
    return StockMovement.objects.filter(reference=reference).order_by("-id").values_list("id", flat=True).first()


def supplier_cost(supplier_id: int, sku_ids) -> dict[int, Decimal]:
    """{sku_id: unit cost} from the supplier's SKUs (one query)."""
    return dict(SupplierSKU.objects.filter(supplier_id=supplier_id, sku_id__in=list(sku_ids))
                .values_list("sku_id", "unit_cost"))
