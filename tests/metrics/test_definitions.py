"""TikTok's lines, in one table, and the trend chart drawn from them."""

import datetime as dt

import pytest

from metrics.charts import trend_chart
from metrics.definitions import METRICS, THRESHOLDS
from metrics.selectors import WeekPoint

STATUS_CASES = [
    ("late_dispatch_rate", 0.0, "good"), ("late_dispatch_rate", 0.04, "good"),
    ("late_dispatch_rate", 0.0401, "warning"), ("late_dispatch_rate", 0.10, "warning"),
    ("late_dispatch_rate", 0.1001, "enforcement"), ("late_dispatch_rate", None, "none"),
    ("valid_tracking_rate", 0.95, "good"), ("valid_tracking_rate", 0.9499, "warning"),
    ("valid_tracking_rate", 1.0, "good"),
    ("on_time_delivery_rate", 0.80, "good"), ("on_time_delivery_rate", 0.7999, "warning"),
    ("seller_fault_cancellation_rate", 0.025, "good"), ("seller_fault_cancellation_rate", 0.0251, "warning"),
    ("seller_fault_cancellation_rate", 1 / 3, "warning"),
]


@pytest.mark.parametrize("key,value,status", STATUS_CASES)
def test_status_against_tiktoks_lines(key, value, status):
    assert METRICS[key].status(value) == status


def test_the_thresholds_table():
    assert {k: (b, float(g), e and float(e)) for k, (b, g, e) in THRESHOLDS.items()} == {
        "late_dispatch_rate": ("lower", 0.04, 0.10),
        "valid_tracking_rate": ("higher", 0.95, None),
        "on_time_delivery_rate": ("higher", 0.80, None),
        "seller_fault_cancellation_rate": ("lower", 0.025, None),
    }


def weeks(values):
    start = dt.date(2025, 1, 6)
    return [WeekPoint(start + dt.timedelta(weeks=i), *(v if v else (0, 0)), days_covered=7, days_expected=7)
            for i, v in enumerate(values)]


def test_chart_draws_lines_points_and_gaps():
    chart = trend_chart(METRICS["late_dispatch_rate"], weeks([(1, 20), (2, 20), None, (3, 20), (1, 50)]))
    assert [p.label for p in chart.points] == ["2025-W02", "2025-W03", "2025-W05", "2025-W06"]
    assert len(chart.segments) == 2  # the empty week breaks the line
    assert [r.css for r in chart.rules] == ["good", "enforcement"]
    good, enforcement = chart.rules
    assert chart.plot_top <= enforcement.y < good.y <= chart.plot_bottom  # higher rate, higher on the chart
    assert chart.points[2].value_text == "15.0 %" and chart.points[2].detail == "3 of 20 orders"
    assert "Late dispatch rate by ISO week: 5.0 % in 2025-W02, 2.0 % in 2025-W06" in chart.summary


def test_chart_without_data():
    chart = trend_chart(METRICS["valid_tracking_rate"], weeks([None] * 12))
    assert not chart.has_data and chart.segments == [] and "no orders" in chart.summary
    assert [r.css for r in chart.rules] == ["good"]


def test_chart_page_markup(owner_client):
    html = owner_client.get("/metrics/").content.decode()
    assert html.count('<svg viewBox="0 0 360 170"') == 4
    assert 'role="img"' in html and "<desc" in html and "Weekly figures as a table" in html
