"""What will hurt the figures if nobody acts (orders near or past their dispatch deadline, not
shipped or shipped with no carrier scan yet, packages with no carrier scan, late deliveries), and
today's dispatch counts for the dashboard. "At risk", "overdue" and "shipped, no carrier scan yet"
are the conditions of ``orders/dispatch_windows.py`` (docs/domain/words.md), never computed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from fulfilment.models import Package
from metrics.definitions import NO_SCAN_AFTER
from metrics.selectors.figures import Figure, ratio
from metrics.selectors.scope import (
    NOT_SHOWN,
    NOT_SHOWN_OF_PACKAGE,
    MetricsInputError,
    in_window,
    local_midnight,
    zone,
)
from orders import dispatch_windows
from orders.models import Fulfilment, Order, OrderStatus

UNDISPATCHED = "undispatched"  # not shipped
SHIPPED_NO_SCAN = "shipped-no-scan"
UNSCANNED = "unscanned"
LATE_DELIVERY = "late_delivery"
AT_RISK_KINDS = {
    UNDISPATCHED: "Not shipped: past or within 24 hours of the dispatch deadline",
    SHIPPED_NO_SCAN: "Shipped, no carrier scan yet: past or within 24 hours of the dispatch deadline",
    UNSCANNED: "Packages with tracking uploaded and no carrier scan after 3 days",
    LATE_DELIVERY: "Orders past their deliver-by date and not delivered",
}
# Paid and not yet delivered, completed or cancelled (a positive list, so the status index serves it).
OPEN_STATUSES = [OrderStatus.ON_HOLD, OrderStatus.AWAITING_CONFIRMATION, OrderStatus.CONFIRMED, OrderStatus.PICKING,
                 OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT]


def _open_orders(scope):
    return Q(account_id__in=scope.ids, status__in=OPEN_STATUSES, cancelled_at__isnull=True)


def at_risk_q(kind, scope, now):
    if kind == UNDISPATCHED:
        return Q(account_id__in=scope.ids) & dispatch_windows.at_risk(now)
    if kind == SHIPPED_NO_SCAN:
        return Q(account_id__in=scope.ids) & dispatch_windows.at_risk_shipped_no_scan(now)
    if kind == LATE_DELIVERY:
        return (_open_orders(scope) & Q(fulfilment=Fulfilment.FBS, delivered_at__isnull=True,
                                        delivery_due_at__lt=now))
    if kind == UNSCANNED:
        return (Q(order__account_id__in=scope.ids, order__status__in=OPEN_STATUSES, order__cancelled_at__isnull=True,
                  order__dispatched_at__isnull=True, tracking_uploaded_at__lte=now - NO_SCAN_AFTER,
                  first_scan_at__isnull=True)
                & ~Q(status__in=[Package.Status.CANCELLED, Package.Status.DELIVERED]))
    raise MetricsInputError(f"Unknown at-risk list {kind!r}.", field="kind")


def at_risk_rows(kind, scope, now=None):
    now = now or timezone.now()
    q = at_risk_q(kind, scope, now)
    if kind == UNSCANNED:
        return (Package.objects.filter(q).select_related("order__account", "handover__record")
                .defer(*NOT_SHOWN_OF_PACKAGE)
                .prefetch_related("handover__record__pickups").order_by("tracking_uploaded_at", "id"))
    if kind in (UNDISPATCHED, SHIPPED_NO_SCAN):
        order_by = ("dispatch_due_at", "id")  # served by the (status, dispatch_due_at) index
    else:
        # NULLS FIRST (there are none: the filter needs a date) keeps PostgreSQL from walking the
        # whole delivery_due_at index from the oldest order; it starts from the open statuses.
        order_by = (F("delivery_due_at").asc(nulls_first=True), "id")
    rows = Order.objects.filter(q).select_related("account").defer(*NOT_SHOWN).order_by(*order_by)
    # Which late packages have proof of handover (a SCAN form or manifest, a booked pickup).
    if kind in (UNDISPATCHED, SHIPPED_NO_SCAN):
        return rows.prefetch_related(_packages_with_handover())
    return rows


def _packages_with_handover():
    """The packages of listed orders with their proof of handover, joined (one query; the pickups
    only when a package has a record), without their quoted rates."""
    return Prefetch("packages", queryset=Package.objects.select_related("handover__record").defer("rates")
                    .prefetch_related("handover__record__pickups"))


@dataclass
class AtRiskSummary:
    overdue_dispatch: int
    due_within_24h: int
    unscanned: int
    late_delivery: int
    ldr: Figure | None = None
    shipped_no_scan: int = 0  # shipped, no carrier scan yet, past or within 24 hours of the deadline

    @property
    def undispatched(self):
        """Not shipped: past or within 24 hours of the dispatch deadline."""
        return self.overdue_dispatch + self.due_within_24h

    @property
    def not_dispatched(self):
        """No carrier scan yet, shipped or not: what the late dispatch rate will judge."""
        return self.undispatched + self.shipped_no_scan

    @property
    def total(self):
        return self.not_dispatched + self.unscanned + self.late_delivery

    @property
    def ldr_if_overdue_late(self):
        """The late dispatch rate once the overdue orders are dispatched (all of them late)."""
        if self.ldr is None:
            return None
        return ratio(self.ldr.numerator + self.overdue_dispatch, self.ldr.denominator + self.overdue_dispatch)

    @property
    def ldr_if_all_late(self):
        """The late dispatch rate if every listed order is dispatched after its deadline."""
        if self.ldr is None:
            return None
        return ratio(self.ldr.numerator + self.not_dispatched, self.ldr.denominator + self.not_dispatched)

    def counts(self):
        return {UNDISPATCHED: self.undispatched, SHIPPED_NO_SCAN: self.shipped_no_scan, UNSCANNED: self.unscanned,
                LATE_DELIVERY: self.late_delivery}


def at_risk_summary(scope, now=None, ldr=None):
    """The at-risk counts in three queries; ``ldr`` (the current late dispatch figure) lets it say
    which rate the undispatched orders would produce.

    "Shipped, no carrier scan yet" is counted on its own: the index of open orders with no scan
    (``order_open_to_scan``, orders migration 0014) carries every column that count reads, so
    PostgreSQL answers it from the index alone. Those orders can be thousands (parcels the carrier
    never scanned stay there), and counted together with the others, through a bitmap of three
    indexes, each one cost a visit to its table page."""
    now = now or timezone.now()
    if not scope.accounts:
        return AtRiskSummary(0, 0, 0, 0, ldr)
    undispatched = at_risk_q(UNDISPATCHED, scope, now)
    late = at_risk_q(LATE_DELIVERY, scope, now)
    row = Order.objects.filter(undispatched | late).aggregate(
        overdue=Count("pk", filter=undispatched & dispatch_windows.overdue(now)),
        soon=Count("pk", filter=undispatched & Q(dispatch_due_at__gte=now)),
        late=Count("pk", filter=late),
    )
    shipped = Order.objects.filter(at_risk_q(SHIPPED_NO_SCAN, scope, now)).count()
    unscanned = Package.objects.filter(at_risk_q(UNSCANNED, scope, now)).count()
    return AtRiskSummary(row["overdue"], row["soon"], unscanned, row["late"], ldr, shipped_no_scan=shipped)


# Today's dispatches (the dashboard)


@dataclass
class TodayCounts:
    shipped: int  # packages whose tracking was uploaded today
    collected: int  # orders first scanned by the carrier today (dispatched, as the late dispatch rate counts)
    collected_late: int  # of those, FBS orders scanned after their dispatch deadline
    awaiting_scan: int  # orders with tracking uploaded and no carrier scan yet (any day): not dispatched yet


def today_counts(scope, now=None):
    """Today's dispatch counts, each account's "today" in its own time zone (two queries, each
    served by an index: packages by upload time, orders by first scan and by status)."""
    now = now or timezone.now()
    if not scope.accounts:
        return TodayCounts(0, 0, 0, 0)
    today = []
    for tz, ids in scope.by_zone().items():
        local = now.astimezone(zone(tz)).date()
        today.append((ids, local_midnight(local, zone(tz)), local_midnight(local + dt.timedelta(days=1), zone(tz))))
    collected = in_window("dispatched_at", today)
    awaiting = Q(account_id__in=scope.ids) & dispatch_windows.shipped_no_scan()
    row = Order.objects.filter(collected | awaiting).aggregate(
        collected=Count("pk", filter=collected),
        collected_late=Count("pk", filter=collected & Q(fulfilment=Fulfilment.FBS,
                                                        dispatched_at__gt=F("dispatch_due_at"))),
        awaiting_scan=Count("pk", filter=awaiting),
    )
    shipped = Package.objects.filter(in_window("tracking_uploaded_at", today, "order__account_id")).count()
    return TodayCounts(shipped=shipped, **row)
