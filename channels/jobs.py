"""Channel sync jobs, on the ``sync`` queue: the schedules and sweeps (``cron.py``) and the jobs
the pages start (Sync now, Import listings). The work itself lives by sub-domain, and is
re-exported here for the callers that know these names:

- ``pulls``: ``pull_orders_job(account_id)``, the account's changed orders page by page;
- ``stock_push``: ``push_stock_job(account_id)``, the account's stock outbox;
- ``tracking_push``: ``push_tracking(package_id)``, a shipped package's tracking to its channel;
- ``token_refresh``: ``refresh_token_job(account_id)``, fresh tokens before they expire;
- ``webhook_processing``: ``process_webhook_job(delivery_id)``, the work behind a notification;
- ``retries``: ``retry_run_job``, a failed run's work again;
- ``job_requests``: requesting them (coalesced per account, after commit, by dotted path).

Jobs take ids. None holds a database transaction across an HTTP call: every write goes through
``channels.services`` in its own short transaction between calls.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from channels import health, job_requests, selectors, services
from channels.job_requests import (
    enqueue_tracking_push,
    enqueue_webhook,
    on_outbox_written,
    request_pull,
    request_stock_push,
)
from channels.models import SyncRun
from channels.pulls import pull_orders, pull_orders_job, store_payloads
from channels.retries import retry_run, retry_run_job
from channels.stock_push import push_stock, push_stock_job
from channels.token_refresh import open_connector, refresh_token, refresh_token_job, token_refresher_for
from channels.tracking_push import push_tracking
from channels.webhook_processing import process_webhook, process_webhook_job
from integrations.channels.connectors import ChannelError, NotConfigured, connector_for
from inventory import services as stock
from sellerhub.jobs import progress, tracked
from sellerhub.models import ChannelAccount

__all__ = [
    "enqueue_tracking_push", "enqueue_webhook", "import_listings_job", "on_outbox_written", "process_webhook",
    "process_webhook_job", "prune", "pull_all", "pull_orders", "pull_orders_job", "push_backlogs", "push_stock",
    "push_stock_job", "push_tracking", "refresh_token", "refresh_token_job", "refresh_tokens", "request_pull",
    "request_stock_push", "retry_run", "retry_run_job", "store_payloads", "sweep", "sync_now_job",
    "token_refresher_for",
]

Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status


# ---------------------------------------------------------------------------------------------
# Schedules (cron.py) and sweeps


def pull_all() -> dict:
    """Every minute: request a pull of every connected account (a failing one only once its
    backoff is over, see channels.health)."""
    accounts = [account for account in selectors.syncable_accounts() if health.is_due(account)]
    for account in accounts:
        request_pull(account.pk, Trigger.SCHEDULE)
    return {"accounts": len(accounts)}


def push_backlogs() -> dict:
    """Every minute: request a push for every account with stock changes still to push (those a
    failed push left, or whose request was lost); stock changes still waiting are expanded first."""
    stock.expand_changes()
    ids = health.due_ids(selectors.accounts_with_backlog())
    for account_id in ids:
        request_stock_push(account_id, Trigger.SCHEDULE)
    return {"accounts": len(ids)}


def refresh_tokens() -> dict:
    """Hourly: refresh the tokens that expire soon."""
    done = []
    for account in selectors.syncable_accounts():
        if not health.is_due(account):
            continue
        try:
            if connector_for(account).needs_refresh():
                job_requests.enqueue_token_refresh(account.pk)
                done.append(account.pk)
        except (LookupError, NotConfigured):
            continue
    return {"accounts": done}


def prune() -> dict:
    """Daily: old sync runs (see services.prune_history; the webhook inbox has its own retention)."""
    return services.prune_history()


def sweep() -> dict:
    """Every few minutes: notifications whose job was lost, and tracking uploads to retry."""
    cutoff = timezone.now() - dt.timedelta(minutes=2)
    deliveries = selectors.lost_webhook_events(received_before=cutoff)
    for pk in deliveries:
        job_requests.enqueue_webhook_now(pk)
    pushes = selectors.tracking_pushes_to_retry(queued_before=cutoff)
    for package_id in pushes:
        job_requests.enqueue(job_requests.PUSH_TRACKING_JOB, package_id, str(Trigger.RETRY))
    return {"webhooks": len(deliveries), "tracking": len(pushes)}


# ---------------------------------------------------------------------------------------------
# Jobs the pages start (JobRun with live progress)


@tracked
def sync_now_job(run_id: int, account_id: int, user_id: int | None = None) -> dict:
    """Sync now: pull the orders (progress per page), then push the stock backlog."""
    account = ChannelAccount.objects.get(pk=account_id)
    progress(run_id, 2, f"Connecting to {account.get_channel_display()}")
    pulled = pull_orders(account, trigger=Trigger.MANUAL, job_run_id=run_id, wait_for_lock=20,
                         report=lambda pct, msg: progress(run_id, pct, msg))
    if pulled.get("failed"):
        raise RuntimeError(pulled["message"])
    progress(run_id, 96, "Pushing stock")
    pushed = push_stock(account, trigger=Trigger.MANUAL, wait_for_lock=20)
    return {"message": f"{pulled.get('message', '')}. {pushed.get('message', '')}.".strip(". ") + ".",
            "pull": pulled, "push": pushed}


@tracked
def import_listings_job(run_id: int, account_id: int) -> dict:
    account = ChannelAccount.objects.get(pk=account_id)
    run = services.start_run(account=account, kind=Kind.IMPORT_LISTINGS, trigger=Trigger.MANUAL, job_run_id=run_id)
    progress(run_id, 5, f"Reading the listings on {account.get_channel_display()}")
    connector = None
    try:
        connector = open_connector(account)
        remote = []
        for listing in connector.list_listings():
            remote.append(listing)
            if len(remote) % 100 == 0:
                progress(run_id, min(80, 5 + len(remote) // 20), f"{len(remote)} listings read")
    except ChannelError as exc:
        services.finish_run(run=run, status=Status.FAILED, error=str(exc), retryable=exc.retryable,
                            message=f"Listings not imported: {exc}")
        raise RuntimeError(f"Listings not imported: {exc}") from exc
    finally:
        if connector is not None:
            connector.close()
    progress(run_id, 85, f"Matching {len(remote)} listings to SKUs")
    counts = services.import_listings(account=account, listings=remote)
    message = (f"{len(remote)} listings read: {counts['created']} new; {counts['matched']} matched to a SKU, "
               f"{counts['unmatched']} unmatched")
    services.finish_run(run=run, status=Status.SUCCEEDED, items_ok=len(remote), counts=counts, message=message)
    request_stock_push(account.pk, Trigger.MANUAL)
    return {"message": message, **counts}
