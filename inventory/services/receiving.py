"""Goods in: receiving (a delivery scanned item by item, a return put back on the shelf, FBT
inbound) and undoing a receiving scan.

An undo never edits the ledger: it appends an adjustment row that ``reverses`` the scan's row
(a nullable unique key), so each scan can be undone once. Two presses of "undo" for the same
scan (a double click, or two requests at once) undo that scan once: the second finds it undone,
under the lock of the scan's stock level and ledger row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from inventory.models import StockMovement
from inventory.services.adjustments import adjust
from inventory.services.errors import ScanAlreadyUndone, StockError
from inventory.services.ledger import Reason, check_removal, labels, move
from inventory.services.locks import lock_levels, lock_movement
from inventory.services.outbox import write_outbox


def receive(*, sku, location, quantity: int, user=None, reference: str = "", note: str = "",
            reason: str = Reason.RECEIPT) -> StockMovement:
    """Goods in (a delivery, a return put back on the shelf, FBT inbound): on hand += quantity."""
    if not isinstance(quantity, int) or quantity <= 0:
        raise StockError("The quantity received must be a positive whole number.")
    if reason not in (Reason.RECEIPT, Reason.RETURN, Reason.FBT_INBOUND):
        raise StockError(f'"{reason}" is not a reason for receiving stock.')
    return adjust(sku=sku, location=location, quantity=quantity, reason=reason, user=user, note=note,
                  reference=reference)


def undo_last_scan(*, reference: str, seen_up_to: int | None = None, user=None) -> StockMovement:
    """Undo the latest receiving scan of a delivery (``reference``) that is not undone yet; returns
    the reversing ledger row (reason adjustment, ``reverses`` = the scan's row).

    ``seen_up_to``: the id of the newest ledger row of the delivery the person had in front of
    them when pressing undo. An undo written after it means this press repeats one that was
    already done (pressed twice before the page updated): ScanAlreadyUndone, nothing changes.
    Raises StockError when nothing is left to undo or the units are no longer there to remove."""
    reference = (reference or "").strip()
    if not reference:
        raise StockError("Nothing left to undo in this delivery.")
    delivery = StockMovement.objects.filter(reference=reference)
    try:
        with transaction.atomic():
            scan = (delivery.filter(reason=Reason.RECEIPT, reversed_by__isnull=True).order_by("-id")
                    .values("pk", "sku_id", "location_id", "on_hand_change").first())
            if scan is None:
                raise StockError("Nothing left to undo in this delivery.")
            sku_id, location_id = scan["sku_id"], scan["location_id"]
            levels = lock_levels(Q(sku_id=sku_id, location_id=location_id))
            locked = lock_movement(scan["pk"])
            # Under the locks: a concurrent undo of the same scan has committed or not started.
            if StockMovement.objects.filter(reverses_id=locked.pk).exists():
                raise ScanAlreadyUndone(f"Scan #{locked.pk} was already undone.")
            if seen_up_to is not None and delivery.filter(reverses__isnull=False, pk__gt=seen_up_to).exists():
                raise ScanAlreadyUndone("The last scan was already undone (undo was pressed twice).")
            level = levels.get((sku_id, location_id))
            quantity = -locked.on_hand_change
            sku_label, location_label = labels(sku_id, location_id)
            if level is None:
                raise StockError(f"{sku_label} has no stock at {location_label} to take back.")
            check_removal(level, quantity, sku_label, location_label)
            (reversal,) = move([(level, quantity, 0)], reason=Reason.ADJUSTMENT, user=user, reference=reference,
                               note=f"undo scan #{locked.pk}", reverses=locked)
            write_outbox([sku_id])
    except IntegrityError as exc:  # the unique `reverses` key: another undo of this scan won the race
        raise ScanAlreadyUndone("The last scan was already undone.") from exc
    return reversal

