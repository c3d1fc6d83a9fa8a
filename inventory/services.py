"""Every change of stock, each in one transaction with its ledger row(s).

Stock allocation follows Saleor: the StockLevel rows a change touches are locked through ONE
helper (`_lock_levels`, `select_for_update` on PostgreSQL, always in primary-key order, so two
orders locking the same SKUs in opposite orders never deadlock); every shortfall is collected into
one `InsufficientStock` error; counters move with `F()` updates; the outbox rows that tell the
channels about a new available-to-sell are written in the same transaction, and anything outside
the database runs in `transaction.on_commit`.

Public API (all keyword-only):

    reserve(reference=, requests=[StockRequest(...)], location_codes=None, user=None) -> [Reservation]
    release(reference=, user=None, note="") -> units released
    consume(reference=, line_keys=None, user=None) -> units shipped
    adjust(sku=, location=, quantity=, reason=, user=None, note="", reference="") -> StockMovement
    count(sku=, location=, counted=, user=None, note="") -> StockMovement
    receive(sku=, location=, quantity=, user=None, reference="", note="", reason="receipt") -> StockMovement
    transfer(sku=, from_location=, to_location=, quantity=, reason="transfer", ...) -> (out, in) movements
    apply_counts(counts=[(sku_id, location_id, counted)], user=None, note="") -> [StockMovement]
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from inventory.models import SKU, Location, Product, Reservation, StockLevel, StockMovement, StockOutbox

log = logging.getLogger(__name__)

Reason = StockMovement.Reason
OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
# Locations whose stock may be reserved and sold through any channel.
SELLABLE_OWN = Q(kind__in=OWN_KINDS, sellable=True, active=True)
DEFAULT_LOCATION_CODES = ("MAIN",)

# Reasons `adjust` accepts, and the sign their quantity must have (None: either).
ADJUST_REASONS = {
    Reason.RECEIPT: 1,
    Reason.RETURN: 1,
    Reason.FBT_INBOUND: 1,
    Reason.SALE: -1,
    Reason.ADJUSTMENT: None,
    Reason.COUNT: None,
}


# ---------------------------------------------------------------------------------------------
# Errors and requests


class StockError(ValueError):
    """A stock change that cannot be made (the message says why, in the warehouse's words)."""


@dataclass(frozen=True)
class StockRequest:
    line_key: str
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Shortfall:
    line_key: str
    sku_id: int
    seller_sku: str
    requested: int  # units still to reserve for the line
    available: int  # units that were available for it

    def __str__(self):
        return f"{self.seller_sku} needs {self.requested}, {self.available} available"


class InsufficientStock(StockError):
    """Raised by `reserve` with every short line; nothing was reserved."""

    def __init__(self, shortfalls):
        self.shortfalls = list(shortfalls)
        super().__init__("Not enough stock: " + "; ".join(str(s) for s in self.shortfalls))


# ---------------------------------------------------------------------------------------------
# Outbox listeners: code outside inventory (channel sync) registers a callable that is called
# with the ids of new StockOutbox rows after the transaction that wrote them commits.

_outbox_listeners = []


def on_outbox_written(callback):
    """Register `callback(outbox_ids)` to run after commit whenever outbox rows were written."""
    if callback not in _outbox_listeners:
        _outbox_listeners.append(callback)
    return callback


def _notify_outbox(ids):
    for callback in list(_outbox_listeners):
        try:
            callback(ids)
        except Exception as exc:  # never let a push hook (Redis down, ...) break a committed stock change
            log.warning("stock outbox listener %r failed (%s); the rows stay in the outbox", callback, exc)


# ---------------------------------------------------------------------------------------------
# Helpers


def _pk(obj):
    return obj if isinstance(obj, int) else obj.pk


def _lock_levels(condition):
    """THE lock helper: the StockLevel rows matching `condition`, locked FOR UPDATE in primary-key
    order (no-op lock on SQLite, whose transactions serialise writers). Returns {(sku_id, loc_id): level}."""
    rows = StockLevel.objects.select_for_update().filter(condition).order_by("pk")
    return {(row.sku_id, row.location_id): row for row in rows}


def _ensure_and_lock(pairs):
    """Create the missing StockLevel rows for (sku_id, location_id) pairs, then lock them all."""
    pairs = set(pairs)
    condition = _pairs_condition(pairs)
    levels = StockLevel.objects.filter(condition).values_list("sku_id", "location_id")
    missing = pairs - set(levels)
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(sku_id=s, location_id=loc) for s, loc in sorted(missing)], ignore_conflicts=True
        )
    return _lock_levels(condition)


