"""Job records never lie: a run whose RQ job died (missing, failed, silent, past its time limit)
is failed by the sweep with a message a person can act on, and the print batch or sync run it
belongs to is failed too, so the user can start it again; a job that can't be enqueued (Redis
down) answers with a message and leaves a failed record, never a 500 or a "queued" forever."""

from datetime import timedelta

import django_rq
import pytest
from django.urls import reverse
from django.utils import timezone
from rq import SimpleWorker
from rq.job import JobStatus

from channels.models import SyncRun
from fulfilment import services as fulfilment
from fulfilment.models import PrintBatch
from sellerhub import jobs
from sellerhub.models import JobRun
from tests.fulfilment.conftest import main, make_order, skus, woo  # noqa: F401, F811 -- fixtures: confirmed orders
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db
LATER = timedelta(minutes=10)  # past the enqueue grace and RQ's heartbeat silence


def open_run(kind="Print batch", **fields):
    fields.setdefault("status", JobRun.Status.RUNNING)
    fields.setdefault("started_at", timezone.now())
    fields.setdefault("queue", "documents")
    return JobRun.objects.create(kind=kind, **fields)


def test_a_running_batch_whose_rq_job_is_missing_is_failed_and_can_be_printed_again(uses_rq):
    run = open_run(rq_job_id="no-such-job-in-redis", progress=22, message="Labels ready for 5 of 20")
    batch = PrintBatch.objects.create(status=PrintBatch.Status.RUNNING, run=run)
    with pytest.raises(fulfilment.FulfilmentError, match="being printed right now"):
        fulfilment.reprint_batch(batch=batch)

    assert jobs.sweep_job_runs()["failed"] == 0  # just committed: the enqueue may be on its way
    assert jobs.sweep_job_runs(now=timezone.now() + LATER)["failed"] == 1

    run.refresh_from_db()
    batch.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and run.finished_at
    assert "disappeared from the job queue" in run.message and "Start it again" in run.message
    assert batch.status == PrintBatch.Status.FAILED and batch.message == run.message
    again = fulfilment.reprint_batch(batch=batch)  # no longer "being printed right now"
    assert again.status == PrintBatch.Status.QUEUED and again.run_id != run.pk


def test_the_sweep_fails_a_dead_sync_job_and_its_sync_run(uses_rq):
    account = ChannelAccountFactory(channel="woocommerce")
    run = open_run(kind="channels.sync_now", queue="sync", rq_job_id="gone")
    sync = SyncRun.objects.create(account=account, kind=SyncRun.Kind.PULL_ORDERS, job_run=run)
    jobs.sweep_job_runs(now=timezone.now() + LATER)
    sync.refresh_from_db()
    assert sync.status == SyncRun.Status.FAILED and sync.retryable and "Start it again" in sync.message


def test_the_sweep_reads_rq_states_and_time_limits(uses_rq):
    queue = django_rq.get_queue("documents")
    waiting = open_run(status=JobRun.Status.QUEUED, started_at=None)
    waiting_job = queue.enqueue(jobs.demo_count_job, waiting.pk, 1, job_id=f"waiting-{waiting.pk}")
    JobRun.objects.filter(pk=waiting.pk).update(rq_job_id=waiting_job.id)
    failed = open_run()
    failed_job = queue.enqueue(jobs.demo_count_job, failed.pk, 1, job_id=f"failed-{failed.pk}")
    failed_job.set_status(JobStatus.FAILED)
    JobRun.objects.filter(pk=failed.pk).update(rq_job_id=failed_job.id)
    overdue = open_run(rq_job_id=waiting_job.id, timeout=60, started_at=timezone.now() - timedelta(hours=1))
    finished = open_run(status=JobRun.Status.SUCCEEDED, rq_job_id="gone-long-ago")

    jobs.sweep_job_runs(now=timezone.now() + LATER)

    states = {r.pk: (r.status, r.message) for r in JobRun.objects.all()}
    assert states[waiting.pk][0] == JobRun.Status.QUEUED  # still waiting for a worker: that is the truth
    assert states[failed.pk][0] == JobRun.Status.FAILED and "worker stopped" in states[failed.pk][1]
    assert states[overdue.pk][0] == JobRun.Status.FAILED and "time limit" in states[overdue.pk][1]
    assert states[finished.pk][0] == JobRun.Status.SUCCEEDED


def test_rq_failure_and_stopped_callbacks_fail_the_run(uses_rq):
    run = open_run()
    batch = PrintBatch.objects.create(status=PrintBatch.Status.RUNNING, run=run)
    job = django_rq.get_queue("documents").enqueue(jobs.demo_count_job, run.pk, 1)
    jobs.on_job_failure(job, job.connection, TimeoutError, TimeoutError("Task exceeded maximum timeout value"))
    run.refresh_from_db()
    batch.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "TimeoutError" in run.message
    assert batch.status == PrintBatch.Status.FAILED

    stopped = open_run()
    job = django_rq.get_queue("documents").enqueue(jobs.demo_count_job, stopped.pk, 1)
    jobs.on_job_stopped(job, job.connection)
    stopped.refresh_from_db()
    assert stopped.status == JobRun.Status.FAILED and "stopped" in stopped.message


@pytest.mark.django_db(transaction=True)
def test_a_job_that_raises_is_failed_once_with_its_error(uses_rq):
    run = jobs.enqueue_job(kind="demo.count", func=jobs.demo_count_job, args=["not a number"])
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "TypeError" in run.error and run.rq_job_id


@pytest.fixture
def redis_down(settings):
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}
                          for name in settings.JOB_QUEUES}


def batch_form(order_ids):
    return {"order": order_ids, "fmt": "pdf", "label_policy": "own", "own_carrier": "Courier"}


@pytest.mark.django_db(transaction=True)
def test_enqueue_with_redis_down_answers_with_a_message_and_leaves_a_failed_record(
        redis_down, warehouse_client, make_order):  # noqa: F811
    order = make_order("R-1", {"MUG-01": 1})
    page = reverse("fulfilment:batches")
    response = warehouse_client.post(page, batch_form([order.pk]), HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    shown = warehouse_client.get(page).content.decode()
    assert "job queue (Redis) can&#x27;t be reached" in shown or "job queue (Redis) can't be reached" in shown
    run = JobRun.objects.get()
    batch = PrintBatch.objects.get()
    assert run.status == JobRun.Status.FAILED and "ConnectionError" in run.error
    assert batch.status == PrintBatch.Status.FAILED  # printable again once Redis is back

    response = warehouse_client.post(page, batch_form([order.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json() == {"error": jobs.QUEUE_DOWN_MESSAGE, "status": 503}
    assert not JobRun.objects.filter(status__in=jobs.OPEN).exists()
