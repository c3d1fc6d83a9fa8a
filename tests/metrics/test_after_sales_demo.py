"""The demo's after-sales history gives the after-sales figures something to show, with orders
behind each, and leaves nothing waiting for the seller; loading it again adds nothing."""

import pytest

from devtools.demo import after_sales_history
from devtools.demo import metrics as metrics_demo
from metrics.after_sales_definitions import (
    CANCELLATIONS_BY_REASON,
    DECIDED,
    LATE,
    NON_BUYER_FAULT_RETURNS,
    NUMERATOR,
    RESPONSE_TIME,
)
from metrics.selectors import resolve_scope
from metrics.selectors.after_sales import after_sales_report
from metrics.selectors.after_sales_due import due_counts
from orders.models import CancellationRequest, Return

pytestmark = pytest.mark.django_db


def test_the_metrics_page_shows_the_demo_after_sales_history_at_once(owner_client):
    metrics_demo.load(users={})  # stores the daily snapshots, before any after-sales history
    after_sales_history.load(users={})
    shown = owner_client.get("/metrics/").context["after_sales"].as_dict()
    live = after_sales_report(scope=resolve_scope()).as_dict()
    assert shown[NON_BUYER_FAULT_RETURNS]["numerator"] >= 3
    assert shown == live


def test_demo_after_sales_history_fills_the_figures():
    metrics_demo.load(users={})
    after_sales_history.load(users={})
    report = after_sales_report(scope=resolve_scope(channel="tiktok"))
    returns = report[NON_BUYER_FAULT_RETURNS]
    assert returns.numerator >= 3 and 0 < returns.value < 0.1
    assert returns.rows(NUMERATOR).count() == returns.numerator
    response = report[RESPONSE_TIME]
    assert response.decided >= 10 and response.auto_approved >= 1 and 0 < response.on_time_share < 1
    assert response.median is not None and response.rows(LATE).exists() and response.rows(DECIDED).exists()
    assert report[CANCELLATIONS_BY_REASON].total >= 1
    # Every seeded request is decided: nothing waits, nothing is asked of the emulator.
    assert due_counts(resolve_scope()).total == 0
    assert not CancellationRequest.objects.filter(decided_at__isnull=True).exists()
    # A request's decision is the order's cancellation.
    for request in CancellationRequest.objects.select_related("order")[:20]:
        assert request.decided_at == request.order.cancelled_at and request.order.cancel_initiator == "BUYER"
        assert request.order.paid_at <= request.requested_at < request.decided_at
    counts = CancellationRequest.objects.count(), Return.objects.count()
    after_sales_history.load(users={})
    assert (CancellationRequest.objects.count(), Return.objects.count()) == counts
