"""The after-sales counts that add up from day to day, read as the metrics page reads the four
figures: from the daily snapshots where they are fresh, counted live for the rest.

    counts = page_counts(scope=scope, window=window, now=now)
    counts["cancelled_out_of_stock"], counts["decided"], counts["on_time"]

Those counts are the seller-fault cancellations by reason (by the day the order was placed) and
the buyer requests decided, judged and on time (by the day they were decided), each on a local
day of its own account; a window's count is the sum of its days'. ``daily_counts`` counts them
live for any window with the rules of metrics/selectors/after_sales.py (three queries); the
snapshot job stores them per account and day (``AfterSalesSnapshot``), and ``page_counts`` sums
the stored days from the window's start for as long as every account has a usable one (one
query), then counts the rest live. A snapshot is usable when final or computed within
``METRICS_SNAPSHOT_MAX_AGE_MINUTES``, as for the figures (metrics/selectors/page_figures.py);
``0`` counts everything live.

The two figures that do not add up by day are kept per day as what they are made of
(``DETAILS``): ``returned_orders``, the ids of the orders with a return against the seller
requested that day (a window's numerator is the size of the union, so an order with returns on
two days counts once), and ``response_times``, each decision's response time (a window's median is
the middle of all of them). ``daily_details`` gathers them live (two queries) and
``page_counts(details=...)`` reads them with the counts from the same rows.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from metrics.after_sales_definitions import REASONS
from metrics.models import AfterSalesSnapshot
from metrics.selectors.after_sales import (
    JUDGED,
    ON_TIME,
    RESPONSE_TIMES,
    RETURNED_ORDERS,
    decided_cancellation_requests,
    decided_returns,
    microseconds,
    reason_q,
    response_times,
    seller_fault_cancellations,
    seller_fault_returns,
)
from metrics.selectors.page_figures import first_uncovered_day, full_days_until, snapshot_max_age, usable
from metrics.selectors.scope import Window, bounds
from orders.models import Order

REASON_FIELDS = {reason: f"cancelled_{reason}" for reason in REASONS}
RESPONSE_FIELDS = ("decided", "judged", "on_time", "auto_approved")
FIELDS = (*REASON_FIELDS.values(), *RESPONSE_FIELDS)
DETAILS = (RETURNED_ORDERS, RESPONSE_TIMES)

__all__ = ["DETAILS", "FIELDS", "REASON_FIELDS", "RESPONSE_FIELDS", "RESPONSE_TIMES", "RETURNED_ORDERS",
           "daily_counts", "daily_details", "page_counts", "page_counts_for"]


def daily_details(scope, window) -> dict:
    """{account id: {"returned_orders": [ids], "response_times": [microseconds]}} over ``window``,
    gathered live (two queries; the lists sorted)."""
    result = defaultdict(lambda: {RETURNED_ORDERS: [], RESPONSE_TIMES: []})
    if not scope.accounts:
        return result
    window_bounds = bounds(scope, window)
    returned = (seller_fault_returns(window_bounds).order_by()
                .values_list("order__account_id", "order_id").distinct())
    for account_id, order_id in returned:
        result[account_id][RETURNED_ORDERS].append(order_id)
    for account_id, took in response_times(window_bounds):
        result[account_id][RESPONSE_TIMES].append(microseconds(took))
    for details in result.values():
        details[RETURNED_ORDERS].sort()
        details[RESPONSE_TIMES].sort()
    return result


def daily_counts(scope, window) -> dict:
    """{account id: {field: n}} over ``window``, counted live (three queries)."""
    result = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    if not scope.accounts:
        return result
    window_bounds = bounds(scope, window)
    # created_at (never null) rather than the id: the index of seller-fault cancellations carries
    # every column this count reads, so PostgreSQL can count from it alone (orders migration 0014).
    reasons = (Order.objects.filter(seller_fault_cancellations(window_bounds)).order_by().values("account_id")
               .annotate(**{field: Count("created_at", filter=reason_q(reason))
                            for reason, field in REASON_FIELDS.items()}))
    for row in reasons:
        result[row.pop("account_id")].update(row)
    for requests in (decided_cancellation_requests(window_bounds), decided_returns(window_bounds)):
        rows = requests.order_by().values("account_id").annotate(
            decided=Count("pk"), judged=Count("pk", filter=JUDGED), on_time=Count("pk", filter=ON_TIME),
            auto_approved=Count("pk", filter=Q(auto_approved=True)))
        for row in rows:
            counts = result[row.pop("account_id")]
            for field, n in row.items():
                counts[field] += n
    return result


def _snapshot_rows(scope, requests, now, max_age):
    """{window: {day: [values]}}: the usable snapshots of each requested window's full days, their
    counts (``FIELDS``) then the window's details, read in one query for all the windows. A row
    from before the details were stored (its details null) covers nothing for a window asking
    for them."""
    ranges = {window: (window.date_from, full_days_until(scope, window, now)) for window in requests}
    by_window = {window: defaultdict(list) for window in requests}
    wanted = Q()
    for start, until in ranges.values():
        if start < until:
            wanted |= Q(day__gte=start, day__lt=until)
    if not wanted:
        return by_window, ranges
    details = sorted({name for names in requests.values() for name in names})
    rows = (AfterSalesSnapshot.objects.filter(wanted, account_id__in=scope.ids).filter(usable(now, max_age)).order_by()
            .values_list("day", *FIELDS, *details))
    at = {name: 1 + len(FIELDS) + i for i, name in enumerate(details)}
    # Each window's range, where its details sit in a row and where its days go (looked up once).
    plans = [(start, until, [at[name] for name in requests[window]], by_window[window])
             for window, (start, until) in ranges.items()]
    for row in rows:
        day = row[0]
        for start, until, positions, days in plans:
            if start <= day < until:
                own = [row[i] for i in positions]
                if None not in own:
                    days[day].append((row[1:1 + len(FIELDS)], own))
    return by_window, ranges


def _sums_before(by_day, cut, details):
    """({field: n}, {detail: [values]}) over the days before ``cut``."""
    used = [entry for day, entries in by_day.items() if day < cut for entry in entries]
    sums = [sum(column) for column in zip(*(counts for counts, _own in used), strict=True)] or [0] * len(FIELDS)
    gathered = {name: [] for name in details}
    for _counts, own in used:
        for name, value in zip(details, own, strict=True):
            gathered[name].extend(value)
    return dict(zip(FIELDS, sums, strict=True)), gathered


def page_counts_for(*, scope, requests, now) -> dict:
    """{window: counts} for ``requests`` ({window: details}): what ``page_counts`` gives for each,
    with the snapshots of all of them read in one query."""
    requests = {window: tuple(details) for window, details in requests.items()}
    if not scope.accounts:
        return {window: {**dict.fromkeys(FIELDS, 0), RETURNED_ORDERS: set(), RESPONSE_TIMES: []} for window in requests}
    max_age = snapshot_max_age()
    by_window, ranges = _snapshot_rows(scope, requests, now, max_age) if max_age else ({}, {})
    result = {}
    for window, details in requests.items():
        if window in ranges:
            start, until = ranges[window]
            cut = first_uncovered_day(by_window[window], start, until, len(scope.accounts))
            sums, gathered = _sums_before(by_window[window], cut, details)
        else:
            cut, sums, gathered = window.date_from, dict.fromkeys(FIELDS, 0), {name: [] for name in details}
        if cut < window.date_to:
            rest = Window(cut, window.date_to)
            for counts in daily_counts(scope, rest).values():
                for field, n in counts.items():
                    sums[field] += n
            if details:
                for lists in daily_details(scope, rest).values():
                    for name in details:
                        gathered[name].extend(lists[name])
        counts = {**sums, **gathered}
        if RETURNED_ORDERS in counts:
            counts[RETURNED_ORDERS] = set(counts[RETURNED_ORDERS])
        result[window] = counts
    return result


def page_counts(*, scope, window, now, details=()) -> dict:
    """{field: n} for ``scope`` over ``window`` as of ``now``: snapshots plus live (see the module),
    and for each name in ``details``: ``returned_orders`` the set of order ids, ``response_times``
    the list of microseconds."""
    return page_counts_for(scope=scope, requests={window: details}, now=now)[window]
