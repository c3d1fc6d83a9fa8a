"""Channel sync jobs, on the ``sync`` queue.

- ``pull_orders_job(account_id)``: orders changed since the account's cursor, page by page. Each
  page is stored (one upsert per order, each its own transaction) before the cursor moves past
  it, so a killed worker loses nothing and a rerun duplicates nothing. Scheduled every minute
  (cron.py), requested by webhooks, and run by "Sync now".
- ``push_stock_job(account_id)``: the account's stock outbox. Many changes of a listing become
  one push of its available quantity now, batched to the channel's limits; outbox rows are
  marked pushed only once the channel accepted that listing. Requested after every stock change
  (inventory's outbox listener), swept every minute.
- ``push_tracking(package_id)``: a shipped package's tracking to its channel (queued by
  ``services.queue_tracking_push`` when the fulfilment services mark a package shipped).
- ``refresh_token_job(account_id)``: fresh tokens before they expire (hourly), and on demand
  when a channel says a token expired.
- ``process_webhook_job(delivery_id)``: the work behind a verified notification.

Jobs take ids. None holds a database transaction across an HTTP call: every write goes through
``channels.services`` in its own short transaction between calls. Requests are
coalesced per account (``coordination``), so a burst of stock changes makes one push.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections import Counter

import django_rq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels import coordination, selectors, services
from channels.models import SyncRun, WebhookDelivery
from fulfilment.models import TrackingPush
from integrations.channels.connectors import (
    ChannelError,
    NotConfigured,
    Rejected,
    ShipmentLine,
    ShipmentPush,
    StockPush,
    Unavailable,
    connector_for,
)
from orders.mapping import PayloadError, map_order
from orders.services import OrderError, upsert_order
from sellerhub.jobs import progress, tracked
from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

QUEUE = "sync"
Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status

# Test hook: called after each stored page as ``hook(account, page_number)``; the acceptance
# tests raise from it to stop a pull between pages, as a killed worker would.
after_page_hook = None


def _setting(name, default):
    return getattr(settings, name, default)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------------------------------------
# Requesting jobs (coalesced per account; after the caller's transaction commits)


def _enqueue(func, *args):
    return django_rq.get_queue(QUEUE).enqueue(func, *args, job_timeout=_setting("CHANNEL_SYNC_JOB_TIMEOUT", 1800),
                                              result_ttl=3600, failure_ttl=7 * 86400)


def _after_commit(callback):
    def run():
        try:
            callback()
        except Exception as exc:  # Redis down: the cron sweep picks the work up later
            log.warning("could not queue a channel sync job (%s); the next sweep will", exc)

    transaction.on_commit(run)


def request_pull(account_id: int, trigger: str = Trigger.SCHEDULE) -> None:
    trigger = str(trigger)
    _after_commit(lambda: coordination.request("pull", account_id, lambda: _enqueue(pull_orders_job, account_id,
                                                                                    trigger)))


def request_stock_push(account_id: int, trigger: str = Trigger.OUTBOX) -> None:
    trigger = str(trigger)
    _after_commit(lambda: coordination.request("push", account_id, lambda: _enqueue(push_stock_job, account_id,
                                                                                    trigger)))


def enqueue_tracking_push(package_id: int) -> None:
    try:
        _enqueue(push_tracking, package_id)
    except Exception as exc:  # Redis down: the sweep re-queues pending uploads
        log.warning("could not queue the tracking upload of package %s (%s); the next sweep will", package_id, exc)


def enqueue_webhook(delivery_id: int) -> None:
    _after_commit(lambda: _enqueue(process_webhook_job, delivery_id))


def on_outbox_written(outbox_ids) -> None:
    """Inventory's outbox listener: a stock change committed; push it to the accounts concerned."""
    for account_id in selectors.accounts_for_outbox(outbox_ids):
        coordination.request("push", account_id, lambda a=account_id: _enqueue(push_stock_job, a, str(Trigger.OUTBOX)))


# ---------------------------------------------------------------------------------------------
# Tokens


