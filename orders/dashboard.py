"""The orders panel on the dashboard: what to dispatch now and what waits for a person."""

from orders import selectors
from sellerhub.roles import perm


def dashboard_panels(request):
    return [{
        "title": "Orders",
        "template": "orders/_dashboard.html",
        "context": selectors.queue_counts(),
        "permission": perm("view_operations"),
        "order": 10,
    }]
