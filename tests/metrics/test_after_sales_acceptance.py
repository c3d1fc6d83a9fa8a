"""Acceptance 3 (the figure's part), through the orders services that record what the channel
says: a buyer's cancellation request left undecided past its deadline waits on the dashboard and
in the at-risk list, then the channel reports it approved after the deadline; it is shown as
auto-approved and counts as late in the after-sales response time."""

import datetime as dt

import pytest
from django.utils import timezone

from metrics.after_sales_definitions import LATE, RESPONSE_TIME
from metrics.selectors import resolve_scope
from metrics.selectors.after_sales import after_sales_report
from metrics.selectors.after_sales_due import about_to_auto_approve, due_counts
from orders.models import CancellationRequest
from orders.services.cancellation_requests import ChannelCancellation, record_from_channel
from tests.metrics.factories import AccountFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_a_request_auto_approved_past_its_deadline_counts_late(owner_client):
    now = timezone.now()
    account = AccountFactory()
    order = OrderFactory(account=account, external_id="576000000000000123", status="awaiting_confirmation",
                         created_at=now - dt.timedelta(days=4))
    asked, deadline = now - dt.timedelta(days=3), now - dt.timedelta(days=1)
    pending = ChannelCancellation(external_id="4035000001", order_external_id=order.external_id, outcome="pending",
                                  channel_status="CANCELLATION_REQUEST_PENDING", reason="No longer needed",
                                  requested_at=asked, updated_at=asked, respond_by=deadline)
    request, _changed = record_from_channel(account=account, data=pending)
    scope = resolve_scope()
    # Undecided past its deadline: due, overdue, about to be approved by the channel.
    counts = due_counts(scope, now)
    assert (counts.requests, counts.overdue, counts.about_to_auto_approve) == (1, 1, 1)
    assert [i.order_external_id for i in about_to_auto_approve(scope, now)] == [order.external_id]
    assert "past the deadline" in owner_client.get("/").content.decode()
    assert after_sales_report(scope=scope, now=now)[RESPONSE_TIME].decided == 0

    approved = ChannelCancellation(external_id="4035000001", order_external_id=order.external_id,
                                   outcome="approved", channel_status="CANCELLATION_REQUEST_COMPLETE",
                                   reason="No longer needed", requested_at=asked,
                                   updated_at=deadline + dt.timedelta(minutes=3))
    record_from_channel(account=account, data=approved)
    request = CancellationRequest.objects.get(pk=request.pk)
    assert request.status == "auto_approved" and request.auto_approved
    figure = after_sales_report(scope=scope, now=now + dt.timedelta(days=1))[RESPONSE_TIME]
    assert (figure.decided, figure.on_time, figure.late, figure.auto_approved) == (1, 0, 1, 1)
    assert figure.on_time_share == 0.0
    assert list(figure.rows(LATE).values_list("external_id", flat=True)) == [order.external_id]
    assert due_counts(scope, now).requests == 0
