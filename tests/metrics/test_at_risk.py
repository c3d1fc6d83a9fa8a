"""At-risk lists (what will hurt the figures if nobody acts) and today's dispatch counts."""

import datetime as dt

import pytest

from metrics.definitions import LATE_DISPATCH
from metrics.selectors import (
    LATE_DELIVERY,
    SHIPPED_NO_SCAN,
    UNDISPATCHED,
    UNSCANNED,
    Figure,
    at_risk_rows,
    at_risk_summary,
    resolve_scope,
    today_counts,
)
from tests.metrics.factories import AccountFactory, OrderFactory, PackageFactory, local

pytestmark = pytest.mark.django_db

NOW = local("2025-04-16 12:00")
H = dt.timedelta(hours=1)

UNDISPATCHED_CASES = [
    ("past the dispatch deadline", dict(status="packed", dispatch_due_at=NOW - 5 * H), True),
    ("due within 24 hours", dict(status="confirmed", dispatch_due_at=NOW + 23 * H), True),
    ("due in exactly 24 hours", dict(status="confirmed", dispatch_due_at=NOW + 24 * H), True),
    ("due in 25 hours: not yet", dict(status="confirmed", dispatch_due_at=NOW + 25 * H), False),
    ("tracking uploaded but no carrier scan: shipped, listed apart",
     dict(status="shipped", dispatch_due_at=NOW - H, tracking_uploaded_at=NOW - 10 * H), False),
    ("scanned by the carrier: dispatched", dict(status="in_transit", dispatch_due_at=NOW - H,
                                                dispatched_at=NOW - 2 * H), False),
    ("FBT: TikTok dispatches it", dict(status="confirmed", fulfilment="FBT", dispatch_due_at=NOW - H), False),
    ("cancelled", dict(status="cancelled", cancel_initiator="BUYER", cancelled_at=NOW - 3 * H,
                       dispatch_due_at=NOW - H), False),
    ("awaiting payment", dict(status="awaiting_payment", dispatch_due_at=NOW - H), False),
    ("no deadline", dict(status="confirmed", dispatch_due_at=None), False),
]


@pytest.mark.parametrize("attrs,listed", [pytest.param(a, listed, id=i) for i, a, listed in UNDISPATCHED_CASES])
def test_undispatched_orders(attrs, listed):
    order = OrderFactory(created_at=NOW - 48 * H, **attrs)
    assert (order in at_risk_rows(UNDISPATCHED, resolve_scope(), NOW)) is listed


SHIPPED_NO_SCAN_CASES = [
    ("shipped, no carrier scan, past the deadline",
     dict(status="shipped", dispatch_due_at=NOW - H, tracking_uploaded_at=NOW - 10 * H), True),
    ("shipped, no carrier scan, due within 24 hours",
     dict(status="shipped", dispatch_due_at=NOW + 20 * H, tracking_uploaded_at=NOW - H), True),
    ("shipped, no carrier scan, due in 2 days: not yet", dict(status="shipped", dispatch_due_at=NOW + 48 * H,
                                                               tracking_uploaded_at=NOW - H), False),
    ("scanned by the carrier: dispatched", dict(status="in_transit", dispatch_due_at=NOW - H,
                                                tracking_uploaded_at=NOW - 3 * H, dispatched_at=NOW - 2 * H), False),
    ("not shipped: the other list", dict(status="packed", dispatch_due_at=NOW - H), False),
    ("FBT", dict(status="shipped", fulfilment="FBT", dispatch_due_at=NOW - H), False),
]


@pytest.mark.parametrize("attrs,listed", [pytest.param(a, listed, id=i) for i, a, listed in SHIPPED_NO_SCAN_CASES])
def test_shipped_orders_with_no_carrier_scan_yet(attrs, listed):
    order = OrderFactory(created_at=NOW - 48 * H, **attrs)
    assert (order in at_risk_rows(SHIPPED_NO_SCAN, resolve_scope(), NOW)) is listed
    summary = at_risk_summary(resolve_scope(), NOW)
    assert summary.shipped_no_scan == (1 if listed else 0)


UNSCANNED_CASES = [
    ("uploaded 3 days ago, no scan", dict(uploaded=72), {}, True),
    ("uploaded 71 hours ago: not yet", dict(uploaded=71), {}, False),
    ("uploaded 5 days ago, scanned", dict(uploaded=120, first_scan_at=NOW - 100 * H), {}, False),
    ("the order was scanned (another package)", dict(uploaded=100), dict(dispatched_at=NOW - 90 * H), False),
    ("the order is cancelled", dict(uploaded=100), dict(status="cancelled", cancelled_at=NOW - H), False),
    ("the order is delivered", dict(uploaded=100), dict(status="delivered"), False),
    ("the package is cancelled", dict(uploaded=100, status="cancelled"), {}, False),
]


@pytest.mark.parametrize("package,order,listed", [pytest.param(p, o, listed, id=i) for i, p, o, listed in
                                                   UNSCANNED_CASES])
def test_packages_without_a_carrier_scan(package, order, listed):
    package = dict(package)
    uploaded = NOW - package.pop("uploaded") * H
    package.setdefault("first_scan_at", None)
    order = OrderFactory(created_at=NOW - 200 * H, **{"status": "shipped", **order})
    pkg = PackageFactory(order=order, tracking_uploaded_at=uploaded, **package)
    assert (pkg in at_risk_rows(UNSCANNED, resolve_scope(), NOW)) is listed


