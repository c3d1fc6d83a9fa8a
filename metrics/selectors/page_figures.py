"""The figures the metrics page and the dashboard show: the daily snapshots where they are fresh,
the live count for the rest (today, and any day without a usable snapshot).

    report = page_report(scope=scope, window=window, now=now)   # the same Report as metric_report

A window's figure is the sum of its days' figures (every rule counts a row on one local day of
its account), so the full days come from ``MetricSnapshot`` rows (one query), and only the days
from the first one not covered for every account and figure up to the window's end are counted
live (``counts_by_account``, at most two queries). A snapshot is used when it is final (settled,
never rewritten) or was computed within ``METRICS_SNAPSHOT_MAX_AGE_MINUTES`` (90 by default; the
hourly job, metrics/cron.py, keeps the recent days that fresh). ``0`` turns this off: every figure
is counted live, as ``metric_report`` does.

The numbers behind a figure (the drill-down pages, ``Figure.rows``), the API and
``metrics_report`` always count live: they are exact at the moment they are read. The page's tile
may lag a late change to a recent day by at most the snapshot age above (a cancellation, a scan
synced late); the next hourly run catches it up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from metrics.definitions import METRIC_KEYS
from metrics.models import MetricSnapshot
from metrics.selectors.figures import Report, counts_by_account, metric_report, report_from_counts
from metrics.selectors.scope import Window

DEFAULT_MAX_AGE_MINUTES = 90

__all__ = ["page_report", "page_reports", "snapshot_max_age"]


def snapshot_max_age() -> dt.timedelta:
    minutes = getattr(settings, "METRICS_SNAPSHOT_MAX_AGE_MINUTES", DEFAULT_MAX_AGE_MINUTES)
    try:
        return dt.timedelta(minutes=max(0.0, float(minutes)))
    except (TypeError, ValueError):
        return dt.timedelta(minutes=DEFAULT_MAX_AGE_MINUTES)


def full_days_until(scope, window, now):
    """The end of the window's full days: its end, or the earliest account's today if sooner."""
    return min(window.date_to, *(now.astimezone(a.zone).date() for a in scope.accounts))


def first_uncovered_day(by_day, start, until, needed):
    """The first day from ``start`` (up to ``until``) with fewer than ``needed`` usable snapshots in
    ``by_day`` ({day: [rows]})."""
    cut = start
    while cut < until and len(by_day.get(cut, ())) == needed:
        cut += dt.timedelta(days=1)
    return cut


def usable(now, max_age):
    """The snapshots a page may use: final, or computed within ``max_age`` before ``now``."""
    return Q(is_final=True) | Q(computed_at__gte=now - max_age, computed_at__lte=now)


def _snapshot_rows(scope, requests, now, max_age):
    """{window: {day: [(account id, key, numerator, denominator)]}}: the usable snapshots of each
    requested window's full days and keys, read in one query for all of them."""
    ranges = {window: (window.date_from, full_days_until(scope, window, now)) for window in requests}
    wanted = Q()
    for window, (start, until) in ranges.items():
        if start < until:
            wanted |= Q(day__gte=start, day__lt=until, metric__in=requests[window])
    by_window = {window: defaultdict(list) for window in requests}
    if not wanted:
        return by_window, ranges
    rows = (MetricSnapshot.objects.filter(wanted, account_id__in=scope.ids).filter(usable(now, max_age)).order_by()
            .values_list("account_id", "day", "metric", "numerator", "denominator"))
    # Each window's range, keys and days, looked up once rather than for every row.
    plans = [(start, until, frozenset(requests[window]), by_window[window])
             for window, (start, until) in ranges.items()]
    for row in rows:
        day, metric = row[1], row[2]
        for start, until, keys, days in plans:
            if start <= day < until and metric in keys:
                days[day].append((row[0], metric, row[3], row[4]))
    return by_window, ranges


def _sums_before(by_day, cut):
    """{account id: {key: [n, d]}} summed over the days before ``cut``."""
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for day, entries in by_day.items():
        if day < cut:
            for account_id, metric, numerator, denominator in entries:
                pair = sums[account_id][metric]
                pair[0] += numerator
                pair[1] += denominator
    return sums


def page_reports(*, scope, requests, now) -> dict:
    """{window: Report} for ``requests`` ({window: keys}) as of ``now``: what ``page_report``
    gives for each, with the snapshots of all of them read in one query (the metrics page asks
    for its tiles' window and the windows of the after-sales rates together)."""
    max_age = snapshot_max_age()
    requests = {window: tuple(keys) for window, keys in requests.items()}
    if not max_age or not scope.accounts:
        return {window: metric_report(scope=scope, date_from=window.date_from, date_to=window.date_to, now=now,
                                      keys=keys) for window, keys in requests.items()}
    by_window, ranges = _snapshot_rows(scope, requests, now, max_age)
    reports = {}
    for window, keys in requests.items():
        start, until = ranges[window]
        cut = first_uncovered_day(by_window[window], start, until, len(scope.accounts) * len(keys))
        sums = _sums_before(by_window[window], cut)
        if cut < window.date_to:
            for account_id, by_key in counts_by_account(scope, Window(cut, window.date_to), now, keys).items():
                for key, (numerator, denominator) in by_key.items():
                    pair = sums[account_id][key]
                    pair[0] += numerator
                    pair[1] += denominator
        reports[window] = report_from_counts(scope, window, now, keys, sums)
    return reports


def page_report(*, scope, window, now, keys=METRIC_KEYS) -> Report:
    """The figures of ``scope`` over ``window`` as of ``now``: snapshots plus live (see the module)."""
    return page_reports(scope=scope, requests={window: keys}, now=now)[window]
