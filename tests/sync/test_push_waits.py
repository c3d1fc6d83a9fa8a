"""A queued stock push that meets a channel's wait longer than ``CHANNEL_SYNC_PUSH_MAX_WAIT``
(Etsy's per-second quota used up, a 429's Retry-After) ends where it is, over real HTTP against
the emulator: what was pushed is recorded, the other listings wait in the outbox without a failed
attempt, the next push of that account is scheduled for when the wait is over (and stands for the
pushes requested meanwhile), and the worker is free for the other channels. With no other push
waiting for the worker, it sleeps through a short wait and finishes. A push a person starts
sleeps through the wait."""

from __future__ import annotations

import time

import django_rq
import pytest
from rq.registry import ScheduledJobRegistry

from channels import job_requests, jobs
from channels.models import SyncRun
from channels.stock_push import push_stock_job
from channels.token_refresh import open_connector
from integrations.channels.connectors.etsy import inventory_request
from inventory import services as stock
from inventory.models import ChannelListing, Location, StockOutbox
from tests.sync.test_stock_push import channel_quantity


def scheduled_pushes():
    queue = django_rq.get_queue("push")
    return [queue.fetch_job(job_id) for job_id in ScheduledJobRegistry(queue=queue).get_job_ids()]


def three_etsy_listings(emulator, skus):
    """Three SKUs on three different Etsy listings (one GET and one PUT each)."""
    catalogue, chosen, seen = emulator.state.catalogue, [], set()
    for item in catalogue.items:
        listing_id = catalogue.ids(item.sku)["etsy"]["listing_id"]
        if listing_id not in seen and item.sku in skus:
            seen.add(listing_id)
            chosen.append(item.sku)
    return chosen[:3]


@pytest.fixture
def quiet(listed, emulator, settings, django_capture_on_commit_callbacks):
    """Every listing pushed once, then the queued pushes' limit as in production."""
    for account in listed.values():
        assert not jobs.push_stock(account).get("failed")
    time.sleep(1.05)  # Etsy's second from that first push is over
    settings.CHANNEL_SYNC_PUSH_MAX_WAIT = 0.25
    return listed


def test_a_push_that_meets_etsys_used_up_second_hands_over_and_the_next_one_finishes(
        quiet, skus, emulator, django_capture_on_commit_callbacks):
    etsy, main = quiet["etsy"], Location.objects.get(code="MAIN")
    chosen = three_etsy_listings(emulator, skus)
    for code in reversed(chosen):  # the last listing's change waits longest (push requests: the job below)
        stock.adjust(sku=skus[code], location=main, quantity=-4, reason="adjustment", note="breakage")
    listing_id = str(emulator.state.catalogue.ids(chosen[0])["etsy"]["listing_id"])
    caller = open_connector(etsy)
    for _ in range(6):  # another job's calls leave 4 of this second's 10: two listings' GET and PUT
        caller.call(inventory_request(listing_id))

    with django_capture_on_commit_callbacks(execute=True):
        job_requests.request_stock_push(quiet["tiktok"].pk)  # another channel's push waits for a worker
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        result = push_stock_job(etsy.pk)
    assert time.monotonic() - started < 0.9, "the push did not sleep through the wait"
    assert result["pushed"] == 2 and not result.get("failed")
    run = SyncRun.objects.get(pk=result["run"])
    assert run.status == SyncRun.Status.SUCCEEDED
    assert "the channel asked to wait" in run.message and "the next push carries on then" in run.message
    waiting = StockOutbox.objects.filter(listing__account=etsy, pushed_at__isnull=True)
    assert waiting.count() == 1 and waiting.get().attempts == 0 and waiting.get().last_error == ""
    # the two whose changes waited longest went first, not the first two by id
    assert [channel_quantity(emulator, "etsy", code) for code in chosen] == [100, 96, 96]

    follow_up = scheduled_pushes()
    assert [job.args[0] for job in follow_up] == [etsy.pk]
    with django_capture_on_commit_callbacks(execute=True):  # a change meanwhile: the scheduled push stands for it
        stock.adjust(sku=skus[chosen[1]], location=main, quantity=-1, reason="adjustment", note="breakage")
    assert django_rq.get_queue("push").count == 3, "the other three accounts' pushes only"
    assert len(scheduled_pushes()) == 1

    time.sleep(1.0)  # the wait is over; the scheduled push runs
    follow_up[0].perform()
    assert [channel_quantity(emulator, "etsy", code) for code in chosen] == [96, 95, 96]
    assert not StockOutbox.objects.filter(listing__account=etsy, pushed_at__isnull=True).exists()


def test_a_push_worker_with_nothing_else_to_do_sleeps_through_the_wait_and_finishes(
        quiet, skus, emulator, django_capture_on_commit_callbacks):
    etsy, main = quiet["etsy"], Location.objects.get(code="MAIN")
    chosen = three_etsy_listings(emulator, skus)
    for code in chosen:
        stock.adjust(sku=skus[code], location=main, quantity=-4, reason="adjustment", note="breakage")
    listing_id = str(emulator.state.catalogue.ids(chosen[0])["etsy"]["listing_id"])
    caller = open_connector(etsy)
    for _ in range(6):
        caller.call(inventory_request(listing_id))
    assert django_rq.get_queue("push").count == 0
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        result = push_stock_job(etsy.pk)
    assert 0.5 < time.monotonic() - started < 3
    assert result["pushed"] == 3 and "asked to wait" not in result["message"]
    assert [channel_quantity(emulator, "etsy", code) for code in chosen] == [96, 96, 96]
    assert scheduled_pushes() == []


def test_a_429_ends_a_queued_push_without_a_failed_attempt(quiet, skus, emulator,
                                                              django_capture_on_commit_callbacks):
    tiktok, main = quiet["tiktok"], Location.objects.get(code="MAIN")
    with django_capture_on_commit_callbacks(execute=True):  # (this queues every account's push)
        stock.adjust(sku=skus["MUG-RED"], location=main, quantity=-5, reason="adjustment", note="breakage")
    emulator.state.faults.update(script=["429"], retry_after=1, services=["tiktok"])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        result = push_stock_job(tiktok.pk)
    assert time.monotonic() - started < 0.9
    assert result["pushed"] == 0 and not result.get("failed")
    assert "asked to wait 1 s" in SyncRun.objects.get(pk=result["run"]).message
    row = StockOutbox.objects.get(listing__account=tiktok, pushed_at__isnull=True)
    assert (row.attempts, row.last_error) == (0, "")
    assert channel_quantity(emulator, "tiktok", "MUG-RED") == 100
    assert [job.args[0] for job in scheduled_pushes()] == [tiktok.pk]


def test_a_push_a_person_starts_sleeps_through_the_wait(quiet, skus, emulator, django_capture_on_commit_callbacks):
    tiktok, main = quiet["tiktok"], Location.objects.get(code="MAIN")
    with django_capture_on_commit_callbacks(execute=True):
        stock.adjust(sku=skus["MUG-RED"], location=main, quantity=-5, reason="adjustment", note="breakage")
    emulator.state.faults.update(script=["429"], retry_after=1, services=["tiktok"])
    result = jobs.push_stock(tiktok)
    assert result.get("pushed") == 1 and not result.get("failed")
    assert channel_quantity(emulator, "tiktok", "MUG-RED") == 95
    assert scheduled_pushes() == []
    assert ChannelListing.objects.get(account=tiktok, sku=skus["MUG-RED"]).last_pushed_quantity == 95
