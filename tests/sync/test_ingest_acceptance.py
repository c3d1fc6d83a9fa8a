"""Acceptance 1: orders spread over the four channels are ingested over real HTTP with none lost
and none duplicated while about 20% of the calls fail (429 with Retry-After, 500, or an answer
slower than the client's timeout), with the pull stopped between pages (as a killed worker
would stop it) and run again.

The test ingests 800 orders on either database (the same faults, page stops and restarts as at
5,000, in a share of the suite's time budget); SELLERHUB_SYNC_ACCEPTANCE_ORDERS=5000 runs the
acceptance's full count. On PostgreSQL the second test kills a real RQ worker process in the
middle of the pulls and starts another. bench/sync.py does 5,000 with two real RQ workers, one of
them killed with SIGKILL and replaced.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from channels import coordination, jobs, pulls
from channels.models import SyncCursor, SyncRun
from orders.models import Order, OrderEvent, OrderLine

ROOT = Path(__file__).resolve().parents[2]


def order_count() -> int:
    return int(os.environ.get("SELLERHUB_SYNC_ACCEPTANCE_ORDERS", "800"))


class WorkerKilled(BaseException):
    """Raised between pages: like SIGKILL, nothing after it in the job runs its error handling."""


def expected_orders(emu) -> dict[str, dict[str, int]]:
    """{channel: {order id: number of lines}} of the orders SellerHub should have."""
    state = emu.state
    square = {o["id"]: len(o["line_items"]) for o in state.square.orders.values()
              if any(f["type"] == "SHIPMENT" for f in o.get("fulfillments", []))}
    return {
        "tiktok": {o["id"]: len(o["line_items"]) for o in state.tiktok.orders.values()},
        "woocommerce": {str(o["id"]): len(o["line_items"]) for o in state.woocommerce.orders.values()},
        "etsy": {str(r["receipt_id"]): len(r["transactions"]) for r in state.etsy.receipts.values()},
        "square": square,
    }


def assert_all_stored_once(accounts, emu):
    expected = expected_orders(emu)
    for channel, account in accounts.items():
        stored = dict(Order.objects.filter(account=account).values_list("external_id", "pk"))
        want = expected[channel]
        missing = set(want) - set(stored)
        extra = set(stored) - set(want)
        assert not missing, f"{channel}: {len(missing)} orders lost, e.g. {sorted(missing)[:3]}"
        assert not extra, f"{channel}: {len(extra)} unexpected orders"
        lines = Counter(OrderLine.objects.filter(order__account=account).values_list("order__external_id", flat=True))
        wrong = {ext: (lines[ext], n) for ext, n in want.items() if lines[ext] != n}
        assert not wrong, f"{channel}: line counts differ (stored, channel): {list(wrong.items())[:3]}"
        created = Counter(OrderEvent.objects.filter(order__account=account, kind="created")
                          .values_list("order_id", flat=True))
        assert len(created) == len(want) and set(created.values()) == {1}, f"{channel}: an order was created twice"


def fault_share(emu) -> float:
    log = [r for r in emu.state.requests() if r["service"] in ("tiktok", "woocommerce", "etsy", "square")]
    return sum(1 for r in log if r["fault"]) / max(1, len(log))


def inject_faults(emu, settings):
    # 8% 429 (Retry-After: 1 s), 8% 500, 6% slower than the client's 0.5 s read timeout: ~20% of calls.
    emu.state.faults.update(random=True, seed=20240501, rate_limit=0.08, retry_after=1, server_error=0.08,
                            slow=0.06, slow_seconds=0.8)
    settings.CHANNEL_SYNC_READ_TIMEOUT = 0.5
    settings.CHANNEL_SYNC_MAX_ATTEMPTS = 8


@pytest.mark.django_db
def test_orders_are_neither_lost_nor_duplicated_through_faults_and_a_killed_worker(listed, emulator, settings):
    per_channel = order_count() // 4
    for channel in listed:  # a realistic mix of states (Square's mix adds counter sales, which aren't shipped)
        emulator.state.generate_orders(channel, per_channel, mix=channel != "square")
    inject_faults(emulator, settings)
    started = time.perf_counter()

    # First pulls: each is stopped after its first stored page, as a killed worker would be.
    def kill_after_first_page(account, page):
        if page == 1:
            raise WorkerKilled

    pulls.after_page_hook = kill_after_first_page
    try:
        for account in listed.values():
            with pytest.raises(WorkerKilled):
                jobs.pull_orders(account)
    finally:
        pulls.after_page_hook = None
    interrupted = {channel: Order.objects.filter(account=account).count() for channel, account in listed.items()}
    assert all(count > 0 for count in interrupted.values()), interrupted
    for account in listed.values():
        cursor = SyncCursor.objects.get(account=account)
        assert cursor.position.get("resume"), "the cursor remembers where the interrupted pull stopped"
        assert cursor.since is None, "the window only completes once every page is stored"
        assert SyncRun.objects.get(account=account, kind="pull_orders").status == SyncRun.Status.RUNNING
        coordination.connection().delete(coordination.AccountLock("pull", account.pk).key)  # as if it expired

    # The worker is back: the scheduled pulls carry on from the stored position until done.
    for _round in range(6):
        results = {channel: jobs.pull_orders(account) for channel, account in listed.items()}
        if not any(r.get("failed") for r in results.values()):
            break
    else:
        pytest.fail(f"pulls kept failing: {results}")
    elapsed = time.perf_counter() - started

    assert_all_stored_once(listed, emulator)
    share = fault_share(emulator)
    fired = emulator.state.faults.fired
    assert share >= 0.15, f"only {share:.0%} of the calls failed"
    assert fired.get("rate_limit") and fired.get("server_error") and fired.get("slow"), fired
    for account in listed.values():
        runs = SyncRun.objects.filter(account=account, kind="pull_orders")
        assert runs.filter(status=SyncRun.Status.INTERRUPTED).count() == 1  # the killed run, marked by the next
        assert runs.filter(status=SyncRun.Status.SUCCEEDED).exists()
    # Everything again: nothing changes, nothing is duplicated.
    emulator.state.faults.clear()
    for account in listed.values():
        again = jobs.pull_orders(account)
        assert again.get("created", 0) == 0 and not again.get("failed"), again
    assert_all_stored_once(listed, emulator)
    total = sum(len(v) for v in expected_orders(emulator).values())
    print(f"\n{total} orders over 4 channels in {elapsed:.1f} s ({total / elapsed:.0f}/s); "
          f"{share:.0%} of {len(emulator.state.requests())} calls faulted: {fired}")


# ---------------------------------------------------------------------------------------------
# A real RQ worker process, killed with SIGKILL in the middle and replaced (PostgreSQL only: the
# worker needs to see the test database).


def start_worker(env):
    return subprocess.Popen([sys.executable, "manage.py", "rqworker", "push", "sync"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its descendants (RQ runs each job in a forked work horse with its own
    process group: a machine going down takes both)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    todo, tree = [pid], []
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for member in reversed(tree):
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_pull_loses_nothing(on_postgres, listed, emulator, settings):
    per_channel = 150
    for channel in listed:
        emulator.state.generate_orders(channel, per_channel)
    emulator.state.faults.update(random=True, seed=7, rate_limit=0.08, retry_after=1, server_error=0.08, slow=0.04,
                                 slow_seconds=0.8)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.sync.worker_settings",
           "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}",
           "SELLERHUB_TEST_REDIS_URL": settings.REDIS_URL, "PYTHONPATH": str(ROOT)}
    env.pop("SELLERHUB_TEST_DB_NAME", None)
    first = start_worker(env)
    second = None
    try:
        for account in listed.values():
            jobs.request_pull(account.pk)
        deadline = time.monotonic() + 60
        # Some orders stored and a pull running (a pull may also end early, told by a channel to
        # wait, and leave the worker between jobs for a moment): then kill it, mid-pull.
        while time.monotonic() < deadline and not (
                Order.objects.count() >= 60 and SyncRun.objects.filter(status="running").exists()):
            time.sleep(0.02)
        assert Order.objects.count() >= 60, "the worker stored nothing"
        kill_tree(first.pid)  # the worker and its work horse, mid-pull: the run's lock and record stay behind
        first.wait(10)
        stopped_at = Order.objects.count()
        assert stopped_at < 4 * per_channel
        second = start_worker(env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if Order.objects.count() == 4 * per_channel and not SyncRun.objects.filter(status="running").exists():
                break
            for account in listed.values():  # the scheduler's every-minute pulls, sped up
                jobs.request_pull(account.pk)
            time.sleep(1)
        assert_all_stored_once(listed, emulator)
        assert SyncRun.objects.filter(status=SyncRun.Status.INTERRUPTED).exists(), "the killed run was noticed"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
