"""How the metrics page reads what it shows, cheaply and the same as before: several windows of
the daily snapshots in one query each family, the requests about to be auto-approved counted
with their preview, the after-sales details packed, and the charts and at-risk tables written
in Python with every text escaped."""

import datetime as dt
import json

import pytest
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.charts import trend_chart
from metrics.definitions import LATE_DISPATCH, METRIC_KEYS, METRICS, SELLER_FAULT_CANCELLATION
from metrics.fields import pack, unpack
from metrics.models import AfterSalesSnapshot
from metrics.selectors import default_window, page_report, page_reports, resolve_scope
from metrics.selectors.after_sales import RESPONSE_TIMES, RETURNED_ORDERS, default_windows
from metrics.selectors.after_sales_daily import page_counts, page_counts_for
from metrics.selectors.after_sales_due import about_to_auto_approve, about_to_auto_approve_preview, due_counts
from metrics.selectors.scope import Window
from metrics.selectors.trend import WeekPoint
from metrics.services import take_snapshots
from metrics.tables import order_url_builder, table_markup
from orders.models import CancellationRequest, Order, OrderStatus
from tests.metrics.factories import AccountFactory

pytestmark = pytest.mark.django_db


def figures(report):
    return {key: (f.numerator, f.denominator) for key, f in report.figures.items()}


def test_several_windows_of_figures_are_read_in_one_query(make_orders):
    make_orders(60, account=AccountFactory())
    make_orders(30, account=AccountFactory(time_zone="Europe/Berlin", channel="etsy"))
    now = timezone.now()
    scope = resolve_scope()
    take_snapshots(now=now)
    standard = default_window(scope, now)
    sixty = Window(standard.date_to - dt.timedelta(days=60), standard.date_to)
    requests = {standard: METRIC_KEYS, sixty: (SELLER_FAULT_CANCELLATION,),
                Window(standard.date_from, standard.date_to - dt.timedelta(days=10)): (LATE_DISPATCH,)}
    with CaptureQueriesContext(connection) as captured:
        reports = page_reports(scope=scope, requests=requests, now=now)
    assert len(captured.captured_queries) == 1
    for window, keys in requests.items():
        assert list(reports[window].figures) == list(keys)
        assert figures(reports[window]) == figures(page_report(scope=scope, window=window, now=now, keys=keys))
    assert figures(reports[sixty])[SELLER_FAULT_CANCELLATION][1] >= figures(reports[standard])[
        SELLER_FAULT_CANCELLATION][1] > 0
    # A window running into today still counts its last days live, the others stay as they were.
    longer = Window(standard.date_from, standard.date_to + dt.timedelta(days=2))
    both = page_reports(scope=scope, requests={standard: METRIC_KEYS, longer: METRIC_KEYS}, now=now)
    assert figures(both[longer]) == figures(page_report(scope=scope, window=longer, now=now))
    assert figures(both[standard]) == figures(reports[standard])


def _after_sales_history(account, now, days=40):
    for day in range(days):
        placed = now - dt.timedelta(days=day, hours=3)
        order = Order.objects.create(account=account, external_id=f"PR{account.pk}-{day}", created_at=placed,
                                     paid_at=placed, status=OrderStatus.CANCELLED, cancel_reason_code="out_of_stock",
                                     cancelled_at=placed + dt.timedelta(hours=2), cancel_initiator="SELLER")
        CancellationRequest.objects.create(order=order, account=account, external_id=f"PC{account.pk}-{day}",
                                           initiator="buyer", requested_at=placed, status="approved",
                                           respond_by=placed + dt.timedelta(hours=24),
                                           decided_at=placed + dt.timedelta(hours=day % 30))


def sorted_times(counts):
    return {**counts, **({RESPONSE_TIMES: sorted(counts[RESPONSE_TIMES])} if RESPONSE_TIMES in counts else {})}


def test_after_sales_counts_of_both_windows_are_read_in_one_query():
    now = timezone.now()
    _after_sales_history(AccountFactory(), now)
    _after_sales_history(AccountFactory(time_zone="Europe/Berlin", channel="etsy"), now)
    scope = resolve_scope()
    take_snapshots(now=now, backfill_days=70)
    windows = default_windows(scope, now)
    thirty = min(windows.values(), key=lambda w: w.date_to - w.date_from)
    sixty = max(windows.values(), key=lambda w: w.date_to - w.date_from)
    requests = {thirty: (RESPONSE_TIMES,), sixty: (RETURNED_ORDERS,)}
    with CaptureQueriesContext(connection) as captured:
        counts = page_counts_for(scope=scope, requests=requests, now=now)
    assert len(captured.captured_queries) == 1
    for window, details in requests.items():  # response times in any order: a window's median sorts them
        alone = page_counts(scope=scope, window=window, now=now, details=details)
        assert sorted_times(counts[window]) == sorted_times(alone)
    assert counts[thirty]["decided"] and len(counts[thirty][RESPONSE_TIMES]) == counts[thirty]["decided"]
    assert counts[sixty]["cancelled_out_of_stock"] > counts[thirty]["cancelled_out_of_stock"] > 0