def _refresher(account_id: int):
    """Refresh an account's token under a lock, once: a job that finds it already refreshed by
    another uses the stored one (refresh tokens rotate, so refreshing twice would fail)."""

    def refresh(connector):
        lock = coordination.AccountLock("token", account_id, seconds=120)
        if not lock.acquire(wait=30):
            raise Unavailable("another job is refreshing the token", operation="token.refresh")
        try:
            stored = ChannelAccount.objects.get(pk=account_id).credentials or {}
            if stored.get("access_token") and stored.get("access_token") != connector.credentials.get("access_token"):
                return stored
            connector.use_credentials(stored)
            fresh = connector.refresh_credentials()
            services.store_credentials(account_id=account_id, credentials=fresh)
            return fresh
        finally:
            lock.release()

    return refresh


# The public name (other apps' TikTok calls refresh tokens the same way); _refresher stays for them.
token_refresher_for = _refresher


def _sleeper(lock):
    """The connector's wait between retries, keeping the job's lock alive while it waits."""

    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 5.0))
            lock.extend()

    return sleep


def _connector(account: ChannelAccount, lock=None):
    connector = connector_for(account)
    connector.token_refresher = _refresher(account.pk)
    if lock is not None:
        connector.sleep = _sleeper(lock)
    if connector.needs_refresh():
        connector.use_credentials(connector.token_refresher(connector))
    return connector


def refresh_token(account: ChannelAccount, *, trigger: str = Trigger.SCHEDULE, force: bool = False) -> dict:
    connector = connector_for(account)
    if not connector.can_refresh():
        return {"message": f"{account.name}: no refresh token (this channel's keys do not expire)"}
    if not force and not connector.needs_refresh():
        return {"message": f"{account.name}: the token is still fresh"}
    run = services.start_run(account=account, kind=Kind.REFRESH_TOKEN, trigger=trigger)
    try:
        _refresher(account.pk)(connector)
    except ChannelError as exc:
        services.finish_run(run=run, status=Status.FAILED, error=str(exc), retryable=exc.retryable,
                            message="The token could not be refreshed")
        return {"message": str(exc), "failed": True}
    finally:
        connector.close()
    services.finish_run(run=run, status=Status.SUCCEEDED, items_ok=1, message="Token refreshed")
    return {"message": f"{account.name}: token refreshed"}


def refresh_token_job(account_id: int, trigger: str = Trigger.SCHEDULE) -> dict:
    account = ChannelAccount.objects.filter(pk=account_id).first()
    return refresh_token(account, trigger=trigger) if account else {"message": "account gone"}


# ---------------------------------------------------------------------------------------------
# Pulling orders


def _discover_square_listings(account, connector, mapped) -> None:
    """Square lines carry only a variation id: make sure each has a listing (SKU from the catalog)."""
    variant_ids = {line.channel_variant_id for order in mapped for line in order.lines if line.channel_variant_id}
    unknown = variant_ids - selectors.known_variant_ids(account, variant_ids)
    if unknown:
        services.import_listings(account=account, listings=connector.lookup_variations(sorted(unknown)))


def store_payloads(account: ChannelAccount, payloads: list[dict], *, connector=None, source: str = "sync",
                   tick=None) -> dict:
    """Map and upsert one page of the channel's orders. Returns {"counts", "rejected", "retry"}:
    rejected payloads (the mapping or the order rules refuse them; the same payload would fail
    again) and ids to fetch again next time (an unexpected error while storing)."""
    counts: Counter = Counter()
    rejected: list[tuple[str, str]] = []
    retry: list[str] = []
    mapped = []
    for payload in payloads:
        try:
            mapped.append(map_order(account.channel, payload))
        except PayloadError as exc:
            ext = str(payload.get("id") or payload.get("receipt_id") or "?") if isinstance(payload, dict) else "?"
            rejected.append((ext, str(exc)))
    if account.channel == "square" and connector is not None and mapped:
        _discover_square_listings(account, connector, mapped)
    stored = selectors.stored_versions(account, [m.external_id for m in mapped])
    for index, incoming in enumerate(mapped, start=1):
        if tick is not None and index % 20 == 0:
            tick()  # a long page keeps the job's lock
        known = stored.get(incoming.external_id)
        if known is not None:
            updated_at, created_at, raw = known
            if updated_at == incoming.updated_at and raw == incoming.raw:
                counts["unchanged"] += 1  # what upsert_order would say, without its transaction
                continue
            if created_at and abs((created_at - incoming.created_at).total_seconds()) > 1:
                rejected.append((incoming.external_id,
                                 f"the channel sent order {incoming.external_id} with another creation time "
                                 f"({incoming.created_at:%Y-%m-%d %H:%M} UTC, stored {created_at:%Y-%m-%d %H:%M} "
                                 f"UTC): an order id reused by the channel; not applied"))
                continue
        try:
            result = upsert_order(account=account, incoming=incoming, source=source)
        except (PayloadError, OrderError) as exc:
            rejected.append((incoming.external_id, str(exc)))
            continue
        except Exception:
            log.exception("storing %s order %s failed; it is fetched again next time", account, incoming.external_id)
            retry.append(incoming.external_id)
            continue
        counts[result.outcome] += 1
    counts["rejected"] += len(rejected)
    return {"counts": counts, "rejected": rejected, "retry": retry}


