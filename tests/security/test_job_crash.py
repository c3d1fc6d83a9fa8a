"""Acceptance 5 (issue 17): a machine crash in the middle of a batch print. A real RQ worker
and its work horse are killed with SIGKILL while the batch buys its labels from the EasyPost
emulator (made slow, so the kill lands mid-batch); the job sweep then finds the dead job and
fails its record and its batch; the batch is printed again, and no package has a label bought
twice (PostgreSQL and Redis only: the worker process must see the test database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from rq import SimpleWorker

from fulfilment import services as fulfilment
from fulfilment.models import Package, PrintBatch
from sellerhub import jobs
from sellerhub.models import JobRun
from tests.fulfilment.conftest import easypost, emu, main, make_order, skus, woo  # noqa: F401 -- fixtures
from tests.sync.test_ingest_acceptance import ROOT, kill_tree

PACKAGES = 8


def start_worker(env):
    return subprocess.Popen([sys.executable, "manage.py", "rqworker", "documents"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def purchases_by_shipment(emulator) -> Counter:
    return Counter(p["shipment_id"] for p in emulator.state.received("easypost", "label_purchase"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_a_failed_run_and_a_batch_printable_again(  # noqa: F811
        on_postgres, easypost, make_order, settings, tmp_path, uses_rq):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    orders = [make_order(f"K-{i}", {"MUG-01": 1}) for i in range(PACKAGES)]
    easypost.state.faults.update(slow=1.0, slow_seconds=0.6, services=["easypost"])  # each call 0.6 s
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.sync.worker_settings",
           "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}",
           "SELLERHUB_TEST_REDIS_URL": settings.REDIS_URL, "PYTHONPATH": str(ROOT),
           "EASYPOST_API_KEY": settings.EASYPOST_API_KEY, "EASYPOST_BASE_URL": settings.EASYPOST_BASE_URL,
           "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    env.pop("SELLERHUB_TEST_DB_NAME", None)

    batch = fulfilment.create_print_batch(order_ids=[o.pk for o in orders], label_policy="buy_cheapest")
    worker = start_worker(env)
    try:
        deadline = time.monotonic() + 90
        while len(purchases_by_shipment(easypost)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(purchases_by_shipment(easypost)) >= 2, "the worker bought no label"
        kill_tree(worker.pid)  # the worker and its work horse: nothing of theirs runs any more
        worker.wait(10)
    finally:
        if worker.poll() is None:
            kill_tree(worker.pid)
            worker.wait(10)
    bought_before = len(purchases_by_shipment(easypost))
    assert bought_before < PACKAGES, "the batch finished before the kill: make it slower"
    batch.refresh_from_db()
    run = JobRun.objects.get(pk=batch.run_id)
    assert run.status == JobRun.Status.RUNNING and batch.status == PrintBatch.Status.RUNNING  # the lie
    with pytest.raises(fulfilment.FulfilmentError, match="being printed right now"):
        fulfilment.reprint_batch(batch=batch)

    time.sleep(1)  # let the emulator finish a purchase the kill cut off (its answer is lost)
    jobs.sweep_job_runs(now=timezone.now() + timedelta(seconds=settings.JOB_SWEEP_SECONDS + 180))

    run.refresh_from_db()
    batch.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "Start it again" in run.message, run.message
    assert batch.status == PrintBatch.Status.FAILED

    easypost.state.faults.clear()
    again = fulfilment.reprint_batch(batch=batch)
    queue = django_rq.get_queue("documents")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    again.refresh_from_db()
    assert again.status == PrintBatch.Status.DONE, (again.message, again.problems)
    assert JobRun.objects.get(pk=again.run_id).status == JobRun.Status.SUCCEEDED
    packages = list(Package.objects.filter(order__in=orders))
    assert len(packages) == PACKAGES and all(p.has_label for p in packages)
    bought = purchases_by_shipment(easypost)
    assert all(count == 1 for count in bought.values()), bought  # no label bought twice
    assert sorted(bought) == sorted(p.provider_shipment_id for p in packages)
