"""Every rule of the after-sales figures (docs/domain/metrics.md#after-sales-figures), table-driven.

Each case is one order with at most one return or cancellation request, described with LOCAL
wall-clock times in the shop's time zone (America/Los_Angeles), and where it must land. The
window is March 2025 up to, not including, March 31 ([2025-03-01, 2025-03-31)).
"""

import datetime as dt
import itertools

import pytest

from metrics.after_sales_definitions import (
    CANCELLATIONS_BY_REASON,
    DECIDED,
    DENOMINATOR,
    LATE,
    MISSED_SLA,
    NON_BUYER_FAULT_RETURNS,
    NUMERATOR,
    OTHER_REASON,
    OUT_OF_STOCK,
    REASONS,
    RESPONSE_TIME,
    SELLER_REQUEST,
)
from metrics.selectors import Window, resolve_scope
from metrics.selectors.after_sales import after_sales_report
from orders.models import CancellationRequest, OrderStatus, Return
from tests.metrics.factories import AccountFactory, OrderFactory, local

pytestmark = pytest.mark.django_db

WINDOW = Window(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
NOW = local("2025-06-01 12:00")
NUM, DEN, OUT = "numerator", "denominator only", "excluded"
ON_TIME, NO_DEADLINE = "decided on time", "decided, no deadline"
TIMES = ("requested_at", "respond_by", "decided_at", "created_at")
SERIAL = itertools.count(1)


def _times(attrs):
    return {k: local(v) if k in TIMES and isinstance(v, str) else v for k, v in attrs.items()}


def report(window=WINDOW):
    return after_sales_report(scope=resolve_scope(), window=window, now=NOW)


def make_order(account=None, **attrs):
    account = account or AccountFactory()
    attrs = {"created_at": local("2025-03-05 09:00"), **attrs}
    return OrderFactory(account=account, **attrs)


def make_return(order, *, local_return=False, created_at=None, **attrs):
    attrs = {"reason": "Arrived damaged", "channel_status": "RETURN_OR_REFUND_REQUEST_SUCCESS",
             "external_id": "" if local_return else f"R{next(SERIAL)}",
             "requested_at": "2025-03-10 10:00", **attrs}
    ret = Return.objects.create(order=order, account=None if local_return else order.account, **_times(attrs))
    if created_at:  # created_at is set on insert; a local return's request time falls back on it
        Return.objects.filter(pk=ret.pk).update(created_at=local(created_at))
    return ret


def make_request(order, **attrs):
    attrs = {"external_id": f"C{order.pk}", "initiator": "buyer", "status": "approved",
             "requested_at": "2025-03-10 10:00", **attrs}
    return CancellationRequest.objects.create(order=order, account=order.account, **_times(attrs))


# Non-buyer-fault return rate

RETURN_CASES = [
    # (id, order attrs, return attrs or None, expected)
    ("seller fault, requested in the window", {}, {"seller_fault": True}, NUM),
    ("buyer's fault", {}, {"seller_fault": False}, DEN),
    ("fault unknown does not count", {}, {"seller_fault": None}, DEN),
    ("no return", {}, None, DEN),
    ("requested exactly at the window's first instant", {}, {"seller_fault": True,
                                                            "requested_at": "2025-03-01 00:00"}, NUM),
    ("requested at the window's end (excluded)", {}, {"seller_fault": True, "requested_at": "2025-03-31 00:00"}, DEN),
    ("requested the minute before the window", {}, {"seller_fault": True, "requested_at": "2025-02-28 23:59"}, DEN),
    ("rejected on the channel", {}, {"seller_fault": True, "channel_status": "RETURN_OR_REFUND_REQUEST_REJECT"}, DEN),
    ("withdrawn by the buyer", {}, {"seller_fault": True, "channel_status": "RETURN_OR_REFUND_REQUEST_CANCEL"}, DEN),
    ("still open on the channel counts", {}, {"seller_fault": True,
                                              "channel_status": "RETURN_OR_REFUND_REQUEST_PENDING"}, NUM),
    ("local return, seller fault, dated by its record", {}, {"seller_fault": True, "local_return": True,
                                                             "channel_status": "", "requested_at": None,
                                                             "created_at": "2025-03-12 08:00"}, NUM),
    ("local return outside the window", {}, {"seller_fault": True, "local_return": True, "channel_status": "",
                                             "requested_at": None, "created_at": "2025-04-02 08:00"}, DEN),
    ("order placed before the window, return in it", {"created_at": local("2025-02-20 09:00")},
     {"seller_fault": True}, NUM),
    ("sample order", {"is_sample": True}, {"seller_fault": True}, OUT),
    ("unpaid order without a return", {"paid_at": None}, None, OUT),
    ("order placed at the window's end", {"created_at": local("2025-03-31 00:00")}, None, OUT),
]


@pytest.mark.parametrize("order_attrs,return_attrs,expected", [pytest.param(*c[1:], id=c[0]) for c in RETURN_CASES])
def test_non_buyer_fault_return_rate(order_attrs, return_attrs, expected):
    order = make_order(**order_attrs)
    if return_attrs is not None:
        make_return(order, **return_attrs)
    figure = report()[NON_BUYER_FAULT_RETURNS]
    numerator = set(figure.rows(NUMERATOR).values_list("pk", flat=True))
    denominator = set(figure.rows(DENOMINATOR).values_list("pk", flat=True))
    got = NUM if order.pk in numerator else DEN if order.pk in denominator else OUT
    assert got == expected
    assert figure.numerator == len(numerator) and figure.denominator == len(denominator)


def test_return_rate_windows_each_shop_by_its_own_time_zone():
    """Each shop's window runs from its own local midnight, a local return's by its order's shop."""
    west, east = AccountFactory(), AccountFactory(time_zone="Europe/Berlin")
    inside, outside = {}, {}
    for account, tz in ((west, "America/Los_Angeles"), (east, "Europe/Berlin")):
        for edge, label in (("2025-03-01 00:00", "first instant"), ("2025-03-30 23:59", "last minute")):
            inside[account.pk, label] = make_order(account=account)
            make_return(inside[account.pk, label], seller_fault=True, requested_at=local(edge, tz))
        for edge, label in (("2025-02-28 23:59", "minute before"), ("2025-03-31 00:00", "window's end")):
            outside[account.pk, label] = make_order(account=account)
            make_return(outside[account.pk, label], seller_fault=True, requested_at=local(edge, tz))
    # Berlin's first instant is 15:00 the day before in Los Angeles: inside for Berlin only.
    early = make_order(account=east)
    make_return(early, seller_fault=True, local_return=True, channel_status="", requested_at=None,
                created_at="2025-02-28 15:30")
    late = make_order(account=west)  # 23:30 on 30 March in Los Angeles is the 31st in Berlin
    make_return(late, seller_fault=True, local_return=True, channel_status="", requested_at=None,
                created_at="2025-03-30 23:30")
    figure = report()[NON_BUYER_FAULT_RETURNS]
    counted = set(figure.rows(NUMERATOR).values_list("pk", flat=True))
    assert counted == {o.pk for o in inside.values()} | {early.pk, late.pk}
    assert figure.numerator == len(counted) == 6


def test_return_rate_counts_an_order_once_and_reads_the_60_day_default():
    order = make_order(created_at=local("2025-04-20 09:00"))
    make_return(order, seller_fault=True, requested_at="2025-05-01 10:00")
    make_return(order, seller_fault=True, requested_at="2025-05-02 10:00")
    make_order(created_at=local("2025-04-10 09:00"))  # 52 days before "now": inside 60, outside 30 days
    make_order(created_at=local("2025-03-20 09:00"))  # outside the 60 days
    default = after_sales_report(scope=resolve_scope(), now=NOW)[NON_BUYER_FAULT_RETURNS]
    assert (default.window.date_from, default.window.date_to) == (dt.date(2025, 4, 2), dt.date(2025, 6, 1))
    assert (default.numerator, default.denominator, default.value) == (1, 2, 0.5)


# After-sales response time

RESPONSE_CASES = [
    # (id, "request" or "return", attrs, expected)
    ("request decided before the deadline", "request",
     {"respond_by": "2025-03-12 10:00", "decided_at": "2025-03-10 20:00"}, ON_TIME),
    ("request decided exactly at the deadline", "request",
     {"respond_by": "2025-03-12 10:00", "decided_at": "2025-03-12 10:00"}, ON_TIME),
    ("request decided a minute late", "request",
     {"respond_by": "2025-03-12 10:00", "decided_at": "2025-03-12 10:01"}, LATE),
    ("request auto-approved by the channel", "request",
     {"status": "auto_approved", "auto_approved": True, "respond_by": "2025-03-12 10:00",
      "decided_at": "2025-03-12 10:05"}, LATE),
    ("auto-approved without a decision time: decided at the deadline, late", "request",
     {"status": "auto_approved", "auto_approved": True, "respond_by": "2025-03-12 10:00", "decided_at": None}, LATE),
    ("auto-approved is late even when reported before the deadline", "request",
     {"status": "auto_approved", "auto_approved": True, "respond_by": "2025-03-12 10:00",
      "decided_at": "2025-03-11 10:00"}, LATE),
    ("request rejected in time", "request",
     {"status": "rejected", "respond_by": "2025-03-12 10:00", "decided_at": "2025-03-11 10:00"}, ON_TIME),
    ("request without a deadline", "request", {"respond_by": None, "decided_at": "2025-03-11 10:00"}, NO_DEADLINE),
    ("withdrawn by the buyer", "request",
     {"status": "withdrawn", "respond_by": "2025-03-12 10:00", "decided_at": "2025-03-13 10:00"}, OUT),
    ("still pending", "request", {"status": "pending", "respond_by": "2025-03-12 10:00", "decided_at": None}, OUT),
    ("seller's own cancellation is no response", "request",
     {"initiator": "seller", "respond_by": "2025-03-12 10:00", "decided_at": "2025-03-10 11:00"}, OUT),
    ("decided at the window's first instant", "request",
     {"requested_at": "2025-02-27 10:00", "respond_by": "2025-03-02 10:00", "decided_at": "2025-03-01 00:00"},
     ON_TIME),
    ("decided at the window's end (excluded)", "request",
     {"requested_at": "2025-03-29 10:00", "respond_by": "2025-04-02 10:00", "decided_at": "2025-03-31 00:00"}, OUT),
    ("return approved in time", "return",
     {"respond_by": "2025-03-12 10:00", "decided_at": "2025-03-11 10:00"}, ON_TIME),
    ("return decided late", "return", {"respond_by": "2025-03-12 10:00", "decided_at": "2025-03-12 11:00"}, LATE),
    ("return auto-approved", "return",
     {"auto_approved": True, "respond_by": "2025-03-12 10:00", "decided_at": "2025-03-12 10:00"}, LATE),
    ("return withdrawn", "return", {"channel_status": "RETURN_OR_REFUND_REQUEST_CANCEL",
                                    "respond_by": "2025-03-12 10:00", "decided_at": "2025-03-11 10:00"}, OUT),
    ("local return without a channel", "return",
     {"local_return": True, "respond_by": None, "decided_at": "2025-03-11 10:00"}, OUT),
]


@pytest.mark.parametrize("what,attrs,expected", [pytest.param(*c[1:], id=c[0]) for c in RESPONSE_CASES])
def test_after_sales_response_time(what, attrs, expected):
    order = make_order()
    (make_request if what == "request" else make_return)(order, **attrs)
    figure = report()[RESPONSE_TIME]
    late = set(figure.rows(LATE).values_list("pk", flat=True))
    decided = set(figure.rows(DECIDED).values_list("pk", flat=True))
    if expected == OUT:
        assert order.pk not in decided and figure.decided == 0
        assert figure.median is None and figure.on_time_share is None
        return
    assert figure.decided == 1 and order.pk in decided
    assert (order.pk in late) == (expected == LATE)
    assert figure.late == (1 if expected == LATE else 0)
    assert figure.on_time == (1 if expected == ON_TIME else 0)
    assert figure.on_time_share == {LATE: 0.0, ON_TIME: 1.0, NO_DEADLINE: None}[expected]
    assert figure.median is not None


def test_median_runs_over_requests_and_returns_together():
    order = make_order()
    for hours in (2, 30):
        make_request(order, external_id=f"C{hours}", decided_at=local("2025-03-10 10:00") + dt.timedelta(hours=hours))
    make_return(order, decided_at=local("2025-03-10 10:00") + dt.timedelta(hours=5))
    figure = report()[RESPONSE_TIME]
    assert figure.decided == 3 and figure.median == dt.timedelta(hours=5)
    make_return(order, decided_at=local("2025-03-10 10:00") + dt.timedelta(hours=9))
    figure = report()[RESPONSE_TIME]
    assert figure.median == dt.timedelta(hours=7) and figure.median_hours == 7  # (5 + 9) / 2


def test_an_auto_approved_request_makes_the_share_late():
    """Acceptance 3: a request left undecided past its deadline and auto-approved counts as late."""
    order = make_order()
    request = make_request(order, status="pending", respond_by="2025-03-12 10:00", decided_at=None)
    make_request(make_order(), respond_by="2025-03-12 10:00", decided_at="2025-03-11 10:00")
    before = report()[RESPONSE_TIME]
    assert (before.decided, before.on_time, before.late, before.on_time_share) == (1, 1, 0, 1.0)
    request.status, request.auto_approved, request.decided_at = "auto_approved", True, local("2025-03-12 10:02")
    request.save()
    after = report()[RESPONSE_TIME]
    assert (after.decided, after.on_time, after.late, after.auto_approved, after.on_time_share) == (2, 1, 1, 1, 0.5)
    assert list(after.rows(LATE).values_list("pk", flat=True)) == [order.pk]


# Seller-fault cancellations by reason

CANCEL_CASES = [
    # (id, order attrs, expected reason or DEN / OUT)
    ("out of stock", {"cancel_initiator": "SELLER", "cancel_reason_code": "out_of_stock"}, OUT_OF_STOCK),
    ("auto-cancelled for a missed deadline", {"cancel_initiator": "SYSTEM", "cancel_reason_code": "missed_sla"},
     MISSED_SLA),
    ("system cancellation without a code", {"cancel_initiator": "SYSTEM", "cancel_reason_code": ""}, MISSED_SLA),
    ("seller's cancellation without a code", {"cancel_initiator": "SELLER", "cancel_reason_code": ""},
     SELLER_REQUEST),
    ("seller's request", {"cancel_initiator": "SELLER", "cancel_reason_code": "seller_request"}, SELLER_REQUEST),
    ("pricing error", {"cancel_initiator": "SELLER", "cancel_reason_code": "pricing_error"}, OTHER_REASON),
    ("unable to deliver", {"cancel_initiator": "SELLER", "cancel_reason_code": "unable_to_deliver"}, OTHER_REASON),
    ("cancelled by the buyer", {"cancel_initiator": "BUYER", "cancel_reason_code": "buyer_request"}, DEN),
    ("not cancelled", {"status": OrderStatus.DELIVERED, "cancelled_at": None}, DEN),
    ("unpaid", {"cancel_initiator": "SELLER", "cancel_reason_code": "out_of_stock", "paid_at": None}, OUT),
    ("sample", {"cancel_initiator": "SELLER", "cancel_reason_code": "out_of_stock", "is_sample": True}, OUT),
    ("placed at the window's end", {"cancel_initiator": "SELLER", "cancel_reason_code": "out_of_stock",
                                    "created_at": local("2025-03-31 00:00")}, OUT),
    ("placed at the window's first instant", {"cancel_initiator": "SYSTEM", "cancel_reason_code": "",
                                              "created_at": local("2025-03-01 00:00")}, MISSED_SLA),
]


@pytest.mark.parametrize("attrs,expected", [pytest.param(*c[1:], id=c[0]) for c in CANCEL_CASES])
def test_seller_fault_cancellations_by_reason(attrs, expected):
    attrs = {"status": OrderStatus.CANCELLED, "cancelled_at": local("2025-03-06 09:00"), **attrs}
    order = make_order(**attrs)
    figure = report()[CANCELLATIONS_BY_REASON]
    found = {reason for reason in REASONS if order.pk in set(figure.rows(reason).values_list("pk", flat=True))}
    in_denominator = order.pk in set(figure.rows(DENOMINATOR).values_list("pk", flat=True))
    if expected == OUT:
        assert not found and not in_denominator and figure.denominator == 0
    elif expected == DEN:
        assert not found and in_denominator and figure.total == 0 and figure.denominator == 1
    else:
        assert found == {expected} and in_denominator
        assert figure.counts[expected] == 1 and figure.total == 1 and figure.rate(expected) == 1.0


def test_the_figures_run_a_fixed_number_of_queries(django_assert_num_queries):
    """One query for the scope, one for the orders, one for the returns against the seller, one
    aggregate per request table and one for the median, whatever the number of rows."""
    account = AccountFactory()
    for size in (2, 25):
        for i in range(size):
            order = make_order(account=account, created_at=local("2025-03-05 09:00") + dt.timedelta(hours=i))
            make_return(order, seller_fault=bool(i % 2), respond_by="2025-03-12 10:00",
                        decided_at=local("2025-03-10 11:00") + dt.timedelta(minutes=i))
            make_request(order, external_id=f"Q{size}-{i}", respond_by="2025-03-12 10:00",
                         decided_at=local("2025-03-11 10:00") + dt.timedelta(hours=i))
        with django_assert_num_queries(6):
            figures = report()
        assert figures[RESPONSE_TIME].decided == 2 * (2 + (25 if size == 25 else 0))
