"""The metrics page's figures come from the daily snapshots plus live counts: the same numbers as
counting everything live, in fewer queries, and never from a stale snapshot."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.models import MetricSnapshot
from metrics.selectors import default_window, metric_report, page_report, resolve_scope
from metrics.services import take_snapshots
from tests.metrics.factories import AccountFactory

pytestmark = pytest.mark.django_db


def figures(report):
    return {key: (f.numerator, f.denominator) for key, f in report.figures.items()}


def per_account(report):
    return {(a.id, key): (f.numerator, f.denominator) for a, by_key in report.by_account for key, f in by_key.items()}


def test_page_figures_from_snapshots_equal_the_live_count(make_orders):
    make_orders(60, account=AccountFactory())
    make_orders(30, account=AccountFactory(time_zone="Europe/Berlin", channel="etsy"))
    now = timezone.now()
    scope = resolve_scope()
    window = default_window(scope, now)
    live = metric_report(scope=scope, date_from=window.date_from, date_to=window.date_to, now=now)
    take_snapshots(now=now)
    with CaptureQueriesContext(connection) as captured:
        fast = page_report(scope=scope, window=window, now=now)
    assert len(captured.captured_queries) == 1  # the snapshots only: no count over the orders
    assert figures(fast) == figures(live) and all(d for _n, d in figures(fast).values())
    assert per_account(fast) == per_account(live)
    # A window running into today: its full days from the snapshots, the rest counted live.
    longer = type(window)(window.date_from, window.date_to + dt.timedelta(days=2))
    assert figures(page_report(scope=scope, window=longer, now=now)) == figures(
        metric_report(scope=scope, date_from=longer.date_from, date_to=longer.date_to, now=now))


def test_a_stale_snapshot_is_not_used(make_orders, settings):
    make_orders(40)
    now = timezone.now()
    scope = resolve_scope()
    window = default_window(scope, now)
    take_snapshots(now=now)
    live = figures(metric_report(scope=scope, date_from=window.date_from, date_to=window.date_to, now=now))
    # Older than the allowed age and not final: counted live again (the altered numbers are ignored).
    MetricSnapshot.objects.filter(is_final=False).update(numerator=0, denominator=999,
                                                         computed_at=now - dt.timedelta(hours=3))
    assert figures(page_report(scope=scope, window=window, now=now)) == live
    MetricSnapshot.objects.update(computed_at=now - dt.timedelta(minutes=10))
    assert figures(page_report(scope=scope, window=window, now=now)) != live  # fresh: used as stored
    settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES = 0  # off: always live
    assert figures(page_report(scope=scope, window=window, now=now)) == live


def test_the_page_shows_the_snapshot_figures_and_the_drill_down_counts_live(owner_client, make_orders):
    make_orders(30)
    take_snapshots()
    report = metric_report()
    ldr = report.figures["late_dispatch_rate"]
    html = owner_client.get("/metrics/").content.decode()
    assert f"{ldr.numerator} dispatched late (FBS)" in html
    rows = owner_client.get(f"/metrics/figures/late_dispatch_rate/numerator/?from={report.window.date_from}"
                            f"&to={report.window.date_to}").content.decode()
    assert rows.count("<tr data-order=") == ldr.numerator


def test_the_page_and_its_lists_never_read_the_channel_credentials(owner_client, make_orders):
    """Each row's account is shown by name; its credentials would be decrypted once per row."""
    make_orders(30)
    report = metric_report()
    query = f"from={report.window.date_from}&to={report.window.date_to}"
    with CaptureQueriesContext(connection) as captured:
        for url in ("/metrics/", f"/metrics/figures/late_dispatch_rate/numerator/?{query}",
                    f"/metrics/figures/valid_tracking_rate/denominator/?{query}",
                    f"/metrics/after-sales/after_sales_response_time/decided/?{query}",
                    "/metrics/at-risk/late_delivery/", "/metrics/at-risk/unscanned/"):
            assert owner_client.get(url).status_code == 200, url
    read = [q["sql"] for q in captured.captured_queries if '"credentials"' in q["sql"]]
    assert read == [], "\n".join(q[-300:] for q in read)
