"""The four figures, computed in the database, exactly as shared/domain/README.md defines them.

    report = metric_report(channel="tiktok", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    report.figures["late_dispatch_rate"].value        # 0.0417 (None for an empty denominator)
    report.figures["late_dispatch_rate"].numerator_rows  # the late orders (a QuerySet)
    report.as_dict()                                   # the JSON of metrics_report and the API

Scope: one account, every account of a channel, or everything. Window: a half-open range of
local dates ``[date_from, date_to)``; each order is judged in its own account's time zone. The
accounts are read first (one query); those sharing a time zone share one pair of UTC bounds,
and the conditions are OR-ed in SQL, so accounts in different zones are evaluated in one query.

The rules (the Q objects below), one per clause of the definitions:

* Late Dispatch Rate. Denominator: orders with ``dispatched_at`` (first carrier scan) in the
  window, FBS and FBT alike. Numerator: the FBS orders among them with
  ``dispatched_at > dispatch_due_at`` (exactly at the deadline is on time).
* Valid Tracking Rate, over packages. Denominator: packages of FBS orders with
  ``label_source=SELLER`` whose ``tracking_uploaded_at`` is in the window, except the pending
  ones: no carrier scan yet and fewer than 5 days (``TRACKING_SCAN_WITHIN``) since the upload at
  ``now``. Numerator: those whose number passed its carrier's format and check digit
  (``tracking_format_valid``, judged when stored) and whose first carrier scan came no later
  than 5 days (120 hours) after the upload (a scan before the upload is in time too). The scan
  is the package's ``first_scan_at``, else the order's ``dispatched_at``; a scan after ``now``
  has not happened yet, so a figure can be recomputed as it stood at any moment (the snapshots
  rely on it).
* On-Time Delivery Rate. Denominator: FBS orders, not cancelled, with ``delivery_due_at`` in the
  window. Numerator: those with ``delivered_at <= delivery_due_at``.
* Seller-fault Cancellation Rate. Denominator: paid (``paid_at`` set), non-sample orders with
  ``created_at`` in the window. Numerator: those cancelled with initiator SELLER or SYSTEM.
  "Cancelled" means status cancelled or ``cancelled_at`` set, here and in the OTDR rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from fulfilment.models import Package
from metrics.definitions import (
    DEFAULT_WINDOW_DAYS,
    DISPATCH_AT_RISK_WITHIN,
    LATE_DISPATCH,
    MAX_WINDOW_DAYS,
    METRIC_KEYS,
    METRICS,
    NO_SCAN_AFTER,
    ON_TIME_DELIVERY,
    SELLER_FAULT_CANCELLATION,
    TRACKING_SCAN_WITHIN,
    TREND_WEEKS,
    VALID_TRACKING,
)
from metrics.models import MetricSnapshot
from orders.models import CancelInitiator, Fulfilment, LabelSource, Order, OrderStatus
from sellerhub.models import Channel, ChannelAccount

UTC = dt.UTC


class MetricsInputError(ValueError):
    """A scope or window that cannot be evaluated, with a message for the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------
# Scope and window
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRef:
    id: int
    name: str
    channel: str
    time_zone: str

    @property
    def zone(self):
        return zone(self.time_zone)

    @property
    def channel_label(self):
        return Channel(self.channel).label if self.channel in Channel.values else self.channel


@dataclass(frozen=True)
class Scope:
    """The accounts a figure covers: one account, all accounts of a channel, or everything."""

    accounts: tuple[AccountRef, ...]
    channel: str | None = None
    account_id: int | None = None

    @property
    def ids(self):
        return [a.id for a in self.accounts]

    @property
    def label(self):
        if self.account_id is not None:
            return self.accounts[0].name if self.accounts else "unknown account"
        if self.channel:
            return Channel(self.channel).label
        return "All channels"

    def by_zone(self):
        """{time zone name: [account ids]}: accounts in one zone share their UTC bounds."""
        groups = defaultdict(list)
        for account in self.accounts:
            groups[account.time_zone].append(account.id)
        return dict(groups)

    def subset(self, ids):
        ids = set(ids)
        return Scope(tuple(a for a in self.accounts if a.id in ids), self.channel, self.account_id)


def zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MetricsInputError(f"Unknown time zone {name!r} on a channel account.") from exc


def resolve_scope(*, account=None, channel=None):
    """Read the accounts in scope (one query). ``account`` is an id or a ChannelAccount."""
    if channel and channel not in Channel.values:
        raise MetricsInputError(
            f"Unknown channel {channel!r}; choose one of {', '.join(Channel.values)}.", field="channel")
    qs = ChannelAccount.objects.order_by("channel", "name", "id")
    account_id = None
    if account is not None and account != "":
        account_id = getattr(account, "pk", account)
        try:
            account_id = int(account_id)
        except (TypeError, ValueError) as exc:
            raise MetricsInputError(f"Account must be a number, not {account!r}.", field="account") from exc
        qs = qs.filter(pk=account_id)
    if channel:
        qs = qs.filter(channel=channel)
    accounts = tuple(AccountRef(*row) for row in qs.values_list("id", "name", "channel", "time_zone"))
    if account_id is not None and not accounts:
        if channel:
            raise MetricsInputError(f"Account {account_id} is not a {Channel(channel).label} account.",
                                    field="account")
        raise MetricsInputError(f"There is no channel account {account_id}.", field="account")
    return Scope(accounts, channel=channel or None, account_id=account_id)


@dataclass(frozen=True)
class Window:
    """Local dates ``[date_from, date_to)``."""

    date_from: dt.date
    date_to: dt.date

    def __post_init__(self):
        if not isinstance(self.date_from, dt.date) or not isinstance(self.date_to, dt.date):
            raise MetricsInputError("A window needs two dates.")
        if self.date_to <= self.date_from:
            raise MetricsInputError(
                f"'to' ({self.date_to}) must be after 'from' ({self.date_from}): the window is the days from "
                f"'from' up to, but not including, 'to'.", field="to")
        if (self.date_to - self.date_from).days > MAX_WINDOW_DAYS:
            raise MetricsInputError(f"A window may span at most {MAX_WINDOW_DAYS} days.", field="to")

    @property
    def days(self):
        return (self.date_to - self.date_from).days

    @property
    def last_day(self):
        return self.date_to - dt.timedelta(days=1)

    def __str__(self):
        return f"{self.date_from} to {self.last_day}" if self.days > 1 else str(self.date_from)


