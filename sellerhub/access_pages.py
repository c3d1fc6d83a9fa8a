"""The Owner's Access page (``/settings/access/``): the API tokens (user, created, expiry, never
the key) with a revoke button per device, the locked-out logins with an unlock button, and the
right of Ops to change users and groups in the admin (``manage_staff``, off by default)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from knox.models import AuthToken

from sellerhub import access
from sellerhub.access import role_required
from sellerhub.roles import perm

PERMISSION = perm("manage_access")


@role_required(PERMISSION)
def access_page(request):
    tokens = AuthToken.objects.select_related("user").order_by("user__username", "-created")
    return render(request, "settings/access.html", {
        "title": "Access",
        "tokens": [{"ref": t.digest, "user": t.user.get_username(), "created": t.created, "expiry": t.expiry}
                   for t in tokens],
        "lockouts": list(access.locked_out()),
        "ops_staff_right": access.ops_staff_right(),
    })


@role_required(PERMISSION)
@require_POST
def revoke_token(request):
    if access.revoke_token(digest=request.POST.get("token", "")):
        messages.success(request, "Token revoked: the device using it must log in again.")
    else:
        messages.error(request, "That token no longer exists (revoked or expired).")
    return redirect("access_settings")


@role_required(PERMISSION)
@require_POST
def unlock(request):
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    if access.unlock(username=username, ip_address=ip_address):
        messages.success(request, f"Unlocked {username or ip_address}.")
    else:
        messages.error(request, "Nothing to unlock.")
    return redirect("access_settings")


@role_required(PERMISSION)
@require_POST
def staff_right(request):
    allowed = request.POST.get("allowed") == "on"
    access.set_ops_staff_right(allowed=allowed)
    messages.success(request, "Ops may now change users and groups in the admin." if allowed
                     else "Ops can no longer change users and groups.")
    return redirect("access_settings")
