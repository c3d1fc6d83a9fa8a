"""The Owner's authorisation banner, on every page: TikTok said a seller's authorisation of
SellerHub ends soon (webhook type 7), or the seller withdrew it (type 6). Only for who may manage
channels (the Owner); one query, and none for the other roles."""

from django.utils import timezone

from channels import health
from sellerhub.roles import perm


def authorization_banner(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(perm("manage_channels")):
        return {}
    now = timezone.now()
    notices = []
    for account in health.expiring_authorisations():
        notices.append({"account": account, "expires_at": account.authorization_expires_at,
                        "expired": bool(account.authorization_expires_at and account.authorization_expires_at <= now),
                        "withdrawn": account.state == account.State.NEEDS_REAUTH})
    return {"authorization_notices": notices}
