"""THE lock helpers of the stock family: stock levels (and the ledger rows an undo reverses) are
locked here and nowhere else, ``select_for_update(of=("self",))`` in primary-key order, so two
changes locking the same rows in opposite orders never deadlock and a join never locks the rows
of another table. No-op locks on SQLite, whose transactions serialise writers.

The two locks every order takes (``lock_sellable_levels`` to reserve, ``lock_reserved_levels`` to
release or ship) are hand-written: the same ``FOR UPDATE OF`` the stock level only, in primary-key
order, with what the caller needs read in the same statement (the locations' priority, or which
levels an order holds)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from inventory.models import Location, Reservation, StockLevel, StockMovement
from inventory.services import sql

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)


@dataclass
class LockedLevel:
    """A locked stock level with its location's place in the reservation priority."""

    pk: int
    sku_id: int
    location_id: int
    on_hand: int
    reserved: int
    code: str
    own_key: tuple  # (pick_sequence, code, pk): the location's place among its peers
    parent_id: int | None
    parent_code: str | None
    parent_key: tuple | None
    parent_groups: bool  # the parent is a sellable own location at the top (its bins come with it)


def _for_update(table_alias: str) -> str:
    return f" FOR UPDATE OF {table_alias}" if sql.db().features.has_select_for_update_of else ""


def lock_sellable_levels(sku_ids, *, cursor=None) -> list[LockedLevel]:
    """The stock levels of these SKUs at sellable own locations (active warehouses and bins),
    locked FOR UPDATE OF the level only, in primary-key order, with their locations' priority
    fields (one statement)."""
    sku_ids = sorted({int(pk) for pk in sku_ids})
    if not sku_ids:
        return []
    n = len(sku_ids)
    query = sql.text(("lock-sellable", n), lambda: (
        "SELECT s.id, s.sku_id, s.location_id, s.on_hand, s.reserved, loc.code, loc.pick_sequence, loc.parent_id, "
        "p.code, p.pick_sequence, p.parent_id, p.kind, p.sellable, p.active "
        f"FROM {sql.table(StockLevel)} s JOIN {sql.table(Location)} loc ON loc.id = s.location_id "
        f"LEFT JOIN {sql.table(Location)} p ON p.id = loc.parent_id "
        f"WHERE s.sku_id IN ({sql.marks(n)}) AND loc.kind IN (%s, %s) "
        "AND loc.sellable = %s AND loc.active = %s ORDER BY s.id" + _for_update("s")))
    with sql.cursor(cursor) as cur:
        cur.execute(query, [*sku_ids, *OWN_KINDS, True, True])
        rows = cur.fetchall()
    levels = []
    for (pk, sku_id, location_id, on_hand, reserved, code, seq, parent_id, p_code, p_seq, p_parent, p_kind,
         p_sellable, p_active) in rows:
        levels.append(LockedLevel(
            pk, sku_id, location_id, on_hand, reserved, code, (seq, code, location_id), parent_id, p_code,
            None if parent_id is None else (p_seq, p_code, parent_id),
            bool(parent_id is not None and p_parent is None and p_kind in OWN_KINDS and p_sellable and p_active)))
    return levels


def priority(level: LockedLevel, codes: dict[str, int]) -> tuple:
    """Where a location comes in the reservation order, for the priority list ``codes`` ({code:
    index}): each listed location followed by its bins, then every other sellable own warehouse
    followed by its bins, then any other bin."""
    keys = []
    if level.code in codes:
        keys.append((0, codes[level.code], 0, level.own_key))
    if level.parent_groups and level.parent_code in codes:
        keys.append((0, codes[level.parent_code], 1, level.own_key))
    if keys:
        return min(keys)
    if level.parent_id is None:
        return (1, level.own_key, 0, ())
    if level.parent_groups:
        return (1, level.parent_key, 1, level.own_key)
    return (2, level.own_key, 0, ())


def lock_reserved_levels(reference: str, line_keys=None, *, cursor=None) -> dict[tuple[int, int], int]:
    """Lock the stock levels that hold ACTIVE reservations of ``reference`` (optionally only of some
    lines): FOR UPDATE OF the level only, in primary-key order, in one statement. Returns
    {(sku_id, location_id): level pk}."""
    params = [reference, Reservation.State.ACTIVE]
    n = None
    if line_keys is not None:
        line_keys = list(line_keys)
        if not line_keys:
            return {}
        n = len(line_keys)
        params += line_keys

    def build():
        lines = f" AND r.line_key IN ({sql.marks(n)})" if n is not None else ""
        return (f"SELECT s.id, s.sku_id, s.location_id FROM {sql.table(StockLevel)} s WHERE EXISTS (SELECT 1 FROM "
                f"{sql.table(Reservation)} r WHERE r.reference = %s AND r.state = %s{lines} AND r.sku_id = s.sku_id "
                "AND r.location_id = s.location_id) ORDER BY s.id" + _for_update("s"))

    with sql.cursor(cursor) as cur:
        cur.execute(sql.text(("lock-reserved", n), build), params)
        return {(sku_id, location_id): pk for pk, sku_id, location_id in cur.fetchall()}


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
    """Create the missing StockLevel rows for (sku_id, location_id) pairs (``INSERT … ON CONFLICT DO
    NOTHING``, no read first), then lock them all."""
    pairs = set(pairs)
    StockLevel.objects.bulk_create([StockLevel(sku_id=s, location_id=loc) for s, loc in sorted(pairs)],
                                   ignore_conflicts=True)
    return lock_levels(pairs_condition(pairs))


def lock_movement(pk: int) -> StockMovement | None:
    """One ledger row, locked FOR UPDATE (taken after the levels it concerns: an undo locks the
    level, then the scan it reverses). None when there is no such row."""
    return StockMovement.objects.select_for_update(of=("self",)).filter(pk=pk).first()
