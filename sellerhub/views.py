import logging

import django_rq
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from sellerhub import dashboard
from sellerhub.access import RoleRequiredMixin, role_required
from sellerhub.models import JobRun
from sellerhub.roles import perm, role_of

log = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class DashboardView(RoleRequiredMixin, TemplateView):
    """The home page: what each role needs first (the owner's figures, the warehouse's work)."""

    template_name = "dashboard.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role"] = role_of(self.request.user)
        context["panels"] = dashboard.panels_for(self.request)
        return context


@never_cache
def healthz(request):
    """Liveness of the database and Redis: 200 when both answer, 503 otherwise."""
    state = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        state["database"] = "ok"
    except Exception as exc:  # any failure means "not ok", with its reason
        state["database"] = f"error: {exc.__class__.__name__}"
    try:
        django_rq.get_connection("default").ping()
        state["redis"] = "ok"
    except Exception as exc:
        state["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in state.values())
    return JsonResponse({"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503)


healthz.public = True


@role_required(perm("view_operations"))
def job_progress(request, pk):
    """htmx fragment: a run's progress bar, polling itself until the run is finished."""
    run = get_object_or_404(JobRun, pk=pk)
    return render(request, "jobs/_progress.html", {"run": run})
