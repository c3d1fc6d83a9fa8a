"""The words of the dispatch deadline, defined once: "not shipped", "overdue", "due today",
"at risk", "shipped, no carrier scan yet" and "dispatched" (docs/domain/words.md).

Each word is one condition (a ``Q`` on ``Order``) built here, and "today" is always the shop's own
calendar day (``ChannelAccount.time_zone``), never the site's. The queue, the pick-list page, the
dispatch board, the dashboard cards, the at-risk lists, the metrics and the API call these
functions; none of them computes its own. Counting is set-based: the accounts' time zones are read
once (one query), shops sharing a zone share one pair of UTC bounds, and the counts are one
aggregate (so two queries in all, whatever the number of orders or shops).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from orders.models import PRE_SHIP_STATUSES, Fulfilment, Order, OrderStatus
from sellerhub.models import ChannelAccount

# "At risk": not dispatched yet and past, or within this long of, the dispatch deadline.
AT_RISK_WITHIN = dt.timedelta(hours=24)
# Tracking uploaded ("shipped") but not scanned by the carrier yet.
SHIPPED_STATUSES_WITHOUT_SCAN = (OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)


def shop_zone(name: str) -> ZoneInfo:
    """A shop's time zone; an unknown name falls back to the site's (TIME_ZONE)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The first instant of a local date, in UTC (in a DST gap, the transition itself)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


@dataclass(frozen=True)
class ShopDay:
    """One time zone's "today" as UTC bounds ``[start, end)``, and the shops that live in it."""

    time_zone: str
    account_ids: tuple[int, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class ShopDays:
    """Every shop's "today" at one instant ``now``."""

    now: dt.datetime
    days: tuple[ShopDay, ...]

    def end_of_today(self) -> Q:
        """The dispatch deadline falls before the end of its own shop's day."""
        q = Q(pk__in=[])
        for day in self.days:
            q |= Q(account_id__in=day.account_ids, dispatch_due_at__lt=day.end)
        return q

    def zone_of(self, account_id: int) -> str:
        return next((d.time_zone for d in self.days if account_id in d.account_ids), settings.TIME_ZONE)


def shop_days(now: dt.datetime | None = None, *, account_ids=None) -> ShopDays:
    """Each shop's today (one query: the accounts and their time zones)."""
    now = now or timezone.now()
    accounts = ChannelAccount.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    by_zone = defaultdict(list)
    for pk, name in accounts.order_by("pk").values_list("pk", "time_zone"):
        by_zone[name].append(pk)
    days = []
    for name, ids in sorted(by_zone.items()):
        tz = shop_zone(name)
        local = now.astimezone(tz).date()
        days.append(ShopDay(name, tuple(ids), local_midnight(local, tz),
                            local_midnight(local + dt.timedelta(days=1), tz)))
    return ShopDays(now=now, days=tuple(days))


# ---------------------------------------------------------------------------------------------
# The words, one condition each


def not_shipped() -> Q:
    """Orders the seller ships (FBS), not cancelled, with no tracking uploaded yet."""
    return Q(fulfilment=Fulfilment.FBS, status__in=PRE_SHIP_STATUSES, cancelled_at__isnull=True)


def overdue(now: dt.datetime) -> Q:
    """Not shipped and its dispatch deadline has passed."""
    return not_shipped() & Q(dispatch_due_at__lt=now)


def due_today(days: ShopDays) -> Q:
    """Not shipped, deadline not passed yet, and falling before the end of the shop's own day."""
    return not_shipped() & Q(dispatch_due_at__gte=days.now) & days.end_of_today()


def due_by_end_of_today(days: ShopDays) -> Q:
    """Overdue or due today: what "pick everything due today" takes."""
    return overdue(days.now) | due_today(days)


def dispatched() -> Q:
    """The carrier's first scan has happened (what TikTok's late dispatch rate counts)."""
    return Q(dispatched_at__isnull=False)


def shipped_no_scan() -> Q:
    """Shipped (tracking uploaded) by the seller, FBS, not cancelled, but no carrier scan yet."""
    return Q(fulfilment=Fulfilment.FBS, status__in=SHIPPED_STATUSES_WITHOUT_SCAN, cancelled_at__isnull=True,
             dispatched_at__isnull=True)


def at_risk(now: dt.datetime) -> Q:
    """Not shipped, and past or within 24 hours of the dispatch deadline."""
    return not_shipped() & Q(dispatch_due_at__lte=now + AT_RISK_WITHIN)


def at_risk_shipped_no_scan(now: dt.datetime) -> Q:
    """Shipped, no carrier scan yet, and past or within 24 hours of the dispatch deadline: the
    order still counts as dispatched late if the carrier's first scan comes after it."""
    return shipped_no_scan() & Q(dispatch_due_at__lte=now + AT_RISK_WITHIN)


# ---------------------------------------------------------------------------------------------
# The counts every page shows


@dataclass(frozen=True)
class DispatchCounts:
    overdue: int
    due_today: int
    at_risk: int  # not shipped, overdue or due within 24 hours
    shipped_no_scan: int  # shipped, no carrier scan yet, overdue or due within 24 hours
    next_due: dt.datetime | None  # the next deadline still ahead (not shipped)

    @property
    def due_by_end_of_today(self) -> int:
        return self.overdue + self.due_today


def dispatch_counts(now: dt.datetime | None = None, *, account_ids=None) -> DispatchCounts:
    """The dispatch words' counts at ``now`` (two queries: the shops' zones, one aggregate)."""
    days = shop_days(now, account_ids=account_ids)
    now = days.now
    orders = Order.objects.filter(not_shipped() | shipped_no_scan(), dispatch_due_at__isnull=False)
    if account_ids is not None:
        orders = orders.filter(account_id__in=[pk for day in days.days for pk in day.account_ids])
    row = orders.aggregate(
        overdue=Count("pk", filter=overdue(now)),
        due_today=Count("pk", filter=due_today(days)),
        at_risk=Count("pk", filter=at_risk(now)),
        shipped_no_scan=Count("pk", filter=at_risk_shipped_no_scan(now)),
        next_due=Min("dispatch_due_at", filter=not_shipped() & Q(dispatch_due_at__gte=now)),
    )
    return DispatchCounts(**row)
