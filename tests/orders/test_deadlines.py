"""Dispatch and delivery deadlines from the shop calendar (orders/deadlines.py).

Instants in the tables carry explicit UTC offsets, so a DST change shows as -08:00 vs -07:00
and the expected UTC instant is written down rather than recomputed with zoneinfo.
"""

import datetime as dt

import pytest

from orders.deadlines import (
    ShopCalendar,
    add_business_days,
    delivery_due_at,
    dispatch_due_at,
    is_business_day,
)

LA_14 = {"time_zone": "America/Los_Angeles", "country": "US", "cutoff": dt.time(14, 0)}
SG_12 = {"time_zone": "Asia/Singapore", "country": "SG", "cutoff": dt.time(12, 0)}
ENG_15 = {"time_zone": "Europe/London", "country": "GB", "subdivision": "ENG", "cutoff": dt.time(15)}
SCT_15 = {"time_zone": "Europe/London", "country": "GB", "subdivision": "SCT", "cutoff": dt.time(15)}
GB_15 = {"time_zone": "Europe/London", "country": "GB", "cutoff": dt.time(15)}


def calendar(base=None, *, handling=1, transit=0, **overrides):
    return ShopCalendar(handling_days=handling, transit_days=transit, **{**(base or {}), **overrides})


def at(text):
    return dt.datetime.fromisoformat(text)


def assert_same_instant_in_utc(result, expected):
    assert result == expected, f"{result.isoformat()} != {expected.isoformat()}"
    assert result.tzinfo is dt.UTC


