"""The metrics page, the orders behind each figure (with CSV), the at-risk lists and the dashboard."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.selectors import metric_report
from orders.models import Order
from tests.core.factories import UserFactory
from tests.metrics.factories import AccountFactory, OrderFactory, PackageFactory

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_owner_sees_the_four_figures_of_the_last_30_full_days(owner_client, make_orders):
    make_orders(40)
    report = metric_report()
    html = text(owner_client.get("/metrics/"))
    names = ("Late dispatch rate", "Valid tracking rate", "On-time delivery rate", "Seller-fault cancellation rate")
    for name in names:
        assert name in html
    ldr = report.figures["late_dispatch_rate"]
    assert ldr.numerator == 8 and ldr.denominator == 34  # 40 orders, 6 cancelled; 8 of the rest late (i % 4 == 0)
    assert f"{ldr.value * 100:.1f} %" in html
    assert f"{ldr.numerator} dispatched late (FBS)" in html
    assert "(the last 30 full days)" in html
    assert "Good ≤ 4 % · enforcement &gt; 10 %" in html
    assert 'class="badge enforcement"' in html  # 23.5 % is over TikTok's 10 % line
    # The date-range picker: labelled inputs.
    assert '<label for="id_from">From</label>' in html and '<label for="id_to">To (not included)</label>' in html


def test_ops_may_see_metrics_but_not_the_warehouse(client, ops_user, warehouse_user):
    client.force_login(ops_user)
    assert client.get("/metrics/").status_code == 200
    client.force_login(warehouse_user)
    assert client.get("/metrics/").status_code == 403
    assert client.get("/metrics/figures/late_dispatch_rate/numerator/").status_code == 403


def test_a_chosen_window_and_channel(owner_client):
    tiktok, woo = AccountFactory(channel="tiktok"), AccountFactory(channel="woocommerce")
    day = dt.datetime(2025, 3, 10, 20, tzinfo=dt.UTC)
    OrderFactory(account=tiktok, dispatched_at=day, dispatch_due_at=day - dt.timedelta(hours=1))
    OrderFactory(account=woo, dispatched_at=day, dispatch_due_at=day + dt.timedelta(hours=1))
    html = text(owner_client.get("/metrics/?from=2025-03-01&to=2025-03-31"))
    assert "2025-03-01 to 2025-03-30" in html and "50.0 %" in html
    assert 'id="channel-breakdown"' in html and "TikTok Shop" in html and "WooCommerce" in html
    html = text(owner_client.get("/metrics/?from=2025-03-01&to=2025-03-31&channel=tiktok"))
    assert "100.0 %" in html and "1 dispatched late (FBS)" in html


def test_a_bad_window_is_explained_and_the_default_shown(owner_client):
    html = text(owner_client.get("/metrics/?from=2025-03-31&to=2025-03-01"))
    assert "must be after" in html and 'role="alert"' in html
    assert "(the last 30 full days)" in html
    html = text(owner_client.get("/metrics/?from=yesterday"))
    assert "Enter a valid date" in html
    html = text(owner_client.get("/metrics/?from=2020-01-01&to=2025-01-01"))
    assert "at most 731 days" in html


def test_a_click_on_a_figure_lists_exactly_the_orders_behind_it(owner_client, make_orders):
    make_orders(30)
    report = metric_report()
    late = {o.external_id for o in report.figures["late_dispatch_rate"].numerator_rows}
    assert late
    tile_link = re.search(r'class="figure-value" href="([^"]+)"', owner_client.get("/metrics/").content.decode())
    url = tile_link.group(1).replace("&amp;", "&")
    assert url.startswith("/metrics/figures/late_dispatch_rate/numerator/?from=")
    html = owner_client.get(url).content.decode()
    shown = set(re.findall(r'<tr data-order="([^"]+)"', html))
    assert shown == late
    assert f"{len(late)} orders dispatched late (FBS)" in html
    all_dispatched = {o.external_id for o in report.figures["late_dispatch_rate"].denominator_rows}
    html = owner_client.get(url.replace("/numerator/", "/denominator/")).content.decode()
    assert set(re.findall(r'<tr data-order="([^"]+)"', html)) == all_dispatched


def test_valid_tracking_lists_packages_with_their_tracking(owner_client):
    now = timezone.now()
    order = OrderFactory(created_at=now - dt.timedelta(days=10), dispatched_at=now - dt.timedelta(days=8))
    PackageFactory(order=order, tracking_uploaded_at=now - dt.timedelta(days=9), tracking_number="1Z5R89390357567127",
                   tracking_format_valid=False)
    html = text(owner_client.get("/metrics/figures/valid_tracking_rate/denominator/"))
    assert "1Z5R89390357567127" in html and "Format and check digit valid" in html and "<td>no</td>" in html
    html = text(owner_client.get("/metrics/figures/valid_tracking_rate/numerator/"))
    assert "No packages here." in html


def test_the_list_is_paginated_and_exported_whole_as_csv(owner_client, make_orders):
    make_orders(140)
    figure = metric_report().figures["late_dispatch_rate"]
    assert figure.denominator > 50
    page1 = owner_client.get("/metrics/figures/late_dispatch_rate/denominator/").content.decode()
    assert len(re.findall(r"<tr data-order=", page1)) == 50
    assert f"Page 1 of {-(-figure.denominator // 50)}" in page1 and 'rel="next"' in page1
    page2 = owner_client.get("/metrics/figures/late_dispatch_rate/denominator/?page=2").content.decode()
    assert set(re.findall(r'data-order="([^"]+)"', page1)).isdisjoint(re.findall(r'data-order="([^"]+)"', page2))

    response = owner_client.get("/metrics/figures/late_dispatch_rate/denominator/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Order", "Channel", "Account"] and "Dispatched (first scan)" in rows[0]
    assert {r[0] for r in rows[1:]} == {o.external_id for o in figure.denominator_rows}
    assert len(rows) == figure.denominator + 1


def test_an_unknown_figure_or_part_is_404(owner_client):
    assert owner_client.get("/metrics/figures/nonsense/numerator/").status_code == 404
    assert owner_client.get("/metrics/figures/late_dispatch_rate/everything/").status_code == 404
    assert owner_client.get("/metrics/at-risk/nonsense/").status_code == 404


def test_at_risk_lists_on_the_page(owner_client):
    now = timezone.now()
    account = AccountFactory()
    overdue = OrderFactory(account=account, status="packed", created_at=now - dt.timedelta(days=3),
                           dispatch_due_at=now - dt.timedelta(hours=5))
    soon = OrderFactory(account=account, status="confirmed", created_at=now - dt.timedelta(days=1),
                        dispatch_due_at=now + dt.timedelta(hours=20))
    OrderFactory(account=account, status="confirmed", created_at=now, dispatch_due_at=now + dt.timedelta(hours=30))
    shipped = OrderFactory(account=account, status="shipped", created_at=now - dt.timedelta(days=6),
                           dispatch_due_at=now - dt.timedelta(days=3), tracking_uploaded_at=now - dt.timedelta(days=4))
    PackageFactory(order=shipped, tracking_uploaded_at=shipped.tracking_uploaded_at, first_scan_at=None,
                   tracking_number="9400111206206406260787", status="shipped")
    late = OrderFactory(account=account, status="in_transit", created_at=now - dt.timedelta(days=12),
                        dispatched_at=now - dt.timedelta(days=9), delivery_due_at=now - dt.timedelta(days=1))
    html = text(owner_client.get("/metrics/"))
    assert "3 FBS orders not yet dispatched" in html  # overdue, soon and the shipped-but-unscanned one
    for order in (overdue, soon, shipped, late):
        assert order.external_id in html
    assert "9400111206206406260787" in html
    page = text(owner_client.get("/metrics/at-risk/late_delivery/"))
    assert late.external_id in page and overdue.external_id not in page


def test_page_and_lists_run_a_fixed_number_of_queries(client, owner_user, make_orders):
    client.force_login(owner_user)
    account = AccountFactory()
    urls = ["/metrics/", "/metrics/figures/late_dispatch_rate/denominator/",
            "/metrics/figures/valid_tracking_rate/denominator/", "/metrics/at-risk/undispatched/", "/"]

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    make_orders(10, account=account)
    small = {url: count(url) for url in urls}
    make_orders(290, account=account)
    assert Order.objects.count() == 300
    large = {url: count(url) for url in urls}
    assert large == small


def test_dashboard_shows_the_owner_tiles_today_and_at_risk(owner_client, make_orders):
    make_orders(20)
    now = timezone.now()
    OrderFactory(status="shipped", created_at=now - dt.timedelta(days=2), dispatch_due_at=now - dt.timedelta(hours=1),
                 tracking_uploaded_at=now - dt.timedelta(days=1))
    html = text(owner_client.get("/"))
    assert "Shop figures, last 30 full days" in html and "Late dispatch rate" in html
    assert "Today&#x27;s dispatches" in html or "Today's dispatches" in html
    assert 'id="today-dispatches"' in html and 'id="at-risk-counts"' in html
    assert re.search(r"Shipped, no carrier scan yet \(any deadline\)</dt><dd>1</dd>", html)


def test_dashboard_for_the_warehouse_has_no_figures(client, warehouse_user, make_orders):
    make_orders(5)
    client.force_login(warehouse_user)
    html = text(client.get("/"))
    assert 'id="today-dispatches"' in html
    assert "Late dispatch rate" not in html and 'id="at-risk-counts"' not in html


def test_dashboard_for_a_user_without_role_is_refused(client):
    client.force_login(UserFactory(role=None))
    assert client.get("/").status_code == 403
