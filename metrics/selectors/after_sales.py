"""The after-sales figures of shop health, counted in the database with a fixed number of
queries, each with the orders behind it (docs/domain/metrics.md#after-sales-figures).

    report = after_sales_report(scope=resolve_scope(channel="tiktok"), now=now)
    report[NON_BUYER_FAULT_RETURNS].value              # 0.012 (None without orders)
    report[RESPONSE_TIME].median                       # timedelta(hours=9) (None without decisions)
    report[CANCELLATIONS_BY_REASON].counts             # {"out_of_stock": 2, "missed_sla": 1, ...}
    report.figure(NON_BUYER_FAULT_RETURNS).rows("numerator")  # the orders (a QuerySet)

The rules (one Q per clause), for a scope and a window of local dates ``[from, to)`` judged in
each account's own time zone (``in_window``):

* Non-buyer-fault return rate. Denominator: paid (``paid_at`` set), non-sample orders with
  ``created_at`` in the window. Numerator: non-sample orders with at least one return (channel or
  local) whose request time (``requested_at``, else the record's ``created_at``) is in the window,
  with ``seller_fault`` true, and not rejected or withdrawn on the channel. ``seller_fault``
  unknown (null) does not count.
* After-sales response time. Decisions in the window: buyer cancellation requests (not
  withdrawn) and channel returns (not withdrawn, not local) with a request time, decided in the
  window; a request the channel auto-approved is decided at ``decided_at``, else at its
  ``respond_by``. Median of decided minus requested (both tables, in SQL); on time: a deadline
  (``respond_by``) and decided no later than it (exactly at the deadline is on time) and not
  auto-approved; late: every other decision with a deadline or auto-approved. Decisions without a
  deadline count in the median only.
* Seller-fault cancellations by reason: the seller-fault cancellation rate's numerator (paid,
  non-sample orders placed in the window, cancelled by the seller or the system), split by
  ``cancel_reason_code``; a blank code falls back on the initiator: SYSTEM is an automatic
  cancellation for a missed deadline, SELLER a seller's cancellation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from metrics.after_sales_definitions import (
    CANCELLATIONS_BY_REASON,
    DECIDED,
    DEFAULT_DAYS,
    DENOMINATOR,
    FIGURES,
    LATE,
    MISSED_SLA,
    NON_BUYER_FAULT_RETURNS,
    NUMERATOR,
    OTHER_REASON,
    OUT_OF_STOCK,
    REASONS,
    RESPONSE_TIME,
    RETURN_REJECTED,
    RETURN_WITHDRAWN,
    SELLER_REQUEST,
)
from metrics.selectors.rules import CANCELLED, SELLER_FAULT
from metrics.selectors.scope import (
    NOT_SHOWN,
    MetricsInputError,
    Window,
    bounds,
    in_window,
    in_window_across,
    local_today,
)
from orders.models import CancelInitiator, CancellationRequest, Order, Return

BUYER = "buyer"
WITHDRAWN = "withdrawn"
# What a day keeps of the two figures that do not add up by day (metrics/selectors/after_sales_daily.py).
RETURNED_ORDERS, RESPONSE_TIMES = "returned_orders", "response_times"


def default_windows(scope, now=None):
    """{key: Window}: each figure's default window (its last N full days) ending today."""
    end = local_today(scope, now)
    return {key: Window(end - dt.timedelta(days=days), end) for key, days in DEFAULT_DAYS.items()}


# The rules


def _placed(window_bounds):
    """Paid, non-sample orders placed in the window (the denominator of the rates)."""
    return in_window("created_at", window_bounds) & Q(paid_at__isnull=False, is_sample=False)


def seller_fault_returns(window_bounds):
    """Returns that count against the seller: requested in the window, ``seller_fault`` true, not
    rejected or withdrawn on the channel, of a non-sample order."""
    return (Return.objects.alias(asked_at=Coalesce("requested_at", "created_at"))
            .filter(in_window_across("asked_at", window_bounds, "order__account_id"), seller_fault=True,
                    order__is_sample=False)
            .exclude(channel_status__in=[RETURN_REJECTED, RETURN_WITHDRAWN]))


def _closed_at():
    """When a request was decided: ``decided_at``, or its deadline when the channel auto-approved it
    and no decision time was recorded."""
    return Coalesce("decided_at", "respond_by")


def _decided(window_bounds):
    # The request's own account (its order's, as the channel sent both): no join to the orders,
    # whose OR-ed account windows cost PostgreSQL more to plan than the count costs to run.
    return (Q(decided_at__isnull=False) | Q(auto_approved=True, respond_by__isnull=False)) & in_window(
        "closed_at", window_bounds) & Q(requested_at__isnull=False)