# (calendar fields, handling days, paid_at, expected dispatch_due_at)
# Week of Mon 2026-09-14 has no US holiday; Mon 2026-09-07 is Labor Day.
DISPATCH_CASES = [
    # --- a plain week, 1 handling day, cut-off 14:00 Pacific
    pytest.param(LA_14, 1, "2026-09-14T10:00-07:00", "2026-09-15T14:00-07:00", id="mon-before-cutoff"),
    pytest.param(LA_14, 1, "2026-09-14T14:00-07:00", "2026-09-15T14:00-07:00", id="mon-exactly-at-cutoff"),
    pytest.param(LA_14, 1, "2026-09-14T14:00:01-07:00", "2026-09-16T14:00-07:00", id="mon-1s-after-cutoff"),
    pytest.param(LA_14, 1, "2026-09-14T15:00-07:00", "2026-09-16T14:00-07:00", id="mon-after-cutoff"),
    pytest.param(LA_14, 1, "2026-09-14T23:59:59-07:00", "2026-09-16T14:00-07:00", id="mon-last-second"),
    pytest.param(LA_14, 1, "2026-09-15T00:00-07:00", "2026-09-16T14:00-07:00", id="tue-midnight"),
    pytest.param(LA_14, 1, "2026-09-18T09:00-07:00", "2026-09-21T14:00-07:00", id="fri-before-cutoff"),
    pytest.param(LA_14, 1, "2026-09-18T18:00-07:00", "2026-09-21T14:00-07:00", id="fri-after-cutoff-weekend"),
    pytest.param(LA_14, 1, "2026-09-19T10:00-07:00", "2026-09-21T14:00-07:00", id="paid-saturday"),
    pytest.param(LA_14, 1, "2026-09-20T09:00-07:00", "2026-09-21T14:00-07:00", id="paid-sunday-morning"),
    pytest.param(LA_14, 1, "2026-09-20T20:00-07:00", "2026-09-21T14:00-07:00", id="paid-sunday-evening"),
    # --- the binding example: Fri after cut-off, Mon is Labor Day -> Tue at the cut-off
    pytest.param(LA_14, 1, "2026-09-04T18:00-07:00", "2026-09-08T14:00-07:00", id="labor-day-fri-after-cutoff"),
    pytest.param(LA_14, 1, "2026-09-05T01:00Z", "2026-09-08T21:00Z", id="labor-day-same-in-utc"),
    pytest.param(LA_14, 1, "2026-09-04T10:00-07:00", "2026-09-08T14:00-07:00", id="labor-day-fri-before-cutoff"),
    pytest.param(LA_14, 1, "2026-09-07T10:00-07:00", "2026-09-08T14:00-07:00", id="paid-on-labor-day"),
    # --- handling 0 / 2 / 3 days
    pytest.param(LA_14, 0, "2026-09-14T10:00-07:00", "2026-09-14T14:00-07:00", id="h0-before-cutoff"),
    pytest.param(LA_14, 0, "2026-09-14T14:00-07:00", "2026-09-14T14:00-07:00", id="h0-exactly-at-cutoff"),
    pytest.param(LA_14, 0, "2026-09-14T15:00-07:00", "2026-09-15T14:00-07:00", id="h0-after-cutoff"),
    pytest.param(LA_14, 0, "2026-09-19T10:00-07:00", "2026-09-21T14:00-07:00", id="h0-saturday"),
    pytest.param(LA_14, 0, "2026-09-04T18:00-07:00", "2026-09-08T14:00-07:00", id="h0-fri-after-cutoff-labor-day"),
    pytest.param(LA_14, 2, "2026-09-16T10:00-07:00", "2026-09-18T14:00-07:00", id="h2-wed"),
    pytest.param(LA_14, 2, "2026-09-17T10:00-07:00", "2026-09-21T14:00-07:00", id="h2-thu-over-weekend"),
    pytest.param(LA_14, 2, "2026-09-17T15:00-07:00", "2026-09-22T14:00-07:00", id="h2-thu-after-cutoff"),
    pytest.param(LA_14, 2, "2026-09-19T10:00-07:00", "2026-09-22T14:00-07:00", id="h2-saturday"),
    pytest.param(LA_14, 3, "2026-09-16T10:00-07:00", "2026-09-21T14:00-07:00", id="h3-wed"),
    pytest.param(LA_14, 3, "2026-09-16T15:00-07:00", "2026-09-22T14:00-07:00", id="h3-wed-after-cutoff"),
    pytest.param(LA_14, 3, "2026-09-04T18:00-07:00", "2026-09-10T14:00-07:00", id="h3-labor-day"),
    # --- US holidays
    pytest.param(LA_14, 1, "2026-11-25T15:00-08:00", "2026-11-27T14:00-08:00", id="thanksgiving-eve-after-cutoff"),
    pytest.param(LA_14, 2, "2026-11-25T10:00-08:00", "2026-11-30T14:00-08:00", id="thanksgiving-h2"),
    pytest.param(LA_14, 0, "2026-11-26T10:00-08:00", "2026-11-27T14:00-08:00", id="paid-on-thanksgiving-h0"),
    pytest.param(LA_14, 1, "2026-11-26T18:00-08:00", "2026-11-27T14:00-08:00", id="thanksgiving-evening-no-cutoff"),
    pytest.param(LA_14, 1, "2026-12-24T10:00-08:00", "2026-12-28T14:00-08:00", id="christmas-eve"),
    pytest.param(LA_14, 1, "2026-12-31T16:00-08:00", "2027-01-04T14:00-08:00", id="new-years-eve-after-cutoff"),
    pytest.param(LA_14, 1, "2027-12-30T10:00-08:00", "2028-01-03T14:00-08:00", id="new-year-observed-fri-dec-31"),
    pytest.param(LA_14, 1, "2026-07-02T10:00-07:00", "2026-07-06T14:00-07:00", id="independence-day-observed"),
    # --- DST in America/Los_Angeles (starts Sun 2026-03-08, ends Sun 2026-11-01)
    pytest.param(LA_14, 1, "2026-03-06T10:00-08:00", "2026-03-09T14:00-07:00", id="dst-start-weekend"),
    pytest.param(LA_14, 1, "2026-03-06T18:00Z", "2026-03-09T21:00Z", id="dst-start-weekend-utc"),
    pytest.param(
        {**LA_14, "cutoff": dt.time(17)}, 2, "2026-03-06T18:00-08:00", "2026-03-10T17:00-07:00", id="dst-start-17h-h2"
    ),
    pytest.param(
        {**LA_14, "cutoff": dt.time(17)}, 1, "2026-03-10T00:30Z", "2026-03-11T17:00-07:00", id="dst-utc-date-ahead"
    ),
    pytest.param(LA_14, 1, "2026-10-30T15:00-07:00", "2026-11-02T14:00-08:00", id="dst-end-weekend"),
    pytest.param(LA_14, 1, "2026-10-30T22:00Z", "2026-11-02T22:00Z", id="dst-end-weekend-utc"),
    pytest.param(
        {**LA_14, "cutoff": dt.time(23, 59)}, 1, "2026-11-03T07:30Z", "2026-11-04T07:59Z", id="dst-end-late-cutoff"
    ),
    pytest.param(LA_14, 1, "2026-09-14T22:30+05:30", "2026-09-15T14:00-07:00", id="paid-at-in-foreign-offset"),
    # --- default calendar: America/Los_Angeles, US, cut-off 23:59
    pytest.param({}, 1, "2026-09-14T23:59-07:00", "2026-09-15T23:59-07:00", id="default-at-2359"),
    pytest.param({}, 1, "2026-09-14T23:59:30-07:00", "2026-09-16T23:59-07:00", id="default-after-2359"),
    # --- far from UTC: Asia/Singapore (UTC+8)
    pytest.param(SG_12, 1, "2026-06-04T20:00Z", "2026-06-08T04:00Z", id="sg-fri-early-utc-previous-day"),
    pytest.param(SG_12, 1, "2026-06-05T05:00Z", "2026-06-08T12:00+08:00", id="sg-fri-after-cutoff"),
    pytest.param(SG_12, 1, "2026-06-03T03:59Z", "2026-06-04T12:00+08:00", id="sg-wed-before-cutoff"),
    pytest.param(SG_12, 1, "2026-05-29T13:00+08:00", "2026-06-02T12:00+08:00", id="sg-vesak-observed-monday"),
    pytest.param(SG_12, 1, "2026-08-07T10:00+08:00", "2026-08-11T12:00+08:00", id="sg-national-day-observed"),
    # --- Great Britain bank holidays, by subdivision
    pytest.param(ENG_15, 1, "2026-08-28T16:00+01:00", "2026-09-01T15:00+01:00", id="eng-late-summer-bank-holiday"),
    pytest.param(SCT_15, 1, "2026-08-28T16:00+01:00", "2026-08-31T15:00+01:00", id="sct-works-aug-31"),
    pytest.param(SCT_15, 1, "2026-07-31T16:00+01:00", "2026-08-04T15:00+01:00", id="sct-summer-bank-holiday"),
    pytest.param(ENG_15, 1, "2026-07-31T16:00+01:00", "2026-08-03T15:00+01:00", id="eng-works-aug-3"),
    pytest.param(GB_15, 1, "2026-05-01T10:00+01:00", "2026-05-05T15:00+01:00", id="gb-may-day"),
    pytest.param(ENG_15, 1, "2026-12-24T16:00Z", "2026-12-29T15:00Z", id="eng-christmas-boxing-day-observed"),
    pytest.param(ENG_15, 1, "2026-10-23T10:00+01:00", "2026-10-26T15:00Z", id="eng-bst-ends"),
]


