"""Every rule of the four definitions (docs/domain/metrics.md), table-driven.

Each case is one order (or package) in a shop, described with LOCAL wall-clock times in the
shop's time zone, and where it must land: in the numerator (and so the denominator), in the
denominator only, or outside the figure. The default window is March 2025 up to, not including,
March 31 ([2025-03-01, 2025-03-31): local dates, half-open), judged well after the fact unless a
case gives its own "now".
"""

import datetime as dt

import pytest

from fulfilment.models import Package
from metrics.definitions import LATE_DISPATCH, ON_TIME_DELIVERY, SELLER_FAULT_CANCELLATION, VALID_TRACKING
from metrics.selectors import local_midnight, metric_report, zone
from orders.models import OrderStatus
from tests.metrics.factories import AccountFactory, OrderFactory, PackageFactory, local

pytestmark = pytest.mark.django_db

LA = "America/Los_Angeles"
WINDOW = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
LATE_NOW = "2025-06-01 12:00"

NUM, DEN, OUT = "numerator", "denominator only", "excluded"

ORDER_TIMES = ("created_at", "paid_at", "dispatch_due_at", "tracking_uploaded_at", "dispatched_at",
               "delivery_due_at", "delivered_at", "cancelled_at")
PACKAGE_TIMES = ("tracking_uploaded_at", "first_scan_at")


def _times(attrs, names, tz):
    out = {}
    for key, value in attrs.items():
        if key in names and isinstance(value, str):
            fold = 1 if value.endswith(" fold") else 0
            out[key] = local(value.removesuffix(" fold"), tz, fold=fold)
        else:
            out[key] = value
    return out


def case(id_, expected, tz=LA, window=WINDOW, now=LATE_NOW, package=None, **order):
    return pytest.param(order, package, expected, tz, window, now, id=id_)


def evaluate(key, order_attrs, package_attrs, expected, tz, window, now):
    account = AccountFactory(time_zone=tz)
    order_attrs = {"created_at": "2025-03-05 09:00", **order_attrs}
    order = OrderFactory(account=account, **_times(order_attrs, ORDER_TIMES, tz))
    subject = order
    if package_attrs is not None:
        subject = PackageFactory(order=order, **_times(package_attrs, PACKAGE_TIMES, tz))
    report = metric_report(date_from=window[0], date_to=window[1], now=local(now, tz))
    figure = report.figures[key]
    numerator_ids = set(figure.numerator_rows.values_list("pk", flat=True))
    denominator_ids = set(figure.denominator_rows.values_list("pk", flat=True))
    got = NUM if subject.pk in numerator_ids else DEN if subject.pk in denominator_ids else OUT
    assert got == expected
    # The counts are the aggregates; they agree with the rows behind them.
    assert (figure.numerator, figure.denominator) == (len(numerator_ids), len(denominator_ids))
    assert numerator_ids <= denominator_ids
    assert figure.value == (None if not figure.denominator else figure.numerator / figure.denominator)
    return figure


