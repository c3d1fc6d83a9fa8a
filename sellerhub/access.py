"""Role checks for pages (anonymous users go to the login page, the wrong role gets 403), the
login lockout (django-axes: the backend and the lockout answer) and the Owner's access writes:
revoke an API token, unlock a login, grant Ops the staff right."""

from functools import wraps

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from knox.models import AuthToken

from sellerhub.roles import OPS


class RoleRequiredMixin(PermissionRequiredMixin):
    """Set `permission_required = "sellerhub.<capability>"` on the view."""

    raise_exception = False  # anonymous -> login; authenticated without the permission -> 403


def role_required(permission):
    """Decorator for function views with the same behaviour as RoleRequiredMixin."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission_required = permission
        return wrapped

    return decorator


def required_permission(view_func):
    """The permission a resolved view callback declares (used by the URL access test)."""
    if getattr(view_func, "admin_site", None) is not None or getattr(view_func, "model_admin", None) is not None:
        return "sellerhub.use_ops_tools"  # every admin view goes through OpsAdminSite.admin_view
    for obj in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None)):
        if obj is None:
            continue
        value = getattr(obj, "permission_required", None) or getattr(obj, "read_permission", None)
        if value:
            return value if isinstance(value, str) else next(iter(value))
    return None


# --- lockout (django-axes) -------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before any password is checked. Logins over
    HTTP (the login page, the token endpoint) always pass their request; a login without one
    (``manage.py`` tools, the test client's ``login``) is not an HTTP attempt and is left to the
    other backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message(request=None) -> str:
    cool_off = get_cool_off(request)
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        return (f"Too many failed logins: this account or address is locked for {minutes} minute"
                f"{'s' if minutes != 1 else ''}, or until the Owner unlocks it.")
    return "Too many failed logins: this account or address is locked until the Owner unlocks it."


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with the message, JSON on the API, a page elsewhere."""
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message, "status": 429}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


# --- the Owner's access writes -----------------------------------------------------------------


def revoke_token(*, digest: str) -> bool:
    """Revoke one API token (one device). True when it existed."""
    deleted, _ = AuthToken.objects.filter(digest=digest).delete()
    return bool(deleted)


def unlock(*, username: str = "", ip_address: str = "") -> int:
    """End a lockout by username or by address (django-axes' ``reset``); the count of records."""
    if not (username or ip_address):
        return 0
    return reset(username=username or None, ip=ip_address or None)


def locked_out():
    """Login failure records at or over the limit: what the Owner may unlock."""
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time")


def set_ops_staff_right(*, allowed: bool) -> None:
    """Give (or take back) the Ops role the right to change users and groups in the admin."""
    with transaction.atomic():
        permission = Permission.objects.get(content_type__app_label="sellerhub", codename="manage_staff")
        group = Group.objects.get(name=OPS)
        if allowed:
            group.permissions.add(permission)
        else:
            group.permissions.remove(permission)


def ops_staff_right() -> bool:
    return Group.objects.filter(name=OPS, permissions__content_type__app_label="sellerhub",
                                permissions__codename="manage_staff").exists()
