"""Reservations: stock held for the lines of an order (by reference) at sellable own locations,
then released (cancelled) or consumed (shipped). Every line of an order is reserved, or none;
every shortfall is collected into one ``InsufficientStock`` error."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inventory.models import Location, Reservation
from inventory.services.errors import InsufficientStock, Shortfall, StockError, StockRequest
from inventory.services.ledger import Reason, move, sku_labels
from inventory.services.locks import lock_levels, pairs_condition
from inventory.services.outbox import write_outbox

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
# Locations whose stock may be reserved and sold through any channel.
SELLABLE_OWN = Q(kind__in=OWN_KINDS, sellable=True, active=True)
DEFAULT_LOCATION_CODES = ("MAIN",)


def _location_order(location_codes):
    """Sellable own locations in reservation priority: each listed code (a warehouse followed by
    its bins), then every other sellable own warehouse with its bins, then any other bin."""
    codes = list(location_codes) if location_codes else list(DEFAULT_LOCATION_CODES)
    locations = list(Location.objects.filter(SELLABLE_OWN).order_by("pick_sequence", "code", "pk"))
    by_code = {loc.code: loc for loc in locations}
    ordered, seen = [], set()

    def take(loc):
        if loc.pk not in seen:
            seen.add(loc.pk)
            ordered.append(loc)

    def take_with_bins(loc):
        take(loc)
        for child in locations:
            if child.parent_id == loc.pk:
                take(child)

    for code in codes:
        if code in by_code:  # unknown, inactive or unsellable codes in a priority list are skipped
            take_with_bins(by_code[code])
    for loc in locations:
        if loc.parent_id is None:
            take_with_bins(loc)
    for loc in locations:
        take(loc)
    return ordered


def reserve(*, reference: str, requests: list[StockRequest], location_codes: list[str] | None = None,
            user=None) -> list[Reservation]:
    """Reserve every line of an order, or nothing.

    Stock comes from sellable own locations in the order of `location_codes` (default MAIN, then
    any other sellable own location); a line may be split across locations. A line that already
    has ACTIVE reservations under this reference only reserves what is missing, so confirming an
    order twice reserves once. Returns the ACTIVE reservations of the requested lines.
    Raises InsufficientStock naming every short line (nothing is reserved then)."""
    if not reference:
        raise StockError("A reservation needs a reference (e.g. the order).")
    requests = list(requests)
    keys = [r.line_key for r in requests]
    if len(set(keys)) != len(keys):
        raise StockError("Each line may appear only once in a reservation request.")
    for r in requests:
        if not isinstance(r.quantity, int) or r.quantity <= 0:
            raise StockError(f"Line {r.line_key}: the quantity must be a positive whole number.")
    if not requests:
        return []
    sku_ids = sorted({r.sku_id for r in requests})
    labels = sku_labels(sku_ids)
    unknown = [r for r in requests if r.sku_id not in labels]
    if unknown:
        raise StockError("Unknown SKU id(s): " + ", ".join(str(r.sku_id) for r in unknown))

    with transaction.atomic():
        locations = _location_order(location_codes)
        rank = {loc.pk: i for i, loc in enumerate(locations)}
        levels = lock_levels(Q(sku_id__in=sku_ids, location_id__in=list(rank)))
        # Read what is already held only now, under the locks: a concurrent confirmation of the
        # same order waits above and then sees the reservations the first one committed.
        held = defaultdict(int)
        for line_key, quantity in Reservation.objects.filter(
            reference=reference, state=Reservation.State.ACTIVE, line_key__in=keys
        ).values_list("line_key", "quantity"):
            held[line_key] += quantity

        free = {pair: level.on_hand - level.reserved for pair, level in levels.items()}
        by_sku = defaultdict(list)
        for (sku_id, _location_id), level in levels.items():
            by_sku[sku_id].append(level)
        for sku_levels in by_sku.values():
            sku_levels.sort(key=lambda lv: rank[lv.location_id])

        plan, shortfalls = [], []
        for r in requests:
            missing = r.quantity - held[r.line_key]
            if missing <= 0:
                continue
            candidates = by_sku[r.sku_id]
            available = sum(free[(lv.sku_id, lv.location_id)] for lv in candidates)
            if available < missing:
                shortfalls.append(Shortfall(r.line_key, r.sku_id, labels[r.sku_id], missing, max(available, 0)))
                continue
            for lv in candidates:
                if missing == 0:
                    break
                pair = (lv.sku_id, lv.location_id)
                take = min(free[pair], missing)
                if take > 0:
                    free[pair] -= take
                    missing -= take
                    plan.append((r, lv, take))
        if shortfalls:
            raise InsufficientStock(shortfalls)

        if plan:
            move([(lv, 0, take) for _r, lv, take in plan], reason=Reason.RESERVATION, user=user,
                  reference=reference)
            Reservation.objects.bulk_create(
                [Reservation(reference=reference, line_key=r.line_key, sku_id=r.sku_id, location_id=lv.location_id,
                             quantity=take) for r, lv, take in plan]
            )
            write_outbox(sku_ids)
        return list(
            Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE, line_key__in=keys)
            .select_related("sku", "location")
            .order_by("pk")
        )


@dataclass(frozen=True)
class PageOrder:
    """One order of a page to reserve: its reference, its lines' requests, its location priority."""

    reference: str
    requests: list[StockRequest]
    location_codes: tuple[str, ...] | None = None


