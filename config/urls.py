from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve as serve_file
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import ObtainTokenView, build_router
from config.job_dashboard import not_found_on_unknown_ids
from sellerhub import access_pages, job_pages, staff, views
from sellerhub.access import role_required
from sellerhub.roles import perm


def _ops_only():
    """django-rq's dashboard, wrapped so that only the Ops role reaches it."""
    role_wrap = role_required(perm("use_ops_tools"))

    def wrap(view):
        return role_wrap(not_found_on_unknown_ids(view))

    api = get_api_urlpatterns()
    for pattern in api:
        pattern.callback = wrap(pattern.callback)
    return api + get_admin_urlpatterns(view_wrapper=wrap), "django_rq"


class SchemaView(SpectacularAPIView):
    read_permission = perm("view_operations")


class DocsView(SpectacularSwaggerSplitView):  # its script from a URL, not inline (CSP)
    read_permission = perm("view_operations")


router = build_router()

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("jobs/<int:pk>/progress", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/", job_pages.job_page, name="job_page"),
    path("orders/", include("orders.urls")),
    path("inventory/", include("inventory.urls")),
    path("fulfilment/", include("fulfilment.urls")),
    path("metrics/", include("metrics.urls")),
    path("channels/", include("channels.urls")),
    path("webhooks/easypost/", include("fulfilment.webhook_urls")),  # public: signed by the label provider
    path("webhooks/tiktok-fulfilment/", include("inventory.fbt.webhook_urls")),  # public: TikTok FBT/logistics
    path("webhooks/", include("channels.webhook_urls")),  # public: signed by the channels
    path("admin/", admin.site.urls),
    path("ops/jobs/", include(_ops_only())),
    path("settings/access/", access_pages.access_page, name="access_settings"),
    path("settings/access/revoke", access_pages.revoke_token, name="access_revoke_token"),
    path("settings/access/unlock", access_pages.unlock, name="access_unlock"),
    path("settings/access/staff-right", access_pages.staff_right, name="access_staff_right"),
    path("settings/staff/", include(staff.urlpatterns)),
    path("staff/set-password/", include(staff.public_urlpatterns)),  # public: the one-time link
    path("api/v1/auth/token", ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(DocsView.as_view(url_name="api_schema")),
         name="api_docs"),  # Swagger UI's own <style> block
]

if settings.DEBUG:  # product pictures only (labels live in MEDIA_ROOT too); deployed, nginx does it (README)
    urlpatterns.append(re_path(r"^media/(?P<path>products/[\w.-]+)$", serve_file,
                               {"document_root": settings.MEDIA_ROOT}))

handler404 = "sellerhub.errors.not_found"
handler500 = "sellerhub.errors.server_error"
handler403 = "sellerhub.errors.permission_denied"