# --- Late Dispatch Rate -----------------------------------------------------------------------
# Denominator: orders with dispatched_at (first carrier scan) in the window, FBS and FBT alike.
# Numerator: FBS orders among them with dispatched_at > dispatch_due_at.
LDR_CASES = [
    case("FBS scanned one minute after the deadline is late", NUM,
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-10 11:59"),
    case("FBS scanned exactly at the deadline is on time", DEN,
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-10 12:00"),
    case("FBS scanned before the deadline is on time", DEN,
         dispatched_at="2025-03-10 09:00", dispatch_due_at="2025-03-11 23:59"),
    case("FBT scanned after the deadline counts in the denominator only", DEN, fulfilment="FBT",
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-08 12:00"),
    case("FBT on time is in the denominator", DEN, fulfilment="FBT",
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-11 12:00"),
    case("scanned 23:59 local on the last day is in the window", NUM,
         dispatched_at="2025-03-30 23:59", dispatch_due_at="2025-03-28 23:59"),
    case("scanned 00:00 local the day after the last day is outside", OUT,
         dispatched_at="2025-03-31 00:00", dispatch_due_at="2025-03-28 23:59"),
    case("scanned 00:00 local on the first day is in the window", NUM,
         dispatched_at="2025-03-01 00:00", dispatch_due_at="2025-02-27 23:59"),
    case("scanned 23:59:59 local the day before the first day is outside", OUT,
         dispatched_at="2025-02-28 23:59:59", dispatch_due_at="2025-02-27 23:59"),
    case("tracking uploaded on time but no carrier scan: not dispatched, outside", OUT,
         tracking_uploaded_at="2025-03-10 10:00", dispatch_due_at="2025-03-10 23:59"),
    case("not dispatched at all, though overdue: outside", OUT, status=OrderStatus.CONFIRMED,
         dispatch_due_at="2025-03-10 23:59"),
    case("a late sample order counts like any other (samples are left out of SFCR only)", NUM, is_sample=True,
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-09 12:00"),
    case("an FBS order without a dispatch deadline is not late", DEN,
         dispatched_at="2025-03-10 12:00", dispatch_due_at=None),
    case("an order cancelled after its carrier scan was still dispatched", NUM, status=OrderStatus.CANCELLED,
         cancel_initiator="BUYER", cancelled_at="2025-03-12 10:00",
         dispatched_at="2025-03-10 12:00", dispatch_due_at="2025-03-09 12:00"),
    # DST in Los Angeles: 2025-03-09 has 23 hours (02:00 PST -> 03:00 PDT), 2025-11-02 has 25.
    case("spring forward: 23:30 PDT on the short day is in", NUM, window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)),
         dispatched_at="2025-03-09 23:30", dispatch_due_at="2025-03-08 23:59"),
    case("spring forward: 00:00 PST starting the short day is in", NUM,
         window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)),
         dispatched_at="2025-03-09 00:00", dispatch_due_at="2025-03-08 23:59"),
    case("spring forward: 00:00 PDT the next day is outside", OUT, window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)),
         dispatched_at="2025-03-10 00:00", dispatch_due_at="2025-03-08 23:59"),
    case("fall back: 23:59 PST at the end of the long day is in", NUM,
         window=(dt.date(2025, 11, 2), dt.date(2025, 11, 3)), created_at="2025-10-30 09:00",
         dispatched_at="2025-11-02 23:59", dispatch_due_at="2025-11-01 23:59"),
    case("fall back: the second 01:30 (PST) of the long day is in", NUM,
         window=(dt.date(2025, 11, 2), dt.date(2025, 11, 3)), created_at="2025-10-30 09:00",
         dispatched_at="2025-11-02 01:30 fold", dispatch_due_at="2025-11-01 23:59"),
    case("fall back: 00:00 the day after the long day is outside", OUT,
         window=(dt.date(2025, 11, 2), dt.date(2025, 11, 3)), created_at="2025-10-30 09:00",
         dispatched_at="2025-11-03 00:00", dispatch_due_at="2025-11-01 23:59"),
    case("Berlin spring forward (2025-03-30): 23:59 CEST on the last day is in", NUM, tz="Europe/Berlin",
         dispatched_at="2025-03-30 23:59", dispatch_due_at="2025-03-29 23:59"),
    case("Berlin: 00:00 CEST the day after is outside", OUT, tz="Europe/Berlin",
         dispatched_at="2025-03-31 00:00", dispatch_due_at="2025-03-29 23:59"),
    # Cuba moves its clocks at midnight: on 2025-03-09 local midnight does not exist, the day starts 01:00 CDT.
    case("midnight DST gap (Havana): the first instant of the day (01:00 CDT) is in", NUM, tz="America/Havana",
         window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)),
         dispatched_at="2025-03-09 01:00", dispatch_due_at="2025-03-08 12:00"),
    case("midnight DST gap (Havana): 23:59 CST the day before is outside", OUT, tz="America/Havana",
         window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)),
         dispatched_at="2025-03-08 23:59", dispatch_due_at="2025-03-08 12:00"),
]


@pytest.mark.parametrize("order,package,expected,tz,window,now", LDR_CASES)
def test_late_dispatch_rate(order, package, expected, tz, window, now):
    evaluate(LATE_DISPATCH, order, package, expected, tz, window, now)


