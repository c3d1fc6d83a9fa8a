"""The dashboard's "After-sales decisions due" panel (beside the dispatch deadlines): pending
buyer cancellation requests and returns awaiting the seller, soonest deadline first with the
time left, and the at-risk line of requests about to be auto-approved by the channel.

Three queries whatever the number of requests (the counts, then one list per table).
"""

from django.urls import reverse

from metrics.after_sales_definitions import at_risk_within
from metrics.selectors.after_sales_due import decisions_due, due_counts
from metrics.tables_after_sales import due_rows
from sellerhub.roles import perm

PANEL_ROWS = 8


def at_risk_hours():
    return int(at_risk_within().total_seconds() // 3600)


def decisions_due_panel(scope, now):
    """(panel, at-risk entry): the panel for everyone who sees the orders, and the line the
    "At risk now" panel adds for requests about to be auto-approved."""
    counts = due_counts(scope, now)
    items = decisions_due(scope, now, limit=PANEL_ROWS)
    _headers, rows = due_rows(items)
    for item, row in zip(items, rows, strict=True):
        row["item"] = item
    soon_url = f"{reverse('metrics:after_sales_due')}?soon=1"
    panel = {
        "title": "After-sales decisions due", "template": "metrics/_panel_after_sales_due.html",
        "context": {"counts": counts, "rows": rows, "all_url": reverse("metrics:after_sales_due"),
                    "soon_url": soon_url, "hours": at_risk_hours()},
        "permission": perm("view_operations"), "order": 13,
    }
    entry = {"kind": "after-sales", "count": counts.about_to_auto_approve, "url": soon_url,
             "title": f"After-sales requests past or within {at_risk_hours()} hours of their deadline "
                      "(the channel approves them on its own)"}
    return panel, entry