def _new_since(since: dt.datetime, position: dict) -> dt.datetime:
    """Where the next window starts: no later than when this one started on the channel's clock
    (an order changed during the scan may have been passed already) nor than the newest change
    seen, minus a look-back for the channel's eventual consistency; never earlier than before."""
    started = _parse(position.get("started")) or timezone.now()
    newest = _parse(position.get("max"))
    candidate = min(newest, started) if newest else started
    lookback = dt.timedelta(seconds=_setting("CHANNEL_SYNC_LOOKBACK_SECONDS", 60))
    return max(since, candidate - lookback)


def pull_orders(account: ChannelAccount, *, trigger: str = Trigger.SCHEDULE, job_run_id=None, user=None,
                retry_of=None, report=None, wait_for_lock: float = 0.0) -> dict:
    """Fetch and store the account's changed orders (see the module docstring). ``report`` is
    called as report(percent, message) after each page (the Sync now page's progress)."""
    lock = coordination.AccountLock("pull", account.pk)
    if not lock.acquire(wait=wait_for_lock):
        coordination.mark_pending("pull", account.pk)
        return {"skipped": True, "message": "Another pull of this account is running; it picks up the changes."}
    try:
        coordination.take_pending("pull", account.pk)
        return _pull_locked(account, lock, trigger=trigger, job_run_id=job_run_id, user=user, retry_of=retry_of,
                            report=report)
    finally:
        lock.release()
        if coordination.is_pending("pull", account.pk):
            request_pull(account.pk, Trigger.WEBHOOK)


