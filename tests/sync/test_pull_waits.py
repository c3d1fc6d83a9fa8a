"""A channel's Retry-After longer than a pull sleeps through ends the pull where it is: the cursor
keeps the next page, a follow-up pull is scheduled for when the wait is over, and the worker is
free meanwhile. Nothing is lost or stored twice."""

import datetime as dt
import time

import django_rq
from django.utils import timezone
from rq.registry import ScheduledJobRegistry

from channels import coordination, job_requests, pulls
from channels.models import SyncRun
from channels.token_refresh import open_connector
from integrations.channels.connectors import RateLimited
from orders.models import Order, OrderEvent


def scheduled_pulls():
    queue = django_rq.get_queue("sync")
    registry = ScheduledJobRegistry(queue=queue)
    return [queue.fetch_job(job_id) for job_id in registry.get_job_ids()]


def test_a_long_retry_after_is_raised_to_the_caller_instead_of_slept(listed, emulator):
    account = listed["tiktok"]
    emulator.state.faults.update(script=["429"], retry_after=1, services=["tiktok"])
    slept = []
    connector = open_connector(account)
    connector.sleep = slept.append
    connector.wait_limit = 0.5
    try:
        list(connector.iter_order_pages(since=timezone.now() - dt.timedelta(days=1), resume=None))
        raise AssertionError("the 429 was not raised")
    except RateLimited as exc:
        assert exc.retry_after == 1
    assert slept == []

    emulator.state.faults.update(script=["429"], retry_after=1, services=["tiktok"])
    connector.wait_limit = None  # Sync now: sleeps through it, then carries on
    list(connector.iter_order_pages(since=timezone.now() - dt.timedelta(days=1), resume=None))
    assert slept and slept[0] >= 1


def test_a_pull_told_to_wait_hands_over_to_a_scheduled_pull_and_loses_nothing(listed, emulator, settings,
                                                                              django_capture_on_commit_callbacks):
    account = listed["tiktok"]
    emulator.state.generate_orders("tiktok", 120)
    want = len(emulator.state.tiktok.orders)
    settings.CHANNEL_SYNC_PULL_SLICE_SECONDS = 0  # one pull would take the whole window
    # The first page comes back, the second is refused with 429 and Retry-After: 1.
    emulator.state.faults.update(script=["ok", "429"], retry_after=1, services=["tiktok"], paths=["orders/search"])

    with django_capture_on_commit_callbacks(execute=True):
        result = pulls.pull_orders_job(account.pk)
    assert result["paused"] == 1
    assert "the channel asked to wait 1 s (429), the next pull carries on then" in result["message"]
    run = SyncRun.objects.get(pk=result["run"])
    assert run.status == SyncRun.Status.SUCCEEDED and "asked to wait" in run.message
    stored = Order.objects.filter(account=account).count()
    assert 0 < stored < want
    [follow_up] = scheduled_pulls()
    assert follow_up.func_name == "channels.pulls.pull_orders_job" and follow_up.args[0] == account.pk

    # A pull requested meanwhile (a webhook, the minute's schedule) is the scheduled one.
    with django_capture_on_commit_callbacks(execute=True):
        job_requests.request_pull(account.pk, SyncRun.Trigger.WEBHOOK)
    assert django_rq.get_queue("sync").count == 0
    assert [job.id for job in scheduled_pulls()] == [follow_up.id]
    # One queued before the wait was known starts, and stops at once.
    with django_capture_on_commit_callbacks(execute=True):
        early = pulls.pull_orders_job(account.pk)
    assert early["skipped"] and "asked to wait" in early["message"]
    assert Order.objects.filter(account=account).count() == stored

    time.sleep(coordination.held_for("pull", account.pk) + 0.05)
    done = pulls.pull_orders_job(account.pk)
    assert not done.get("paused") and not done.get("skipped")
    assert Order.objects.filter(account=account).count() == want
    assert OrderEvent.objects.filter(order__account=account, kind="created").count() == want


def test_sync_now_sleeps_through_the_wait(listed, emulator, settings):
    account = listed["woocommerce"]
    emulator.state.generate_orders("woocommerce", 30)
    want = len(emulator.state.woocommerce.orders)
    emulator.state.faults.update(script=["429"], retry_after=1, services=["woocommerce"])
    result = pulls.pull_orders(account)  # defer_waits off: what Sync now and the API call
    assert not result.get("paused")
    assert Order.objects.filter(account=account).count() == want
    assert scheduled_pulls() == []
