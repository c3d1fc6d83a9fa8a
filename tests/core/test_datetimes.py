"""The one date and time format: the user's time zone, a deadline in its shop's (named when it is
not the user's), the year only when it is not this year."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from sellerhub import datetimes

NOW = dt.datetime(2026, 3, 10, 6, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_moments_days_and_clock_times_in_the_users_time_zone():
    with timezone.override("America/Los_Angeles"):
        assert datetimes.format_when(NOW) == "Mon 9 Mar 23:30"  # the evening before, in Los Angeles
        assert datetimes.format_when(NOW, seconds=True) == "Mon 9 Mar 23:30:00"
        assert datetimes.format_day(NOW) == "Mon 9 Mar"
        assert datetimes.format_clock(NOW) == "23:30"
        assert datetimes.format_when(NOW - dt.timedelta(days=400)) == "Sun 2 Feb 2025 22:30"
        assert datetimes.format_day(dt.date(2026, 3, 4)) == "Wed 4 Mar"
        assert datetimes.format_when(None) == ""


def test_a_deadline_shows_in_its_shops_time_zone_and_names_it():
    due = dt.datetime(2026, 3, 10, 15, 59, tzinfo=dt.UTC)
    with timezone.override("America/Los_Angeles"):
        assert datetimes.format_shop_time(due, "Asia/Singapore") == "Tue 10 Mar 23:59 Singapore time"
        assert datetimes.format_shop_time(due, "America/Los_Angeles") == "Tue 10 Mar 08:59"
        assert datetimes.format_shop_time(due, "Not/AZone") == "Tue 10 Mar 08:59"  # unknown: the user's zone


def test_the_template_filters_use_the_same_format():
    class Account:
        time_zone = "Europe/London"

    html = Template('{% load when %}{{ t|when }} · {{ t|day }} · {{ t|clock }} · {{ t|shop_time:account }}'
                    ' · {{ none|when|default:"—" }}').render(Context({"t": NOW, "account": Account(), "none": None}))
    assert html == "Mon 9 Mar 23:30 · Mon 9 Mar · 23:30 · Tue 10 Mar 06:30 London time · —"
