"""The metrics' reads: the four figures, computed in the database exactly as
docs/domain/metrics.md defines them, their weekly trend and what is at risk.

    report = metric_report(channel="tiktok", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))

``scope`` (the accounts and the window), ``rules`` (one Q object per clause of the definitions),
``figures`` (the counts and the report), ``trend`` (weeks from the daily snapshots) and
``at_risk`` (at-risk lists and today's dispatch counts). Every name is importable from here.
"""

from metrics.selectors.after_sales import AfterSalesReport, after_sales_report
from metrics.selectors.after_sales_due import DueItem, about_to_auto_approve, decisions_due, due_counts
from metrics.selectors.at_risk import (
    AT_RISK_KINDS,
    LATE_DELIVERY,
    OPEN_STATUSES,
    SHIPPED_NO_SCAN,
    UNDISPATCHED,
    UNSCANNED,
    AtRiskSummary,
    TodayCounts,
    at_risk_q,
    at_risk_rows,
    at_risk_summary,
    today_counts,
)
from metrics.selectors.figures import (
    DENOMINATOR,
    NUMERATOR,
    PARTS,
    Figure,
    Report,
    counts_by_account,
    metric_report,
    ratio,
)
from metrics.selectors.page_figures import page_report, page_reports, snapshot_max_age
from metrics.selectors.rules import CANCELLED, NOT_CANCELLED, SELLER_FAULT, Rule, packages, rules, scan_at
from metrics.selectors.scope import (
    UTC,
    AccountRef,
    MetricsInputError,
    Scope,
    Window,
    bounds,
    default_window,
    in_window,
    local_midnight,
    local_today,
    resolve_scope,
    zone,
)
from metrics.selectors.trend import WeekPoint, trend_weeks, weekly_trend

__all__ = [
    "AT_RISK_KINDS", "CANCELLED", "DENOMINATOR", "LATE_DELIVERY", "NOT_CANCELLED", "NUMERATOR", "OPEN_STATUSES",
    "PARTS", "SELLER_FAULT", "SHIPPED_NO_SCAN",
    "UNDISPATCHED", "UNSCANNED", "UTC", "AccountRef", "AtRiskSummary", "Figure",
    "MetricsInputError", "Report", "Rule", "Scope", "TodayCounts", "Window", "WeekPoint", "at_risk_q", "at_risk_rows",
    "at_risk_summary", "bounds", "counts_by_account", "default_window", "in_window", "local_midnight", "local_today",
    "metric_report", "packages", "ratio", "resolve_scope", "rules", "scan_at", "today_counts", "trend_weeks",
    "weekly_trend", "zone",
]
# The after-sales figures and decisions due (metrics/selectors/after_sales.py, after_sales_due.py).
__all__ += ["AfterSalesReport", "DueItem", "about_to_auto_approve", "after_sales_report", "decisions_due", "due_counts"]
# The metrics page's figures: daily snapshots plus live counts (metrics/selectors/page_figures.py).
__all__ += ["page_report", "page_reports", "snapshot_max_age"]