def _pairs_condition(pairs):
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


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _move(changes, *, reason, user, reference="", note=""):
    """Apply counter changes to LOCKED levels with F() updates and write their ledger rows.

    `changes`: [(level, on_hand_change, reserved_change)], one ledger row each. One UPDATE per 500
    levels."""
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
                user=_user(user),
                reference=reference[:100],
                note=note[:500],
            )
        )
    return StockMovement.objects.bulk_create(movements, batch_size=1000)


def _write_outbox(sku_ids):
    """One outbox row per active listing of these SKUs whose available-to-sell changed (compared
    with the last row written for it, or what was last pushed), in the caller's transaction."""
    from inventory.selectors import listing_quantities  # noqa: PLC0415  (selectors import this module)

    if not sku_ids:
        return
    rows = [
        StockOutbox(listing_id=listing_id, quantity=quantity)
        for listing_id, quantity, previous in listing_quantities(sku_ids=sku_ids)
        if quantity != previous
    ]
    if not rows:
        return
    created = StockOutbox.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    if _outbox_listeners:
        transaction.on_commit(lambda: _notify_outbox(ids))


def _sku_label(sku_ids):
    return dict(SKU.objects.filter(pk__in=set(sku_ids)).values_list("pk", "seller_sku"))


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


# ---------------------------------------------------------------------------------------------
# Reservations


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
    labels = _sku_label(sku_ids)
    unknown = [r for r in requests if r.sku_id not in labels]
    if unknown:
        raise StockError("Unknown SKU id(s): " + ", ".join(str(r.sku_id) for r in unknown))

    with transaction.atomic():
        locations = _location_order(location_codes)
        rank = {loc.pk: i for i, loc in enumerate(locations)}
        levels = _lock_levels(Q(sku_id__in=sku_ids, location_id__in=list(rank)))
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
            _move([(lv, 0, take) for _r, lv, take in plan], reason=Reason.RESERVATION, user=user,
                  reference=reference)
            Reservation.objects.bulk_create(
                [Reservation(reference=reference, line_key=r.line_key, sku_id=r.sku_id, location_id=lv.location_id,
                             quantity=take) for r, lv, take in plan]
            )
            _write_outbox(sku_ids)
        return list(
            Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE, line_key__in=keys)
            .select_related("sku", "location")
            .order_by("pk")
        )


def _close_reservations(*, reference, line_keys, state, reason, user, note=""):
    """Release or consume the ACTIVE reservations of a reference (optionally only some lines)."""
    active = Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE)
    if line_keys is not None:
        active = active.filter(line_key__in=list(line_keys))
    with transaction.atomic():
        pairs = set(active.values_list("sku_id", "location_id"))
        if not pairs:
            return 0
        levels = _lock_levels(_pairs_condition(pairs))
        # Under the level locks, nobody else can close these reservations: read them again.
        reservations = list(active.select_for_update().order_by("pk"))
        extra = {(r.sku_id, r.location_id) for r in reservations} - set(levels)
        if extra:  # a line reserved concurrently at another level after our first read
            levels.update(_lock_levels(_pairs_condition(extra)))
        if not reservations:
            return 0
        totals = defaultdict(int)
        for r in reservations:
            totals[(r.sku_id, r.location_id)] += r.quantity
        on_hand_sign = -1 if state == Reservation.State.CONSUMED else 0
        changes = [(levels[pair], on_hand_sign * q, -q) for pair, q in sorted(totals.items())]
        _move(changes, reason=reason, user=user, reference=reference, note=note)
        Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(state=state, closed_at=timezone.now())
        _write_outbox({sku_id for sku_id, _loc in totals})
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


# ---------------------------------------------------------------------------------------------
# Adjustments, counts, receipts, transfers


def _describe(level, sku_label, location_label):
    return f"{sku_label} at {location_label} has {level.on_hand} on hand, {level.reserved} reserved for orders"


