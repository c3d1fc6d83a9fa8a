"""The channel sync panel on the dashboard: per account, its connection state (connected, failing
since..., needs re-authorisation, paused, disconnected), when orders last arrived, errors and the
stock still to push."""

from channels import selectors
from sellerhub.roles import perm


def dashboard_panels(request):
    if not request.user.has_perm(perm("view_channels")):
        return []
    return [{
        "title": "Channel sync",
        "template": "channels/_dashboard.html",
        "context": {"accounts": _with_health(selectors.accounts_overview())},
        "permission": perm("view_channels"),
        "order": 40,
    }]


def _with_health(accounts):
    accounts = list(accounts)
    for account in accounts:
        account.health = selectors.health_of(account)
    return accounts