def reserve_page(*, orders: list[PageOrder], user=None) -> dict[str, InsufficientStock | None]:
    """Reserve a page of orders in the caller's transaction: each order whole or not at all.
    Returns {reference: None when reserved, else the InsufficientStock naming its short lines}."""
    outcome = {}
    with transaction.atomic():
        for page_order in orders:
            try:
                with transaction.atomic():
                    reserve(reference=page_order.reference, requests=page_order.requests,
                            location_codes=list(page_order.location_codes or []) or None, user=user)
            except InsufficientStock as exc:
                outcome[page_order.reference] = exc
            else:
                outcome[page_order.reference] = None
    return outcome


def _close_reservations(*, reference, line_keys, state, reason, user, note=""):
    """Release or consume the ACTIVE reservations of a reference (optionally only some lines)."""
    active = Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE)
    if line_keys is not None:
        active = active.filter(line_key__in=list(line_keys))
    with transaction.atomic():
        pairs = set(active.values_list("sku_id", "location_id"))
        if not pairs:
            return 0
        levels = lock_levels(pairs_condition(pairs))
        # Under the level locks, nobody else can close these reservations: read them again.
        reservations = list(active.select_for_update(of=("self",)).order_by("pk"))
        extra = {(r.sku_id, r.location_id) for r in reservations} - set(levels)
        if extra:  # a line reserved concurrently at another level after our first read
            levels.update(lock_levels(pairs_condition(extra)))
        if not reservations:
            return 0
        totals = defaultdict(int)
        for r in reservations:
            totals[(r.sku_id, r.location_id)] += r.quantity
        on_hand_sign = -1 if state == Reservation.State.CONSUMED else 0
        changes = [(levels[pair], on_hand_sign * q, -q) for pair, q in sorted(totals.items())]
        move(changes, reason=reason, user=user, reference=reference, note=note)
        Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(state=state, closed_at=timezone.now())
        write_outbox({sku_id for sku_id, _loc in totals})
        return sum(totals.values())


def release(*, reference: str, user=None, note: str = "") -> int:
    """Release every ACTIVE reservation of the reference (order cancelled). Returns units released;
    releasing again releases nothing."""
    return _close_reservations(reference=reference, line_keys=None, state=Reservation.State.RELEASED,
                               reason=Reason.RELEASE, user=user, note=note)


def consume(*, reference: str, line_keys: list[str] | None = None, user=None) -> int:
    """Ship: the ACTIVE reservations of the reference (or of some lines) leave on hand (ledger
    reason sale). Returns units shipped; consuming again ships nothing."""
    return _close_reservations(reference=reference, line_keys=line_keys, state=Reservation.State.CONSUMED,
                               reason=Reason.SALE, user=user)