# --- Valid Tracking Rate (over packages) -------------------------------------------------------
# Denominator: packages of FBS orders with label_source SELLER whose tracking_uploaded_at is in the
# window, except pending ones (no scan yet and fewer than 5 days since the upload, at "now").
# Numerator: tracking_format_valid and a carrier scan (the package's first_scan_at, else the
# order's dispatched_at) no later than 5 days after the upload.
def pkg(**attrs):
    return {"tracking_uploaded_at": "2025-03-10 10:00", **attrs}


VTR_CASES = [
    case("valid number, scanned the next day", NUM, package=pkg(first_scan_at="2025-03-11 09:00")),
    case("valid number, scanned exactly 5 days after the upload", NUM, package=pkg(first_scan_at="2025-03-15 10:00")),
    case("valid number, scanned 5 days and 1 minute after the upload", DEN,
         package=pkg(first_scan_at="2025-03-15 10:01")),
    case("number failing its carrier's format or check digit, scanned in time", DEN,
         package=pkg(tracking_format_valid=False, first_scan_at="2025-03-11 09:00")),
    case("number never judged counts as not valid", DEN,
         package=pkg(tracking_format_valid=None, first_scan_at="2025-03-11 09:00")),
    case("never scanned, 5 days have passed: invalid", DEN, package=pkg(first_scan_at=None)),
    case("no package scan: the order's first carrier scan counts", NUM, dispatched_at="2025-03-12 08:00",
         package=pkg(first_scan_at=None)),
    case("the package's own scan wins over the order's", DEN, dispatched_at="2025-03-11 08:00",
         package=pkg(first_scan_at="2025-03-16 08:00")),
    case("pending: no scan and 4 days since the upload: left out", OUT, now="2025-03-14 10:00",
         package=pkg(first_scan_at=None)),
    case("no scan and exactly 5 days since the upload: no longer pending, invalid", DEN, now="2025-03-15 10:00",
         package=pkg(first_scan_at=None)),
    case("a scan after 'now' has not happened yet: pending", OUT, now="2025-03-12 10:00",
         package=pkg(first_scan_at="2025-03-13 10:00")),
    case("scanned, then judged before 5 days are up: counted at once", NUM, now="2025-03-12 10:00",
         package=pkg(first_scan_at="2025-03-11 10:00")),
    case("TikTok's own label (label_source PLATFORM) is left out", OUT, label_source="PLATFORM",
         package=pkg(first_scan_at="2025-03-11 09:00")),
    case("an FBT order's package is left out", OUT, fulfilment="FBT",
         package=pkg(first_scan_at="2025-03-11 09:00")),
    case("uploaded 23:59 local on the last day is in", NUM,
         package=pkg(tracking_uploaded_at="2025-03-30 23:59", first_scan_at="2025-03-31 09:00")),
    case("uploaded 00:00 local the day after is outside", OUT,
         package=pkg(tracking_uploaded_at="2025-03-31 00:00", first_scan_at="2025-03-31 09:00")),
    case("uploaded 00:00 local on the first day is in", NUM,
         package=pkg(tracking_uploaded_at="2025-03-01 00:00", first_scan_at="2025-03-02 09:00")),
    case("a package without an upload time is outside", OUT, package=pkg(tracking_uploaded_at=None)),
    case("fall back: 5 days are 120 hours, the extra DST hour included", DEN,
         window=(dt.date(2025, 10, 1), dt.date(2025, 11, 1)), created_at="2025-10-30 09:00", now="2025-12-01 12:00",
         package=pkg(tracking_uploaded_at="2025-10-31 12:00", first_scan_at="2025-11-05 11:30")),
]


@pytest.mark.parametrize("order,package,expected,tz,window,now", VTR_CASES)
def test_valid_tracking_rate(order, package, expected, tz, window, now):
    evaluate(VALID_TRACKING, order, package, expected, tz, window, now)


