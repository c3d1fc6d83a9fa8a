"""The metrics page's counts read by the indexes made for them. Two are answered from an index
alone (orders migration 0014): the at-risk count of orders shipped with no carrier scan yet
(``order_open_to_scan``) and the seller-fault cancellations by reason (``order_seller_fault_covering``),
as the daily snapshots and the page's live remainder count them. The packages with no carrier scan
start from the packages still on their way (``package_unscanned_open``, fulfilment migration
0014). A rule that comes to read a column its index does not carry, or to count packages the index
leaves out, would quietly visit a table page per row again."""

import pytest
from django.db import connection
from django.utils import timezone

from fulfilment.models import Package
from metrics.selectors.after_sales_daily import daily_counts
from metrics.selectors.at_risk import SHIPPED_NO_SCAN, UNSCANNED, at_risk_q
from metrics.selectors.scope import default_window, resolve_scope
from orders.models import Order
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(on_postgres):
    ChannelAccountFactory(time_zone="America/Los_Angeles")
    ChannelAccountFactory(time_zone="Europe/Berlin")
    return resolve_scope()


def statements(run):
    """The statements ``run()`` sends, with their parameters."""
    seen = []

    def capture(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run()
    return seen


def index_only_plan(sql, params):
    with connection.cursor() as cursor:
        # Nearly empty tables: any plan is cheap, so leave the planner only index scans (it then
        # prefers one that needs no table page, where there is one).
        for setting in ("enable_seqscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_shipped_no_scan_count_can_be_answered_from_the_index_alone(scope):
    queryset = Order.objects.filter(at_risk_q(SHIPPED_NO_SCAN, scope, timezone.now()))
    [(sql, params)] = statements(queryset.count)  # the statement the page runs
    plan = index_only_plan(sql, params)
    assert "Index Only Scan using order_open_to_scan" in plan, plan


def test_the_cancellations_by_reason_can_be_counted_from_the_index_alone(scope):
    # Counted by day for the snapshots, and live for the days the snapshots don't cover yet.
    window = default_window(scope, timezone.now())
    sent = statements(lambda: daily_counts(scope, window))
    [(sql, params)] = [(sql, params) for sql, params in sent if "cancelled_out_of_stock" in sql]
    plan = index_only_plan(sql, params)
    assert "Index Only Scan using order_seller_fault_covering" in plan, plan


def test_the_unscanned_packages_count_starts_from_the_packages_still_on_their_way(scope):
    # Delivered and cancelled packages with no scan stay out of the index, as they stay out of the count.
    queryset = Package.objects.filter(at_risk_q(UNSCANNED, scope, timezone.now()))
    [(sql, params)] = statements(queryset.count)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "package_unscanned_open" in plan, plan