def _pull_locked(account, lock, *, trigger, job_run_id, user, retry_of, report) -> dict:
    services.interrupt_stale_runs(account=account, kind=Kind.PULL_ORDERS)
    cursor = services.ensure_cursor(account=account)
    run = services.start_run(account=account, kind=Kind.PULL_ORDERS, trigger=trigger, job_run_id=job_run_id,
                             user=user, retry_of=retry_of, cursor_before=_iso(cursor.since) or "")
    counts: Counter = Counter()
    rejected: list[tuple[str, str]] = []
    retry_ids: list[str] = []
    pages = 0
    connector = None

    def note_page(result):
        counts.update(result["counts"])
        rejected.extend(result["rejected"])
        retry_ids.extend(result["retry"])

    def ok_items():
        return sum(counts[k] for k in ("created", "updated", "unchanged", "stale"))

    try:
        connector = _connector(account, lock)
        connector.unchanged_filter = lambda times: selectors.unchanged_ids(account, times)
        position = dict(cursor.position or {})
        earlier_failures = position.pop("retry_ids", None) or []
        if earlier_failures:  # orders that failed to store last time: fetch them again by id
            note_page(store_payloads(account, connector.fetch_order_payloads(earlier_failures), connector=connector,
                                     tick=lock.extend))
        initial = timezone.now() - dt.timedelta(days=_setting("CHANNEL_SYNC_INITIAL_DAYS", 7))
        if position.get("window") and position.get("resume"):
            since, resume = _parse(position["window"]), position["resume"]  # carry on after an interruption
        else:
            since, resume = cursor.since or initial, None
            position = {"window": _iso(since)}
        restarted = False
        while True:
            fetched_this_try = 0
            try:
                window_start = timezone.now()
                for page in connector.iter_order_pages(since=since, resume=resume):
                    fetched_this_try += 1
                    result = store_payloads(account, page.payloads, connector=connector, tick=lock.extend)
                    result["counts"]["unchanged"] += page.unchanged
                    note_page(result)
                    # The page is stored: only now may the cursor move past it.
                    position.setdefault("started", _iso(connector.last_server_time or window_start))
                    if page.max_updated:
                        seen = _parse(position.get("max"))
                        position["max"] = _iso(max(page.max_updated, seen) if seen else page.max_updated)
                    position["resume"] = page.resume
                    if result["retry"]:
                        position["retry_ids"] = sorted(set(position.get("retry_ids", [])) | set(result["retry"]))
                    services.save_position(cursor=cursor, position=position)
                    pages += 1
                    message = f"Page {pages}: {ok_items()} orders read, {counts['created']} new"
                    services.heartbeat(run=run, pages=pages, items_ok=ok_items(), items_failed=len(rejected),
                                       counts=dict(counts), message=message)
                    if report:
                        report(min(95, 5 + pages * 10), message)
                    if not lock.extend():
                        raise Unavailable("the pull's lock expired; another job may have taken over")
                    if after_page_hook is not None:
                        after_page_hook(account, pages)
                break
            except Rejected:
                # A page token the channel no longer knows (it expired while we were away):
                # start the window again from its beginning, once.
                if resume is None or fetched_this_try or restarted:
                    raise
                restarted, resume, position = True, None, {"window": _iso(since)}
        new_since = _new_since(since, position)
        services.complete_window(cursor=cursor, since=new_since, retry_ids=position.get("retry_ids"))
        status = Status.PARTIAL if (rejected or retry_ids) else Status.SUCCEEDED
        message = (f"{ok_items()} orders read: {counts['created']} new, {counts['updated']} updated, "
                   f"{counts['unchanged'] + counts['stale']} unchanged"
                   + (f", {len(rejected)} refused" if rejected else "")
                   + (f", {len(retry_ids)} to fetch again" if retry_ids else ""))
        error = "\n".join(f"{ext}: {reason}" for ext, reason in rejected[:50])
        services.finish_run(run=run, status=status, items_ok=ok_items(), items_failed=len(rejected) + len(retry_ids),
                            counts=dict(counts), message=message, error=error, pages=pages,
                            retryable=bool(retry_ids) if status == Status.PARTIAL else None,
                            cursor_after=_iso(new_since) or "")
        return {"message": message, "run": run.pk, "pages": pages, **counts}
    except ChannelError as exc:
        services.record_pull_failure(cursor=cursor, error=str(exc))
        services.finish_run(run=run, status=Status.FAILED, items_ok=ok_items(), items_failed=len(rejected),
                            counts=dict(counts), pages=pages, message=f"Stopped after {pages} page(s): {exc}",
                            error=str(exc), retryable=exc.retryable, cursor_after=_iso(cursor.since) or "")
        return {"message": f"Failed: {exc}", "run": run.pk, "failed": True, "pages": pages, **counts}
    except Exception as exc:
        services.record_pull_failure(cursor=cursor, error=f"{exc.__class__.__name__}: {exc}")
        services.finish_run(run=run, status=Status.FAILED, items_ok=ok_items(), counts=dict(counts), pages=pages,
                            message=f"Stopped after {pages} page(s): an internal error",
                            error=traceback.format_exc()[-4000:], retryable=True)
        raise
    finally:
        if connector is not None:
            connector.close()


def pull_orders_job(account_id: int, trigger: str = Trigger.SCHEDULE) -> dict:
    coordination.started("pull", account_id)
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "account gone or inactive"}
    return pull_orders(account, trigger=trigger)


# ---------------------------------------------------------------------------------------------
# Pushing stock


