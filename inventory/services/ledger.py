"""The ledger write: counter changes of LOCKED stock levels with ``F()`` updates, and one
append-only StockMovement row per change, in the caller's transaction. Also the small lookups
every stock change shares (ids, the acting user, labels for messages)."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from inventory.models import SKU, Location, StockLevel, StockMovement
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


def move(changes, *, reason, user, reference="", note="", reverses=None) -> list[StockMovement]:
    """Apply counter changes to LOCKED levels with F() updates and write their ledger rows.

    `changes`: [(level, on_hand_change, reserved_change)], one ledger row each. One UPDATE per 500
    levels. `reverses`: the ledger row these rows undo (an undone receiving scan)."""
    now = timezone.now()
    changes = list(changes)
    # One counter update per level, even when several changes (two lines of one SKU) touch it.
    totals = {}
    for level, on_hand_change, reserved_change in changes:
        _lv, d, r = totals.get(level.pk, (level, 0, 0))
        totals[level.pk] = (level, d + on_hand_change, r + reserved_change)
    merged = list(totals.values())
    for start in range(0, len(merged), 500):
        batch = merged[start:start + 500]
        if len(batch) == 1:
            level, on_hand_change, reserved_change = batch[0]
            StockLevel.objects.filter(pk=level.pk).update(
                on_hand=F("on_hand") + on_hand_change, reserved=F("reserved") + reserved_change, updated_at=now)
            continue
        on_hand = [When(pk=lv.pk, then=F("on_hand") + Value(d)) for lv, d, _r in batch if d]
        reserved = [When(pk=lv.pk, then=F("reserved") + Value(r)) for lv, _d, r in batch if r]
        fields = {"updated_at": now}
        if on_hand:
            fields["on_hand"] = Case(*on_hand, default=F("on_hand"), output_field=IntegerField())
        if reserved:
            fields["reserved"] = Case(*reserved, default=F("reserved"), output_field=IntegerField())
        StockLevel.objects.filter(pk__in=[lv.pk for lv, _d, _r in batch]).update(**fields)
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