def _response_time():
    return ExpressionWrapper(F("closed_at") - F("requested_at"), output_field=DurationField())


def decided_cancellation_requests(window_bounds):
    """Buyer cancellation requests decided in the window (withdrawn ones left out)."""
    return (CancellationRequest.objects.alias(closed_at=_closed_at())
            .filter(_decided(window_bounds), initiator=BUYER).exclude(status=WITHDRAWN))


def decided_returns(window_bounds):
    """Channel returns decided in the window (local returns and withdrawn ones left out)."""
    return (Return.objects.alias(closed_at=_closed_at())
            .filter(_decided(window_bounds), account__isnull=False).exclude(channel_status=RETURN_WITHDRAWN))


ON_TIME = Q(respond_by__isnull=False, auto_approved=False, closed_at__lte=F("respond_by"))
JUDGED = Q(respond_by__isnull=False) | Q(auto_approved=True)
LATE_Q = JUDGED & ~ON_TIME


def reason_q(reason):
    """The seller-fault cancellations of one reason (blank codes fall back on the initiator)."""
    blank = Q(cancel_reason_code="")
    if reason == OUT_OF_STOCK:
        return Q(cancel_reason_code=OUT_OF_STOCK)
    if reason == MISSED_SLA:
        return Q(cancel_reason_code=MISSED_SLA) | (blank & Q(cancel_initiator=CancelInitiator.SYSTEM))
    if reason == SELLER_REQUEST:
        return Q(cancel_reason_code=SELLER_REQUEST) | (blank & Q(cancel_initiator=CancelInitiator.SELLER))
    if reason == OTHER_REASON:
        return ~Q(cancel_reason_code__in=["", OUT_OF_STOCK, MISSED_SLA, SELLER_REQUEST])
    raise MetricsInputError(f"Unknown cancellation reason {reason!r}.", field="part")


def seller_fault_cancellations(window_bounds):
    return _placed(window_bounds) & CANCELLED & Q(cancel_initiator__in=SELLER_FAULT)


# The figures


@dataclass
class ReturnRate:
    window: Window
    numerator: int = 0
    denominator: int = 0
    window_bounds: list = field(default_factory=list, repr=False)
    key: str = NON_BUYER_FAULT_RETURNS
    parts = (NUMERATOR, DENOMINATOR)

    @property
    def value(self):
        return None if not self.denominator else self.numerator / self.denominator

    def as_dict(self):
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                "from": self.window.date_from.isoformat(), "to": self.window.date_to.isoformat()}

    def rows(self, part):
        if part == NUMERATOR:
            returns = seller_fault_returns(self.window_bounds)
            q = Q(pk__in=returns.values("order_id"))
            prefetch = Prefetch("returns", queryset=returns.order_by("id"), to_attr="counted_returns")
        elif part == DENOMINATOR:
            q, prefetch = _placed(self.window_bounds), None
        else:
            raise MetricsInputError(f"Part must be one of {', '.join(self.parts)}.", field="part")
        rows = Order.objects.filter(q).select_related("account").defer(*NOT_SHOWN).order_by("created_at", "id")
        return rows.prefetch_related(prefetch) if prefetch else rows


