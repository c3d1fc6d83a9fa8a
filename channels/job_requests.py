"""Requesting channel sync jobs: coalesced per account (``coordination``), queued after the
caller's transaction commits, by the job's dotted path (so the services that request them never
import the job modules, which import the services). Stock pushes go on their own ``push`` queue,
which workers listen to first, so a stock change never waits behind order pulls; the rest go on
the ``sync`` queue.
"""

from __future__ import annotations

import logging
import time

import django_rq
from django.conf import settings
from django.db import transaction

from channels import coordination, selectors
from channels.models import SyncRun
from sellerhub.workers import schedule_in

log = logging.getLogger("channels")

QUEUE = "sync"
PUSH_QUEUE = "push"  # stock pushes: workers take these before pulls (Procfile: rqworker push default sync ...)
Trigger = SyncRun.Trigger

PULL_ORDERS_JOB = "channels.pulls.pull_orders_job"
PUSH_STOCK_JOB = "channels.stock_push.push_stock_job"
PUSH_TRACKING_JOB = "channels.tracking_push.push_tracking"
REFRESH_TOKEN_JOB = "channels.token_refresh.refresh_token_job"
PROCESS_WEBHOOK_JOB = "channels.webhook_processing.process_webhook_job"


def enqueue(func, *args, queue: str = QUEUE, delay: float | None = None):
    """Put one job on ``queue`` (the sync queue unless told) now, or after ``delay`` seconds (RQ's
    schedule; every SellerHub worker releases what is due: ``sellerhub.workers``). ``func``: a
    dotted path or a function."""
    rq_queue = django_rq.get_queue(queue, connection=coordination.connection())
    options = {"job_timeout": getattr(settings, "CHANNEL_SYNC_JOB_TIMEOUT", 1800), "result_ttl": 3600,
               "failure_ttl": 7 * 86400}
    if delay:
        return schedule_in(rq_queue, delay, func, *args, **options)
    return rq_queue.enqueue(func, *args, **options)


def after_commit(callback) -> None:
    def run():
        try:
            callback()
        except Exception as exc:  # Redis down: the cron sweep picks the work up later
            log.warning("could not queue a channel sync job (%s); the next sweep will", exc)

    transaction.on_commit(run)


def request_pull(account_id: int, trigger: str = Trigger.SCHEDULE) -> None:
    trigger = str(trigger)
    after_commit(lambda: coordination.request("pull", account_id,
                                              lambda: enqueue(PULL_ORDERS_JOB, account_id, trigger)))


def request_pull_later(account_id: int, seconds: float, trigger: str = Trigger.SCHEDULE) -> None:
    """A pull once ``seconds`` have passed (the channel asked to wait): it stands for every request
    made meanwhile, as a queued pull does."""
    trigger = str(trigger)
    after_commit(lambda: coordination.request("pull", account_id,
                                              lambda: enqueue(PULL_ORDERS_JOB, account_id, trigger, delay=seconds)))


def request_stock_push(account_id: int, trigger: str = Trigger.OUTBOX, *, delay: float | None = None) -> None:
    """A stock push for the account, now or once ``delay`` seconds have passed (the channel asked
    to wait); either way it stands for every push requested while it waits on the queue."""
    trigger = str(trigger)
    after_commit(lambda: coordination.request("push", account_id,
                                              lambda: enqueue(PUSH_STOCK_JOB, account_id, trigger,
                                                              queue=PUSH_QUEUE, delay=delay)))


def ask_again_after_a_kill() -> list[tuple[str, int]]:
    """A worker check (``sellerhub.workers``): the sync locks a killed worker of this machine left
    are freed, and its order pulls and stock pushes are asked for again at once instead of at the
    next scheduled sweep. (Other syncs are swept as before; their lock is no longer in the way.)"""
    freed = coordination.take_over_abandoned()
    for kind, ident in freed:
        if kind == "pull":
            request_pull(ident)
        elif kind == "push":
            request_stock_push(ident)
    return freed


def push_jobs_queued() -> bool:
    """Whether a stock push job waits on the push queue (one Redis call)."""
    return django_rq.get_queue(PUSH_QUEUE, connection=coordination.connection()).count > 0


def enqueue_tracking_push(package_id: int, *, on_demand: bool = False) -> None:
    """Queue a package's tracking upload; ``on_demand`` (a person's retry) runs past the account's backoff."""
    try:
        if on_demand:
            enqueue(PUSH_TRACKING_JOB, package_id, "retry")
        else:
            enqueue(PUSH_TRACKING_JOB, package_id)
    except Exception as exc:  # Redis down: the sweep re-queues pending uploads
        log.warning("could not queue the tracking upload of package %s (%s); the next sweep will", package_id, exc)


def enqueue_token_refresh(account_id: int) -> None:
    enqueue(REFRESH_TOKEN_JOB, account_id)


def enqueue_webhook(delivery_id: int) -> None:
    after_commit(lambda: enqueue(PROCESS_WEBHOOK_JOB, delivery_id))


def enqueue_webhook_now(delivery_id: int) -> None:
    enqueue(PROCESS_WEBHOOK_JOB, delivery_id)


_pushable = {"ids": None, "at": 0.0}
PUSHABLE_CACHE_SECONDS = 5.0


def forget_pushable_accounts(**_kwargs) -> None:
    """Drop the cached ids of the accounts with listings to push (an account or listing changed)."""
    _pushable["ids"] = None


def pushable_account_ids() -> list[int]:
    """The active accounts with an active listing to push, cached for a few seconds in the process
    (a stock change asks on every commit); forgotten when an account or a listing is saved here.
    A listing mapped elsewhere meanwhile is caught by the expansion of the change (it asks for the
    pushes of every account that got rows) and by the sweep."""
    now = time.monotonic()
    if _pushable["ids"] is None or now - _pushable["at"] > PUSHABLE_CACHE_SECONDS:
        _pushable["ids"] = selectors.pushable_account_ids()
        _pushable["at"] = now
    return _pushable["ids"]


def on_outbox_written(outbox_ids) -> None:
    """Inventory's outbox listener: a stock change committed; ask for a push of every account with
    listings to push, in one Redis round trip (each push job expands the changes into the listings
    concerned, bundles included, and skips what did not move)."""
    account_ids = pushable_account_ids()
    if account_ids:
        coordination.request_many("push", account_ids,
                                  lambda a: enqueue(PUSH_STOCK_JOB, a, str(Trigger.OUTBOX), queue=PUSH_QUEUE))
