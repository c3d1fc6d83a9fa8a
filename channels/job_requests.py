"""Requesting channel sync jobs: coalesced per account (``coordination``), queued after the
caller's transaction commits, on the ``sync`` queue, by the job's dotted path (so the services
that request them never import the job modules, which import the services).
"""

from __future__ import annotations

import logging

import django_rq
from django.conf import settings
from django.db import transaction

from channels import coordination, selectors
from channels.models import SyncRun

log = logging.getLogger("channels")

QUEUE = "sync"
Trigger = SyncRun.Trigger

PULL_ORDERS_JOB = "channels.pulls.pull_orders_job"
PUSH_STOCK_JOB = "channels.stock_push.push_stock_job"
PUSH_TRACKING_JOB = "channels.tracking_push.push_tracking"
REFRESH_TOKEN_JOB = "channels.token_refresh.refresh_token_job"
PROCESS_WEBHOOK_JOB = "channels.webhook_processing.process_webhook_job"


def enqueue(func, *args):
    """Put one job on the sync queue now (``func``: a dotted path or a function)."""
    return django_rq.get_queue(QUEUE).enqueue(func, *args,
                                              job_timeout=getattr(settings, "CHANNEL_SYNC_JOB_TIMEOUT", 1800),
                                              result_ttl=3600, failure_ttl=7 * 86400)


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


def request_stock_push(account_id: int, trigger: str = Trigger.OUTBOX) -> None:
    trigger = str(trigger)
    after_commit(lambda: coordination.request("push", account_id,
                                              lambda: enqueue(PUSH_STOCK_JOB, account_id, trigger)))


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


def on_outbox_written(outbox_ids) -> None:
    """Inventory's outbox listener: a stock change committed; push it to the accounts concerned."""
    for account_id in selectors.accounts_for_outbox(outbox_ids):
        coordination.request("push", account_id,
                             lambda a=account_id: enqueue(PUSH_STOCK_JOB, a, str(Trigger.OUTBOX)))
