"""The demo history gives the metrics page something to show."""

import pytest

from devtools.demo import metrics as demo
from integrations.carriers.registry import validate
from metrics.models import MetricSnapshot
from metrics.selectors import at_risk_summary, metric_report, resolve_scope, weekly_trend
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_history_fills_every_figure_the_trend_and_the_at_risk_lists():
    demo.load(users={})
    report = metric_report()
    assert all(f.denominator > 50 and f.value is not None for f in report.figures.values())
    assert {c for c, _label, _f in report.by_channel} == {"tiktok", "woocommerce", "etsy", "square"}
    trend = weekly_trend(resolve_scope())
    assert all(w.complete and w.value is not None for weeks in trend.values() for w in weeks)
    tiktok = [w.value for w in trend["late_dispatch_rate"]]
    assert tiktok[0] > tiktok[-1]  # improving
    summary = at_risk_summary(resolve_scope())
    assert summary.shipped_no_scan and summary.unscanned and summary.late_delivery

    orders, snapshots = Order.objects.count(), MetricSnapshot.objects.count()
    demo.load(users={})  # again: nothing new
    assert Order.objects.count() == orders and MetricSnapshot.objects.count() == snapshots


def test_demo_tracking_numbers_pass_their_carriers_check_digit():
    assert all(validate(demo.usps_number(n), "usps").valid for n in (1, 42, 1000123, 9_000_777))
