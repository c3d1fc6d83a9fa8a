"""THE lock helper of the purchasing family: a purchase order row is locked here and nowhere else
(``select_for_update(of=("self",))``). A receiving scan locks the order first, then (inside
inventory.services) the stock level it moves; nothing else locks in the other order."""

from __future__ import annotations

from inventory.purchasing_models import PurchaseOrder


def lock_purchase_order(pk: int) -> PurchaseOrder | None:
    """The purchase order, locked FOR UPDATE (None when there is no such order). Two scans or
    edits of the same order wait for each other; other orders are not held up."""
    return PurchaseOrder.objects.select_for_update(of=("self",)).filter(pk=pk).first()
