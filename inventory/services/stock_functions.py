"""One order's reserve, release and consume on PostgreSQL: each is ONE call of a database function
(``inventory_reserve``, ``inventory_close_reservations``, created by inventory migration 0018),
which locks, decides and writes exactly as the Python path of ``reservations`` does, in a single
round trip. Outside a transaction the call is its own transaction (no BEGIN and COMMIT round
trips); inside the caller's, it runs in a savepoint like any service.

The Python path stays the reference: it serves SQLite and pages of orders, and
``tests/inventory/test_stock_functions.py`` holds both to the same results."""

from __future__ import annotations

from contextlib import nullcontext

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from inventory.models import Reservation
from inventory.services import sql
from inventory.services.errors import StockError, StockRequest
from inventory.services.ledger import user_or_none
from inventory.services.outbox import notify_written

RESERVE = ("SELECT out_kind, out_id, out_line_key, out_sku_id, out_location_id, out_quantity, out_available, "
           "out_created_at FROM inventory_reserve(%s::text, %s::text[], %s::bigint[], %s::integer[], %s::text[], "
           "%s::integer, %s::timestamptz)")
CLOSE = ("SELECT out_kind, out_id, out_units FROM inventory_close_reservations(%s::text, %s::text[], %s::text, "
         "%s::text, %s::integer, %s::integer, %s::text, %s::timestamptz)")


def available() -> bool:
    """Whether this database runs the stock functions (PostgreSQL)."""
    return sql.db().vendor == "postgresql"


def _call(statement: str, params: list, check=None) -> list[tuple]:
    """Run one function call: alone outside a transaction, in a savepoint inside the caller's.
    ``check(rows)`` may raise: inside a savepoint it is rolled back (its locks with it)."""
    conn = sql.db()
    in_transaction = conn.in_atomic_block or not conn.get_autocommit()
    with transaction.atomic() if in_transaction else nullcontext(), sql.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
        if check is not None:
            check(rows)
    return rows


def _user_id(user) -> int | None:
    user = user_or_none(user)
    return user.pk if user is not None else None


def reserve(*, reference: str, requests: list[StockRequest], codes: tuple[str, ...], shortfall_error,
            user=None) -> list[Reservation]:
    """``reservations.reserve`` in one call: the ACTIVE reservations of the requested lines.
    Raises StockError naming unknown SKUs, or ``shortfall_error([(request, missing, available)])``
    (an InsufficientStock) when a line is short; nothing is reserved then."""
    by_key = {r.line_key: r for r in requests}

    def check(rows):
        unknown = [row[1] for row in rows if row[0] == "unknown"]
        if unknown:
            raise StockError("Unknown SKU id(s): " + ", ".join(str(pk) for pk in unknown))
        short = [(by_key[line_key], missing, available_units)
                 for kind, _id, line_key, _sku, _loc, missing, available_units, _at in rows if kind == "short"]
        if short:
            raise shortfall_error(short)

    rows = _call(RESERVE, [reference, [r.line_key for r in requests], [r.sku_id for r in requests],
                           [r.quantity for r in requests], list(codes), _user_id(user), timezone.now()], check)
    active = Reservation.State.ACTIVE.value
    reservations = [Reservation.from_db(DEFAULT_DB_ALIAS, _FIELDS, (pk, reference, line_key, sku_id, location_id,
                                                                     quantity, active, created_at, None))
                    for kind, pk, line_key, sku_id, location_id, quantity, _a, created_at in rows
                    if kind in ("held", "new")]
    notify_written([row[1] for row in rows if row[0] == "outbox"])
    return reservations


_FIELDS = ("id", "reference", "line_key", "sku_id", "location_id", "quantity", "state", "created_at", "closed_at")


def close(*, reference: str, line_keys, state: str, reason: str, on_hand_sign: int, user=None, note: str = "") -> int:
    """``reservations._close_reservations`` in one call; returns the units closed."""
    rows = _call(CLOSE, [reference, None if line_keys is None else list(line_keys), str(state), str(reason),
                         on_hand_sign, _user_id(user), note, timezone.now()])
    notify_written([pk for kind, pk, _units in rows if kind == "outbox"])
    return int(next((units for kind, _pk, units in rows if kind == "units"), 0) or 0)
