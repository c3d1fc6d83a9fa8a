"""The Django admin, for the Ops role only, and the one place that decides which models it shows
to whom (least privilege, the README's role table):

- API tokens (django-rest-knox, DRF's old tokens) are never in the admin, for anybody: no admin
  screen shows or creates a token; the Owner lists and revokes them on the Access page;
- users and groups only for a superuser or a user with the ``manage_staff`` capability, which no
  role has until the Owner grants it to Ops (Access page); only a superuser changes superuser
  status or a user's own permissions;
- login lockouts (django-axes) only for superusers (the Owner unlocks on the Access page);
- every other model by its model permissions, as Django does (``sellerhub.roles``).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.base import ModelBase

from sellerhub.roles import perm

HIDDEN_MODELS = {"knox.authtoken", "authtoken.token", "authtoken.tokenproxy"}
STAFF_MODELS = {"auth.user", "auth.group"}
SUPERUSER_APPS = {"axes"}
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


class SuperuserOnly:
    """Mixed into a model admin: nobody but a superuser sees or changes the model."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class StaffManagement:
    """Mixed into the user and group admins: superusers, or holders of ``manage_staff``."""

    @staticmethod
    def _allowed(request):
        return request.user.is_superuser or request.user.has_perm(perm("manage_staff"))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and not (obj is not None and obj.pk == request.user.pk)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        names = {f.name for f in self.model._meta.get_fields()}
        extra = tuple(f for f in SUPERUSER_ONLY_FIELDS if f in names)
        if self.model._meta.label_lower == "auth.group":
            extra += ("permissions",)  # a group's rights are the roles' (sellerhub.roles)
        return fields + extra


def guard_for(model):
    """The mixin that narrows the model's admin, or None (model permissions decide)."""
    label = model._meta.label_lower
    if label in STAFF_MODELS:
        return StaffManagement
    if model._meta.app_label in SUPERUSER_APPS:
        return SuperuserOnly
    return None


class OpsAdminSite(admin.AdminSite):
    """The Django admin, for the Ops role only; others log in through SellerHub's login page."""

    site_header = "SellerHub operations"
    site_title = "SellerHub admin"
    index_title = "Operations"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            if model._meta.label_lower in HIDDEN_MODELS:
                continue  # tokens: never in the admin
            model_admin = admin_class or admin.ModelAdmin
            guard = guard_for(model)
            if guard is not None:
                model_admin = type(model_admin.__name__, (guard, model_admin), {})
            super().register(model, model_admin, **options)

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
