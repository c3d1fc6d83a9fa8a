"""Reads of purchasing: what is on order from suppliers, per SKU."""

from __future__ import annotations

from django.db.models import F, Sum

from inventory.purchasing_models import OUTSTANDING, PurchaseOrderLine, PurchaseOrderStatus

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
