"""Reservations: stock held for the lines of an order (by reference) at sellable own locations,
then released (cancelled) or consumed (shipped). Every line of an order is reserved, or none;
every shortfall is collected into one ``InsufficientStock`` error.

On PostgreSQL, one order's reserve, release and consume are each one call of a database function
that does the same work in one round trip (``stock_functions``, docs/speed-stock.md). The Python
path below does it elsewhere (SQLite) and stays the reference the functions are tested against.
Per order, in one transaction and a few statements:

- reserve: lock the SKUs' sellable levels with their locations' priority (one statement, primary-key
  order); read what the reference already holds; decide in Python; one UPDATE of the levels, one
  INSERT each of reservations, ledger rows and "SKU changed" outbox rows.
- release / consume: lock the levels the reference holds (one statement); close its reservations
  with ``UPDATE ... RETURNING``; one UPDATE of the levels, one INSERT each of ledger and outbox rows.

``reserve_page`` does a page of orders the same way: every level of the page locked once, each
order allocated in Python in turn (an order that can't be covered takes nothing), then the same
four writes for the whole page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils import timezone

from inventory.models import SKU, Location, Reservation
from inventory.services import sql, stock_functions
from inventory.services.errors import InsufficientStock, Shortfall, StockError, StockRequest
from inventory.services.ledger import Reason, insert_ledger, sku_labels, update_levels
from inventory.services.locks import lock_levels, lock_reserved_levels, lock_sellable_levels, pairs_condition, priority
from inventory.services.outbox import write_outbox

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
# Locations whose stock may be reserved and sold through any channel.
SELLABLE_OWN = Q(kind__in=OWN_KINDS, sellable=True, active=True)
DEFAULT_LOCATION_CODES = ("MAIN",)


@dataclass(frozen=True)
class PageOrder:
    """One order of a page to reserve: its reference, its lines' requests, its location priority."""

    reference: str
    requests: list[StockRequest]
    location_codes: tuple[str, ...] | None = None


def _checked(reference, requests) -> list[StockRequest]:
    if not reference:
        raise StockError("A reservation needs a reference (e.g. the order).")
    requests = list(requests)
    keys = [r.line_key for r in requests]
    if len(set(keys)) != len(keys):
        raise StockError("Each line may appear only once in a reservation request.")
    for r in requests:
        if not isinstance(r.quantity, int) or r.quantity <= 0:
            raise StockError(f"Line {r.line_key}: the quantity must be a positive whole number.")
    return requests


def _check_known(sku_ids, levels) -> None:
    """StockError naming unknown SKU ids (asked only when a SKU has no sellable level at all)."""
    without = set(sku_ids) - {lv.sku_id for lv in levels}
    if without:
        known = set(SKU.objects.filter(pk__in=without).values_list("pk", flat=True))
        unknown = sorted(without - known)
        if unknown:
            raise StockError("Unknown SKU id(s): " + ", ".join(str(pk) for pk in unknown))


_FIELDS = ("id", "reference", "line_key", "sku_id", "location_id", "quantity", "state", "created_at", "closed_at")


def _reservation(*values) -> Reservation:
    """A Reservation from a row's values (in _FIELDS order), built the way a query builds it."""
    return Reservation.from_db(DEFAULT_DB_ALIAS, _FIELDS, values)


def _held(references, *, cursor) -> dict[str, list[Reservation]]:
    """The ACTIVE reservations of these references (read under the level locks: a concurrent
    confirmation of the same order waited for them and now sees what the first one committed)."""
    references = sorted(set(references))
    n = len(references)
    statement = sql.text(("held", n), lambda: (
        f"SELECT {', '.join(_FIELDS)} FROM {sql.table(Reservation)} "
        f"WHERE reference IN ({sql.marks(n)}) AND state = %s ORDER BY id"))
    held = defaultdict(list)
    cursor.execute(statement, [*references, Reservation.State.ACTIVE])
    for row in cursor.fetchall():
        held[row[1]].append(_reservation(*row))
    return held


