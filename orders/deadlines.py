"""Dispatch and delivery deadlines for channels that don't send their own.

TikTok sends ``rts_sla_time`` and ``delivery_sla_time``; WooCommerce, Etsy and Square
don't, so SellerHub derives ``dispatch_due_at`` from ``paid_at`` and the shop's calendar
(docs/domain/metrics.md#time and #dispatch-deadline). Everything here is
pure Python: no database, no settings.

Calendar
    A *business day* is a local date that is neither a Saturday, a Sunday nor a public
    holiday of the shop's country (``holidays`` package, optionally one subdivision; the
    package's "observed" days count as holidays too). Give the subdivision where holidays
    differ by region: ``GB`` alone knows only the UK-wide days, ``GB``/``ENG`` adds
    Easter Monday and the Late Summer Bank Holiday.

Cut-off instant
    The cut-off on a local date is the instant the shop's wall clock shows
    ``calendar.cutoff`` on that date in ``calendar.time_zone``. It is a wall-clock time,
    so a 17:00 cut-off is 17:00 local in winter and in summer (its UTC offset follows DST).
    On the rare date where that wall time does not exist (spring-forward gap) it falls
    the length of the gap later (02:30 becomes 03:30); where it occurs twice (fall-back)
    the first occurrence counts (PEP 495 ``fold=0``).

The rule for ``dispatch_due_at``
    1. *Payment date.* Take ``paid_at`` in the shop's time zone. Its *payment date* is its
       local date, except that a payment after the cut-off instant of a business day moves
       to the following calendar date (exactly at the cut-off is still in time). On a
       non-business day the cut-off plays no part: Sunday 09:00 and 21:00 are alike.
    2. *Counting.* ``add_business_days(payment date, handling_days)``: with
       ``handling_days = n >= 1`` the due date is the n-th business day strictly after the
       payment date; with ``n = 0`` it is the first business day on or after it (the day
       the order counts as received).
    3. *Time.* The deadline is the cut-off instant on the due date, returned in UTC.

    In words: paid on a business day in time, the order is received that day and due
    ``n`` business days later. Paid after a business day's cut-off, it is treated as paid
    the next calendar day. Weekend days and holidays never count as handling days, but the
    handling clock starts from the payment date, not from the next business day; so when
    the payment date is not a business day (paid on a weekend or holiday, or after
    Friday's cut-off), the first business day after it is already handling day 1, and for
    such payments ``n = 0`` and ``n = 1`` give the same deadline. This is what makes the
    binding example below come out on Tuesday; counting ``n`` business days from the
    received day instead would give Wednesday.

    Examples with a 14:00 cut-off, 1 handling day, America/Los_Angeles:

    - paid Mon 10:00 (or exactly 14:00) -> due Tue 14:00;
    - paid Mon 15:00 -> payment date Tue -> due Wed 14:00;
    - paid Fri 10:00, Fri 18:00, or Sat/Sun at any time -> due Mon 14:00;
    - paid Fri 2026-09-04 18:00 -> payment date Sat; Mon 2026-09-07 is Labor Day ->
      due Tue 2026-09-08 14:00 PDT (21:00 UTC).

    With ``handling_days = 0``: paid Mon 10:00 -> due Mon 14:00; paid Mon 15:00 or Sat ->
    due at the cut-off of the next business day.

The rule for ``delivery_due_at``
    Take ``dispatch_due_at`` in the shop's time zone, move its local date by
    ``add_business_days(date, transit_days)`` (the same counting as above) and keep its
    local wall-clock time. For a computed dispatch deadline that is the cut-off on a
    business day, so the result is the cut-off ``transit_days`` business days later
    (``transit_days = 0``: the dispatch deadline itself).

All datetimes passed in must be timezone-aware (naive ones raise ``ValueError``); all
datetimes returned are aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "ShopCalendar",
    "add_business_days",
    "cutoff_instant",
    "delivery_due_at",
    "dispatch_due_at",
    "is_business_day",
    "payment_date",
]

UTC = dt.UTC
SATURDAY = 5


@dataclass(frozen=True, kw_only=True)
class ShopCalendar:
    """A shop's time zone, holiday calendar, daily cut-off and handling/transit times."""

    handling_days: int
    transit_days: int
    time_zone: str = "America/Los_Angeles"
    country: str = "US"
    subdivision: str | None = None
    cutoff: dt.time = dt.time(23, 59)

    def __post_init__(self) -> None:
        for name in ("handling_days", "transit_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of days >= 0, got {value!r}")
        if not isinstance(self.cutoff, dt.time) or self.cutoff.tzinfo is not None:
            raise ValueError(f"cutoff must be a local wall-clock time without tzinfo, got {self.cutoff!r}")
        _zone(self.time_zone)  # validates the time zone name
        _holidays(self.country, self.subdivision)  # validates country and subdivision

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@cache
def _holidays(country: str, subdivision: str | None) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise ValueError(f"no public holiday calendar for {country!r}/{subdivision!r}: {exc}") from exc


