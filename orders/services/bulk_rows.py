"""Bulk writes of a page's rows in one statement each: inserts of orders, their lines and events,
and ``update_text`` (a text per row, e.g. each short order's attention detail).

``insert_rows(model, objs)`` does what ``bulk_create`` (or ``QuerySet._insert`` with
``ON CONFLICT DO NOTHING``) does for the plain rows the page ingest writes. On PostgreSQL the page's
rows travel as ONE JSON document, turned into rows by the database::

    INSERT INTO orders_order (...) SELECT ... FROM jsonb_populate_recordset(NULL::orders_order, %s)
    ON CONFLICT DO NOTHING RETURNING external_id, id

Django's own path prepares, quotes and binds every value of every column in Python (about 2,400
parameters for a page of 50 orders, each JSON payload escaped into an array's text): for a page
that cost more than the rest of the page. Here each value is read from the object as it is (the
automatic times and related keys as Django sets them) and the page is encoded once. On SQLite, and
for a model with a kind of field not listed here, it is Django's own path, unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Model, Value, When
from django.db.models.constants import OnConflict
from django.utils import timezone

# Fields whose attribute value the JSON document carries as it is (a choices enum is a ``str``;
# times, decimals and JSON values are encoded by ``_encode``).
AS_IS = frozenset({"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
                   "DateTimeField", "DecimalField", "EmailField", "IntegerField", "JSONField",
                   "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField",
                   "SmallIntegerField", "TextField", "URLField", "UUIDField"})
BATCH = 500


def _reader(field, now: dt.datetime):
    """A function giving ``field``'s value from an object about to be inserted (None: not handled).
    An automatic time is ``now`` for every row, set on the object as ``pre_save`` would."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now.date() if field.get_internal_type() == "DateField" else now

        def automatic(obj):
            setattr(obj, attname, value)
            return value
        return automatic
    if field.is_relation:
        def related(obj):
            value = getattr(obj, attname)
            if value is None and field.is_cached(obj):  # assigned before the related row had its key
                target = field.get_cached_value(obj)
                value = None if target is None else target.pk
            return value
        return related
    if field.get_internal_type() in AS_IS:
        return lambda obj: getattr(obj, attname)
    return None


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written in bulk")


_encode = json.JSONEncoder(default=_plain, ensure_ascii=False, check_circular=False, allow_nan=False).encode


def insert_rows(model: type[Model], objs: list[Model], *, returning: tuple[str, ...] = ("id",),
                ignore_conflicts: bool = False) -> list[tuple]:
    """Insert ``objs`` (every concrete column but the primary key); returns the ``returning``
    columns of each row inserted, in order (with ``ignore_conflicts``, a row that met a unique
    constraint is left out and returns nothing). The caller sets the primary keys it needs."""
    if not objs:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    readers = [_reader(f, now) for f in fields]
    if connection.vendor != "postgresql" or None in readers:
        returned = [model._meta.get_field(name) for name in returning]
        rows = []
        for start in range(0, len(objs), 100):
            rows.extend(model._default_manager._insert(
                objs[start:start + 100], fields=fields, returning_fields=returned,
                on_conflict=OnConflict.IGNORE if ignore_conflicts else None) or [])
        return [tuple(row) for row in rows if row]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), [f.column for f in fields]
    listed = ", ".join(quote(c) for c in columns)
    sql = (f"INSERT INTO {table} ({listed}) SELECT {listed} FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)"
           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
           + f" RETURNING {', '.join(quote(model._meta.get_field(n).column) for n in returning)}")
    pairs = list(zip(columns, readers, strict=True))
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            document = _encode([{column: read(obj) for column, read in pairs} for obj in objs[start:start + BATCH]])
            cursor.execute(sql, [document])
            out.extend(cursor.fetchall())
    return out


def create_rows(model: type[Model], objs: list[Model]) -> None:
    """``bulk_create`` for new rows: inserts ``objs`` and sets their primary keys."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    ids = insert_rows(model, objs)
    if len(ids) != len(objs):  # every row is new: one id each, in order (as bulk_create relies on)
        raise RuntimeError(f"{model.__name__}: {len(objs)} rows inserted, {len(ids)} ids returned")
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, "default"


def update_text(model: type[Model], field: str, values: dict[int, str], **same) -> int:
    """One UPDATE giving each row its own text in ``field`` ({primary key: text}) and the
    ``same`` values to them all. On PostgreSQL the texts travel as two arrays
    (``UPDATE ... FROM unnest(...)``); elsewhere as Django's CASE, as ``bulk_update`` writes it."""
    if not values:
        return 0
    if connection.vendor != "postgresql":
        cases = Case(*[When(pk=pk, then=Value(text)) for pk, text in values.items()],
                     output_field=model._meta.get_field(field))
        return model._default_manager.filter(pk__in=list(values)).update(**{field: cases}, **same)
    quote, meta = connection.ops.quote_name, model._meta
    fixed = [(meta.get_field(name), value) for name, value in same.items()]
    assignments = ", ".join([f"{quote(meta.get_field(field).column)} = v.text",
                             *(f"{quote(f.column)} = %s" for f, _value in fixed)])
    pk = quote(meta.pk.column)
    sql = (f"UPDATE {quote(meta.db_table)} SET {assignments} FROM unnest(%s::bigint[], %s::text[]) AS v(id, text) "
           f"WHERE {quote(meta.db_table)}.{pk} = v.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(f.get_db_prep_save(value, connection) for f, value in fixed),
                             list(values), list(values.values())])
        return cursor.rowcount
