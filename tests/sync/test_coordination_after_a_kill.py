"""After a worker is killed (SIGKILL, the OOM killer), an account's syncs go on at the next
request instead of waiting for something to expire:

- its lock, held by a process of this machine that has ended, is taken over at once (a live
  holder, or one this process cannot see, keeps it);
- a job noted as waiting for the account that is no longer on its queue's list (the worker took
  it off and died) or in the schedule (taken off and never enqueued) no longer stands for new
  requests, so the next request queues a job. One that does wait still does."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import django_rq
import pytest

from channels import coordination


@pytest.fixture
def lock_key(uses_rq):
    conn = coordination.connection()
    key = coordination.AccountLock("pull", 991).key
    conn.delete(key)
    yield key
    conn.delete(key)


def hold_as(key: str, pid: int, space: str) -> None:
    """The lock as a job of process ``pid`` in process space ``space`` left it (an hour to run)."""
    coordination.connection().set(key, f"0123abcd {pid} {space}", ex=3600)


def ended_process() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_left_by_a_killed_worker_is_taken_over_at_once(lock_key):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        hold_as(lock_key, child.pid, coordination._process_space())
        assert not coordination.AccountLock("pull", 991).acquire(), "the holder is alive"
        child.kill()
        child.wait()
        lock = coordination.AccountLock("pull", 991)
        assert lock.acquire()
        assert coordination.connection().get(lock_key).decode() == lock.token
    finally:
        child.kill()
        child.wait()


def zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"


def test_a_killed_holder_not_yet_reaped_counts_as_ended(lock_key):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child.kill()
    try:
        deadline = time.monotonic() + 10
        while not zombie(child.pid):  # until the kernel has made it one (slow on a busy machine)
            assert time.monotonic() < deadline, "the killed child never became a zombie"
            time.sleep(0.01)
        hold_as(lock_key, child.pid, coordination._process_space())
        assert coordination.AccountLock("pull", 991).acquire()
    finally:
        child.wait()


def test_a_holder_in_another_process_space_keeps_the_lock_until_it_expires(lock_key):
    hold_as(lock_key, ended_process(), "another-host/pid:[1]")
    assert not coordination.AccountLock("pull", 991).acquire()
    hold_as(lock_key, ended_process(), "")  # a holder that could not name its process space
    assert not coordination.AccountLock("pull", 991).acquire()


@pytest.fixture
def request_flags(uses_rq):
    conn = coordination.connection()
    keys = [coordination._key(flag, "pull", 992) for flag in ("pending", "queued")]
    conn.delete(*keys)
    yield
    conn.delete(*keys)


def queue_now():
    return django_rq.get_queue("sync").enqueue("builtins.print")


def queue_later():
    return django_rq.get_queue("sync").enqueue_in(dt.timedelta(seconds=30), "builtins.print")


@pytest.mark.parametrize("ask", [
    lambda enqueue: coordination.request("pull", 992, enqueue),
    lambda enqueue: coordination.request_many("pull", [992], lambda _account: enqueue()) == [992],
], ids=["request", "request_many"])
def test_a_queued_job_a_killed_worker_took_off_the_list_no_longer_stands_for_requests(request_flags, ask):
    queue = django_rq.get_queue("sync")
    assert ask(queue_now)
    assert not ask(queue_now), "one job waits: requests are coalesced"
    assert queue.count == 1
    taken = queue.get_job_ids()[0]
    coordination.connection().lrem(queue.key, 0, taken)  # a worker took it, then was killed
    assert queue.fetch_job(taken).get_status() == "queued"
    assert ask(queue_now), "a new job is queued at once"
    assert queue.count == 1 and queue.get_job_ids()[0] != taken


@pytest.mark.parametrize("ask", [
    lambda enqueue: coordination.request("pull", 992, enqueue),
    lambda enqueue: coordination.request_many("pull", [992], lambda _account: enqueue()) == [992],
], ids=["request", "request_many"])
def test_a_scheduled_job_taken_off_the_schedule_but_never_queued_no_longer_stands_for_requests(request_flags,
                                                                                                 ask):
    queue = django_rq.get_queue("sync")
    schedule = queue.scheduled_job_registry
    assert ask(queue_later)
    assert not ask(queue_now), "the scheduled job stands for this request"
    assert queue.count == 0 and len(schedule) == 1
    lost = schedule.get_job_ids()[0]
    coordination.connection().zrem(schedule.key, lost)  # claimed by a worker that was killed at once
    assert ask(queue_now)
    assert queue.count == 1


def test_a_worker_takes_over_a_killed_workers_pull_and_asks_for_it_again(lock_key, request_flags, db,
                                                                          django_capture_on_commit_callbacks):
    from channels import job_requests
    from sellerhub import workers

    assert job_requests.ask_again_after_a_kill in workers._checks  # every worker runs it
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    live_key = coordination.AccountLock("push", 993).key
    try:
        hold_as(lock_key, ended_process(), coordination._process_space())  # pull lock of account 991
        hold_as(live_key, live.pid, coordination._process_space())
        worker = workers.Worker([django_rq.get_queue("push")], connection=coordination.connection())
        with django_capture_on_commit_callbacks(execute=True):
            worker.run_checks()
        conn = coordination.connection()
        assert conn.get(lock_key) is None
        assert conn.get(live_key) is not None, "a live holder keeps its lock"
        queued = [job.args for job in django_rq.get_queue("sync").get_jobs()]
        assert queued == [(991, "schedule")]
        worker.run_checks()  # not again within a few seconds
        assert django_rq.get_queue("sync").count == 1
    finally:
        live.kill()
        live.wait()
        coordination.connection().delete(live_key, coordination._key("queued", "pull", 991),
                                         coordination._key("pending", "pull", 991))


def test_requests_go_on_after_redis_lost_its_scripts(request_flags):
    """The request script goes out as bytes packed once; a Redis restarted in the meantime no
    longer knows it (NOSCRIPT): the request loads it again and is answered all the same."""
    queue = django_rq.get_queue("sync")
    assert coordination.request_many("pull", [992], lambda _account: queue_now()) == [992]
    coordination.connection().script_flush()
    assert coordination.request_many("pull", [992], lambda _account: queue_now()) == [], "the job still waits"
    assert coordination.connection().get(coordination._key("pending", "pull", 992)) == b"1"
    queue.empty()
    assert coordination.request_many("pull", [992], lambda _account: queue_now()) == [992]
    assert queue.count == 1
