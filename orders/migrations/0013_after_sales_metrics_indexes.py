"""After-sales indexes for the metrics page's after-sales tiles and its list of requests about to
be auto-approved (metrics/selectors/after_sales.py, after_sales_due.py). Without them each of
those queries read every return (or cancellation request) of the shop's history: a year of a
1,000,000-order shop's 29,000 returns, 5–15 ms each.

* ``return_closed_at``, ``cancelreq_closed_at``: when a request was decided (its decision time,
  or its deadline when the channel approved it on its own), the expression the response-time
  figure windows by.
* ``return_seller_fault_asked``: returns that are the seller's fault, by when they were asked
  for, the expression the return rate windows by.
* ``return_awaiting_seller_due``: channel returns waiting for the seller's action, by deadline.
  Its condition is the one ``awaiting_returns_q`` builds (with ``RETURN_AWAITING_SELLER`` and
  ``RETURN_CLOSED`` of metrics/after_sales_definitions.py): PostgreSQL uses a partial index only
  for a query whose conditions imply the index's. tests/metrics/test_after_sales_indexes.py
  checks that the page's queries can use each index (it fails, for one, if a status leaves
  ``RETURN_CLOSED`` without this condition following).

Built CONCURRENTLY on PostgreSQL (the migration is not atomic), so the tables stay writable
meanwhile; plain indexes on SQLite. No model state changes (as in 0010 and 0012).
"""

from django.db import migrations

AWAITING = "('RETURN_OR_REFUND_REQUEST_PENDING', 'BUYER_SHIPPED_ITEM')"
CLOSED = ("('RETURN_OR_REFUND_REQUEST_REJECT', 'RETURN_OR_REFUND_REQUEST_CANCEL', "
          "'RETURN_OR_REFUND_REQUEST_SUCCESS', 'RETURN_OR_REFUND_REQUEST_COMPLETE')")
INDEXES = [
    ("return_closed_at", "ON orders_return ((COALESCE(decided_at, respond_by)))"),
    ("cancelreq_closed_at", "ON orders_cancellationrequest ((COALESCE(decided_at, respond_by)))"),
    ("return_seller_fault_asked", "ON orders_return ((COALESCE(requested_at, created_at))) WHERE seller_fault"),
    ("return_awaiting_seller_due",
     "ON orders_return (respond_by) WHERE account_id IS NOT NULL AND NOT auto_approved AND respond_by IS NOT NULL "
     f"AND (channel_status IN {AWAITING} OR (NOT (next_action = '') AND NOT (channel_status IN {CLOSED})))"),
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
        ("orders", "0012_metrics_page_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
