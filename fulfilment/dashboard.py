"""The dispatch panel on the dashboard: how many orders are overdue and due today (each shop's own
day, ``orders/dispatch_windows.py``), due within 4 hours and due later today, and the countdown to
the next cut-off."""

from fulfilment import selectors
from sellerhub.roles import perm


def dashboard_panels(request):
    return [{
        "title": "Dispatch",
        "template": "fulfilment/_dashboard.html",
        "context": selectors.dispatch_counts(),
        "permission": perm("view_operations"),
        "order": 12,
    }]
