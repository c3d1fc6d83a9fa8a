"""The job page (``/jobs/<id>/``): one background job as its users see it, with its name in their
words, live progress, how it ended and when; linked from every progress bar. Who may open it:
Ops (who looks after jobs), whoever started the job, and people of the same role as them; a job
nobody started (a schedule's) is Ops'. Everyone else gets 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from sellerhub.access import role_required
from sellerhub.models import JobRun
from sellerhub.roles import perm, role_of

OPS_PERMISSION = perm("use_ops_tools")


def may_see(user, run: JobRun) -> bool:
    if user.is_superuser or user.has_perm(OPS_PERMISSION):
        return True
    if run.created_by_id is None:
        return False
    if run.created_by_id == user.pk:
        return True
    role = role_of(user)
    return role is not None and role == role_of(run.created_by)


@role_required(perm("view_operations"))
def job_page(request, pk):
    run = get_object_or_404(JobRun.objects.select_related("created_by"), pk=pk)
    if not may_see(request.user, run):
        raise PermissionDenied
    summary = [(key.replace("_", " ").capitalize(), value) for key, value in (run.result or {}).items()
               if key != "message" and isinstance(value, (int, float, str)) and not isinstance(value, bool)]
    return render(request, "jobs/detail.html", {
        "title": f"{run.name} #{run.pk}", "run": run, "summary": summary,
        "is_ops": request.user.has_perm(OPS_PERMISSION), "on_job_page": True,
    })
