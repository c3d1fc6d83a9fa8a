"""The at-risk count of orders shipped with no carrier scan yet is read from the covering index of
open orders with no scan (orders migration 0014), from the index alone once the table's pages are
all-visible: a rule that reads another column of the order would quietly visit a table page per
order again."""

import pytest
from django.db import connection
from django.utils import timezone

from metrics.selectors.at_risk import SHIPPED_NO_SCAN, at_risk_q
from metrics.selectors.scope import resolve_scope
from orders.models import Order
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_no_scan_count_can_be_answered_from_the_index_alone(on_postgres):
    ChannelAccountFactory(time_zone="America/Los_Angeles")
    ChannelAccountFactory(time_zone="Europe/Berlin")
    queryset = Order.objects.filter(at_risk_q(SHIPPED_NO_SCAN, resolve_scope(), timezone.now()))
    seen = []

    def capture(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        queryset.count()  # the statement the page runs
    [(sql, params)] = seen
    with connection.cursor() as cursor:
        # Nearly empty tables: any plan is cheap, so leave the planner only the index-only scan.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_indexscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using order_open_to_scan" in plan, plan
