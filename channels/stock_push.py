"""Pushing stock to a channel account: ``push_stock_job(account_id)`` consumes the account's
stock outbox. It first turns the waiting "SKU changed" rows into listing rows (for every account,
bundles included), then computes each waiting listing's quantity now (``inventory.stock_quantities``
through ``listings_with_quantity``): many changes of a listing become one push, a listing already
showing that quantity is closed without a call, the rest are batched to the channel's limits;
outbox rows are marked pushed only once the channel accepted that listing. Requested after every
stock change (inventory's outbox listener, one Redis round trip for all accounts), swept every
minute.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter

from django.conf import settings

from channels import coordination, health, selectors, services
from channels.job_requests import push_jobs_queued, request_stock_push
from channels.models import SyncRun
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError, PushPaused, StockPush, connector_class
from inventory import services as stock
from sellerhub.models import ChannelAccount

Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status


def push_stock(account: ChannelAccount, *, trigger: str = Trigger.OUTBOX, user=None, retry_of=None,
               wait_for_lock: float = 0.0, defer_waits: bool = False) -> dict:
    """Push the account's waiting stock changes. ``defer_waits``: a channel's wait longer than
    ``push_wait_limit`` ends the push where it is (the rest waits in the outbox) and schedules the
    next one for when the wait is over, so the worker pushes the other channels meanwhile. A push
    a person started sleeps through every wait."""
    lock = coordination.AccountLock("push", account.pk)
    if not lock.acquire(wait=wait_for_lock):
        coordination.mark_pending("push", account.pk)
        return {"skipped": True, "message": "Another push for this account is running; it picks up the changes."}
    try:
        coordination.take_pending("push", account.pk)
        return _push_locked(account, lock, trigger=trigger, user=user, retry_of=retry_of, defer_waits=defer_waits)
    finally:
        lock.release()
        if coordination.is_pending("push", account.pk):
            request_stock_push(account.pk)


def _expand_changes(account_id: int) -> None:
    """Turn the waiting "SKU changed" rows into listing rows (inventory's outbox); the other
    accounts that got rows are asked to push once that committed."""
    for other in stock.expand_changes():
        if other != account_id:
            request_stock_push(other)


def push_wait_limit() -> float:
    """The longest wait a queued stock push sleeps through (``CHANNEL_SYNC_PUSH_MAX_WAIT``, 0.25 s):
    a 429's Retry-After, or a channel's quota for the second used up (Etsy)."""
    return max(0.0, float(getattr(settings, "CHANNEL_SYNC_PUSH_MAX_WAIT", 0.25)))


IDLE_WAIT_LIMIT = 5.0  # the longest wait an idle push worker sleeps through (a 429 may ask for minutes)


def _wait_unless_pushes_queued(seconds: float) -> bool:
    """Sleep through a channel's wait while no other stock push waits on the queue: True once the
    wait is over (the push carries on), False as soon as another push is queued (this one hands
    over, so a channel's wait never holds up the others) or if the wait is long."""
    if seconds > IDLE_WAIT_LIMIT:
        return False
    ends = time.monotonic() + seconds
    while (left := ends - time.monotonic()) > 0:
        if push_jobs_queued():
            return False
        time.sleep(min(0.05, left))
    return True


def _wait_asked(paused: PushPaused) -> float:
    return paused.retry_after or push_wait_limit()


def _shown(quantity, cap: int | None) -> int:
    """What the channel shows for ``quantity``: never below 0 nor above its limit."""
    quantity = max(0, int(quantity))
    return quantity if cap is None else min(quantity, cap)


def _push_locked(account, lock, *, trigger, user, retry_of, defer_waits=False) -> dict:
    cap = connector_class(account.channel).max_stock_quantity
    run = None
    paused: PushPaused | None = None
    totals: Counter = Counter()
    errors: list[str] = []
    connector = None
    try:
        for _round in range(20):
            _expand_changes(account.pk)
            if _round == 0:  # rows expanded later are for pushable listings (expand_changes picks them)
                services.close_unpushable(account=account)
            backlog = selectors.push_backlog(account)
            if not backlog:
                break
            listings = selectors.listings_to_push(backlog)
            # Quantities are computed now (inventory.stock_quantities), as the channel can show
            # them; a listing showing what was last pushed needs no call unless a row asks for a
            # push all the same.
            shown = {lst.pk: _shown(lst.quantity, cap) for lst in listings}
            unchanged = {lst.pk: backlog[lst.pk][0] for lst in listings
                         if not backlog[lst.pk][1] and lst.last_pushed_quantity == shown[lst.pk]}
            stock.close_unchanged(up_to=unchanged)
            totals["unchanged"] += len(unchanged)
            listings = [lst for lst in listings if lst.pk not in unchanged]
            if not listings:
                continue
            if run is None:
                run = services.start_run(account=account, kind=Kind.PUSH_STOCK, trigger=trigger, user=user,
                                         retry_of=retry_of, args={"listings": len(listings)})
                connector = open_connector(account, lock)
                if defer_waits:
                    connector.wait_limit = push_wait_limit()
            items = [StockPush(listing_id=lst.pk, product_id=lst.external_product_id,
                               variant_id=lst.external_variant_id, channel_sku=lst.channel_sku,
                               quantity=shown[lst.pk]) for lst in listings]
            try:
                outcomes = connector.push_stock(items)
            except PushPaused as exc:  # the listings not sent stay in the outbox for the next push
                outcomes, paused = exc.outcomes, exc
            result = services.record_push_results(outcomes=outcomes, up_to={k: v[0] for k, v in backlog.items()},
                                                  quantities={i.listing_id: i.quantity for i in items})
            totals.update(result)
            errors.extend(f"listing {o.listing_id}: {o.error}" for o in outcomes if not o.ok)
            lock.extend()
            if result["failed"]:
                break  # the failed ones wait for the next sweep (backoff), not a tight loop
            if paused is not None:
                if not _wait_unless_pushes_queued(_wait_asked(paused)):
                    break  # another push waits for this worker: hand over, the next push carries on
                paused = None
    except ChannelError as exc:
        if run is None:
            run = services.start_run(account=account, kind=Kind.PUSH_STOCK, trigger=trigger, user=user)
        services.finish_run(run=run, status=Status.FAILED, items_ok=totals["pushed"], items_failed=totals["failed"],
                            counts=dict(totals), message=f"Stock push failed: {exc}", error=str(exc),
                            retryable=exc.retryable)
        health.record_failure(account=account, error=exc, operation="stock push")
        return {"message": f"Failed: {exc}", "failed": True, **totals}
    except Exception:
        if run is not None:
            services.finish_run(run=run, status=Status.FAILED, counts=dict(totals),
                                error=traceback.format_exc()[-4000:], message="Stock push stopped: an internal error",
                                retryable=True)
        raise
    finally:
        if connector is not None:
            connector.close()
    if run is None:
        return {"message": "Nothing to push", "pushed": 0}
    if totals["pushed"]:
        health.record_success(account=account)
    status = Status.SUCCEEDED if not totals["failed"] else (Status.PARTIAL if totals["pushed"] else Status.FAILED)
    message = f"{totals['pushed']} listing(s) pushed" + (f", {totals['failed']} failed" if totals["failed"] else "")
    if paused is not None:
        wait = _wait_asked(paused)
        message += f"; the channel asked to wait {wait:.2g} s, the next push carries on then"
        request_stock_push(account.pk, trigger, delay=wait)
    services.finish_run(run=run, status=status, items_ok=totals["pushed"], items_failed=totals["failed"],
                        counts=dict(totals), message=message, error="\n".join(errors[:50]),
                        retryable=bool(totals["retryable"]) if totals["failed"] else None)
    return {"message": message, "run": run.pk, **totals}


def push_stock_job(account_id: int, trigger: str = Trigger.OUTBOX) -> dict:
    coordination.started("push", account_id)
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "account gone or inactive"}
    waiting = health.skip_reason(account_id, trigger, account=account)  # a failing account waits for its retry
    if waiting:
        return {"message": f"not pushed: {waiting}", "skipped": True}
    return push_stock(account, trigger=trigger, defer_waits=True)
