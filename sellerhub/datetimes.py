"""The one way dates and times are written for people (pages, messages, documents).

- a moment: "Tue 10 Mar 14:30", with the year when it is not this year ("Tue 10 Mar 2025 14:30");
- a day: "Tue 10 Mar" (same rule for the year); a time of day: "14:30" (or "14:30:05");
- shown in the user's time zone (the active one, ``TIME_ZONE`` unless a page activates another);
- a deadline is shown in its shop's time zone (``ChannelAccount.time_zone``), naming the shop's
  zone when it is not the user's: "Tue 10 Mar 23:59 Singapore time".

Templates use the filters of ``sellerhub/templatetags/when.py`` (``when``, ``day``, ``clock``,
``shop_time``); Python text (messages, job notes, CSV-free reports) uses these functions. Machine
formats (ISO 8601 in ``datetime`` attributes, CSV, the API) are not for people and stay ISO.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone


def _zone(name) -> dt.tzinfo:
    if name is None or name == "":
        return timezone.get_current_timezone()
    if isinstance(name, dt.tzinfo):
        return name
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _local(value, tz=None):
    """An aware datetime in ``tz`` (the user's zone by default); naive values are taken as UTC."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(_zone(tz))
    return value


def _day_text(day: dt.date, today: dt.date) -> str:
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def format_day(value, tz=None) -> str:
    """'Tue 10 Mar' (a date, or a moment's local date); '' for nothing."""
    if value is None or value == "":
        return ""
    local = _local(value, tz)
    day = local.date() if isinstance(local, dt.datetime) else local
    return _day_text(day, timezone.now().astimezone(_zone(tz)).date())


def format_clock(value, tz=None, *, seconds=False) -> str:
    """'14:30' (or '14:30:05') in the user's time zone; '' for nothing."""
    if value is None or value == "":
        return ""
    local = _local(value, tz)
    return f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"


def format_when(value, tz=None, *, seconds=False) -> str:
    """'Tue 10 Mar 14:30' in the user's time zone (or ``tz``); '' for nothing; a plain date
    gives its day."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return format_day(value, tz)
    return f"{format_day(value, tz)} {format_clock(value, tz, seconds=seconds)}"


def zone_label(name: str) -> str:
    """'Singapore time' for 'Asia/Singapore', 'Los Angeles time' for 'America/Los_Angeles'."""
    return f"{str(name).rsplit('/', 1)[-1].replace('_', ' ')} time"


def format_shop_time(value, time_zone: str | None) -> str:
    """A deadline in its shop's time zone: 'Tue 10 Mar 23:59', followed by the shop's zone
    ('Singapore time') when it is not the user's."""
    if value is None or value == "":
        return ""
    if not time_zone:
        return format_when(value)
    text = format_when(value, time_zone)
    if getattr(timezone.get_current_timezone(), "key", None) != getattr(_zone(time_zone), "key", None):
        text = f"{text} {zone_label(time_zone)}"
    return text