# --- On-Time Delivery Rate ---------------------------------------------------------------------
# Denominator: FBS orders, not cancelled, with delivery_due_at in the window.
# Numerator: those with delivered_at <= delivery_due_at.
OTDR_CASES = [
    case("delivered before the deliver-by date", NUM, delivery_due_at="2025-03-15 23:59",
         delivered_at="2025-03-14 13:00"),
    case("delivered exactly at the deliver-by time", NUM, delivery_due_at="2025-03-15 23:59",
         delivered_at="2025-03-15 23:59"),
    case("delivered one minute late", DEN, delivery_due_at="2025-03-15 23:58", delivered_at="2025-03-15 23:59"),
    case("not delivered, now past due", DEN, status=OrderStatus.IN_TRANSIT, delivery_due_at="2025-03-15 23:59"),
    case("cancelled (status and time) is left out", OUT, status=OrderStatus.CANCELLED, cancel_initiator="BUYER",
         cancelled_at="2025-03-12 10:00", delivery_due_at="2025-03-15 23:59"),
    case("cancelled_at set is enough to be left out", OUT, status=OrderStatus.IN_TRANSIT,
         cancelled_at="2025-03-12 10:00", delivery_due_at="2025-03-15 23:59"),
    case("status cancelled without a time is left out", OUT, status=OrderStatus.CANCELLED,
         delivery_due_at="2025-03-15 23:59"),
    case("FBT orders are left out", OUT, fulfilment="FBT", delivery_due_at="2025-03-15 23:59",
         delivered_at="2025-03-14 13:00"),
    case("an FBS order on TikTok's label counts", NUM, label_source="PLATFORM", delivery_due_at="2025-03-15 23:59",
         delivered_at="2025-03-14 13:00"),
    case("due 23:59 local on the last day is in", NUM, delivery_due_at="2025-03-30 23:59",
         delivered_at="2025-03-30 10:00"),
    case("due 00:00 local the day after is outside", OUT, delivery_due_at="2025-03-31 00:00",
         delivered_at="2025-03-30 10:00"),
    case("due 23:59:59 local the day before the window is outside", OUT, delivery_due_at="2025-02-28 23:59:59",
         delivered_at="2025-02-27 10:00"),
    case("a sample order is judged like any other", DEN, is_sample=True, delivery_due_at="2025-03-15 12:00",
         delivered_at="2025-03-16 12:00"),
    case("no deliver-by date: outside", OUT, delivered_at="2025-03-16 12:00"),
]


@pytest.mark.parametrize("order,package,expected,tz,window,now", OTDR_CASES)
def test_on_time_delivery_rate(order, package, expected, tz, window, now):
    evaluate(ON_TIME_DELIVERY, order, package, expected, tz, window, now)


# --- Seller-fault Cancellation Rate ------------------------------------------------------------
# Denominator: paid, non-sample orders with created_at in the window.
# Numerator: those cancelled (status cancelled or cancelled_at set) with initiator SELLER or SYSTEM.
def cancelled(initiator, **extra):
    return {"status": OrderStatus.CANCELLED, "cancelled_at": "2025-03-06 10:00", "cancel_initiator": initiator,
            **extra}


SFCR_CASES = [
    case("paid and not cancelled", DEN),
    case("cancelled by the seller", NUM, **cancelled("SELLER")),
    case("cancelled by the system (auto-cancel for a missed deadline)", NUM, **cancelled("SYSTEM")),
    case("cancelled by the buyer", DEN, **cancelled("BUYER")),
    case("cancelled without a recorded initiator", DEN, **cancelled("")),
    case("unpaid, cancelled by the system: left out", OUT, paid_at=None, **cancelled("SYSTEM")),
    case("unpaid, still awaiting payment: left out", OUT, paid_at=None, status=OrderStatus.AWAITING_PAYMENT),
    case("a sample cancelled by the seller is left out", OUT, is_sample=True, **cancelled("SELLER")),
    case("a sample not cancelled is left out", OUT, is_sample=True),
    case("placed 23:59 local on the last day, cancelled by the seller", NUM, created_at="2025-03-30 23:59",
         **cancelled("SELLER", cancelled_at="2025-04-02 10:00")),
    case("placed 00:00 local the day after is outside", OUT, created_at="2025-03-31 00:00",
         **cancelled("SELLER", cancelled_at="2025-04-02 10:00")),
    case("placed 00:00 local on the first day is in", NUM, created_at="2025-03-01 00:00", **cancelled("SELLER")),
    case("placed 23:59:59 local the day before is outside", OUT, created_at="2025-02-28 23:59:59",
         **cancelled("SELLER")),
    case("cancelled after the window still counts for the day it was placed", NUM,
         **cancelled("SYSTEM", cancelled_at="2025-04-20 10:00")),
    case("status cancelled by the seller without a cancel time", NUM, **cancelled("SELLER", cancelled_at=None)),
    case("initiator SELLER recorded but the order not cancelled (request refused)", DEN, cancel_initiator="SELLER"),
    case("an FBT order cancelled by the seller counts (the definition has no FBS condition)", NUM,
         fulfilment="FBT", **cancelled("SELLER")),
    case("spring forward (LA): placed 23:30 PDT on the short day is in", NUM,
         window=(dt.date(2025, 3, 9), dt.date(2025, 3, 10)), created_at="2025-03-09 23:30",
         **cancelled("SELLER", cancelled_at="2025-03-10 10:00")),
]


