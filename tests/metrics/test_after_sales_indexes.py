"""The after-sales indexes (orders migration 0013) serve the metrics page's queries. PostgreSQL
uses a partial or expression index only for a query that repeats its condition or expression, so
a change to a rule (a return status added to ``RETURN_CLOSED``, another window expression) that
no longer matches its index would quietly read every return of the shop's history again."""

import pytest
from django.db import connection
from django.utils import timezone

from metrics.selectors.after_sales import decided_cancellation_requests, decided_returns, seller_fault_returns
from metrics.selectors.after_sales_due import due_returns
from metrics.selectors.scope import bounds, default_window, resolve_scope
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The test's tables are nearly empty, so any plan is cheap: read each table by an index
        # and join by hash, and the plan says which index could serve the query.
        for setting in ("enable_seqscan", "enable_nestloop", "enable_mergejoin"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def scope(on_postgres):
    ChannelAccountFactory(time_zone="America/Los_Angeles")
    ChannelAccountFactory(time_zone="Europe/Berlin")
    return resolve_scope()


def test_the_response_time_reads_decided_requests_by_the_index_of_their_decision_time(scope):
    window_bounds = bounds(scope, default_window(scope, timezone.now()))
    assert "return_closed_at" in plan(decided_returns(window_bounds))
    assert "cancelreq_closed_at" in plan(decided_cancellation_requests(window_bounds))


def test_the_return_rate_reads_the_seller_fault_returns_by_their_index(scope):
    window_bounds = bounds(scope, default_window(scope, timezone.now()))
    assert "return_seller_fault_asked" in plan(seller_fault_returns(window_bounds).values("order_id").distinct())


def test_the_returns_waiting_for_the_seller_are_read_from_their_partial_index(scope):
    assert "return_awaiting_seller_due" in plan(due_returns(scope, until=timezone.now()))
    assert "return_awaiting_seller_due" in plan(due_returns(scope))
