"""The ledger write: counter changes of LOCKED stock levels (relative updates, ``on_hand = on_hand
+ n``), and one append-only StockMovement row per change, in the caller's transaction. Also the
small lookups every stock change shares (ids, the acting user, labels for messages).

``update_levels`` and ``insert_ledger`` are hand-written SQL (PostgreSQL and SQLite alike): every
reservation runs them, so they skip the ORM's per-row work."""

from __future__ import annotations

from django.utils import timezone

from inventory.models import SKU, Location, StockLevel, StockMovement
from inventory.services import sql
from inventory.services.errors import StockError

Reason = StockMovement.Reason


def pk_of(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def sku_labels(sku_ids) -> dict[int, str]:
    return dict(SKU.objects.filter(pk__in=set(sku_ids)).values_list("pk", "seller_sku"))


def labels(sku_id, location_id) -> tuple[str, str]:
    """(seller SKU, location code); StockError when either is unknown."""
    sku = SKU.objects.filter(pk=sku_id).values_list("seller_sku", flat=True).first()
    loc = Location.objects.filter(pk=location_id).values_list("code", flat=True).first()
    if sku is None:
        raise StockError("Unknown SKU.")
    if loc is None:
        raise StockError("Unknown location.")
    return sku, loc


def describe(level, sku_label, location_label) -> str:
    return f"{sku_label} at {location_label} has {level.on_hand} on hand, {level.reserved} reserved for orders"


def check_removal(level, quantity: int, sku_label: str, location_label: str) -> None:
    """A change of on hand by ``quantity`` must leave it at zero or more and at least what is reserved."""
    new_on_hand = level.on_hand + quantity
    if new_on_hand < 0:
        raise StockError(f"Cannot remove {-quantity}: {describe(level, sku_label, location_label)}.")
    if new_on_hand < level.reserved:
        raise StockError(
            f"Cannot remove {-quantity}: {describe(level, sku_label, location_label)}, "
            f"so at most {level.on_hand - level.reserved} can be removed."
        )


def update_levels(totals: dict[int, tuple[int, int]], *, cursor=None) -> None:
    """Add {level pk: (on hand change, reserved change)} to LOCKED stock levels: one UPDATE per 500
    levels (a CASE over the ids), hand-written because it runs in every stock change."""
    items = [(pk, d, r) for pk, (d, r) in sorted(totals.items()) if d or r]
    now = sql.stamp(timezone.now())
    with sql.cursor(cursor) as cur:
        for start in range(0, len(items), 500):
            batch = items[start:start + 500]
            if len(batch) == 1:
                pk, d, r = batch[0]
                cur.execute(sql.text("level1", lambda: f"UPDATE {sql.table(StockLevel)} SET on_hand = on_hand + %s, "
                                                       "reserved = reserved + %s, updated_at = %s WHERE id = %s"),
                            [d, r, now, pk])
                continue
            n = len(batch)

            def build(n=n):
                whens = " ".join(["WHEN %s THEN %s"] * n)
                return (f"UPDATE {sql.table(StockLevel)} SET on_hand = on_hand + CASE id {whens} ELSE 0 END, "
                        f"reserved = reserved + CASE id {whens} ELSE 0 END, updated_at = %s "
                        f"WHERE id IN ({sql.marks(n)})")

            params = [x for pk, d, _r in batch for x in (pk, d)] + [x for pk, _d, r in batch for x in (pk, r)]
            cur.execute(sql.text(("levels", n), build), [*params, now, *[pk for pk, _d, _r in batch]])


LEDGER_COLUMNS = (("sku_id", "bigint"), ("location_id", "bigint"), ("on_hand_change", "integer"),
                  ("reserved_change", "integer"), ("reason", "text"), ("user_id", "bigint"), ("reference", "text"),
                  ("note", "text"), ("created_at", "timestamptz"))


def insert_ledger(rows, *, reason, user, note: str = "", cursor=None) -> None:
    """Append ledger rows [(sku_id, location_id, on hand change, reserved change, reference)] in one
    INSERT (no ids read back: the hot path of reservations)."""
    rows = list(rows)
    if not rows:
        return
    now = sql.stamp(timezone.now())
    user = user_or_none(user)
    user_id = user.pk if user is not None else None
    reason, note = str(reason), note[:500]
    rows = [(sku_id, location_id, on_hand_change, reserved_change, reason, user_id, reference[:100], note, now)
            for sku_id, location_id, on_hand_change, reserved_change, reference in rows]
    with sql.cursor(cursor) as cur:
        sql.insert_values(StockMovement, LEDGER_COLUMNS, rows, cursor=cur)


def move(changes, *, reason, user, reference="", note="", reverses=None) -> list[StockMovement]:
    """Apply counter changes to LOCKED levels and write their ledger rows.

    `changes`: [(level, on_hand_change, reserved_change)], one ledger row each; one counter update
    per level even when several changes (two lines of one SKU) touch it. `reverses`: the ledger
    row these rows undo (an undone receiving scan)."""
    changes = list(changes)
    totals = {}
    for level, on_hand_change, reserved_change in changes:
        d, r = totals.get(level.pk, (0, 0))
        totals[level.pk] = (d + on_hand_change, r + reserved_change)
    update_levels(totals)
    movements = []
    for level, on_hand_change, reserved_change in changes:
        level.on_hand += on_hand_change
        level.reserved += reserved_change
        movements.append(
            StockMovement(
                sku_id=level.sku_id,
                location_id=level.location_id,
                on_hand_change=on_hand_change,
                reserved_change=reserved_change,
                reason=reason,
                user=user_or_none(user),
                reference=reference[:100],
                note=note[:500],
                reverses=reverses,
            )
        )
    return StockMovement.objects.bulk_create(movements, batch_size=1000)
