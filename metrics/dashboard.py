"""The owner's dashboard panels: the four figures as tiles, today's dispatches, at-risk counts.

Each panel runs a fixed number of queries (the accounts once, then one or two aggregates each).
"""

from django.urls import reverse
from django.utils import timezone

from metrics.dashboard_after_sales import decisions_due_panel
from metrics.definitions import LATE_DISPATCH, STATUS_LABELS
from metrics.selectors import (
    AT_RISK_KINDS,
    DENOMINATOR,
    NUMERATOR,
    at_risk_summary,
    default_window,
    page_report,
    resolve_scope,
    today_counts,
)
from sellerhub.roles import perm


def dashboard_panels(request):
    user = request.user
    can_operate, can_see_metrics = user.has_perm(perm("view_operations")), user.has_perm(perm("view_metrics"))
    if not (can_operate or can_see_metrics):
        return []
    now = timezone.now()
    scope = resolve_scope()
    panels = []
    due_panel, due_at_risk = decisions_due_panel(scope, now)  # after-sales decisions due (all who see orders)
    if can_see_metrics:
        report = page_report(scope=scope, window=default_window(scope, now), now=now)  # snapshots + live
        query = f"from={report.window.date_from}&to={report.window.date_to}"
        tiles = [{
            "key": key, "metric": figure.metric, "figure": figure, "status_label": STATUS_LABELS[figure.status],
            "numerator_url": f"{reverse('metrics:rows', args=[key, NUMERATOR])}?{query}",
            "denominator_url": f"{reverse('metrics:rows', args=[key, DENOMINATOR])}?{query}",
        } for key, figure in report.figures.items()]
        panels.append({
            "title": f"Shop figures, last 30 full days ({report.window})", "template": "metrics/_panel_figures.html",
            "context": {"tiles": tiles, "metrics_url": reverse("metrics:index")},
            "permission": perm("view_metrics"), "order": 1, "wide": True,
        })
        at_risk = at_risk_summary(scope, now, ldr=report.figures[LATE_DISPATCH])
        panels.append({
            "title": "At risk now", "template": "metrics/_panel_at_risk.html",
            "context": {"at_risk": at_risk, "lists": [
                {"kind": kind, "title": title, "count": at_risk.counts()[kind],
                 "url": reverse("metrics:at_risk", args=[kind])} for kind, title in AT_RISK_KINDS.items()
            ] + [due_at_risk], "metrics_url": reverse("metrics:index") + "#at-risk"},
            "permission": perm("view_metrics"), "order": 3,
        })
    if can_operate:
        panels.append(due_panel)
        panels.append({
            "title": "Today's dispatches", "template": "metrics/_panel_today.html",
            "context": {"today": today_counts(scope, now)}, "permission": perm("view_operations"), "order": 2,
        })
    return panels