def _labels(sku_id, location_id):
    sku = SKU.objects.filter(pk=sku_id).values_list("seller_sku", flat=True).first()
    loc = Location.objects.filter(pk=location_id).values_list("code", flat=True).first()
    if sku is None:
        raise StockError("Unknown SKU.")
    if loc is None:
        raise StockError("Unknown location.")
    return sku, loc


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
    sku_id, location_id = _pk(sku), _pk(location)
    sku_label, location_label = _labels(sku_id, location_id)
    with transaction.atomic():
        level = _ensure_and_lock([(sku_id, location_id)])[(sku_id, location_id)]
        new_on_hand = level.on_hand + quantity
        if new_on_hand < 0:
            raise StockError(f"Cannot remove {-quantity}: {_describe(level, sku_label, location_label)}.")
        if new_on_hand < level.reserved:
            raise StockError(
                f"Cannot remove {-quantity}: {_describe(level, sku_label, location_label)}, "
                f"so at most {level.on_hand - level.reserved} can be removed."
            )
        (movement,) = _move([(level, quantity, 0)], reason=reason, user=user, reference=reference, note=note)
        _write_outbox([sku_id])
        return movement


def receive(*, sku, location, quantity: int, user=None, reference: str = "", note: str = "",
            reason: str = Reason.RECEIPT) -> StockMovement:
    """Goods in (a delivery, a return put back on the shelf, FBT inbound): on hand += quantity."""
    if not isinstance(quantity, int) or quantity <= 0:
        raise StockError("The quantity received must be a positive whole number.")
    if reason not in (Reason.RECEIPT, Reason.RETURN, Reason.FBT_INBOUND):
        raise StockError(f'"{reason}" is not a reason for receiving stock.')
    return adjust(sku=sku, location=location, quantity=quantity, reason=reason, user=user, note=note,
                  reference=reference)


def count(*, sku, location, counted: int, user=None, note: str = "") -> StockMovement:
    """A stock count: on hand becomes the counted figure (ledger reason count, change may be 0)."""
    (movement,) = apply_counts(counts=[(_pk(sku), _pk(location), counted)], user=user, note=note)
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
    skus = _sku_label(s for s, _loc in pairs)
    locs = dict(Location.objects.filter(pk__in={loc for _s, loc in pairs}).values_list("pk", "code"))
    for s, loc in pairs:
        if s not in skus:
            raise StockError(f"Unknown SKU id {s}.")
        if loc not in locs:
            raise StockError(f"Unknown location id {loc}.")
    with transaction.atomic():
        levels = _ensure_and_lock(pairs)
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
        movements = _move([(levels[(s, loc)], counted - levels[(s, loc)].on_hand, 0) for s, loc, counted in counts],
                          reason=Reason.COUNT, user=user, note=note, reference=reference)
        _write_outbox(set(skus))
        return movements


def transfer(*, sku, from_location, to_location, quantity: int, reason: str = Reason.TRANSFER, user=None,
             reference: str = "", note: str = "") -> tuple[StockMovement, StockMovement]:
    """Move unreserved stock between locations (e.g. bin to bin, warehouse to transit, to FBT)."""
    if reason not in (Reason.TRANSFER, Reason.FBT_INBOUND):
        raise StockError(f'"{reason}" is not a reason for a transfer.')
    if not isinstance(quantity, int) or quantity <= 0:
        raise StockError("The quantity to transfer must be a positive whole number.")
    sku_id, src, dst = _pk(sku), _pk(from_location), _pk(to_location)
    if src == dst:
        raise StockError("Choose two different locations for a transfer.")
    sku_label, src_label = _labels(sku_id, src)
    _sku, dst_label = _labels(sku_id, dst)
    with transaction.atomic():
        levels = _ensure_and_lock([(sku_id, src), (sku_id, dst)])
        source, target = levels[(sku_id, src)], levels[(sku_id, dst)]
        if source.on_hand - source.reserved < quantity:
            raise StockError(
                f"Cannot transfer {quantity}: {_describe(source, sku_label, src_label)}, "
                f"so at most {source.on_hand - source.reserved} can be moved."
            )
        out, into = _move([(source, -quantity, 0), (target, quantity, 0)], reason=reason, user=user,
                          reference=reference, note=note or f"{src_label} -> {dst_label}")
        _write_outbox([sku_id])
        return out, into


# ---------------------------------------------------------------------------------------------
# Catalogue

