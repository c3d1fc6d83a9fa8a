"""The after-sales part of the metrics page: the after-sales tiles with the links to their orders,
and the at-risk list of requests about to be auto-approved (``index_context``), plus what the
after-sales pages share (``report_for``, ``PART_TEXT``)."""

from django.urls import reverse

from metrics.after_sales_definitions import (
    CANCELLATIONS_BY_REASON,
    DECIDED,
    DENOMINATOR,
    FIGURES,
    LATE,
    NON_BUYER_FAULT_RETURNS,
    NUMERATOR,
    OWN_READING,
    REASONS,
    RESPONSE_TIME,
    at_risk_within,
)
from metrics.definitions import SELLER_FAULT_CANCELLATION
from metrics.selectors import default_window, page_reports
from metrics.selectors.after_sales import after_sales_report, default_windows
from metrics.selectors.after_sales_daily import page_counts_for
from metrics.selectors.after_sales_due import about_to_auto_approve_preview
from metrics.selectors.page_figures import snapshot_max_age
from metrics.tables import table_markup
from metrics.tables_after_sales import due_rows

PREVIEW = 10
PART_TEXT = {
    (NON_BUYER_FAULT_RETURNS, NUMERATOR): "orders with a return or refund that is not the buyer's fault",
    (NON_BUYER_FAULT_RETURNS, DENOMINATOR): "paid orders placed",
    (RESPONSE_TIME, LATE): "orders with a request decided late or approved by the channel",
    (RESPONSE_TIME, DECIDED): "orders with a request decided",
    (CANCELLATIONS_BY_REASON, DENOMINATOR): "paid orders placed",
    **{(CANCELLATIONS_BY_REASON, reason): f"orders cancelled: {label.lower()}" for reason, label in REASONS.items()},
}


def placed_windows(view):
    """The windows whose orders placed the after-sales rates count (their denominators), which the
    metrics page reads with its tiles, in the same query (metrics/views.py); none when the
    snapshots are off (the after-sales part then counts everything live)."""
    if not snapshot_max_age():
        return set()
    if view.window != default_window(view.scope, view.now):
        return {view.window}
    windows = default_windows(view.scope, view.now)
    return {windows[NON_BUYER_FAULT_RETURNS], windows[CANCELLATIONS_BY_REASON]}


def report_for(view, *, from_snapshots=False):
    """The after-sales figures for the page's scope: the page's window when one was chosen, else
    each figure's own default window (returns: 60 days). ``from_snapshots``: the rates' orders
    placed and the counts that add up by day are read as the metrics page's tiles are, from the
    daily snapshots plus live counts (metrics/selectors/page_figures.py, after_sales_daily.py);
    the page's reports (``view.page_reports``) are used where they hold the window."""
    chosen = view.window != default_window(view.scope, view.now)
    placed = counts_of = None
    if from_snapshots and snapshot_max_age():  # with snapshots off (0), the live count as it stands
        def placed(windows):
            reports = getattr(view, "page_reports", {})
            missing = {w: (SELLER_FAULT_CANCELLATION,) for w in windows
                       if SELLER_FAULT_CANCELLATION not in getattr(reports.get(w), "figures", {})}
            if missing:
                reports = {**reports, **page_reports(scope=view.scope, requests=missing, now=view.now)}
            return {w: reports[w].figures[SELLER_FAULT_CANCELLATION].denominator for w in windows}

        def counts_of(requests):
            return page_counts_for(scope=view.scope, requests=requests, now=view.now)
    return after_sales_report(scope=view.scope, window=view.window if chosen else None, now=view.now,
                              placed_count=placed, counts_of=counts_of)


def part_url(view, key, part, figure):
    query = view.window_query(**{"from": figure.window.date_from.isoformat(), "to": figure.window.date_to.isoformat()})
    return f"{reverse('metrics:after_sales_rows', args=[key, part])}?{query}"


def index_context(view):
    """The after-sales tiles and the at-risk list of requests about to be auto-approved, for the
    metrics page (the view has read its window)."""
    report = report_for(view, from_snapshots=True)
    urls = {(key, part): part_url(view, key, part, report[key]) for key, part in PART_TEXT}
    by_reason = report[CANCELLATIONS_BY_REASON]
    soon, soon_count = about_to_auto_approve_preview(view.scope, view.now, limit=PREVIEW)
    headers, rows = due_rows(soon)
    hours = int(at_risk_within().total_seconds() // 3600)
    return {
        "after_sales": report, "after_sales_figures": FIGURES,
        "after_sales_links": {
            "returns_numerator": urls[(NON_BUYER_FAULT_RETURNS, NUMERATOR)],
            "returns_denominator": urls[(NON_BUYER_FAULT_RETURNS, DENOMINATOR)],
            "response_late": urls[(RESPONSE_TIME, LATE)], "response_decided": urls[(RESPONSE_TIME, DECIDED)],
            "cancellations_denominator": urls[(CANCELLATIONS_BY_REASON, DENOMINATOR)],
        },
        "after_sales_reasons": [
            {"reason": reason, "label": label, "url": urls[(CANCELLATIONS_BY_REASON, reason)],
             "count": by_reason.counts[reason], "rate": by_reason.rate(reason)}
            for reason, label in REASONS.items()
        ],
        "after_sales_own_reading": OWN_READING,
        "after_sales_at_risk": {
            "kind": "after-sales", "title": f"After-sales requests past or within {hours} hours of their deadline "
                                            "(the channel approves them on its own)",
            "count": soon_count, "headers": headers, "rows": rows,
            "table": table_markup(headers, rows),
            "url": f"{reverse('metrics:after_sales_due')}?soon=1",
        },
    }