def test_the_details_are_stored_packed_and_read_back_as_the_same_numbers():
    account = AccountFactory()
    values = [0, 1, -5, 2**62, 86_400_000_000 * 3 + 17]
    row = AfterSalesSnapshot.objects.create(account=account, day=dt.date(2026, 1, 5), computed_at=timezone.now(),
                                            returned_orders=values, response_times=[])
    AfterSalesSnapshot.objects.create(account=account, day=dt.date(2026, 1, 6), computed_at=timezone.now())
    assert AfterSalesSnapshot.objects.values_list("day", "returned_orders", "response_times").order_by("day")[:2][
        0] == (dt.date(2026, 1, 5), values, [])
    assert AfterSalesSnapshot.objects.get(day=dt.date(2026, 1, 6)).returned_orders is None  # not stored yet
    assert AfterSalesSnapshot.objects.filter(response_times__isnull=True).count() == 1
    assert pack(values) == b"".join(v.to_bytes(8, "little", signed=True) for v in values)  # the same on any machine
    assert unpack(memoryview(pack(values))) == values
    # A dump of the table (dumpdata, fixtures) loads back as the same numbers.
    dumped = serializers.serialize("json", [row])
    assert json.loads(dumped)[0]["fields"]["returned_orders"]
    (loaded,) = serializers.deserialize("json", dumped)
    assert loaded.object.returned_orders == values


def test_the_requests_about_to_be_auto_approved_are_counted_with_their_preview():
    now = timezone.now()
    account = AccountFactory()
    for n in range(14):
        order = Order.objects.create(account=account, external_id=f"AA{n}", created_at=now, paid_at=now,
                                     status=OrderStatus.CONFIRMED)
        CancellationRequest.objects.create(order=order, account=account, external_id=f"AC{n}", initiator="buyer",
                                           requested_at=now, status="pending",
                                           respond_by=now + dt.timedelta(hours=n * 3 - 5))  # some past, some far
    scope = resolve_scope()
    with CaptureQueriesContext(connection) as captured:
        items, total = about_to_auto_approve_preview(scope, now, limit=3)
    assert len(captured.captured_queries) == 2  # one per table, the count with the rows
    assert total == due_counts(scope, now).about_to_auto_approve == len(about_to_auto_approve(scope, now)) > 3
    assert [i.pk for i in items] == [i.pk for i in about_to_auto_approve(scope, now, limit=3)]
    assert about_to_auto_approve_preview(scope, now - dt.timedelta(days=30), limit=3) == ([], 0)


def test_the_chart_is_drawn_with_its_gaps_points_and_table():
    start = dt.date(2025, 1, 6)
    weeks = [WeekPoint(start + dt.timedelta(weeks=i), *pair, days_covered=7 if i else 5, days_expected=7)
             for i, pair in enumerate([(1, 20), (2, 20), (0, 0), (3, 20), (1, 50)])]
    markup = str(trend_chart(METRICS[LATE_DISPATCH], weeks).markup)
    assert markup.count("<polyline") == 2  # the empty week breaks the line
    assert markup.count("<circle") == 4 and markup.count('class="point incomplete"') == 1
    assert markup.count('<tr><th scope="row">') == 5 and "(incomplete)" in markup
    assert "<title>2025-W05: 15.0 % (3 of 20 orders)</title>" in markup
    assert 'class="rule enforcement"' in markup and "No orders in these weeks" not in markup
    empty = str(trend_chart(METRICS[LATE_DISPATCH], [WeekPoint(start, 0, 0, days_covered=7, days_expected=7)]).markup)
    assert "No orders in these weeks" in empty and "<circle" not in empty


def test_the_at_risk_table_escapes_every_cell_and_links_the_order():
    url_for = order_url_builder()
    assert url_for(42) == "/orders/42/"
    rows = [{"cells": ["B<1>", "Tom & Jerry", 3, "<script>x</script>"], "order_url": url_for(7)},
            {"cells": ["B2", "", 12345, "ok"], "order_url": None}]
    markup = str(table_markup(["Order", "Buyer", "Units", "Note <b>"], rows))
    assert '<th scope="col">Note &lt;b&gt;</th>' in markup
    assert '<td><a href="/orders/7/">B&lt;1&gt;</a></td><td>Tom &amp; Jerry</td><td>3</td>' in markup
    assert "<script>" not in markup and "&lt;script&gt;x&lt;/script&gt;" in markup
    assert "<tr><td>B2</td><td></td><td>12345</td><td>ok</td></tr>" in markup


def test_ops_read_the_packed_details_in_the_admin(client, ops_user):
    row = AfterSalesSnapshot.objects.create(account=AccountFactory(), day=dt.date(2026, 1, 5),
                                            computed_at=timezone.now(), returned_orders=[4711, 4712],
                                            response_times=[3_600_000_000])
    client.force_login(ops_user)
    html = client.get(f"/admin/metrics/aftersalessnapshot/{row.pk}/change/").content.decode()
    assert "4711, 4712" in html and "3600000000" in html
