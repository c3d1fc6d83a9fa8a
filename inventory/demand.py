"""Demand per day from recent sales, weighted toward the last days, and the days of cover and
predicted stock-out date it gives. Pure arithmetic on figures the selectors have already summed
(no queries): the low-stock page, the dashboard panel and replenishment planning
(inventory/replenishment.py) all read demand the same way.

A SKU's demand per day blends two windows: the last ``RECENT_DAYS`` days count twice as much as
the last ``BASE_DAYS`` days, so a viral week shows within days while one quiet day does not
wipe out a month of history. The trend compares the two rates (the last 7 days' daily rate
against the last 30 days')."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone

RECENT_DAYS = 7
BASE_DAYS = 30
RECENT_WEIGHT = 2  # the recent window's daily rate counts this many times the base window's
TREND_STEADY = 0.15  # within ±15% the trend reads "steady"


class Demand:
    """Demand per day from ``sold_recent`` units in the last RECENT_DAYS days and ``sold_base``
    units in the last ``base_days`` days (the base window includes the recent one)."""

    def __init__(self, sold_recent: int, sold_base: int, base_days: int = BASE_DAYS):
        self.sold_recent = max(int(sold_recent or 0), 0)
        self.sold_base = max(int(sold_base or 0), self.sold_recent)
        self.recent_per_day = self.sold_recent / RECENT_DAYS
        self.base_per_day = self.sold_base / base_days
        self.per_day = (RECENT_WEIGHT * self.recent_per_day + self.base_per_day) / (RECENT_WEIGHT + 1)

    @property
    def trend(self) -> float | None:
        """Recent daily rate over the base daily rate, minus one (+2.5 = 3.5 times the month's
        rate); None without sales in the base window."""
        if not self.base_per_day:
            return None
        return self.recent_per_day / self.base_per_day - 1

    @property
    def trend_label(self) -> str:
        """The trend in words for pages and the API: "up 250%", "down 40%", "steady", "no sales"."""
        trend = self.trend
        if trend is None:
            return "no sales"
        if abs(trend) < TREND_STEADY:
            return "steady"
        return f"{'up' if trend > 0 else 'down'} {abs(trend) * 100:.0f}%"

    @property
    def trend_direction(self) -> str:
        trend = self.trend
        if trend is None or abs(trend) < TREND_STEADY:
            return "steady"
        return "up" if trend > 0 else "down"

    def units(self, days: float) -> int:
        """Whole units this demand takes in ``days`` days (rounded up)."""
        return math.ceil(self.per_day * days - 1e-9) if self.per_day and days > 0 else 0


class Cover:
    """How long ``available`` units last at ``demand``: ``days`` (None without demand) and
    ``stockout_on``, the predicted date stock runs out (today when there is none left)."""

    def __init__(self, available: int, demand: Demand, today: dt.date | None = None):
        self.demand = demand
        self.per_day = demand.per_day
        self.available = max(int(available or 0), 0)
        self.days = (self.available / self.per_day) if self.per_day else None
        today = today or timezone.localdate()
        self.stockout_on = None if self.days is None else today + dt.timedelta(days=math.floor(self.days))

    def __str__(self):
        return "no sales" if self.days is None else f"{self.days:.1f}"