@pytest.mark.parametrize("order,package,expected,tz,window,now", SFCR_CASES)
def test_seller_fault_cancellation_rate(order, package, expected, tz, window, now):
    evaluate(SELLER_FAULT_CANCELLATION, order, package, expected, tz, window, now)


# --- Several shops, several time zones ---------------------------------------------------------


def test_each_order_is_judged_in_its_own_shops_time_zone():
    la, berlin, tokyo = (AccountFactory(time_zone=tz) for tz in (LA, "Europe/Berlin", "Asia/Tokyo"))
    instant = dt.datetime(2025, 3, 31, 6, 30, tzinfo=dt.UTC)  # LA 03-30 23:30, Berlin 03-31 08:30, Tokyo 15:30
    early = dt.datetime(2025, 2, 28, 16, 30, tzinfo=dt.UTC)  # LA 02-28 08:30, Berlin 17:30, Tokyo 03-01 01:30
    due = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    for account in (la, berlin, tokyo):
        OrderFactory(account=account, dispatched_at=instant, dispatch_due_at=due)
        OrderFactory(account=account, dispatched_at=early, dispatch_due_at=due)
    report = metric_report(date_from=WINDOW[0], date_to=WINDOW[1], now=instant + dt.timedelta(days=30))
    per_account = {a: report.per_account.get(a.pk, {}).get(LATE_DISPATCH) for a in (la, berlin, tokyo)}
    assert per_account[la].denominator == 1  # the late-March instant is still March 30 in LA
    assert per_account[berlin].denominator == 0  # both instants fall outside Berlin's March window
    assert per_account[tokyo].denominator == 1  # the February instant is already March 1 in Tokyo
    assert report.as_dict()[LATE_DISPATCH] == {"value": 1.0, "numerator": 2, "denominator": 2}
    rows = report.figures[LATE_DISPATCH].denominator_rows
    assert sorted(rows.values_list("account__time_zone", flat=True)) == ["America/Los_Angeles", "Asia/Tokyo"]


def test_scope_is_one_account_a_channel_or_everything():
    tiktok_a, tiktok_b = AccountFactory(channel="tiktok"), AccountFactory(channel="tiktok")
    woo = AccountFactory(channel="woocommerce")
    late = {"dispatched_at": local("2025-03-10 12:00"), "dispatch_due_at": local("2025-03-09 12:00")}
    on_time = {"dispatched_at": local("2025-03-10 12:00"), "dispatch_due_at": local("2025-03-11 12:00")}
    OrderFactory(account=tiktok_a, **late)
    OrderFactory(account=tiktok_b, **on_time)
    OrderFactory(account=woo, **on_time)
    OrderFactory(account=woo, **on_time)

    def ldr(**scope):
        return metric_report(date_from=WINDOW[0], date_to=WINDOW[1], **scope).as_dict()[LATE_DISPATCH]

    assert ldr() == {"value": 0.25, "numerator": 1, "denominator": 4}
    assert ldr(channel="tiktok") == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert ldr(channel="woocommerce") == {"value": 0.0, "numerator": 0, "denominator": 2}
    assert ldr(account=tiktok_a.pk) == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert ldr(channel="etsy") == {"value": None, "numerator": 0, "denominator": 0}
    report = metric_report(date_from=WINDOW[0], date_to=WINDOW[1])
    assert [(c, f[LATE_DISPATCH].numerator, f[LATE_DISPATCH].denominator) for c, _l, f in report.by_channel] == [
        ("tiktok", 1, 2), ("woocommerce", 0, 2)]