SKU_FIELDS = ("seller_sku", "name", "attributes", "barcode", "weight_grams", "length_mm", "width_mm", "height_mm",
              "active", "reorder_point", "product")


class CatalogueError(StockError):
    """A SKU that cannot be saved; `.fields` maps field names to their messages."""

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or {}


def _check_sku(sku, exclude=()):
    try:
        sku.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        messages = []
        for field, errors in exc.message_dict.items():
            label = "SKU" if field == "seller_sku" else field.replace("_", " ")
            messages.extend(f"{label}: {e}" if field != NON_FIELD_ERRORS else e for e in errors)
        raise CatalogueError("; ".join(messages), exc.message_dict) from exc


def create_sku(*, seller_sku: str, name: str, user=None, **fields) -> SKU:
    """A new SKU (seller SKU unique, barcode checked). Its stock starts at zero everywhere."""
    unknown = set(fields) - set(SKU_FIELDS)
    if unknown:
        raise StockError("Unknown SKU field(s): " + ", ".join(sorted(unknown)))
    sku = SKU(seller_sku=(seller_sku or "").strip(), name=(name or "").strip(), **fields)
    _check_sku(sku)
    try:
        with transaction.atomic():
            sku.save()
    except IntegrityError as exc:  # a concurrent create of the same seller SKU or barcode
        raise CatalogueError(f"SKU {sku.seller_sku} or its barcode already exists.") from exc
    return sku


def update_sku(*, sku: SKU, user=None, **fields) -> SKU:
    unknown = set(fields) - set(SKU_FIELDS)
    if unknown:
        raise StockError("Unknown SKU field(s): " + ", ".join(sorted(unknown)))
    for field, value in fields.items():
        setattr(sku, field, value.strip() if isinstance(value, str) and field in ("seller_sku", "name") else value)
    _check_sku(sku)
    try:
        with transaction.atomic():
            sku.save()
    except IntegrityError as exc:
        raise CatalogueError(f"SKU {sku.seller_sku} or its barcode already exists.") from exc
    return sku


def delete_sku(*, sku: SKU, user=None) -> None:
    """Delete a SKU that never had stock; one with a ledger history can only be deactivated."""
    with transaction.atomic():
        if StockMovement.objects.filter(sku=sku).exists() or Reservation.objects.filter(sku=sku).exists():
            raise StockError(f"{sku.seller_sku} has stock history; deactivate it instead of deleting it.")
        StockLevel.objects.filter(sku=sku, on_hand=0, reserved=0).delete()
        sku.delete()


def import_skus(*, rows, user=None, note: str = "") -> dict:
    """Create or update SKUs from validated import rows, and set their counted stock, all in one
    transaction. Each row: {"seller_sku", "fields": {...}, "product": name or "", "location_id",
    "quantity": int or None}. Rows must already be validated (inventory.imports)."""
    rows = list(rows)
    now = timezone.now()
    with transaction.atomic():
        products = {}
        names = sorted({r["product"] for r in rows if r.get("product")})
        if names:
            existing = {p.name: p for p in Product.objects.filter(name__in=names)}
            Product.objects.bulk_create([Product(name=n) for n in names if n not in existing])
            products = {p.name: p for p in Product.objects.filter(name__in=names)}
        current = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=[r["seller_sku"] for r in rows])}
        new, changed, update_fields = [], [], set()
        for r in rows:
            fields = dict(r["fields"])
            if r.get("product"):
                fields["product"] = products[r["product"]]
            sku = current.get(r["seller_sku"])
            if sku is None:
                new.append(SKU(seller_sku=r["seller_sku"], **fields))
            else:
                for field, value in fields.items():
                    setattr(sku, field, value)
                    update_fields.add(field)
                sku.updated_at = now
                changed.append(sku)
        SKU.objects.bulk_create(new, batch_size=1000)
        if changed:
            SKU.objects.bulk_update(changed, sorted(update_fields | {"updated_at"}), batch_size=1000)
        ids = dict(SKU.objects.filter(seller_sku__in=[r["seller_sku"] for r in rows]).values_list("seller_sku", "pk"))
        counts = [(ids[r["seller_sku"]], r["location_id"], r["quantity"])
                  for r in rows if r.get("quantity") is not None]
        movements = apply_counts(counts=counts, user=user, note=note or "SKU import") if counts else []
    return {"created": len(new), "updated": len(changed), "counted": len(movements)}