def push_stock(account: ChannelAccount, *, trigger: str = Trigger.OUTBOX, user=None, retry_of=None,
               wait_for_lock: float = 0.0) -> dict:
    lock = coordination.AccountLock("push", account.pk)
    if not lock.acquire(wait=wait_for_lock):
        coordination.mark_pending("push", account.pk)
        return {"skipped": True, "message": "Another push for this account is running; it picks up the changes."}
    try:
        coordination.take_pending("push", account.pk)
        return _push_locked(account, lock, trigger=trigger, user=user, retry_of=retry_of)
    finally:
        lock.release()
        if coordination.is_pending("push", account.pk):
            request_stock_push(account.pk)


def _push_locked(account, lock, *, trigger, user, retry_of) -> dict:
    run = None
    totals: Counter = Counter()
    errors: list[str] = []
    connector = None
    try:
        for _round in range(20):
            services.close_unpushable(account=account)
            backlog = selectors.outbox_backlog(account)
            if not backlog:
                break
            if run is None:
                run = services.start_run(account=account, kind=Kind.PUSH_STOCK, trigger=trigger, user=user,
                                         retry_of=retry_of, args={"listings": len(backlog)})
                connector = _connector(account, lock)
            listings = selectors.listings_to_push(backlog)
            items = [StockPush(listing_id=lst.pk, product_id=lst.external_product_id,
                               variant_id=lst.external_variant_id, channel_sku=lst.channel_sku,
                               quantity=max(0, int(lst.quantity))) for lst in listings]
            outcomes = connector.push_stock(items)
            result = services.record_push_results(outcomes=outcomes, up_to=backlog,
                                                  quantities={i.listing_id: i.quantity for i in items})
            totals.update(result)
            errors.extend(f"listing {o.listing_id}: {o.error}" for o in outcomes if not o.ok)
            lock.extend()
            if result["failed"]:
                break  # the failed ones wait for the next sweep (backoff), not a tight loop
    except ChannelError as exc:
        if run is None:
            run = services.start_run(account=account, kind=Kind.PUSH_STOCK, trigger=trigger, user=user)
        services.finish_run(run=run, status=Status.FAILED, items_ok=totals["pushed"], items_failed=totals["failed"],
                            counts=dict(totals), message=f"Stock push failed: {exc}", error=str(exc),
                            retryable=exc.retryable)
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
    status = Status.SUCCEEDED if not totals["failed"] else (Status.PARTIAL if totals["pushed"] else Status.FAILED)
    message = f"{totals['pushed']} listing(s) pushed" + (f", {totals['failed']} failed" if totals["failed"] else "")
    services.finish_run(run=run, status=status, items_ok=totals["pushed"], items_failed=totals["failed"],
                        counts=dict(totals), message=message, error="\n".join(errors[:50]),
                        retryable=bool(totals["retryable"]) if totals["failed"] else None)
    return {"message": message, "run": run.pk, **totals}


def push_stock_job(account_id: int, trigger: str = Trigger.OUTBOX) -> dict:
    coordination.started("push", account_id)
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "account gone or inactive"}
    return push_stock(account, trigger=trigger)


# ---------------------------------------------------------------------------------------------
# Pushing tracking


def _shipment_for(package) -> ShipmentPush:
    from fulfilment.models import PackageLine  # noqa: PLC0415
    from integrations.carriers.registry import CARRIERS  # noqa: PLC0415

    order = package.order
    lines = [ShipmentLine(external_id=pl.order_line.external_id, channel_sku=pl.order_line.channel_sku,
                          quantity=pl.quantity) for pl in package.lines.select_related("order_line")]
    covered = set(PackageLine.objects.filter(package__order=order).exclude(package__tracking_number="")
                  .exclude(package__status="cancelled").values_list("order_line_id", flat=True))
    active = set(order.lines.filter(cancelled=False).values_list("pk", flat=True))
    carrier = CARRIERS.get(package.carrier)
    return ShipmentPush(order_external_id=order.external_id, tracking_number=package.tracking_number,
                        carrier_code=package.carrier, carrier_name=package.carrier_name or (carrier.name if carrier
                                                                                            else ""),
                        shipping_provider_id=package.shipping_provider_id, package_external_id=package.external_id,
                        lines=tuple(lines), shipped_at=package.tracking_uploaded_at,
                        all_lines_shipped=not lines or active <= covered)


