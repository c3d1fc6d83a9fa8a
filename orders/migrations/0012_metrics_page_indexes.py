"""Metrics page indexes: two partial indexes over the open orders only (paid, not delivered,
completed or cancelled), for the at-risk counts and lists of the metrics page and the dashboard
(metrics/selectors/at_risk.py).

* ``order_open_undispatched``: open orders with no carrier scan yet, by dispatch deadline. Serves
  "shipped, no carrier scan yet" and the packages with no carrier scan (whose orders it finds).
* ``order_open_undelivered``: open orders not delivered yet, by deliver-by date. Serves "past the
  deliver-by date and not delivered".

Both hold only orders still in flight (a few days of a shop's orders, whatever its history), so
they stay small and cost ingest little; an order leaves them once it is scanned, delivered or
cancelled. Without them, those counts visited every open order's row scattered through the whole
table (the status index alone does not say which are scanned or delivered). Built CONCURRENTLY on
PostgreSQL (the migration is not atomic), so the orders stay writable meanwhile; on SQLite plain
partial indexes. No model state changes (like ``order_seller_fault_created`` in 0010).
"""

from django.db import migrations

OPEN = "('on_hold', 'awaiting_confirmation', 'confirmed', 'picking', 'packed', 'shipped', 'in_transit')"
# The single-column condition first: PostgreSQL checks a partial index's conditions against each
# query's filters in this order and gives up at the first it cannot prove, so queries that don't
# concern these orders (most of them) are planned without expanding the list of statuses.
INDEXES = [
    ("order_open_undispatched",
     f"ON orders_order (dispatch_due_at) WHERE dispatched_at IS NULL AND cancelled_at IS NULL AND status IN {OPEN}"),
    ("order_open_undelivered",
     f"ON orders_order (delivery_due_at) WHERE delivered_at IS NULL AND cancelled_at IS NULL AND status IN {OPEN}"),
]


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0011_bundles"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
