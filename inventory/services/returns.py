"""Returned units that come back to the warehouse: put back on the shelf (``restock_returned``,
ledger reason "return", on hand up) or written off (``write_off_returned``, ledger reason
"return_write_off", on hand unchanged: the unit never becomes sellable stock, the ledger keeps
the record of it with the reason). Both in one transaction under the level lock."""

from __future__ import annotations

from django.db import transaction

from inventory.bundles import components_of
from inventory.models import Location, StockMovement
from inventory.services.errors import StockError
from inventory.services.ledger import Reason, move, pk_of
from inventory.services.locks import ensure_and_lock
from inventory.services.outbox import write_outbox
from inventory.services.reservations import OWN_KINDS


def _check(location, quantity: int) -> Location:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise StockError("The quantity must be a whole number of at least 1.")
    loc = location if isinstance(location, Location) else Location.objects.filter(pk=location).first()
    if loc is None or loc.kind not in OWN_KINDS or not loc.active:
        raise StockError("Choose an active own warehouse or bin for the returned units.")
    return loc


def restock_returned(*, sku, location, quantity: int, user=None, note: str = "",
                     reference: str = "") -> StockMovement:
    """Put ``quantity`` returned units of ``sku`` back on hand at ``location``; a returned bundle
    puts its components back (quantity × units each; the first component's ledger row is returned)."""
    loc = _check(location, quantity)
    sku_id = pk_of(sku)
    parts = components_of([sku_id]).get(sku_id) or [(sku_id, 1)]
    with transaction.atomic():
        levels = ensure_and_lock([(part_id, loc.pk) for part_id, _units in parts])
        movements = move([(levels[(part_id, loc.pk)], quantity * units, 0) for part_id, units in parts],
                         reason=Reason.RETURN, user=user, reference=reference, note=note[:500])
        write_outbox([part_id for part_id, _units in parts])
        return movements[0]


def write_off_returned(*, sku, location, quantity: int, reason: str, user=None,
                       reference: str = "") -> StockMovement:
    """Record ``quantity`` returned units of ``sku`` written off at ``location`` with ``reason``."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError("Say why the returned units are written off (e.g. damaged).")
    loc = _check(location, quantity)
    sku_id = pk_of(sku)
    parts = components_of([sku_id]).get(sku_id) or [(sku_id, 1)]  # a bundle: its components
    with transaction.atomic():
        levels = ensure_and_lock([(part_id, loc.pk) for part_id, _units in parts])
        movements = move([(levels[(part_id, loc.pk)], 0, 0) for part_id, _units in parts],
                         reason=Reason.RETURN_WRITE_OFF, user=user, reference=reference,
                         note=f"{quantity} written off: {reason}"[:500])
        return movements[0]
