"""The open orders with no carrier scan yet (``order_open_undispatched`` of 0012) indexed again
with the columns the at-risk count of "shipped, no carrier scan yet" reads (status, fulfilment,
account) carried in the index: ``order_open_to_scan``. PostgreSQL then counts those orders from
the index alone (an index-only scan) wherever the table's pages are marked all-visible, which
autovacuum keeps up for the settled part of the table. Orders that stay in this state longest
(a parcel the carrier never scanned) sit in old pages, so the count no longer visits a page per
order: on a year of 1,000,000 orders with 4,000 such orders, 13 ms became 1 ms
(docs/speed-labels-and-pages.md).

The new index is built before the old one is dropped, both CONCURRENTLY on PostgreSQL (the
migration is not atomic), so the orders stay writable and the count always has an index. SQLite
has no INCLUDE: there the index is the plain partial index it was. No model state changes (as in
0012 and 0013).
"""

from django.db import migrations

OPEN = "('on_hold', 'awaiting_confirmation', 'confirmed', 'picking', 'packed', 'shipped', 'in_transit')"
CONDITION = f"WHERE dispatched_at IS NULL AND cancelled_at IS NULL AND status IN {OPEN}"
NEW, OLD = "order_open_to_scan", "order_open_undispatched"


def _concurrently(schema_editor):
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def _columns(schema_editor, *, covering):
    if covering and schema_editor.connection.vendor == "postgresql":
        return "(dispatch_due_at) INCLUDE (status, fulfilment, account_id)"
    return "(dispatch_due_at)"


def forwards(apps, schema_editor):
    c = _concurrently(schema_editor)
    schema_editor.execute(f"CREATE INDEX {c}IF NOT EXISTS {NEW} ON orders_order "
                          f"{_columns(schema_editor, covering=True)} {CONDITION}")
    schema_editor.execute(f"DROP INDEX {c}IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    c = _concurrently(schema_editor)
    schema_editor.execute(f"CREATE INDEX {c}IF NOT EXISTS {OLD} ON orders_order "
                          f"{_columns(schema_editor, covering=False)} {CONDITION}")
    schema_editor.execute(f"DROP INDEX {c}IF EXISTS {NEW}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0013_after_sales_metrics_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
