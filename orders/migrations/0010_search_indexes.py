"""Search indexes: pg_trgm GIN indexes for the order search (orders/selectors_search.py).

Also, on both databases, a partial index of the seller-fault cancellations by placing time, for
the metrics page's cancellations-by-reason count (metrics/selectors/after_sales.py reads only those
orders once the orders placed come from the daily snapshots): a few percent of the orders are in
it, so a month's worth is read without visiting every order placed in the month.

Search indexes, PostgreSQL only: the pg_trgm extension, then one trigram index per searched column, built on the
very expression Django writes for ``icontains`` (``UPPER("column"::text)``) so the queue's plain
``icontains`` lookups are served by them. Built CONCURRENTLY (the migration is not atomic), so a
shop's orders stay writable meanwhile. On SQLite nothing is done.
"""

from django.db import migrations

# (index name, table, column): the orders' own columns, the lines' channel SKU, our SKU codes.
INDEXES = [
    ("order_external_id_trgm", "orders_order", "external_id"),
    ("order_buyer_name_trgm", "orders_order", "buyer_name"),
    ("order_buyer_email_trgm", "orders_order", "buyer_email"),
    ("order_ship_name_trgm", "orders_order", "ship_name"),
    ("order_tracking_number_trgm", "orders_order", "tracking_number"),
    ("orderline_channel_sku_trgm", "orders_orderline", "channel_sku"),
    ("sku_seller_sku_trgm", "inventory_sku", "seller_sku"),
]


FAULT_INDEX = "order_seller_fault_created"
FAULT_COLUMNS = "ON orders_order (created_at) WHERE cancel_initiator IN ('SELLER', 'SYSTEM')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {FAULT_INDEX} {FAULT_COLUMNS}")
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {FAULT_INDEX} {FAULT_COLUMNS}")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {FAULT_INDEX}")
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {FAULT_INDEX}")
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0009_ingest_by_page"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
