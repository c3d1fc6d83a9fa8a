"""Background jobs on RQ, each recorded as a JobRun that never lies about how it ended.

    run = enqueue_job(kind="inventory.import_skus", func=import_skus_job, args=[upload.pk], user=user)

`enqueue_job` creates the JobRun and enqueues the RQ job with `transaction.on_commit`, so a
job never starts before the rows it reads are committed. Job functions take ids (never model
instances), are decorated with `@tracked`, receive the JobRun id as first argument and report
with `progress(run_id, percent, message)`.

How a record stays truthful when the job does not finish normally:
- an exception in the job: `@tracked` marks the run failed;
- RQ's `on_failure` / `on_stopped` callbacks (a work horse killed, a timeout, `rq` stop):
  the run is marked failed with a readable message;
- a machine crash (worker and work horse killed together, nothing runs): `sweep_job_runs`
  (RQ cron, every `JOB_SWEEP_SECONDS`) fails every queued/running run whose RQ job is failed,
  missing, silent past its heartbeat or past its time limit;
- Redis down when enqueueing: the run is marked failed and `JobQueueUnavailable` (503) is raised.
Each failure calls the handlers registered with `register_failure_handler(kind_prefix, fn)`, so
the higher app fails the record the run belongs to (a print batch, a sync run) and the user can
retry.
"""

import functools
import logging
import traceback
import uuid
from datetime import UTC, timedelta

import django_rq
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.exceptions import APIException
from rq import Callback
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from sellerhub.models import JobRun

log = logging.getLogger(__name__)

OPEN = (JobRun.Status.QUEUED, JobRun.Status.RUNNING)
DEFAULT_TIMEOUT = 1800
ENQUEUE_GRACE = timedelta(minutes=2)  # a run committed this recently may still be on its way to Redis
# RQ's worker beats every 30 s while its work horse runs (rq.defaults.DEFAULT_JOB_MONITORING_INTERVAL):
# four missed beats mean the worker is gone.
HEARTBEAT_SILENCE = timedelta(seconds=120)
QUEUE_DOWN_MESSAGE = "The job queue (Redis) can't be reached, so the job was not started. Try again in a moment."

_failure_handlers: list[tuple[str, object]] = []


class JobQueueUnavailable(APIException):
    """The job could not be enqueued (Redis down): the run is recorded failed. Answered as a 503
    with this message (JSON on the API, a message on pages: `sellerhub.middleware`)."""

    status_code = 503
    default_detail = QUEUE_DOWN_MESSAGE
    default_code = "job_queue_unavailable"


def register_failure_handler(kind_prefix: str, fn) -> None:
    """Call ``fn(run)`` when a JobRun whose kind starts with ``kind_prefix`` fails (by any path
    above). Registered from a higher app's `AppConfig.ready`; with nothing registered a failed
    run only fails its own record. Handlers must be idempotent (a run may be reported twice)."""
    if (kind_prefix, fn) not in _failure_handlers:
        _failure_handlers.append((kind_prefix, fn))


def _notify(run: JobRun) -> None:
    for prefix, fn in list(_failure_handlers):
        if run.kind.startswith(prefix):
            try:
                fn(run)
            except Exception:  # one broken handler must not hide the failure from the others
                log.exception("failure handler %r for job run %s failed", fn, run.pk)


def fail_run(run_id: int, message: str, error: str = "") -> bool:
    """Mark a queued/running run failed (a finished run is left alone) and tell its handlers.
    True when this call failed it."""
    fields = {"status": JobRun.Status.FAILED, "finished_at": timezone.now(), "message": message[:500]}
    if error:
        fields["error"] = error[-10000:]
    if not JobRun.objects.filter(pk=run_id, status__in=OPEN).update(**fields):
        return False
    run = JobRun.objects.filter(pk=run_id).first()
    if run is not None:
        _notify(run)
    return True


def enqueue_job(*, kind, func, args=(), queue="default", user=None, message="Waiting for a worker",
                timeout=DEFAULT_TIMEOUT):
    job_id = uuid.uuid4().hex
    run = JobRun.objects.create(
        kind=kind, queue=queue, created_by=user if user and user.is_authenticated else None, message=message,
        rq_job_id=job_id, timeout=timeout,
    )

    def _enqueue():
        try:
            django_rq.get_queue(queue).enqueue(
                func, run.pk, *args, job_id=job_id, job_timeout=timeout,
                on_failure=Callback(on_job_failure), on_stopped=Callback(on_job_stopped))
        except (RedisError, OSError) as exc:
            log.error("could not enqueue job run %s (%s): %s", run.pk, kind, exc)
            fail_run(run.pk, QUEUE_DOWN_MESSAGE, error=f"{type(exc).__name__}: {exc}")
            raise JobQueueUnavailable() from exc

    transaction.on_commit(_enqueue)
    return run


