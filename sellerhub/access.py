"""Role checks for pages: anonymous users go to the login page, the wrong role gets 403."""

from functools import wraps

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


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
