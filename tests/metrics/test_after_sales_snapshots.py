"""The after-sales counts that add up by day (cancellations by reason, requests decided, judged, on
time, auto-approved) are stored with the daily snapshots, with what the two other figures are
made of (each day's returned orders and response times), and the metrics page reads them from
there: the same figures as counting live, fewer queries, never a stale snapshot, and settled
figures never rewritten to add them."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.after_sales_definitions import CANCELLATIONS_BY_REASON, NON_BUYER_FAULT_RETURNS, RESPONSE_TIME
from metrics.definitions import SELLER_FAULT_CANCELLATION
from metrics.models import AfterSalesSnapshot, MetricSnapshot
from metrics.selectors import page_reports, resolve_scope
from metrics.selectors.after_sales import after_sales_report, default_windows
from metrics.selectors.after_sales_daily import page_counts, page_counts_for
from metrics.selectors.scope import Window
from metrics.services import take_snapshots as take_all_snapshots
from orders.models import CancellationRequest, Order, OrderStatus, Return
from tests.metrics.factories import AccountFactory

pytestmark = pytest.mark.django_db


def take_snapshots(now):
    """The hourly job's snapshots, over the 45 days these tests' windows (30 days) need."""
    return take_all_snapshots(now=now, backfill_days=45)

SERIAL = itertools.count(1)
REASON_CODES = ["out_of_stock", "missed_sla", "seller_request", "", "", "buyer_address"]


def shop_history(account, now, days=40):
    """A shop's last ``days`` days: seller-fault cancellations of every reason (blank codes fall
    back on the initiator), and buyer requests and channel returns decided on time, late, by the
    channel on its own and with no deadline, some late in the local evening."""
    for day in range(days):
        placed = now - dt.timedelta(days=day, hours=day % 9)
        code = REASON_CODES[day % len(REASON_CODES)]
        cancelled = Order.objects.create(
            account=account, external_id=f"S{next(SERIAL)}", created_at=placed, paid_at=placed,
            status=OrderStatus.CANCELLED, cancelled_at=placed + dt.timedelta(hours=3), cancel_reason_code=code,
            cancel_initiator="SYSTEM" if day % 2 else "SELLER")
        asked = placed - dt.timedelta(hours=20)
        deadline = asked + dt.timedelta(hours=24)
        kind = day % 4
        request = {
            0: {"decided_at": deadline - dt.timedelta(hours=2), "respond_by": deadline, "status": "approved"},
            1: {"decided_at": deadline + dt.timedelta(hours=5), "respond_by": deadline, "status": "approved"},
            2: {"respond_by": deadline, "auto_approved": True, "status": "auto_approved"},
            3: {"decided_at": asked + dt.timedelta(hours=7), "status": "rejected"},
        }[kind]
        CancellationRequest.objects.create(order=cancelled, account=account, external_id=f"C{next(SERIAL)}",
                                           initiator="buyer", requested_at=asked, **request)
        delivered = Order.objects.create(account=account, external_id=f"D{next(SERIAL)}", created_at=placed,
                                         paid_at=placed, status=OrderStatus.DELIVERED)
        Return.objects.create(order=delivered, account=account, external_id=f"R{next(SERIAL)}",
                              reason="Arrived damaged", channel_status="RETURN_OR_REFUND_REQUEST_SUCCESS",
                              seller_fault=day % 3 == 0, requested_at=asked,
                              respond_by=asked + dt.timedelta(hours=48),
                              decided_at=asked + dt.timedelta(hours=30 + 30 * (day % 2)))


@pytest.fixture
def shops():
    now = timezone.now()
    shop_history(AccountFactory(), now)
    shop_history(AccountFactory(time_zone="Europe/Berlin", channel="etsy"), now)
    return resolve_scope(), now


def from_snapshots(scope, now, window=None):
    def placed(windows):
        reports = page_reports(scope=scope, requests={w: (SELLER_FAULT_CANCELLATION,) for w in windows}, now=now)
        return {w: report.figures[SELLER_FAULT_CANCELLATION].denominator for w, report in reports.items()}

    return after_sales_report(scope=scope, window=window, now=now, placed_count=placed,
                              counts_of=lambda requests: page_counts_for(scope=scope, requests=requests, now=now))


def test_the_page_reads_the_daily_counts_and_shows_the_live_figures(shops):
    scope, now = shops
    live = after_sales_report(scope=scope, now=now).as_dict()
    assert live[CANCELLATIONS_BY_REASON]["total"] and live[RESPONSE_TIME]["late"]  # every part has rows
    assert from_snapshots(scope, now).as_dict() == live  # no snapshots yet: everything counted live
    take_snapshots(now=now)
    window = default_windows(scope, now)[RESPONSE_TIME]
    with CaptureQueriesContext(connection) as captured:
        counts = page_counts(scope=scope, window=window, now=now)
    assert len(captured.captured_queries) == 1  # the stored days only: no count over orders or requests
    assert counts["decided"] == live[RESPONSE_TIME]["decided"]
    assert from_snapshots(scope, now).as_dict() == live
    # A window running into today: its full days from the snapshots, the rest counted live.
    longer = Window(window.date_from, window.date_to + dt.timedelta(days=2))
    assert from_snapshots(scope, now, longer).as_dict() == after_sales_report(scope=scope, window=longer,
                                                                             now=now).as_dict()


def test_a_stale_after_sales_snapshot_is_not_used(shops, settings):
    scope, now = shops
    take_snapshots(now=now)
    live = after_sales_report(scope=scope, now=now).as_dict()
    AfterSalesSnapshot.objects.filter(is_final=False).update(decided=900, judged=900, on_time=0,
                                                             computed_at=now - dt.timedelta(hours=3))
    assert from_snapshots(scope, now).as_dict() == live  # too old and not final: counted live again
    AfterSalesSnapshot.objects.update(computed_at=now - dt.timedelta(minutes=10))
    assert from_snapshots(scope, now).as_dict()[RESPONSE_TIME]["decided"] != live[RESPONSE_TIME]["decided"]
    settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES = 0  # off: always live
    assert from_snapshots(scope, now).as_dict() == live


def test_the_after_sales_counts_are_added_without_rewriting_settled_figures(shops):
    scope, now = shops
    take_snapshots(now=now)
    # An installation from before the after-sales counts: settled figures, no after-sales rows.
    AfterSalesSnapshot.objects.all().delete()
    settled = MetricSnapshot.objects.filter(is_final=True)
    assert settled.exists()
    settled.update(numerator=0, denominator=7)  # as reported back then
    result = take_snapshots(now=now + dt.timedelta(minutes=5))
    assert result["after_sales_account_days"] == AfterSalesSnapshot.objects.count() > result["account_days"]
    assert set(settled.values_list("numerator", "denominator")) == {(0, 7)}  # kept as reported
    assert from_snapshots(scope, now).as_dict()[RESPONSE_TIME] == after_sales_report(
        scope=scope, now=now).as_dict()[RESPONSE_TIME]
    assert take_snapshots(now=now + dt.timedelta(minutes=6))["after_sales_account_days"] < result[
        "after_sales_account_days"]  # the settled days are not computed again


def test_the_metrics_page_shows_the_same_after_sales_figures_with_and_without_snapshots(shops, owner_client,
                                                                                      settings):
    scope, now = shops
    take_snapshots(now=timezone.now())
    fast = owner_client.get("/metrics/").context["after_sales"].as_dict()
    settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES = 0
    assert owner_client.get("/metrics/").context["after_sales"].as_dict() == fast


def test_ops_read_the_after_sales_snapshots_in_the_admin(shops, client, ops_user):
    take_snapshots(now=shops[1])
    client.force_login(ops_user)
    response = client.get("/admin/metrics/aftersalessnapshot/")
    shown = AfterSalesSnapshot.objects.select_related("account").first()
    assert response.status_code == 200 and shown.account.name in response.content.decode()
    assert client.get("/admin/metrics/aftersalessnapshot/add/").status_code == 403


def test_an_order_returned_on_two_days_counts_once_and_the_median_is_the_live_one(shops):
    scope, now = shops
    account = scope.accounts[0]
    order = Order.objects.create(account_id=account.id, external_id=f"T{next(SERIAL)}", paid_at=now,
                                 created_at=now - dt.timedelta(days=12), status=OrderStatus.DELIVERED)
    for days_ago in (9, 4):  # two returns against the seller, on two days inside the window
        asked = now - dt.timedelta(days=days_ago)
        Return.objects.create(order=order, account_id=account.id, external_id=f"R{next(SERIAL)}",
                              reason="Wrong item", channel_status="RETURN_OR_REFUND_REQUEST_SUCCESS",
                              seller_fault=True, requested_at=asked, respond_by=asked + dt.timedelta(hours=48),
                              decided_at=asked + dt.timedelta(hours=1, microseconds=7))
    live = after_sales_report(scope=scope, now=now)
    take_snapshots(now=now)
    fast = from_snapshots(scope, now)
    assert fast.as_dict() == live.as_dict()
    assert fast[NON_BUYER_FAULT_RETURNS].numerator == live[NON_BUYER_FAULT_RETURNS].numerator
    assert fast[RESPONSE_TIME].median == live[RESPONSE_TIME].median  # to the microsecond
    # One shop (one time zone: every day of its windows is full), snapshots over the returns' 60 days.
    one_shop = resolve_scope(account=account.id)
    take_all_snapshots(now=now, backfill_days=65)
    with CaptureQueriesContext(connection) as captured:
        fast = from_snapshots(one_shop, now)
    counted_live = [q["sql"] for q in captured.captured_queries if '"orders_' in q["sql"]]
    assert counted_live == []  # no count over orders or requests: the days' counts, ids and times
    assert fast.as_dict() == after_sales_report(scope=one_shop, now=now).as_dict()
    # One decision fewer: an odd count if it was even and the other way round (with an even count
    # the median is the mean of the middle two), the same as counted live either way.
    decided = live[RESPONSE_TIME].decided
    Return.objects.filter(order=order).first().delete()
    live = after_sales_report(scope=scope, now=now)
    take_snapshots(now=now + dt.timedelta(minutes=1))
    assert live[RESPONSE_TIME].decided == decided - 1
    assert from_snapshots(scope, now).as_dict() == live.as_dict()


def test_settled_days_from_before_the_details_get_them_and_keep_their_counts(shops):
    scope, now = shops
    take_snapshots(now=now)
    live = after_sales_report(scope=scope, now=now).as_dict()
    settled = AfterSalesSnapshot.objects.filter(is_final=True)
    assert settled.exists()
    # An installation from before: settled days without the returned orders and response times.
    settled.update(returned_orders=None, response_times=None, decided=F("decided") + 1, judged=F("judged") + 1)
    as_reported = sorted(settled.values_list("account_id", "day", "decided"))
    fresh_only = from_snapshots(scope, now).as_dict()  # such a day covers nothing yet: counted live
    assert fresh_only == live
    result = take_snapshots(now=now + dt.timedelta(minutes=5))
    assert result["after_sales_details_filled"] == len(as_reported)
    assert sorted(settled.values_list("account_id", "day", "decided")) == as_reported  # counts kept
    assert not settled.filter(response_times__isnull=True).exists()
    shown = from_snapshots(scope, now).as_dict()
    assert shown[NON_BUYER_FAULT_RETURNS] == live[NON_BUYER_FAULT_RETURNS]
    assert shown[RESPONSE_TIME]["median_hours"] == live[RESPONSE_TIME]["median_hours"]
    assert take_snapshots(now=now + dt.timedelta(minutes=6))["after_sales_details_filled"] == 0