def push_tracking(package_id: int, trigger: str = Trigger.SHIPMENT, retry_of=None) -> dict:
    """The job: upload a shipped package's tracking number to its order's channel, once."""
    from fulfilment.models import Package  # noqa: PLC0415

    package = Package.objects.select_related("order__account").filter(pk=package_id).first()
    if package is None or not package.tracking_number:
        return {"message": "no package or no tracking number"}
    account = package.order.account
    lock = coordination.AccountLock("tracking", package.pk)
    if not lock.acquire(wait=5):
        return {"message": "another job is uploading this package's tracking", "skipped": True}
    try:
        return _push_tracking_locked(package, account, trigger=trigger, retry_of=retry_of)
    finally:
        lock.release()


def _push_tracking_locked(package, account, *, trigger, retry_of) -> dict:
    push, _ = TrackingPush.objects.get_or_create(package=package, defaults={"tracking_number": package.tracking_number})
    if push.status == TrackingPush.Status.PUSHED and push.tracking_number == package.tracking_number:
        return {"message": "already pushed", "already": True}
    run = services.start_run(account=account, kind=Kind.PUSH_TRACKING, trigger=trigger, retry_of=retry_of,
                             args={"package_id": package.pk, "order": package.order.external_id,
                                   "tracking_number": package.tracking_number})
    connector = None
    try:
        connector = _connector(account)
        outcome = connector.push_shipment(_shipment_for(package))
    except ChannelError as exc:
        services.record_tracking_result(push=push, number=package.tracking_number, error=exc)
        services.finish_run(run=run, status=Status.FAILED, items_failed=1, error=str(exc), retryable=exc.retryable,
                            message=f"Tracking {package.tracking_number} not uploaded: {exc}")
        return {"message": str(exc), "failed": True}
    finally:
        if connector is not None:
            connector.close()
    services.record_tracking_result(push=push, number=package.tracking_number, reference=outcome.reference)
    what = "was already on the channel" if outcome.already else "uploaded"
    message = f"Tracking {package.tracking_number} of order {package.order.external_id} {what}"
    if outcome.warning:
        message += f" (channel warning: {outcome.warning})"
    services.finish_run(run=run, status=Status.SUCCEEDED, items_ok=1, message=message)
    return {"message": message, "reference": outcome.reference, "already": outcome.already}


# ---------------------------------------------------------------------------------------------
# Webhooks