def _run_id(job: Job) -> int | None:
    try:
        return int(job.args[0])
    except (IndexError, TypeError, ValueError):
        return None


def on_job_failure(job, connection, exc_type=None, exc_value=None, tb=None):
    """RQ's failure callback: the work horse died, timed out or raised (RQ 2.x `on_failure`)."""
    run_id = _run_id(job)
    if run_id is None:
        return
    reason = (exc_type.__name__ if isinstance(exc_type, type) else "") or "failed"
    detail = f": {exc_value}" if exc_value and str(exc_value) else ""
    fail_run(run_id, f"The job stopped before finishing ({reason}{detail}). Start it again.",
             error=f"{reason}{detail}")


def on_job_stopped(job, connection):
    """RQ's stopped callback (`rq` stop-job / `send_stop_job_command`)."""
    run_id = _run_id(job)
    if run_id is not None:
        fail_run(run_id, "The job was stopped before finishing. Start it again.")


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
            fail_run(run_id, f"Failed: {exc}", error=traceback.format_exc())
            raise
        fields = {"status": JobRun.Status.SUCCEEDED, "finished_at": timezone.now(), "progress": 100}
        if isinstance(result, dict):
            fields["result"] = result
            if result.get("message"):
                fields["message"] = str(result["message"])[:500]
        JobRun.objects.filter(pk=run_id).update(**fields)
        return result

    return wrapper


def _stale_reason(run: JobRun, connection, now) -> str | None:
    """Why an open run can no longer finish, or None while it still may."""
    grace = ENQUEUE_GRACE
    if run.started_at and now > run.started_at + timedelta(seconds=(run.timeout or DEFAULT_TIMEOUT) + 60):
        return "The job ran past its time limit and was given up. Start it again."
    if not run.rq_job_id:
        return None if now - run.created_at < grace else "The job never reached the job queue. Start it again."
    try:
        job = Job.fetch(run.rq_job_id, connection=connection)
        status = job.get_status(refresh=False)
    except NoSuchJobError:
        if now - run.created_at < grace:
            return None  # committed a moment ago: the enqueue may still be on its way
        return "The job disappeared from the job queue (Redis restarted or flushed). Start it again."
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return "The worker stopped before finishing the job (killed or restarted). Start it again."
    if status == JobStatus.FINISHED:
        return "The job ended without recording its result. Start it again."
    if status == JobStatus.STARTED:
        beat = job.last_heartbeat or job.started_at
        if beat is not None and timezone.is_naive(beat):
            beat = beat.replace(tzinfo=UTC)
        if beat is not None and now - beat > HEARTBEAT_SILENCE:
            return "The worker stopped answering while running the job (killed or restarted). Start it again."
    return None


def sweep_job_runs(*, now=None, limit=1000) -> dict:
    """Fail every queued/running run that can no longer finish (scheduled every
    `JOB_SWEEP_SECONDS` in config/cron.py). ``now`` lets tests look ahead in time."""
    now = now or timezone.now()
    failed = 0
    for name in settings.JOB_QUEUES:  # RQ's own cleanup: abandoned jobs -> failed (runs on_failure)
        queue = django_rq.get_queue(name)
        try:
            StartedJobRegistry(queue=queue).cleanup(timestamp=now.timestamp())
        except RedisError:
            log.warning("job sweep: Redis can't be reached; nothing swept")
            return {"failed": 0, "error": "redis"}
        except Exception:  # a failing callback must not stop the sweep below
            log.exception("job sweep: RQ's cleanup of queue %s failed", name)
    connection = django_rq.get_connection("default")
    for run in JobRun.objects.filter(status__in=OPEN).order_by("pk")[:limit]:
        try:
            reason = _stale_reason(run, connection, now)
        except RedisError:
            log.warning("job sweep: Redis can't be reached; stopped at run %s", run.pk)
            break
        if reason and fail_run(run.pk, reason):
            log.warning("job run %s (%s) failed by the sweep: %s", run.pk, run.kind, reason)
            failed += 1
    return {"failed": failed}


@tracked
def demo_count_job(run_id, steps):
    """A small job that counts to `steps`, reporting progress: used by tests and the job page."""
    for step in range(1, steps + 1):
        progress(run_id, step * 100 // steps, f"Step {step} of {steps}")
    return {"message": f"Counted to {steps}", "steps": steps}


def prune_job_runs(days=90):
    """Delete finished job runs older than `days` (scheduled daily in config/cron.py)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = JobRun.objects.filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted}