def _require_date(day: dt.date) -> None:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a local date, got {day!r}; convert to the shop's date first")


def _require_aware(name: str, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")


def is_business_day(day: dt.date, calendar: ShopCalendar) -> bool:
    """True when ``day`` (a local date) is not a weekend day nor a public holiday."""
    _require_date(day)
    return day.weekday() < SATURDAY and day not in _holidays(calendar.country, calendar.subdivision)


def add_business_days(day: dt.date, n: int, calendar: ShopCalendar) -> dt.date:
    """The ``n``-th business day strictly after ``day``; for ``n == 0`` the first on or after.

    ``day`` itself need not be a business day.
    """
    _require_date(day)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number of days >= 0, got {n!r}")
    if n == 0:
        while not is_business_day(day, calendar):
            day += dt.timedelta(days=1)
        return day
    while n:
        day += dt.timedelta(days=1)
        if is_business_day(day, calendar):
            n -= 1
    return day


def cutoff_instant(day: dt.date, calendar: ShopCalendar) -> dt.datetime:
    """The shop's cut-off on local date ``day``, as an aware UTC datetime."""
    _require_date(day)
    local = dt.datetime.combine(day, calendar.cutoff, tzinfo=calendar.zone)  # fold=0
    return local.astimezone(UTC)


def payment_date(paid_at: dt.datetime, calendar: ShopCalendar) -> dt.date:
    """The local date the handling clock starts from (step 1 of the module docstring).

    The local date of ``paid_at``, or the next calendar date when paid after the cut-off
    on a business day. On a non-business day the cut-off does not apply.
    """
    _require_aware("paid_at", paid_at)
    local_day = paid_at.astimezone(calendar.zone).date()
    if is_business_day(local_day, calendar) and paid_at > cutoff_instant(local_day, calendar):
        return local_day + dt.timedelta(days=1)
    return local_day


def dispatch_due_at(*, paid_at: dt.datetime, calendar: ShopCalendar) -> dt.datetime:
    """Latest allowed dispatch for an order paid at ``paid_at`` (see the module docstring)."""
    due_day = add_business_days(payment_date(paid_at, calendar), calendar.handling_days, calendar)
    return cutoff_instant(due_day, calendar)


def delivery_due_at(*, dispatch_due_at: dt.datetime, calendar: ShopCalendar) -> dt.datetime:
    """Deliver-by: ``dispatch_due_at`` moved ``transit_days`` business days, same local time."""
    _require_aware("dispatch_due_at", dispatch_due_at)
    local = dispatch_due_at.astimezone(calendar.zone)
    due_day = add_business_days(local.date(), calendar.transit_days, calendar)
    return dt.datetime.combine(due_day, local.time(), tzinfo=calendar.zone).astimezone(UTC)
