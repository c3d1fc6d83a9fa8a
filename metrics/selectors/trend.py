"""The weekly trend of the four figures, summed from the daily snapshots (one query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek

from metrics.definitions import METRIC_KEYS, TREND_WEEKS
from metrics.models import MetricSnapshot
from metrics.selectors.figures import ratio
from metrics.selectors.scope import local_today


@dataclass
class WeekPoint:
    week_start: dt.date
    numerator: int
    denominator: int
    days_covered: int
    days_expected: int

    @property
    def value(self):
        return ratio(self.numerator, self.denominator)

    @property
    def complete(self):
        return self.days_covered >= self.days_expected

    @property
    def label(self):
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


def trend_weeks(scope, now=None, weeks=TREND_WEEKS):
    """The Mondays of the last ``weeks`` full ISO weeks, oldest first."""
    today = local_today(scope, now)
    this_monday = today - dt.timedelta(days=today.weekday())
    return [this_monday - dt.timedelta(weeks=n) for n in range(weeks, 0, -1)]


def weekly_trend(scope, now=None, weeks=TREND_WEEKS):
    """{key: [WeekPoint]} for the last full ISO weeks, summed from the daily snapshots (one query).
    A week is complete when every account in scope has a snapshot for each of its days."""
    mondays = trend_weeks(scope, now, weeks)
    start, end = mondays[0], mondays[-1] + dt.timedelta(days=7)
    found = {}
    if scope.accounts:
        rows = (MetricSnapshot.objects.filter(account_id__in=scope.ids, day__gte=start, day__lt=end)
                .annotate(week=TruncWeek("day")).order_by().values("week", "metric")
                .annotate(n=Sum("numerator"), d=Sum("denominator"), days=Count("pk")))
        for row in rows:
            week = row["week"]
            week = week.date() if isinstance(week, dt.datetime) else week
            found[(row["metric"], week)] = (row["n"], row["d"], row["days"])
    expected = 7 * len(scope.accounts)
    return {
        key: [WeekPoint(monday, *found.get((key, monday), (0, 0, 0)), days_expected=expected) for monday in mondays]
        for key in METRIC_KEYS
    }