class _Allocator:
    """The page's locked levels and what is still free on them, allocated order by order."""

    def __init__(self, levels):
        self.free = {lv.pk: lv.on_hand - lv.reserved for lv in levels}
        self.by_sku = defaultdict(list)
        for lv in levels:
            self.by_sku[lv.sku_id].append(lv)
        self._orders = {}

    def ordered(self, sku_id, location_codes):
        codes = tuple(location_codes) if location_codes else DEFAULT_LOCATION_CODES
        key = (sku_id, codes)
        if key not in self._orders:
            index = {}
            for i, code in enumerate(codes):
                index.setdefault(code, i)
            self._orders[key] = sorted(self.by_sku[sku_id], key=lambda lv: priority(lv, index))
        return self._orders[key]

    def plan(self, requests, held, location_codes):
        """[(request, level, units)] covering what each line still misses, or the shortfalls
        [(request, missing, available)]; nothing is taken when anything is short."""
        held_units = defaultdict(int)
        for r in held:
            held_units[r.line_key] += r.quantity
        free = dict(self.free)
        plan, short = [], []
        for r in requests:
            missing = r.quantity - held_units[r.line_key]
            if missing <= 0:
                continue
            candidates = self.ordered(r.sku_id, location_codes)
            available = sum(free[lv.pk] for lv in candidates)
            if available < missing:
                short.append((r, missing, max(available, 0)))
                continue
            for lv in candidates:
                if missing == 0:
                    break
                take = min(free[lv.pk], missing)
                if take > 0:
                    free[lv.pk] -= take
                    missing -= take
                    plan.append((r, lv, take))
        if not short:
            self.free = free
        return plan, short


def _shortfall_error(short, labels: dict[int, str] | None = None) -> InsufficientStock:
    """The error naming every short line; ``labels``: the SKUs' names when already read."""
    labels = labels if labels is not None else sku_labels({r.sku_id for r, _missing, _available in short})
    return InsufficientStock([Shortfall(r.line_key, r.sku_id, labels[r.sku_id], missing, available)
                              for r, missing, available in short])


RESERVATION_COLUMNS = (("reference", "text"), ("line_key", "text"), ("sku_id", "bigint"), ("location_id", "bigint"),
                       ("quantity", "integer"), ("state", "text"), ("created_at", "timestamptz"))


def _write_reservations(plans, *, user, cursor) -> list[Reservation]:
    """The writes of allocated plans [(reference, [(request, level, units)])]: one UPDATE of the
    levels, one INSERT each of reservations (ids read back), ledger rows and outbox rows."""
    rows = [(reference, r, lv, take) for reference, plan in plans for r, lv, take in plan]
    if not rows:
        return []
    totals = defaultdict(int)
    for _reference, _r, lv, take in rows:
        totals[lv.pk] += take
    update_levels({pk: (0, units) for pk, units in totals.items()}, cursor=cursor)
    now = timezone.now()
    stamp = sql.stamp(now)
    active = Reservation.State.ACTIVE.value
    ids = sql.insert_values(Reservation, RESERVATION_COLUMNS,
                            [(reference, r.line_key, r.sku_id, lv.location_id, take, active, stamp)
                             for reference, r, lv, take in rows], cursor=cursor, returning="id")
    insert_ledger([(r.sku_id, lv.location_id, 0, take, reference) for reference, r, lv, take in rows],
                  reason=Reason.RESERVATION, user=user, cursor=cursor)
    write_outbox({r.sku_id for _reference, r, _lv, _take in rows}, cursor=cursor)
    return [_reservation(pk, reference, r.line_key, r.sku_id, lv.location_id, take, active, now, None)
            for pk, (reference, r, lv, take) in zip(ids, rows, strict=True)]


def reserve(*, reference: str, requests: list[StockRequest], location_codes: list[str] | None = None,
            user=None) -> list[Reservation]:
    """Reserve every line of an order, or nothing.

    Stock comes from sellable own locations in the order of `location_codes` (default MAIN, then
    any other sellable own location); a line may be split across locations. A line that already
    has ACTIVE reservations under this reference only reserves what is missing, so confirming an
    order twice reserves once. Returns the ACTIVE reservations of the requested lines.
    Raises InsufficientStock naming every short line (nothing is reserved then).

    On PostgreSQL this is one call of the ``inventory_reserve`` function (``stock_functions``);
    elsewhere ``reserve_in_python`` does the same."""
    if not stock_functions.available():
        return reserve_in_python(reference=reference, requests=requests, location_codes=location_codes, user=user)
    requests = _checked(reference, requests)
    if not requests:
        return []
    codes = tuple(location_codes) if location_codes else DEFAULT_LOCATION_CODES
    return stock_functions.reserve(reference=reference, requests=requests, codes=codes,
                                   shortfall_error=_shortfall_error, user=user)