@dataclass
class ResponseTime:
    window: Window
    decided: int = 0
    judged: int = 0  # with a deadline, or auto-approved
    on_time: int = 0
    auto_approved: int = 0
    median: dt.timedelta | None = None
    window_bounds: list = field(default_factory=list, repr=False)
    key: str = RESPONSE_TIME
    parts = (LATE, DECIDED)

    @property
    def late(self):
        return self.judged - self.on_time

    @property
    def on_time_share(self):
        return None if not self.judged else self.on_time / self.judged

    @property
    def median_hours(self):
        return None if self.median is None else self.median.total_seconds() / 3600

    @property
    def median_text(self):
        """"9 h 30 min" (or "2 d 4 h"); "–" without decisions."""
        if self.median is None:
            return "–"
        minutes = int(self.median.total_seconds() // 60)
        days, minutes = divmod(minutes, 1440)
        hours, minutes = divmod(minutes, 60)
        return f"{days} d {hours} h" if days else f"{hours} h {minutes:02d} min"

    def as_dict(self):
        return {"median_hours": self.median_hours, "on_time_share": self.on_time_share, "decided": self.decided,
                "with_deadline": self.judged, "on_time": self.on_time, "late": self.late,
                "auto_approved": self.auto_approved,
                "from": self.window.date_from.isoformat(), "to": self.window.date_to.isoformat()}

    def rows(self, part):
        if part not in self.parts:
            raise MetricsInputError(f"Part must be one of {', '.join(self.parts)}.", field="part")
        requests = decided_cancellation_requests(self.window_bounds)
        returns = decided_returns(self.window_bounds)
        if part == LATE:
            requests, returns = requests.filter(LATE_Q), returns.filter(LATE_Q)
        q = Q(pk__in=requests.values("order_id")) | Q(pk__in=returns.values("order_id"))
        rows = Order.objects.filter(q).select_related("account").defer(*NOT_SHOWN).order_by("created_at", "id")
        return (rows.prefetch_related(
            Prefetch("cancellation_requests", queryset=requests.annotate(closed=_closed_at()).order_by("id"),
                     to_attr="counted_requests"),
            Prefetch("returns", queryset=returns.annotate(closed=_closed_at()).order_by("id"),
                     to_attr="counted_returns"),
        ))


@dataclass
class CancellationsByReason:
    window: Window
    counts: dict = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    denominator: int = 0
    window_bounds: list = field(default_factory=list, repr=False)
    key: str = CANCELLATIONS_BY_REASON
    parts = tuple(REASONS)

    @property
    def total(self):
        return sum(self.counts.values())

    def rate(self, reason):
        return None if not self.denominator else self.counts[reason] / self.denominator

    @property
    def value(self):
        return None if not self.denominator else self.total / self.denominator

    def as_dict(self):
        return {"denominator": self.denominator, "total": self.total,
                "reasons": {r: {"count": n, "rate": self.rate(r)} for r, n in self.counts.items()},
                "from": self.window.date_from.isoformat(), "to": self.window.date_to.isoformat()}

    def rows(self, part):
        if part == DENOMINATOR:
            q = _placed(self.window_bounds)
        elif part in REASONS:
            q = seller_fault_cancellations(self.window_bounds) & reason_q(part)
        else:
            raise MetricsInputError(f"Part must be one of {', '.join(self.parts)} or {DENOMINATOR}.", field="part")
        return Order.objects.filter(q).select_related("account").defer(*NOT_SHOWN).order_by("created_at", "id")


@dataclass
class AfterSalesReport:
    figures: dict  # key -> ReturnRate | ResponseTime | CancellationsByReason

    def __getitem__(self, key):
        return self.figures[key]

    def figure(self, key):
        if key not in self.figures:
            raise MetricsInputError(f"Unknown after-sales figure {key!r}.", field="key")
        return self.figures[key]

    def as_dict(self):
        return {key: figure.as_dict() for key, figure in self.figures.items()}


def _duration(took):
    """A response time as the database sends it: an interval from PostgreSQL, the microseconds
    Django stores durations as from SQLite."""
    return took if isinstance(took, dt.timedelta) else dt.timedelta(microseconds=took)


def _mean(durations):
    return sum(durations, dt.timedelta()) / len(durations) if durations else None


def microseconds(took):
    """A response time as stored in a snapshot: whole microseconds (exact, as JSON allows)."""
    return took // dt.timedelta(microseconds=1)


def median_of(times):
    """The middle response time of ``times`` (microseconds), or the mean of the middle two, as a
    timedelta; None without any. The same rule as ``_median``."""
    ordered = sorted(times)
    total = len(ordered)
    if not total:
        return None
    middle = {(total + 1) // 2 - 1, (total + 2) // 2 - 1}
    return _mean([dt.timedelta(microseconds=ordered[i]) for i in middle])


def response_times(window_bounds):
    """(account id, response time) of every decision in the window, both tables (two queries)."""
    for requests in (decided_cancellation_requests(window_bounds), decided_returns(window_bounds)):
        for account_id, took in requests.order_by().annotate(took=_response_time()).values_list("account_id", "took"):
            yield account_id, _duration(took)


def _median(requests, returns):
    """The median response time over both tables: the middle one or two durations, found in SQL
    by their rank among all of them (one query; it counts the durations itself, so it never
    depends on counts read elsewhere, such as the daily snapshots)."""
    durations = (requests.order_by().annotate(took=_response_time()).values_list("took")
                 .union(returns.order_by().annotate(took=_response_time()).values_list("took"), all=True))
    sql, params = durations.query.sql_with_params()
    with connections[durations.db].cursor() as cursor:
        cursor.execute(
            "SELECT took FROM (SELECT took, ROW_NUMBER() OVER (ORDER BY took) AS n, COUNT(*) OVER () AS total "
            f"FROM ({sql}) AS durations) AS ranked WHERE n IN ((total + 1) / 2, (total + 2) / 2)", params)
        middle = [_duration(took) for (took,) in cursor.fetchall()]
    return _mean(middle)


def _response_counts(queryset):
    return queryset.aggregate(decided=Count("pk"), judged=Count("pk", filter=JUDGED),
                              on_time=Count("pk", filter=ON_TIME), auto=Count("pk", filter=Q(auto_approved=True)))


def after_sales_report(*, scope, window=None, now=None, placed_count=None, counts_of=None):
    """The three after-sales figures for a scope. ``window`` (a Window) applies to all three;
    without one each takes its default window (returns: the last 60 full days; the others: 30).

    Queries: one for the orders (both rate denominators and the cancellations by reason), one for
    the returns against the seller, one aggregate per request table and one for the median.

    The metrics page gives two readers of its daily snapshots instead (both or neither), each
    asked once for every window it is needed for: ``placed_count({windows})`` says how many paid,
    non-sample orders were placed in each window ({window: n}; the seller-fault cancellation
    rate's denominator), and ``counts_of({window: details})`` gives, for each window, what adds up
    by day: ``cancelled_<reason>`` per reason, ``decided``, ``judged``, ``on_time`` and
    ``auto_approved``, and for the names in its ``details``, ``returned_orders`` (the set of order
    ids with a return against the seller) and ``response_times`` (microseconds)
    (metrics/selectors/after_sales_daily.py). Nothing is then counted here.
    """
    now = now or timezone.now()
    windows = {key: window for key in DEFAULT_DAYS} if window else default_windows(scope, now)
    wb = {key: bounds(scope, w) for key, w in windows.items()}
    returns_rate = ReturnRate(windows[NON_BUYER_FAULT_RETURNS], window_bounds=wb[NON_BUYER_FAULT_RETURNS])
    response = ResponseTime(windows[RESPONSE_TIME], window_bounds=wb[RESPONSE_TIME])
    by_reason = CancellationsByReason(windows[CANCELLATIONS_BY_REASON], window_bounds=wb[CANCELLATIONS_BY_REASON])
    report = AfterSalesReport({NON_BUYER_FAULT_RETURNS: returns_rate, RESPONSE_TIME: response,
                               CANCELLATIONS_BY_REASON: by_reason})
    if not scope.accounts:
        return report

    if counts_of is None:
        requests = decided_cancellation_requests(response.window_bounds)
        returns = decided_returns(response.window_bounds)
        placed_returns, placed_cancel = _placed(returns_rate.window_bounds), _placed(by_reason.window_bounds)
        fault = seller_fault_cancellations(by_reason.window_bounds)
        aggregates = {f"reason_{r}": Count("pk", filter=fault & reason_q(r)) for r in REASONS}
        aggregates.update(returns_d=Count("pk", filter=placed_returns), cancel_d=Count("pk", filter=placed_cancel))
        row = Order.objects.filter(placed_returns | placed_cancel).aggregate(**aggregates)
        returns_rate.denominator, by_reason.denominator = row["returns_d"], row["cancel_d"]
        by_reason.counts = {r: row[f"reason_{r}"] for r in REASONS}
        totals = [_response_counts(requests), _response_counts(returns)]
        response.decided = sum(t["decided"] for t in totals)
        response.judged = sum(t["judged"] for t in totals)
        response.on_time = sum(t["on_time"] for t in totals)
        response.auto_approved = sum(t["auto"] for t in totals)
    else:
        placed = placed_count({returns_rate.window, by_reason.window})
        returns_rate.denominator, by_reason.denominator = placed[returns_rate.window], placed[by_reason.window]
        wanted = {by_reason.window: set()}
        wanted.setdefault(response.window, set()).add(RESPONSE_TIMES)
        wanted.setdefault(returns_rate.window, set()).add(RETURNED_ORDERS)
        daily = counts_of({w: tuple(sorted(names)) for w, names in wanted.items()})
        by_reason.counts = {r: daily[by_reason.window][f"cancelled_{r}"] for r in REASONS}
        counts = daily[response.window]
        response.decided, response.judged = counts["decided"], counts["judged"]
        response.on_time, response.auto_approved = counts["on_time"], counts["auto_approved"]
        response.median = median_of(counts[RESPONSE_TIMES])
        returns_rate.numerator = len(daily[returns_rate.window][RETURNED_ORDERS])
        return report
    returns_rate.numerator = (seller_fault_returns(returns_rate.window_bounds).order_by()
                              .values("order_id").distinct().count())
    response.median = _median(requests, returns)
    return report


def figure_meta(key):
    if key not in FIGURES:
        raise MetricsInputError(f"Unknown after-sales figure {key!r}.", field="key")
    return FIGURES[key]
