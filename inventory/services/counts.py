"""Counts a scanner can do: what was counted in one bin (or warehouse) becomes its on hand, even
when it is less than what is reserved for orders.

A count below reserved is recorded truthfully: the reservations that no longer fit are released,
newest first (the most recently confirmed orders give their units back, the oldest keep theirs),
each with a ``release`` ledger row under the order's reference, then the ``count`` row writes the
difference. After commit the ``inventory.hooks`` listeners hear which references lost stock (orders
moves them back to needs-attention, "short after count"). The counted levels get their
``last_counted_at`` (the cycle-count list reads it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from inventory.hooks import ReleasedAfterCount, reservations_released_after_count
from inventory.models import Location, Reservation, StockLevel, StockMovement
from inventory.services.bundle_guard import refuse_bundle_stock
from inventory.services.errors import StockError
from inventory.services.ledger import Reason, move, pk_of, sku_labels
from inventory.services.locks import ensure_and_lock
from inventory.services.outbox import write_outbox

COUNTABLE_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
MAX_COUNTED = 1_000_000


@dataclass
class CountResult:
    """What a recorded count did: one ``count`` movement per SKU (change may be 0) and the
    reservations released because the shelf held fewer than were reserved."""

    location_code: str
    movements: list[StockMovement] = field(default_factory=list)
    released: list[ReleasedAfterCount] = field(default_factory=list)

    @property
    def released_references(self) -> list[str]:
        seen = []
        for row in self.released:
            if row.reference not in seen:
                seen.append(row.reference)
        return seen


def _validate(location, counts) -> tuple[Location, list[tuple[int, int]], dict[int, str]]:
    location_id = pk_of(location) if location is not None else None
    loc = Location.objects.filter(pk=location_id, active=True, kind__in=COUNTABLE_KINDS).first() \
        if location_id else None
    if loc is None:
        raise StockError("Scan the bin (or warehouse) you are counting first.")
    counts = [(pk_of(sku), counted) for sku, counted in counts]
    if not counts:
        raise StockError(f"Nothing was counted in {loc.code}: scan the items on the shelf first.")
    for _sku, counted in counts:
        if not isinstance(counted, int) or isinstance(counted, bool) or not 0 <= counted <= MAX_COUNTED:
            raise StockError("A counted quantity must be a whole number, zero or more.")
    skus = [s for s, _c in counts]
    if len(set(skus)) != len(skus):
        raise StockError("Each SKU may be counted only once in a count.")
    names = sku_labels(skus)
    unknown = [str(s) for s in skus if s not in names]
    if unknown:
        raise StockError(f"Unknown SKU id(s): {', '.join(unknown)}.")
    refuse_bundle_stock(skus, doing="count")
    return loc, counts, names


def record_count(*, location, counts, user=None, note: str = "", reference: str = "") -> CountResult:
    """Set on hand at ``location`` to the counted figures ``[(sku or sku_id, counted)]``, all or
    nothing, in one transaction. Reservations beyond a counted figure are released newest first
    (whole reservations, so an order never keeps half a line). Raises StockError (nothing written)
    for a missing or unknown location, an empty count or a bad figure."""
    loc, counts, names = _validate(location, counts)
    note = note or f"count of {loc.code}"
    result = CountResult(location_code=loc.code)
    with transaction.atomic():
        levels = ensure_and_lock([(s, loc.pk) for s, _c in counts])
        releases, closed = [], []
        for sku_id, counted in counts:
            level = levels[(sku_id, loc.pk)]
            excess = level.reserved - counted
            if excess <= 0:
                continue
            # Under the level lock nobody else closes these reservations; take them newest first.
            newest = (Reservation.objects.select_for_update(of=("self",))
                      .filter(sku_id=sku_id, location_id=loc.pk, state=Reservation.State.ACTIVE)
                      .order_by("-created_at", "-pk"))
            for reservation in newest:
                if excess <= 0:
                    break
                excess -= reservation.quantity
                closed.append(reservation.pk)
                releases.append((level, reservation))
                result.released.append(ReleasedAfterCount(
                    reference=reservation.reference, line_key=reservation.line_key, sku_id=sku_id,
                    seller_sku=names[sku_id], location_code=loc.code, quantity=reservation.quantity))
        for level, reservation in releases:  # reserved goes down first: on hand may then follow it
            move([(level, 0, -reservation.quantity)], reason=Reason.RELEASE, user=user,
                 reference=reservation.reference, note=f"short after count of {loc.code}")
        if closed:
            Reservation.objects.filter(pk__in=closed).update(state=Reservation.State.RELEASED,
                                                             closed_at=timezone.now())
        result.movements = move([(levels[(s, loc.pk)], counted - levels[(s, loc.pk)].on_hand, 0)
                                 for s, counted in counts],
                                reason=Reason.COUNT, user=user, note=note, reference=reference)
        StockLevel.objects.filter(pk__in=[lv.pk for lv in levels.values()]).update(last_counted_at=timezone.now())
        write_outbox(set(names))
        reservations_released_after_count(result.released)
    return result