LATE_DELIVERY_CASES = [
    ("past its deliver-by date, in transit", dict(status="in_transit", delivery_due_at=NOW - H), True),
    ("due later", dict(status="in_transit", delivery_due_at=NOW + H), False),
    ("delivered late: already counted, nothing to do", dict(status="delivered", delivery_due_at=NOW - 5 * H,
                                                            delivered_at=NOW - H), False),
    ("cancelled", dict(status="cancelled", cancelled_at=NOW - 2 * H, delivery_due_at=NOW - H), False),
    ("FBT", dict(status="in_transit", fulfilment="FBT", delivery_due_at=NOW - H), False),
]


@pytest.mark.parametrize("attrs,listed", [pytest.param(a, listed, id=i) for i, a, listed in LATE_DELIVERY_CASES])
def test_orders_past_their_deliver_by_date(attrs, listed):
    order = OrderFactory(created_at=NOW - 200 * H, **attrs)
    assert (order in at_risk_rows(LATE_DELIVERY, resolve_scope(), NOW)) is listed


def test_summary_counts_and_the_late_dispatch_rate_they_would_produce():
    for due in (NOW - 5 * H, NOW - 2 * H, NOW + 3 * H):
        OrderFactory(status="confirmed", created_at=NOW - 48 * H, dispatch_due_at=due)
    OrderFactory(status="in_transit", created_at=NOW - 200 * H, dispatched_at=NOW - 150 * H,
                 delivery_due_at=NOW - H)
    summary = at_risk_summary(resolve_scope(), NOW, ldr=Figure(LATE_DISPATCH, numerator=2, denominator=97))
    assert (summary.overdue_dispatch, summary.due_within_24h, summary.unscanned, summary.late_delivery) == (2, 1, 0, 1)
    assert summary.counts() == {UNDISPATCHED: 3, SHIPPED_NO_SCAN: 0, UNSCANNED: 0, LATE_DELIVERY: 1}
    assert summary.ldr_if_overdue_late == 4 / 99
    assert summary.ldr_if_all_late == 5 / 100


def test_at_risk_follows_the_scope():
    tiktok, woo = AccountFactory(channel="tiktok"), AccountFactory(channel="woocommerce")
    OrderFactory(account=tiktok, status="confirmed", created_at=NOW - 48 * H, dispatch_due_at=NOW - H)
    OrderFactory(account=woo, status="confirmed", created_at=NOW - 48 * H, dispatch_due_at=NOW - H)
    assert at_risk_summary(resolve_scope(channel="tiktok"), NOW).undispatched == 1
    assert at_risk_summary(resolve_scope(), NOW).undispatched == 2


def test_today_counts_use_each_shops_own_date():
    la, tokyo = AccountFactory(), AccountFactory(time_zone="Asia/Tokyo")
    # NOW is 2025-04-16 12:00 in LA, 2025-04-17 04:00 in Tokyo.
    shipped = OrderFactory(account=la, status="shipped", tracking_uploaded_at=local("2025-04-16 08:00"),
                           dispatch_due_at=local("2025-04-16 23:59"))  # shipped today, awaiting the scan
    PackageFactory(order=shipped, tracking_uploaded_at=shipped.tracking_uploaded_at, first_scan_at=None)
    OrderFactory(account=la, status="in_transit", tracking_uploaded_at=local("2025-04-15 18:00"),
                 dispatched_at=local("2025-04-16 09:00"), dispatch_due_at=local("2025-04-16 23:59"))  # on time
    OrderFactory(account=la, status="in_transit", tracking_uploaded_at=local("2025-04-15 18:00"),
                 dispatched_at=local("2025-04-16 00:10"), dispatch_due_at=local("2025-04-15 23:59"))  # late
    OrderFactory(account=la, status="in_transit", fulfilment="FBT", dispatched_at=local("2025-04-16 07:00"),
                 dispatch_due_at=local("2025-04-15 23:59"))  # FBT: never late
    OrderFactory(account=la, status="in_transit", tracking_uploaded_at=local("2025-04-14 18:00"),
                 dispatched_at=local("2025-04-15 23:59"), dispatch_due_at=local("2025-04-15 23:59"))  # yesterday
    OrderFactory(account=la, status="cancelled", cancelled_at=local("2025-04-16 07:00"),
                 tracking_uploaded_at=local("2025-04-14 18:00"))  # cancelled: not waiting for a scan
    yesterday = OrderFactory(account=tokyo, status="shipped",
                             tracking_uploaded_at=local("2025-04-16 22:00", "Asia/Tokyo"),
                             dispatch_due_at=local("2025-04-17 23:00", "Asia/Tokyo"))  # yesterday in Tokyo
    PackageFactory(order=yesterday, tracking_uploaded_at=yesterday.tracking_uploaded_at, first_scan_at=None)
    OrderFactory(account=tokyo, status="in_transit", tracking_uploaded_at=local("2025-04-16 10:00", "Asia/Tokyo"),
                 dispatched_at=local("2025-04-17 01:00", "Asia/Tokyo"),
                 dispatch_due_at=local("2025-04-17 23:00", "Asia/Tokyo"))  # today in Tokyo (LA: 04-16 09:00)
    counts = today_counts(resolve_scope(), NOW)
    assert (counts.shipped, counts.collected, counts.collected_late, counts.awaiting_scan) == (1, 4, 1, 2)
