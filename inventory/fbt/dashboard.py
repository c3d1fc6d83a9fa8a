"""The owner's dashboard panel: replenishment alerts of FBT stock and inbound shipments under way
(loaded by sellerhub/dashboard.py as "inventory.fbt")."""

from inventory.fbt import selectors
from sellerhub.roles import perm


def dashboard_panels(request):
    if not request.user.has_perm(perm("manage_catalogue")):
        return []
    summary = selectors.dashboard_summary(limit=6)
    if summary["alert_count"]:
        title = f"FBT: {summary['alert_count']} replenishment alert{'s' if summary['alert_count'] != 1 else ''}"
    else:
        title = "FBT stock"
    return [{
        "title": title,
        "template": "inventory/fbt/_dashboard.html",
        "context": summary,
        "permission": perm("manage_catalogue"),
        "order": 15 if summary["alert_count"] else 85,
    }]
