from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sellerhub.roles import perm


class OpsAdminSite(admin.AdminSite):
    """The Django admin, for the Ops role only; others log in through SellerHub's login page."""

    site_header = "SellerHub operations"
    site_title = "SellerHub admin"
    index_title = "Operations"

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.has_perm(perm("use_ops_tools"))

    def login(self, request, extra_context=None):
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next", request.get_full_path()), settings.LOGIN_URL)
        raise PermissionDenied

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        guarded.permission_required = perm("use_ops_tools")
        return guarded
