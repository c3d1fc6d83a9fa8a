"""Receiving against a purchase order: each scan (a barcode or seller SKU, one unit or a typed
quantity) goes into the order's deliver-to location or a chosen bin through
``inventory.services.receive`` with reference ``po:<number>``, so the ledger has the receipts;
the line's received count and the order's status (partly received / received) follow in the
same transaction. The last scan can be undone through the ledger's receiving undo.

Locks: the purchase order first (``locks.lock_purchase_order``), then the stock level (inside
inventory.services). Over-receipt is allowed and shown (a case of 12 on a line of 10)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from inventory import services as stock
from inventory.models import SKU, Location, StockMovement
from inventory.purchasing.locks import lock_purchase_order
from inventory.purchasing.services import PurchasingError
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus

RECEIVABLE = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED, PurchaseOrderStatus.RECEIVED)
MAX_UNITS_PER_SCAN = 100_000


def reference_for(po: PurchaseOrder) -> str:
    """The ledger reference of an order's receipts."""
    return f"po:{po.number}"


@dataclass(frozen=True)
class Receipt:
    line: PurchaseOrderLine
    movement: StockMovement
    status: str

    @property
    def over(self) -> int:
        return max(0, self.line.quantity_received - self.line.quantity_ordered)


def _locked(purchase_order_id: int) -> PurchaseOrder:
    po = lock_purchase_order(purchase_order_id)
    if po is None:
        raise PurchasingError("This purchase order no longer exists.")
    return po


def _follow_status(po: PurchaseOrder) -> str:
    """Set the order's status from its lines: nothing received -> sent, some -> partly received,
    every line complete -> received. One aggregate query and one update."""
    totals = po.lines.aggregate(received=Sum("quantity_received"),
                                short=Sum(F("quantity_ordered") - F("quantity_received"),
                                          filter=Q(quantity_received__lt=F("quantity_ordered"))))
    if not totals["received"]:
        status, closed = PurchaseOrderStatus.SENT, None
    elif totals["short"]:
        status, closed = PurchaseOrderStatus.PARTLY_RECEIVED, None
    else:
        status, closed = PurchaseOrderStatus.RECEIVED, po.closed_at or timezone.now()
    if status != po.status or closed != po.closed_at:
        PurchaseOrder.objects.filter(pk=po.pk).update(status=status, closed_at=closed)
        po.status, po.closed_at = status, closed
    return status


def receive_against_po(*, purchase_order_id: int, sku: SKU, quantity: int = 1, location: Location | None = None,
                       user=None, note: str = "") -> Receipt:
    """Receive `quantity` units of `sku` against the order into `location` (default: the order's
    deliver-to). Raises PurchasingError (nothing changes) for a draft or cancelled order, a SKU
    that is not on the order, a location that is not an own warehouse or bin."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_UNITS_PER_SCAN:
        raise PurchasingError(f"Units per scan must be between 1 and {MAX_UNITS_PER_SCAN}.")
    with transaction.atomic():
        po = _locked(purchase_order_id)
        if po.status == PurchaseOrderStatus.DRAFT:
            raise PurchasingError(f"{po.number} is still a draft: send it to the supplier before receiving against it.")
        if po.status not in RECEIVABLE:
            raise PurchasingError(f"{po.number} is {po.get_status_display().lower()}: nothing can be received on it.")
        line = po.lines.filter(sku_id=sku.pk).first()
        if line is None:
            raise PurchasingError(f"{sku.seller_sku} is not on {po.number}: nothing received. Receive it on the "
                                  "plain receiving page, or add it to the order.")
        target = location or po.deliver_to
        if target.kind not in (Location.Kind.WAREHOUSE, Location.Kind.BIN) or not target.active:
            raise PurchasingError(f"{target.code} is not an active warehouse or bin: nothing received.")
        movement = stock.receive(sku=sku, location=target, quantity=quantity, user=user,
                                 reference=reference_for(po), note=note or f"received against {po.number}")
        PurchaseOrderLine.objects.filter(pk=line.pk).update(quantity_received=F("quantity_received") + quantity)
        line.refresh_from_db(fields=["quantity_received"])
        status = _follow_status(po)
    return Receipt(line=line, movement=movement, status=status)


def undo_last_po_scan(*, purchase_order_id: int, seen_up_to: int | None = None, user=None) -> StockMovement:
    """Undo the order's latest receiving scan (``inventory.services.undo_last_scan`` on its
    reference): the units leave the shelf again through the ledger, the line's received count
    goes down and the order's status follows. Raises StockError when nothing is left to undo or
    the undo was pressed twice (ScanAlreadyUndone)."""
    with transaction.atomic():
        po = _locked(purchase_order_id)
        reversal = stock.undo_last_scan(reference=reference_for(po), seen_up_to=seen_up_to, user=user)
        units = -reversal.on_hand_change
        line = po.lines.filter(sku_id=reversal.sku_id).first()
        if line is not None:
            line.quantity_received = max(0, line.quantity_received - units)
            line.save(update_fields=["quantity_received"])
        if po.status != PurchaseOrderStatus.CANCELLED:
            _follow_status(po)
    return reversal
