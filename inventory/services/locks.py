"""THE lock helpers of the stock family: stock levels (and the ledger rows an undo reverses) are
locked here and nowhere else, ``select_for_update(of=("self",))`` in primary-key order, so two
changes locking the same rows in opposite orders never deadlock and a join never locks the rows
of another table. No-op locks on SQLite, whose transactions serialise writers."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from inventory.models import StockLevel, StockMovement


def lock_levels(condition: Q) -> dict[tuple[int, int], StockLevel]:
    """The StockLevel rows matching ``condition``, locked FOR UPDATE in primary-key order.
    Returns {(sku_id, location_id): level}."""
    rows = StockLevel.objects.select_for_update(of=("self",)).filter(condition).order_by("pk")
    return {(row.sku_id, row.location_id): row for row in rows}


def pairs_condition(pairs) -> Q:
    """A Q matching StockLevel rows of the given (sku_id, location_id) pairs, compactly (grouped by
    location when there are fewer locations than SKUs, as in an import)."""
    pairs = set(pairs)
    by_sku, by_location = defaultdict(set), defaultdict(set)
    for sku_id, location_id in pairs:
        by_sku[sku_id].add(location_id)
        by_location[location_id].add(sku_id)
    condition = Q(pk__in=[])
    if len(by_location) < len(by_sku):
        for location_id, sku_ids in by_location.items():
            condition |= Q(location_id=location_id, sku_id__in=sorted(sku_ids))
        return condition
    for sku_id, location_ids in by_sku.items():
        condition |= Q(sku_id=sku_id, location_id__in=sorted(location_ids))
    return condition


def ensure_and_lock(pairs) -> dict[tuple[int, int], StockLevel]:
    """Create the missing StockLevel rows for (sku_id, location_id) pairs, then lock them all."""
    pairs = set(pairs)
    condition = pairs_condition(pairs)
    levels = StockLevel.objects.filter(condition).values_list("sku_id", "location_id")
    missing = pairs - set(levels)
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(sku_id=s, location_id=loc) for s, loc in sorted(missing)], ignore_conflicts=True
        )
    return lock_levels(condition)


def lock_movement(pk: int) -> StockMovement | None:
    """One ledger row, locked FOR UPDATE (taken after the levels it concerns: an undo locks the
    level, then the scan it reverses). None when there is no such row."""
    return StockMovement.objects.select_for_update(of=("self",)).filter(pk=pk).first()