def reserve_in_python(*, reference: str, requests: list[StockRequest], location_codes: list[str] | None = None,
                      user=None) -> list[Reservation]:
    """``reserve`` in Python and a few statements: SQLite's path, and the reference the PostgreSQL
    function is held to."""
    requests = _checked(reference, requests)
    if not requests:
        return []
    sku_ids = {r.sku_id for r in requests}
    with transaction.atomic(), sql.cursor() as cursor:
        levels = lock_sellable_levels(sku_ids, cursor=cursor)
        _check_known(sku_ids, levels)
        keys = {r.line_key for r in requests}
        held = [r for r in _held([reference], cursor=cursor)[reference] if r.line_key in keys]
        plan, short = _Allocator(levels).plan(requests, held, location_codes)
        if short:
            raise _shortfall_error(short)
        return held + _write_reservations([(reference, plan)], user=user, cursor=cursor)


def reserve_page(*, orders: list[PageOrder], user=None) -> dict[str, InsufficientStock | None]:
    """Reserve a page of orders in one transaction (the caller's, if any): each order whole or not
    at all, in the page's order. Every sellable level of the page's SKUs is locked once, in
    primary-key order; then one write of levels, reservations, ledger and outbox rows for the page.
    Returns {reference: None when reserved, else the InsufficientStock naming its short lines}."""
    checked = [(o, _checked(o.reference, o.requests)) for o in orders]
    outcome: dict[str, InsufficientStock | None] = {}
    sku_ids = {r.sku_id for _o, requests in checked for r in requests}
    with transaction.atomic(), sql.cursor() as cursor:
        levels = lock_sellable_levels(sku_ids, cursor=cursor) if sku_ids else []
        _check_known(sku_ids, levels)
        held = _held([o.reference for o, _requests in checked], cursor=cursor) if checked else {}
        allocator = _Allocator(levels)
        plans, shorts = [], {}
        for page_order, requests in checked:
            keys = {r.line_key for r in requests}
            already = [r for r in held[page_order.reference] if r.line_key in keys]
            plan, short = allocator.plan(requests, already, page_order.location_codes)
            outcome[page_order.reference] = None
            if short:
                shorts[page_order.reference] = short
                continue
            plans.append((page_order.reference, plan))
            for r, lv, take in plan:  # a reference twice in a page sees its first reservation
                held[page_order.reference].append(Reservation(line_key=r.line_key, sku_id=r.sku_id,
                                                              location_id=lv.location_id, quantity=take))
        _write_reservations(plans, user=user, cursor=cursor)
    labels = sku_labels({r.sku_id for short in shorts.values() for r, _m, _a in short}) if shorts else {}
    for reference, short in shorts.items():  # the short SKUs' names read once for the page
        outcome[reference] = _shortfall_error(short, labels)
    return outcome


def _close_reservations(*, reference, line_keys, state, reason, user, note="", in_python=False):
    """Release or consume the ACTIVE reservations of a reference (optionally only some lines): one
    call of ``inventory_close_reservations`` on PostgreSQL (unless ``in_python``), else in Python."""
    if line_keys is not None:
        line_keys = list(line_keys)
    on_hand_sign = -1 if state == Reservation.State.CONSUMED else 0
    if stock_functions.available() and not in_python:
        return stock_functions.close(reference=reference, line_keys=line_keys, state=state, reason=reason,
                                     on_hand_sign=on_hand_sign, user=user, note=note)
    with transaction.atomic(), sql.cursor() as cursor:
        levels = lock_reserved_levels(reference, line_keys, cursor=cursor)
        if not levels:
            return 0
        # Under the level locks nobody else closes these reservations: close them and read what
        # they held in one statement.
        n = None if line_keys is None else len(line_keys)

        def build():
            lines = f" AND line_key IN ({sql.marks(n)})" if n is not None else ""
            return (f"UPDATE {sql.table(Reservation)} SET state = %s, closed_at = %s WHERE reference = %s "
                    f"AND state = %s{lines} RETURNING sku_id, location_id, quantity")

        cursor.execute(sql.text(("close", n), build),
                       [state, sql.stamp(timezone.now()), reference, Reservation.State.ACTIVE, *(line_keys or ())])
        closed = cursor.fetchall()
        if not closed:
            return 0
        totals = defaultdict(int)
        for sku_id, location_id, quantity in closed:
            totals[(sku_id, location_id)] += quantity
        extra = set(totals) - set(levels)
        if extra:  # a line reserved concurrently at another level after the lock: lock it too
            levels.update({pair: lv.pk for pair, lv in lock_levels(pairs_condition(extra)).items()})
        update_levels({levels[pair]: (on_hand_sign * q, -q) for pair, q in totals.items()}, cursor=cursor)
        insert_ledger([(sku_id, location_id, on_hand_sign * q, -q, reference)
                       for (sku_id, location_id), q in sorted(totals.items())], reason=reason, user=user, note=note,
                      cursor=cursor)
        write_outbox({sku_id for sku_id, _loc in totals}, cursor=cursor)
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