@pytest.mark.parametrize(("fields", "handling", "paid", "expected"), DISPATCH_CASES)
def test_dispatch_due_at(fields, handling, paid, expected):
    result = dispatch_due_at(paid_at=at(paid), calendar=calendar(fields, handling=handling))

    assert_same_instant_in_utc(result, at(expected))


# (calendar fields, transit days, dispatch_due_at, expected delivery_due_at)
DELIVERY_CASES = [
    pytest.param(LA_14, 0, "2026-09-17T14:00-07:00", "2026-09-17T14:00-07:00", id="t0-same-instant"),
    pytest.param(LA_14, 1, "2026-09-17T14:00-07:00", "2026-09-18T14:00-07:00", id="t1-thu"),
    pytest.param(LA_14, 2, "2026-09-17T14:00-07:00", "2026-09-21T14:00-07:00", id="t2-over-weekend"),
    pytest.param(LA_14, 3, "2026-09-18T14:00-07:00", "2026-09-23T14:00-07:00", id="t3-from-friday"),
    pytest.param(LA_14, 1, "2026-09-04T14:00-07:00", "2026-09-08T14:00-07:00", id="t1-over-labor-day"),
    pytest.param(LA_14, 2, "2026-11-25T14:00-08:00", "2026-11-30T14:00-08:00", id="t2-over-thanksgiving"),
    pytest.param(LA_14, 1, "2026-10-30T21:00Z", "2026-11-02T22:00Z", id="t1-over-dst-end"),
    pytest.param(LA_14, 5, "2026-03-06T14:00-08:00", "2026-03-13T14:00-07:00", id="t5-over-dst-start"),
    pytest.param(LA_14, 1, "2026-09-19T10:00-07:00", "2026-09-21T10:00-07:00", id="channel-deadline-on-saturday"),
    pytest.param(SG_12, 2, "2026-06-05T04:00Z", "2026-06-09T12:00+08:00", id="sg-t2-over-weekend"),
    pytest.param(ENG_15, 1, "2026-08-28T15:00+01:00", "2026-09-01T15:00+01:00", id="eng-t1-over-bank-holiday"),
]


@pytest.mark.parametrize(("fields", "transit", "dispatch", "expected"), DELIVERY_CASES)
def test_delivery_due_at(fields, transit, dispatch, expected):
    result = delivery_due_at(dispatch_due_at=at(dispatch), calendar=calendar(fields, transit=transit))

    assert_same_instant_in_utc(result, at(expected))