def test_empty_denominators_have_no_value():
    AccountFactory()
    OrderFactory(created_at=local("2025-01-05 10:00"), paid_at=None)  # unpaid and outside: nothing counts
    report = metric_report(date_from=WINDOW[0], date_to=WINDOW[1])
    assert report.as_dict() == {
        "late_dispatch_rate": {"value": None, "numerator": 0, "denominator": 0},
        "valid_tracking_rate": {"value": None, "numerator": 0, "denominator": 0},
        "on_time_delivery_rate": {"value": None, "numerator": 0, "denominator": 0},
        "seller_fault_cancellation_rate": {"value": None, "numerator": 0, "denominator": 0},
    }
    assert all(figure.status == "none" for figure in report.figures.values())


def test_one_order_counts_in_each_figure_by_its_own_timestamp():
    """An order placed in February, dispatched late in March and delivered in April counts in the
    March LDR only; its package counts in the March VTR."""
    order = OrderFactory(created_at=local("2025-02-27 10:00"), dispatch_due_at=local("2025-02-28 23:59"),
                         dispatched_at=local("2025-03-01 08:00"), delivery_due_at=local("2025-04-02 23:59"),
                         delivered_at=local("2025-04-01 12:00"))
    PackageFactory(order=order, tracking_uploaded_at=local("2025-02-28 22:00"), first_scan_at=None)
    march = metric_report(date_from=WINDOW[0], date_to=WINDOW[1], now=local(LATE_NOW)).as_dict()
    assert march[LATE_DISPATCH] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert march[VALID_TRACKING]["denominator"] == 0  # uploaded in February
    assert march[ON_TIME_DELIVERY]["denominator"] == 0
    assert march[SELLER_FAULT_CANCELLATION]["denominator"] == 0
    feb = metric_report(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 3, 1), now=local(LATE_NOW)).as_dict()
    assert feb[VALID_TRACKING] == {"value": 1.0, "numerator": 1, "denominator": 1}  # order scan 10 h later
    assert feb[SELLER_FAULT_CANCELLATION] == {"value": 0.0, "numerator": 0, "denominator": 1}


def test_several_packages_of_one_order_count_one_by_one():
    order = OrderFactory(dispatched_at=local("2025-03-11 08:00"))
    PackageFactory(order=order, tracking_uploaded_at=local("2025-03-10 10:00"))
    PackageFactory(order=order, tracking_uploaded_at=local("2025-03-10 10:00"), tracking_format_valid=False)
    PackageFactory(order=order, tracking_uploaded_at=local("2025-03-10 10:00"),
                   first_scan_at=local("2025-03-18 10:00"))
    figure = metric_report(date_from=WINDOW[0], date_to=WINDOW[1], now=local(LATE_NOW)).figures[VALID_TRACKING]
    assert (figure.numerator, figure.denominator) == (1, 3)
    assert list(figure.orders("numerator")) == [order]
    assert figure.numerator_rows.model is Package


def test_local_midnight_at_dst_changes():
    assert local_midnight(dt.date(2025, 3, 9), zone(LA)) == dt.datetime(2025, 3, 9, 8, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2025, 3, 10), zone(LA)) == dt.datetime(2025, 3, 10, 7, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2025, 11, 3), zone(LA)) == dt.datetime(2025, 11, 3, 8, tzinfo=dt.UTC)
    # Havana: midnight does not exist on 2025-03-09; the day starts at 01:00 CDT = 05:00 UTC.
    assert local_midnight(dt.date(2025, 3, 9), zone("America/Havana")) == dt.datetime(2025, 3, 9, 5, tzinfo=dt.UTC)
