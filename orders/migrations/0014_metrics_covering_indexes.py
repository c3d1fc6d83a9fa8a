"""Two partial indexes of the metrics page built again with the columns their counts read carried
in the index (``INCLUDE``), so that PostgreSQL answers those counts from the index alone (an
index-only scan) wherever the table's pages are marked all-visible, which autovacuum keeps up for
the settled part of the table:

* ``order_open_to_scan`` replaces ``order_open_undispatched`` (0012): open orders with no carrier
  scan yet, by dispatch deadline, carrying status, fulfilment and account. It serves the at-risk
  count of orders shipped with no carrier scan yet. Orders stay in that state longest when the
  carrier never scans the parcel, so they sit in old pages; on a year of 1,000,000 orders with
  4,000 of them the count took 13 ms, visiting a page per order, and takes 1 ms.
* ``order_seller_fault_covering`` replaces ``order_seller_fault_created`` (0010): orders cancelled
  by the seller or the system, by when they were placed, carrying what the seller-fault
  cancellation rate and the cancellations by reason read. The count by reason took 5.8 ms over 30
  days of that shop (2,000 orders) and takes 1.1 ms.

Each new index is built before the old one is dropped, both CONCURRENTLY on PostgreSQL (the
migration is not atomic), so the orders stay writable and the queries always have an index.
SQLite has no INCLUDE: there each index is the plain partial index it was. No model state
changes (as in 0010, 0012 and 0013). tests/metrics/test_covering_indexes.py checks that the
counts can be answered from these indexes alone.
"""

from django.db import migrations

OPEN = "('on_hold', 'awaiting_confirmation', 'confirmed', 'picking', 'packed', 'shipped', 'in_transit')"
# (new name, old name, key column, columns carried, condition)
INDEXES = [
    ("order_open_to_scan", "order_open_undispatched", "dispatch_due_at", "status, fulfilment, account_id",
     f"dispatched_at IS NULL AND cancelled_at IS NULL AND status IN {OPEN}"),
    ("order_seller_fault_covering", "order_seller_fault_created", "created_at",
     "account_id, cancel_initiator, cancel_reason_code, paid_at, is_sample, status, cancelled_at",
     "cancel_initiator IN ('SELLER', 'SYSTEM')"),
]


def _replace(schema_editor, *, forwards):
    postgres = schema_editor.connection.vendor == "postgresql"
    concurrently = "CONCURRENTLY " if postgres else ""
    for new, old, key, carried, condition in INDEXES:
        create, drop = (new, old) if forwards else (old, new)
        columns = f"({key}) INCLUDE ({carried})" if postgres and create == new else f"({key})"
        schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {create} ON orders_order {columns} "
                              f"WHERE {condition}")
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {drop}")


def forwards(apps, schema_editor):
    _replace(schema_editor, forwards=True)


def backwards(apps, schema_editor):
    _replace(schema_editor, forwards=False)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0013_after_sales_metrics_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
