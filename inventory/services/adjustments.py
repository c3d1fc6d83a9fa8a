"""Adjustments, stock counts and transfers: on hand changed by hand, set to a counted figure, or
moved between locations, each in one transaction under the level locks, with its ledger rows."""

from __future__ import annotations

from django.db import transaction

from inventory.models import Location, StockMovement
from inventory.services.bundle_guard import refuse_bundle_stock
from inventory.services.errors import StockError
from inventory.services.ledger import Reason, check_removal, describe, labels, move, pk_of, sku_labels
from inventory.services.locks import ensure_and_lock
from inventory.services.outbox import write_outbox

# Reasons `adjust` accepts, and the sign their quantity must have (None: either).
ADJUST_REASONS = {
    Reason.RECEIPT: 1,
    Reason.RETURN: 1,
    Reason.FBT_INBOUND: 1,
    Reason.SALE: -1,
    Reason.ADJUSTMENT: None,
    Reason.COUNT: None,
}


def adjust(*, sku, location, quantity: int, reason: str, user=None, note: str = "",
           reference: str = "") -> StockMovement:
    """Change on hand by a signed `quantity` with a reason; never below what is reserved or zero."""
    if reason not in ADJUST_REASONS:
        allowed = ", ".join(sorted(ADJUST_REASONS))
        raise StockError(f'"{reason}" is not a reason for an adjustment (use one of: {allowed}).')
    if not isinstance(quantity, int) or quantity == 0:
        raise StockError("The quantity must be a whole number other than zero.")
    sign = ADJUST_REASONS[reason]
    if sign is not None and (quantity > 0) != (sign > 0):
        word = "positive" if sign > 0 else "negative"
        raise StockError(f"A {Reason(reason).label.lower()} must have a {word} quantity.")
    sku_id, location_id = pk_of(sku), pk_of(location)
    sku_label, location_label = labels(sku_id, location_id)
    refuse_bundle_stock([sku_id], doing="receive or adjust")
    with transaction.atomic():
        level = ensure_and_lock([(sku_id, location_id)])[(sku_id, location_id)]
        check_removal(level, quantity, sku_label, location_label)
        (movement,) = move([(level, quantity, 0)], reason=reason, user=user, reference=reference, note=note)
        write_outbox([sku_id])
        return movement


def count(*, sku, location, counted: int, user=None, note: str = "") -> StockMovement:
    """A stock count: on hand becomes the counted figure (ledger reason count, change may be 0)."""
    (movement,) = apply_counts(counts=[(pk_of(sku), pk_of(location), counted)], user=user, note=note)
    return movement


def apply_counts(*, counts, user=None, note: str = "", reference: str = "") -> list[StockMovement]:
    """Several counts in one transaction (all or nothing): [(sku_id, location_id, counted)]."""
    counts = list(counts)
    for _s, _loc, counted in counts:
        if not isinstance(counted, int) or counted < 0:
            raise StockError("A counted quantity must be a whole number, zero or more.")
    if not counts:
        return []
    pairs = [(s, loc) for s, loc, _c in counts]
    if len(set(pairs)) != len(pairs):
        raise StockError("Each SKU and location may be counted only once at a time.")
    skus = sku_labels(s for s, _loc in pairs)
    locs = dict(Location.objects.filter(pk__in={loc for _s, loc in pairs}).values_list("pk", "code"))
    for s, loc in pairs:
        if s not in skus:
            raise StockError(f"Unknown SKU id {s}.")
        if loc not in locs:
            raise StockError(f"Unknown location id {loc}.")
    refuse_bundle_stock(skus, doing="count")
    with transaction.atomic():
        levels = ensure_and_lock(pairs)
        problems = []
        for s, loc, counted in counts:
            level = levels[(s, loc)]
            if counted < level.reserved:
                problems.append(
                    f"{skus[s]} at {locs[loc]}: counted {counted} but {level.reserved} are reserved for orders "
                    f"(release or reallocate them first)"
                )
        if problems:
            raise StockError("; ".join(problems))
        movements = move([(levels[(s, loc)], counted - levels[(s, loc)].on_hand, 0) for s, loc, counted in counts],
                         reason=Reason.COUNT, user=user, note=note, reference=reference)
        write_outbox(set(skus))
        return movements


def transfer(*, sku, from_location, to_location, quantity: int, reason: str = Reason.TRANSFER, user=None,
             reference: str = "", note: str = "") -> tuple[StockMovement, StockMovement]:
    """Move unreserved stock between locations (e.g. bin to bin, warehouse to transit, to FBT)."""
    if reason not in (Reason.TRANSFER, Reason.FBT_INBOUND):
        raise StockError(f'"{reason}" is not a reason for a transfer.')
    if not isinstance(quantity, int) or quantity <= 0:
        raise StockError("The quantity to transfer must be a positive whole number.")
    sku_id, src, dst = pk_of(sku), pk_of(from_location), pk_of(to_location)
    if src == dst:
        raise StockError("Choose two different locations for a transfer.")
    sku_label, src_label = labels(sku_id, src)
    _sku, dst_label = labels(sku_id, dst)
    refuse_bundle_stock([sku_id], doing="move")
    with transaction.atomic():
        levels = ensure_and_lock([(sku_id, src), (sku_id, dst)])
        source, target = levels[(sku_id, src)], levels[(sku_id, dst)]
        if source.on_hand - source.reserved < quantity:
            raise StockError(
                f"Cannot transfer {quantity}: {describe(source, sku_label, src_label)}, "
                f"so at most {source.on_hand - source.reserved} can be moved."
            )
        out, into = move([(source, -quantity, 0), (target, quantity, 0)], reason=reason, user=user,
                         reference=reference, note=note or f"{src_label} -> {dst_label}")
        write_outbox([sku_id])
        return out, into
