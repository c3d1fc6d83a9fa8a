"""SellerHub's RQ worker: stock pushes and channel pulls run in the worker process itself (no fork,
connections kept), other queues in a forked work horse; every worker releases scheduled jobs
whose time has come."""

import datetime as dt
import os
import time

import django_rq
import pytest

from sellerhub.workers import Worker, schedule_in


@pytest.fixture
def queues(db, uses_rq):
    return {name: django_rq.get_queue(name) for name in ("push", "sync", "documents")}


def test_push_and_sync_jobs_run_in_the_worker_and_documents_in_a_work_horse(queues):
    jobs = {name: queue.enqueue(os.getpid) for name, queue in queues.items()}
    Worker(list(queues.values()), connection=queues["push"].connection).work(burst=True)
    pids = {name: job.latest_result().return_value for name, job in jobs.items()}
    assert pids["push"] == os.getpid() and pids["sync"] == os.getpid()
    assert pids["documents"] not in (None, os.getpid())  # forked: its memory goes back when it ends


def test_a_scheduled_job_is_released_by_any_worker_once_its_time_has_come(queues):
    sync = queues["sync"]
    job = sync.enqueue_in(dt.timedelta(seconds=1), os.getpid)
    push_only = Worker([queues["push"]], connection=sync.connection)  # releases every queue's jobs
    other = Worker([queues["push"]], connection=sync.connection)
    assert push_only.release_due_jobs() == 0 and sync.count == 0
    time.sleep(1.1)
    assert push_only.release_due_jobs() == 1
    assert other.release_due_jobs() == 0  # claimed once
    assert sync.job_ids == [job.id]
    assert push_only.dequeue_timeout == 0.25  # an idle worker wakes four times a second to look


def test_a_job_scheduled_to_the_fraction_of_a_second_is_released_neither_early_nor_a_second_late(queues):
    sync = queues["sync"]
    worker = Worker([queues["push"]], connection=sync.connection)
    while time.time() % 1 > 0.5:  # start in the first half of a second: RQ's whole-second
        time.sleep(0.05)          # schedule would release it at once, or up to a second late
    job = schedule_in(sync, 0.4, os.getpid)
    assert worker.release_due_jobs() == 0
    time.sleep(0.2)
    assert worker.release_due_jobs() == 0, "not before its time"
    time.sleep(0.25)
    assert worker.release_due_jobs() == 1
    assert sync.job_ids == [job.id]
