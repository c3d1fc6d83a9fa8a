"""Inventory panels on the dashboard: replenishment notifications for the owner."""

from inventory import selectors
from sellerhub.roles import perm


def dashboard_panels(request):
    if not request.user.has_perm(perm("manage_catalogue")):
        return []
    summary = selectors.low_stock_summary(limit=8)
    title = f"Replenish: {summary['count']} below reorder point" if summary["count"] else "Stock levels"
    return [{
        "title": title,
        "template": "inventory/_dashboard_low_stock.html",
        "context": summary,
        "permission": perm("manage_catalogue"),
        "order": 20 if summary["count"] else 80,
    }]
