"""Background jobs on RQ, each recorded as a JobRun.

    run = enqueue_job(kind="inventory.import_skus", func=import_skus_job, args=[upload.pk], user=user)

`enqueue_job` creates the JobRun and enqueues the RQ job with `transaction.on_commit`, so a
job never starts before the rows it reads are committed. Job functions take ids (never model
instances), are decorated with `@tracked`, receive the JobRun id as first argument and report
with `progress(run_id, percent, message)`.
"""

import functools
import logging
import traceback
from datetime import timedelta

import django_rq
from django.db import transaction
from django.utils import timezone

from sellerhub.models import JobRun

log = logging.getLogger(__name__)


def enqueue_job(*, kind, func, args=(), queue="default", user=None, message="Waiting for a worker"):
    run = JobRun.objects.create(
        kind=kind, queue=queue, created_by=user if user and user.is_authenticated else None, message=message
    )

    def _enqueue():
        job = django_rq.get_queue(queue).enqueue(func, run.pk, *args, job_timeout=1800)
        JobRun.objects.filter(pk=run.pk).update(rq_job_id=job.id)

    transaction.on_commit(_enqueue)
    return run


def progress(run_id, percent, message=""):
    """Record a job's progress (0-100). Call it outside long transactions so pages see it."""
    percent = max(0, min(100, int(percent)))
    JobRun.objects.filter(pk=run_id).update(progress=percent, message=message[:500])


def tracked(func):
    """Mark the run running, then succeeded (with the function's dict result) or failed."""

    @functools.wraps(func)
    def wrapper(run_id, *args, **kwargs):
        JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.RUNNING, started_at=timezone.now())
        try:
            result = func(run_id, *args, **kwargs)
        except Exception as exc:
            log.exception("job run %s failed", run_id)
            JobRun.objects.filter(pk=run_id).update(
                status=JobRun.Status.FAILED,
                finished_at=timezone.now(),
                message=f"Failed: {exc}"[:500],
                error=traceback.format_exc()[-10000:],
            )
            raise
        fields = {"status": JobRun.Status.SUCCEEDED, "finished_at": timezone.now(), "progress": 100}
        if isinstance(result, dict):
            fields["result"] = result
            if result.get("message"):
                fields["message"] = str(result["message"])[:500]
        JobRun.objects.filter(pk=run_id).update(**fields)
        return result

    return wrapper


@tracked
def demo_count_job(run_id, steps):
    """A small job that counts to `steps`, reporting progress: used by tests and the job page."""
    for step in range(1, steps + 1):
        progress(run_id, step * 100 // steps, f"Step {step} of {steps}")
    return {"message": f"Counted to {steps}", "steps": steps}


def prune_job_runs(days=90):
    """Delete finished job runs older than `days` (scheduled daily in sellerhub/cron.py)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = JobRun.objects.filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted}