def test_labor_day_order_end_to_end():
    shop = calendar(LA_14, handling=1, transit=3)

    dispatch = dispatch_due_at(paid_at=at("2026-09-04T18:00-07:00"), calendar=shop)
    delivery = delivery_due_at(dispatch_due_at=dispatch, calendar=shop)

    assert dispatch.isoformat() == "2026-09-08T21:00:00+00:00"
    assert delivery.isoformat() == "2026-09-11T21:00:00+00:00"


BUSINESS_DAY_CASES = [
    pytest.param(LA_14, "2026-09-14", True, id="monday"),
    pytest.param(LA_14, "2026-09-19", False, id="saturday"),
    pytest.param(LA_14, "2026-09-20", False, id="sunday"),
    pytest.param(LA_14, "2026-09-07", False, id="us-labor-day"),
    pytest.param(LA_14, "2026-11-26", False, id="us-thanksgiving"),
    pytest.param(LA_14, "2026-11-27", True, id="us-day-after-thanksgiving"),
    pytest.param(LA_14, "2026-07-03", False, id="us-independence-day-observed"),
    pytest.param(LA_14, "2026-12-25", False, id="us-christmas"),
    pytest.param(LA_14, "2027-01-01", False, id="us-new-year"),
    pytest.param(ENG_15, "2026-08-31", False, id="eng-late-summer-bank-holiday"),
    pytest.param(SCT_15, "2026-08-31", True, id="sct-aug-31"),
    pytest.param(GB_15, "2026-05-04", False, id="gb-may-day"),
    pytest.param(SG_12, "2026-06-01", False, id="sg-vesak-observed"),
]


@pytest.mark.parametrize(("fields", "day", "expected"), BUSINESS_DAY_CASES)
def test_is_business_day(fields, day, expected):
    assert is_business_day(dt.date.fromisoformat(day), calendar(fields)) is expected


ADD_CASES = [
    pytest.param("2026-09-14", 0, "2026-09-14", id="n0-business-day-is-itself"),
    pytest.param("2026-09-19", 0, "2026-09-21", id="n0-saturday-rolls-to-monday"),
    pytest.param("2026-09-05", 0, "2026-09-08", id="n0-saturday-before-labor-day"),
    pytest.param("2026-09-14", 1, "2026-09-15", id="n1-monday"),
    pytest.param("2026-09-18", 1, "2026-09-21", id="n1-friday"),
    pytest.param("2026-09-19", 1, "2026-09-21", id="n1-saturday"),
    pytest.param("2026-09-04", 1, "2026-09-08", id="n1-friday-before-labor-day"),
    pytest.param("2026-09-14", 5, "2026-09-21", id="n5-a-week"),
    pytest.param("2026-12-23", 3, "2026-12-29", id="n3-over-christmas"),
]


@pytest.mark.parametrize(("day", "n", "expected"), ADD_CASES)
def test_add_business_days(day, n, expected):
    result = add_business_days(dt.date.fromisoformat(day), n, calendar(LA_14))

    assert result == dt.date.fromisoformat(expected)


def test_naive_paid_at_is_refused():
    with pytest.raises(ValueError, match="paid_at must be timezone-aware"):
        dispatch_due_at(paid_at=dt.datetime(2026, 9, 14, 10), calendar=calendar(LA_14))


def test_naive_dispatch_due_at_is_refused():
    with pytest.raises(ValueError, match="dispatch_due_at must be timezone-aware"):
        delivery_due_at(dispatch_due_at=dt.datetime(2026, 9, 14, 14), calendar=calendar(LA_14))


def test_datetime_is_refused_where_a_local_date_is_expected():
    moment = dt.datetime(2026, 9, 14, 10, tzinfo=dt.UTC)
    with pytest.raises(TypeError, match="local date"):
        is_business_day(moment, calendar(LA_14))
    with pytest.raises(TypeError, match="local date"):
        add_business_days(moment, 1, calendar(LA_14))


def test_negative_business_days_are_refused():
    with pytest.raises(ValueError, match="n must be"):
        add_business_days(dt.date(2026, 9, 14), -1, calendar(LA_14))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"handling": -1}, "handling_days", id="negative-handling"),
        pytest.param({"transit": -2}, "transit_days", id="negative-transit"),
        pytest.param({"handling": 1.5}, "handling_days", id="fractional-handling"),
        pytest.param({"time_zone": "Mars/Olympus_Mons"}, "unknown time zone", id="unknown-time-zone"),
        pytest.param({"country": "XX"}, "no public holiday calendar", id="unknown-country"),
        pytest.param({"subdivision": "ZZ"}, "no public holiday calendar", id="unknown-subdivision"),
        pytest.param({"cutoff": dt.time(14, tzinfo=dt.UTC)}, "cutoff", id="cutoff-with-tzinfo"),
    ],
)
def test_invalid_calendar_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        calendar(LA_14, **overrides)