def local_midnight(day, tz):
    """The first instant of a local date, in UTC. Where midnight falls in a DST gap, the day
    starts at the transition (zoneinfo's fold=0 gives exactly that instant)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)


def local_today(scope, now=None):
    """The latest date that has begun in every account of the scope (the site's date without
    accounts), so that "the last 30 full days" are full in every time zone."""
    now = now or timezone.now()
    if not scope.accounts:
        return timezone.localtime(now).date()
    return min(now.astimezone(zone(tz)).date() for tz in scope.by_zone())


def default_window(scope, now=None):
    """The last 30 full days."""
    end = local_today(scope, now)
    return Window(end - dt.timedelta(days=DEFAULT_WINDOW_DAYS), end)


def bounds(scope, window):
    """[(account ids, start UTC, end UTC)] per time zone."""
    return [
        (ids, local_midnight(window.date_from, zone(tz)), local_midnight(window.date_to, zone(tz)))
        for tz, ids in scope.by_zone().items()
    ]


def in_window(field_name, window_bounds, account_field="account_id"):
    """``field_name`` within each account's own UTC bounds (OR-ed per time zone).

    With several time zones the OR is wrapped in the overall range (earliest start, latest end):
    redundant for the result, but it gives PostgreSQL an index range to scan when a list is
    ordered by that field (else it walks the whole index and filters)."""
    if not window_bounds:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for ids, start, end in window_bounds:
        q |= Q(**{f"{account_field}__in": ids, f"{field_name}__gte": start, f"{field_name}__lt": end})
    if len(window_bounds) > 1:
        overall = {f"{field_name}__gte": min(b[1] for b in window_bounds),
                   f"{field_name}__lt": max(b[2] for b in window_bounds)}
        q = Q(**overall) & q
    return q


# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------

CANCELLED = Q(status=OrderStatus.CANCELLED) | Q(cancelled_at__isnull=False)
NOT_CANCELLED = Q(cancelled_at__isnull=True) & ~Q(status=OrderStatus.CANCELLED)
SELLER_FAULT = [CancelInitiator.SELLER, CancelInitiator.SYSTEM]


@dataclass(frozen=True)
class Rule:
    model: type
    window: Q  # the window part alone (drives the index)
    denominator: Q
    numerator: Q  # includes the denominator's conditions
    order_by: tuple


def scan_at():
    """A package's first carrier scan: its own, else its order's first scan."""
    return Coalesce("first_scan_at", "order__dispatched_at")


def packages():
    return Package.objects.alias(scan_at=scan_at())


def rules(window_bounds, now):
    ldr_window = in_window("dispatched_at", window_bounds)
    ldr_den = ldr_window
    ldr_num = ldr_den & Q(fulfilment=Fulfilment.FBS, dispatched_at__gt=F("dispatch_due_at"))

    vtr_window = in_window("tracking_uploaded_at", window_bounds, "order__account_id")
    scanned = Q(scan_at__lte=now)
    vtr_den = vtr_window & Q(order__fulfilment=Fulfilment.FBS, order__label_source=LabelSource.SELLER) & (
        scanned | Q(tracking_uploaded_at__lte=now - TRACKING_SCAN_WITHIN)  # i.e. not pending
    )
    scan_deadline = ExpressionWrapper(F("tracking_uploaded_at") + TRACKING_SCAN_WITHIN, output_field=DateTimeField())
    vtr_num = vtr_den & Q(tracking_format_valid=True) & scanned & Q(scan_at__lte=scan_deadline)

    otdr_window = in_window("delivery_due_at", window_bounds)
    otdr_den = otdr_window & Q(fulfilment=Fulfilment.FBS) & NOT_CANCELLED
    otdr_num = otdr_den & Q(delivered_at__lte=F("delivery_due_at"))

    sfcr_window = in_window("created_at", window_bounds)
    sfcr_den = sfcr_window & Q(paid_at__isnull=False, is_sample=False)
    sfcr_num = sfcr_den & CANCELLED & Q(cancel_initiator__in=SELLER_FAULT)

    return {
        LATE_DISPATCH: Rule(Order, ldr_window, ldr_den, ldr_num, ("dispatched_at", "id")),
        VALID_TRACKING: Rule(Package, vtr_window, vtr_den, vtr_num, ("tracking_uploaded_at", "id")),
        ON_TIME_DELIVERY: Rule(Order, otdr_window, otdr_den, otdr_num, ("delivery_due_at", "id")),
        SELLER_FAULT_CANCELLATION: Rule(Order, sfcr_window, sfcr_den, sfcr_num, ("created_at", "id")),
    }


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

NUMERATOR = "numerator"
DENOMINATOR = "denominator"
PARTS = (NUMERATOR, DENOMINATOR)


def ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


@dataclass
class Figure:
    key: str
    numerator: int = 0
    denominator: int = 0
    rule: Rule | None = field(default=None, repr=False)

    @property
    def metric(self):
        return METRICS[self.key]

    @property
    def value(self):
        return ratio(self.numerator, self.denominator)

    @property
    def status(self):
        return self.metric.status(self.value)

    def as_dict(self):
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}

    def rows(self, part):
        """The orders (packages for the valid tracking rate) behind one part of the figure."""
        if part not in PARTS:
            raise MetricsInputError(f"Part must be one of {', '.join(PARTS)}.", field="part")
        q = self.rule.numerator if part == NUMERATOR else self.rule.denominator
        if self.rule.model is Package:
            return packages().filter(q).select_related("order__account").order_by(*self.rule.order_by)
        return Order.objects.filter(q).select_related("account").order_by(*self.rule.order_by)

    @property
    def numerator_rows(self):
        return self.rows(NUMERATOR)

    @property
    def denominator_rows(self):
        return self.rows(DENOMINATOR)

    def orders(self, part):
        """The orders behind one part (for packages: the orders the packages belong to)."""
        rows = self.rows(part)
        if self.rule.model is Package:
            return Order.objects.filter(pk__in=rows.values("order_id")).select_related("account")
        return rows

    def add(self, numerator, denominator):
        self.numerator += numerator
        self.denominator += denominator


@dataclass
class Report:
    scope: Scope
    window: Window
    now: dt.datetime
    figures: dict  # key -> Figure
    per_account: dict  # account id -> {key: Figure}

    def as_dict(self):
        """Exactly the JSON of ``metrics_report --json`` and ``GET /api/v1/metrics``."""
        return {key: self.figures[key].as_dict() for key in self.figures}

    def __getitem__(self, key):
        return self.figures[key]

    @cached_property
    def by_channel(self):
        """[(channel, label, {key: Figure})] for the channels in scope, in channel order."""
        rows = {}
        for account in self.scope.accounts:
            entry = rows.setdefault(account.channel, (account.channel, account.channel_label,
                                                      {k: Figure(k, rule=None) for k in self.figures}))
            for key, figure in self.per_account.get(account.id, {}).items():
                entry[2][key].add(figure.numerator, figure.denominator)
        return list(rows.values())

    @cached_property
    def by_account(self):
        return [(account, self.per_account.get(account.id) or {k: Figure(k) for k in self.figures})
                for account in self.scope.accounts]


def counts_by_account(scope, window, now, keys=METRIC_KEYS):
    """{account id: {key: (numerator, denominator)}} in at most two queries (orders, packages)."""
    result = defaultdict(dict)
    if not scope.accounts:
        return result
    window_rules = rules(bounds(scope, window), now)
    order_keys = [k for k in keys if window_rules[k].model is Order]
    if order_keys:
        any_window = Q(pk__in=[])
        aggregates = {}
        for key in order_keys:
            rule = window_rules[key]
            any_window |= rule.window
            aggregates[f"{key}__n"] = Count("pk", filter=rule.numerator)
            aggregates[f"{key}__d"] = Count("pk", filter=rule.denominator)
        for row in Order.objects.filter(any_window).order_by().values("account_id").annotate(**aggregates):
            for key in order_keys:
                result[row["account_id"]][key] = (row[f"{key}__n"], row[f"{key}__d"])
    if VALID_TRACKING in keys:
        rule = window_rules[VALID_TRACKING]
        rows = (packages().filter(rule.denominator).order_by().values("order__account_id")
                .annotate(n=Count("pk", filter=rule.numerator), d=Count("pk")))
        for row in rows:
            result[row["order__account_id"]][VALID_TRACKING] = (row["n"], row["d"])
    return result


def metric_report(*, account=None, channel=None, date_from=None, date_to=None, now=None, scope=None,
                  keys=METRIC_KEYS):
    """The four figures (or ``keys``) for a scope and window; the default window is the last 30
    full days. Dates may be given as ``date`` objects; ``now`` decides which packages are still
    pending (default: the current time)."""
    now = now or timezone.now()
    scope = scope or resolve_scope(account=account, channel=channel)
    if date_from is None and date_to is None:
        window = default_window(scope, now)
    elif date_from is None or date_to is None:
        raise MetricsInputError("Give both 'from' and 'to', or neither for the last 30 full days.",
                                field="from" if date_from is None else "to")
    else:
        window = Window(date_from, date_to)
    window_rules = rules(bounds(scope, window), now)
    counts = counts_by_account(scope, window, now, keys)
    figures = {key: Figure(key, rule=window_rules[key]) for key in keys}
    per_account = {}
    for account_id, by_key in counts.items():
        per_account[account_id] = {}
        for key in keys:
            numerator, denominator = by_key.get(key, (0, 0))
            figures[key].add(numerator, denominator)
            per_account[account_id][key] = Figure(key, numerator, denominator)
    return Report(scope, window, now, figures, per_account)


# ---------------------------------------------------------------------------------------------
# The weekly trend, from the daily snapshots
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# At risk
# ---------------------------------------------------------------------------------------------

UNDISPATCHED = "undispatched"
UNSCANNED = "unscanned"
LATE_DELIVERY = "late_delivery"
AT_RISK_KINDS = {
    UNDISPATCHED: "Orders to dispatch: past or within 24 hours of the dispatch deadline",
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
        return (_open_orders(scope) & Q(fulfilment=Fulfilment.FBS, dispatched_at__isnull=True,
                                        dispatch_due_at__lte=now + DISPATCH_AT_RISK_WITHIN))
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
        return Package.objects.filter(q).select_related("order__account").order_by("tracking_uploaded_at", "id")
    if kind == UNDISPATCHED:
        order_by = ("dispatch_due_at", "id")  # served by the (status, dispatch_due_at) index
    else:
        # NULLS FIRST (there are none: the filter needs a date) keeps PostgreSQL from walking the
        # whole delivery_due_at index from the oldest order; it starts from the open statuses.
        order_by = (F("delivery_due_at").asc(nulls_first=True), "id")
    return Order.objects.filter(q).select_related("account").order_by(*order_by)


@dataclass
class AtRiskSummary:
    overdue_dispatch: int
    due_within_24h: int
    unscanned: int
    late_delivery: int
    ldr: Figure | None = None

    @property
    def undispatched(self):
        return self.overdue_dispatch + self.due_within_24h

    @property
    def total(self):
        return self.undispatched + self.unscanned + self.late_delivery

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
        return ratio(self.ldr.numerator + self.undispatched, self.ldr.denominator + self.undispatched)

    def counts(self):
        return {UNDISPATCHED: self.undispatched, UNSCANNED: self.unscanned, LATE_DELIVERY: self.late_delivery}


def at_risk_summary(scope, now=None, ldr=None):
    """The at-risk counts in two queries; ``ldr`` (the current late dispatch figure) lets it say
    which rate the undispatched orders would produce."""
    now = now or timezone.now()
    if not scope.accounts:
        return AtRiskSummary(0, 0, 0, 0, ldr)
    undispatched = at_risk_q(UNDISPATCHED, scope, now)
    late = at_risk_q(LATE_DELIVERY, scope, now)
    row = Order.objects.filter(undispatched | late).aggregate(
        overdue=Count("pk", filter=undispatched & Q(dispatch_due_at__lt=now)),
        soon=Count("pk", filter=undispatched & Q(dispatch_due_at__gte=now)),
        late=Count("pk", filter=late),
    )
    unscanned = Package.objects.filter(at_risk_q(UNSCANNED, scope, now)).count()
    return AtRiskSummary(row["overdue"], row["soon"], unscanned, row["late"], ldr)


# ---------------------------------------------------------------------------------------------
# Today's dispatches (the dashboard)
# ---------------------------------------------------------------------------------------------


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
    awaiting = _open_orders(scope) & Q(tracking_uploaded_at__isnull=False, dispatched_at__isnull=True)
    row = Order.objects.filter(collected | awaiting).aggregate(
        collected=Count("pk", filter=collected),
        collected_late=Count("pk", filter=collected & Q(fulfilment=Fulfilment.FBS,
                                                        dispatched_at__gt=F("dispatch_due_at"))),
        awaiting_scan=Count("pk", filter=awaiting),
    )
    shipped = Package.objects.filter(in_window("tracking_uploaded_at", today, "order__account_id")).count()
    return TodayCounts(shipped=shipped, **row)
