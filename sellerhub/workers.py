"""The RQ worker SellerHub runs (``settings.RQ["WORKER_CLASS"]``, so ``manage.py rqworker`` and
the Procfile use it): jobs of the queues in ``settings.JOB_INLINE_QUEUES`` (stock pushes and
channel pulls: short, many, mostly waiting on HTTP) run in the worker process itself; every other
job runs in a forked work horse, as RQ does by default (label batches and reports, whose memory
is handed back when the horse exits).

Why: a forked work horse starts cold. Each job paid for the fork, for the copy-on-write pages
its first queries touched, and for new connections to PostgreSQL, Redis and the channel. During a
spike, with a stock push after every page, that was about half of the workers' CPU. A worker
that runs these jobs itself keeps its connections (Django's ``CONN_MAX_AGE`` with health checks,
the cached Redis client, the channel sessions) from one job to the next.

Every worker also runs the apps' registered checks as it starts and every few seconds
(``register_worker_check``), and releases scheduled jobs whose time has come (``release_due_jobs``), between
jobs and four times a second while idle: a pull that a channel told to wait (429) is scheduled
for when the wait is over (``schedule_in``, to the fraction of a second), and must not depend on
the one worker holding RQ's scheduler lock.

What stays as it was: the job timeout (RQ's SIGALRM death penalty, in this process), warm and
cold shutdown, failure handling, and the records: a killed worker leaves its job in RQ's started
registry, and the job sweep (``sellerhub.jobs``) tells the truth about it as before. Around each
in-process job, database connections are checked as Django does around a request: a broken or
expired connection is closed, so the next query opens a fresh one.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import redis
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone, translation
from rq import Worker as ForkingWorker
from rq.job import Job
from rq.queue import Queue
from rq.worker import WorkerStatus
from rq.worker.base import DEFAULT_WORKER_TTL

log = logging.getLogger("sellerhub.jobs")

IDLE_WAKE_SECONDS = 0.25
CHECK_EVERY_SECONDS = 5.0

_checks: list = []


def register_worker_check(check) -> None:
    """``check()`` runs in every worker as it starts and then every ``CHECK_EVERY_SECONDS``
    between jobs: an app's look for work a killed worker left behind (the channels take over the
    sync locks of a worker that has ended, and ask for its syncs again)."""
    if check not in _checks:
        _checks.append(check)


def schedule_in(queue: Queue, seconds: float, func, *args, **options) -> Job:
    """``queue.enqueue_in`` to the fraction of a second: RQ's schedule counts whole seconds, so a
    job meant for 0.97 s later could start up to a second early or late. SellerHub's workers
    release it once its exact time has come; RQ's own scheduler, where one runs, does so at the
    next whole second after."""
    job = queue.enqueue_in(dt.timedelta(seconds=seconds), func, *args, **options)
    queue.connection.zadd(queue.scheduled_job_registry.key, {job.id: time.time() + seconds}, xx=True)
    return job


def runs_inline(queue_name: str | None) -> bool:
    """Whether a job of this queue runs in the worker process itself."""
    return queue_name in getattr(settings, "JOB_INLINE_QUEUES", ())


def _tidy_connections() -> None:
    """Close broken or expired database connections (never one inside a transaction: a test or
    a caller that runs the worker inside ``atomic`` keeps its own)."""
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()


class Worker(ForkingWorker):
    """RQ's forking worker, except for the queues that run inline (see the module docstring)."""

    @property
    def dequeue_timeout(self) -> float:
        """Wake four times a second while idle, to release scheduled jobs whose time has come."""
        return IDLE_WAKE_SECONDS

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        if pipeline is None:  # between jobs (the dequeue loop), not inside RQ's own bookkeeping
            self.release_due_jobs()
            self.run_checks()

    def run_checks(self) -> None:
        """The registered worker checks, at most every ``CHECK_EVERY_SECONDS``."""
        now = time.monotonic()
        if now - getattr(self, "_checked_at", -CHECK_EVERY_SECONDS) < CHECK_EVERY_SECONDS:
            return
        self._checked_at = now
        for check in list(_checks):
            try:
                check()
            except redis.exceptions.ConnectionError:
                raise  # the worker's loop waits for Redis and tries again
            except Exception:  # a check must not stop the worker
                log.exception("worker check %s failed", getattr(check, "__name__", check))

    def release_due_jobs(self) -> int:
        """Put the scheduled jobs (``enqueue_in``) of every SellerHub queue whose time has come on
        their queue. Every worker does it, between jobs and at least once a second while idle; a
        job is claimed by removing it from the schedule, so only one worker enqueues it. A follow-up
        (a pull after a channel's Retry-After) thus never waits for the one worker that holds RQ's
        scheduler lock, nor, after that worker was killed, for its lock to expire.
        Returns how many jobs were released."""
        names = list(getattr(settings, "JOB_QUEUES", ()))
        if not names:
            return 0
        stamp = time.time()  # schedule_in's scores are exact; RQ's own are whole seconds
        queues = [Queue(name, connection=self.connection, serializer=self.serializer) for name in names]
        with self.connection.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.zrangebyscore(queue.scheduled_job_registry.key, 0, stamp, start=0, num=100)
            due = pipe.execute()
        released = 0
        for queue, job_ids in zip(queues, due, strict=True):
            for raw in job_ids:
                job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
                if not self.connection.zrem(queue.scheduled_job_registry.key, job_id):
                    continue  # another worker (or RQ's scheduler) took it
                try:
                    job = queue.fetch_job(job_id)
                    if job is not None:
                        queue.enqueue_job(job)
                        released += 1
                except redis.exceptions.ConnectionError:
                    raise  # the worker's loop waits for Redis and tries again
                except Exception:  # a record that can't be read must not stop the worker
                    log.exception("scheduled job %s could not be released; dropped", job_id)
        return released

    def execute_job(self, job: Job, queue: Queue) -> None:
        if not runs_inline(queue.name):
            super().execute_job(job, queue)
            return
        self.prepare_execution(job)
        _tidy_connections()
        try:
            self.perform_job(job, queue)
        finally:
            _tidy_connections()
            translation.deactivate()  # what a job activated does not leak into the next one
            timezone.deactivate()
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job: Job) -> int:
        """An in-process job sends no heartbeat while it runs (nothing monitors it from outside):
        the worker's key lives for the job's whole timeout, as with RQ's SimpleWorker."""
        if not runs_inline(job.origin):
            return super().get_heartbeat_ttl(job)
        if job.timeout == -1:
            return DEFAULT_WORKER_TTL
        return int(job.timeout or DEFAULT_WORKER_TTL) + 60