def process_webhook(delivery: WebhookDelivery) -> dict:
    """Fetch (or take from the notification) the orders it names and store them; on a channel
    error, ask for a pull instead (the cursor catches the change anyway)."""
    account = delivery.account
    order_ids, payloads = _webhook_targets(account, delivery.payload)
    connector = None
    try:
        if order_ids and not payloads:
            connector = _connector(account)
            payloads = connector.fetch_order_payloads(order_ids)
        result = store_payloads(account, payloads, connector=connector, source="webhook")
    except ChannelError as exc:
        services.finish_delivery(delivery=delivery, status=WebhookDelivery.Status.FAILED, error=str(exc))
        request_pull(account.pk, Trigger.WEBHOOK)
        return {"message": f"{exc}; a pull was requested instead", "failed": True}
    finally:
        if connector is not None:
            connector.close()
    counts = result["counts"]
    error = "\n".join(f"{ext}: {reason}" for ext, reason in result["rejected"])
    services.finish_delivery(delivery=delivery, status=WebhookDelivery.Status.PROCESSED, error=error)
    if result["retry"]:
        request_pull(account.pk, Trigger.WEBHOOK)
    return {"message": ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to store", **counts}


def _webhook_targets(account, body) -> tuple[list[str], list[dict]]:
    """(order ids to fetch, order payloads carried in full) of a stored notification."""
    if not isinstance(body, dict):
        return [], []
    if account.channel == "tiktok":
        data = body.get("data") or {}
        return ([str(data["order_id"])] if data.get("order_id") else []), []
    if account.channel == "woocommerce":
        return [str(body["id"])] if body.get("id") else [], [body] if "line_items" in body else []
    if account.channel == "etsy":
        from integrations.channels.connectors.etsy import receipt_id_from  # noqa: PLC0415

        receipt = receipt_id_from(str(body.get("resource_url") or ""))
        return ([receipt] if receipt else []), []
    if account.channel == "square":
        data = body.get("data") or {}
        return ([str(data["id"])] if data.get("id") else []), []
    return [], []


def process_webhook_job(delivery_id: int) -> dict:
    delivery = WebhookDelivery.objects.select_related("account").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (WebhookDelivery.Status.PROCESSED, WebhookDelivery.Status.IGNORED):
        return {"message": "nothing to do (already processed)"}
    return process_webhook(delivery)


# ---------------------------------------------------------------------------------------------
# Schedules (cron.py) and sweeps


def pull_all() -> dict:
    """Every minute: request a pull of every connected account."""
    accounts = selectors.syncable_accounts()
    for account in accounts:
        request_pull(account.pk, Trigger.SCHEDULE)
    return {"accounts": len(accounts)}


def push_backlogs() -> dict:
    """Every minute: request a push for every account with stock changes still to push (those a
    failed push left, or whose request was lost)."""
    ids = selectors.accounts_with_backlog()
    for account_id in ids:
        request_stock_push(account_id, Trigger.SCHEDULE)
    return {"accounts": len(ids)}


def refresh_tokens() -> dict:
    """Hourly: refresh the tokens that expire soon."""
    done = []
    for account in selectors.syncable_accounts():
        try:
            if connector_for(account).needs_refresh():
                _enqueue(refresh_token_job, account.pk)
                done.append(account.pk)
        except (LookupError, NotConfigured):
            continue
    return {"accounts": done}


def prune() -> dict:
    """Daily: old sync runs and webhook deliveries (see services.prune_history)."""
    return services.prune_history()


def sweep() -> dict:
    """Every few minutes: notifications whose job was lost, and tracking uploads to retry."""
    cutoff = timezone.now() - dt.timedelta(minutes=2)
    deliveries = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.RECEIVED, received_at__lt=cutoff)
                      .values_list("pk", flat=True)[:500])
    for pk in deliveries:
        _enqueue(process_webhook_job, pk)
    pushes = list(TrackingPush.objects.filter(
        status__in=[TrackingPush.Status.PENDING, TrackingPush.Status.FAILED], queued_at__lt=cutoff, attempts__lt=8)
        .exclude(status=TrackingPush.Status.FAILED, retryable=False).values_list("package_id", flat=True)[:500])
    for package_id in pushes:
        _enqueue(push_tracking, package_id, str(Trigger.RETRY))
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
        connector = _connector(account)
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


def retry_run(run: SyncRun, *, user=None) -> dict:
    """Run a failed sync run's work again (the sync log's Retry button)."""
    account = run.account
    if run.kind == Kind.PULL_ORDERS:
        return pull_orders(account, trigger=Trigger.RETRY, user=user, retry_of=run, wait_for_lock=20)
    if run.kind == Kind.PUSH_STOCK:
        return push_stock(account, trigger=Trigger.RETRY, user=user, retry_of=run, wait_for_lock=20)
    if run.kind == Kind.PUSH_TRACKING and run.args.get("package_id"):
        return push_tracking(run.args["package_id"], trigger=Trigger.RETRY, retry_of=run)
    if run.kind == Kind.REFRESH_TOKEN:
        return refresh_token(account, trigger=Trigger.RETRY, force=True)
    raise ValueError(f"{run.get_kind_display()} runs cannot be retried from here")


@tracked
def retry_run_job(run_id: int, sync_run_id: int, user_id: int | None = None) -> dict:
    run = SyncRun.objects.select_related("account").get(pk=sync_run_id)
    progress(run_id, 5, f"Retrying {run.get_kind_display().lower()} for {run.account.name}")
    result = retry_run(run)
    if result.get("failed"):
        raise RuntimeError(result["message"])
    return {"message": result.get("message", "Done")}
