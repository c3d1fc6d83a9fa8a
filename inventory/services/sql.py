"""The cursor of the stock path's hand-written statements (locks, level updates, reservations,
ledger and outbox rows: the statements every order runs), and their texts, built once.

On PostgreSQL it is a server-side binding cursor whose statements are prepared once per database
connection (psycopg keeps them), so each order's statements skip the parse and plan; it is wrapped
by Django like any cursor (database errors translated). While queries are logged (DEBUG, tests
counting queries) and on SQLite it is Django's own cursor, so the log shows each statement whole.
One cursor serves a whole reservation or release.

``insert_values`` writes many rows in one statement whose text does not depend on how many: on
PostgreSQL ``INSERT ... SELECT * FROM unnest(<one array per column>)`` (prepared once, its text
parsed once), elsewhere, and for a few rows, a VALUES list."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

_texts: dict = {}
# A few rows (an order's lines) go as a VALUES list, one prepared statement per row count: psycopg
# sends scalars cheaper than the arrays of unnest, which serve the pages.
VALUES_UP_TO = 4


def db():
    """The database connection (looked up once per operation rather than per attribute)."""
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def cursor(existing=None):
    """A cursor for the stock statements; ``existing`` (the caller's) is used as it is."""
    if existing is not None:
        yield existing
        return
    conn = db()
    if conn.vendor != "postgresql" or conn.queries_logged:  # logged queries: Django's own, in full
        with conn.cursor() as plain:
            yield plain
        return
    import psycopg  # noqa: PLC0415 -- only on PostgreSQL

    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold != 0:  # Django opens connections that never prepare; these statements do
        raw.prepare_threshold = 0
    with conn.wrap_database_errors:
        server = psycopg.Cursor(raw)
    try:
        yield conn.make_cursor(server)
    finally:
        server.close()


def text(key, build) -> str:
    """The statement text for ``key`` (e.g. a statement and its number of rows), built once per
    database vendor."""
    key = (db().vendor, key)
    found = _texts.get(key)
    if found is None:
        found = _texts[key] = build()
    return found


def table(model) -> str:
    return text(("table", model._meta.db_table), lambda: db().ops.quote_name(model._meta.db_table))


def stamp(value):
    """A datetime as the database takes it in a hand-written statement."""
    return db().ops.adapt_datetimefield_value(value)


def marks(n: int, row: str = "%s") -> str:
    return ", ".join([row] * n)


def insert_values(model, columns: tuple[tuple[str, str], ...], rows: list[tuple], *, cursor,
                  returning: str | None = None) -> list:
    """Insert ``rows`` (one value per column of ``columns``: (column, PostgreSQL type)) into the
    model's table in one statement; returns the ``returning`` column of each row, in order."""
    if not rows:
        return []
    names = ", ".join(name for name, _type in columns)
    tail = f" RETURNING {returning}" if returning else ""
    if db().vendor == "postgresql" and len(rows) > VALUES_UP_TO:
        statement = text(("unnest", model._meta.db_table, columns, returning), lambda: (
            f"INSERT INTO {table(model)} ({names}) SELECT * FROM unnest("
            + ", ".join(f"%s::{kind}[]" for _name, kind in columns) + f"){tail}"))
        params = [list(values) for values in zip(*rows, strict=True)]
    else:
        typed = db().vendor == "postgresql"  # each value typed as its column, as unnest's arrays are
        n, row = len(rows), "(" + ", ".join(f"%s::{kind}" if typed else "%s" for _name, kind in columns) + ")"
        statement = text(("values", model._meta.db_table, columns, returning, n), lambda: (
            f"INSERT INTO {table(model)} ({names}) VALUES {marks(n, row)}{tail}"))
        params = [value for values in rows for value in values]
    cursor.execute(statement, params)
    return [found[0] for found in cursor.fetchall()] if returning else []
