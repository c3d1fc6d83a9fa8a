"""Every write of channel sync: accounts and their credentials, cursors, sync runs, the stock
outbox as the push consumes it, channel listings and tracking pushes.

Keyword-only functions, each one short transaction; none of them talks to a channel (the jobs
do the HTTP between these writes, so no transaction is ever open across a call).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from channels import job_requests, listing_reads
from channels.models import SyncCursor, SyncRun
from fulfilment.services import tracking_uploads as fulfilment_tracking_uploads
from integrations.channels.connectors.base import PushOutcome, RemoteListing
from inventory import image_jobs
from inventory.models import SKU, ChannelListing, StockOutbox
from inventory.selectors import listings_with_quantity
from sellerhub import channel_tokens
from sellerhub.jobs import enqueue_job
from sellerhub.models import ChannelAccount, JobRun

log = logging.getLogger("channels")

MAX_ERROR = 4000


class ChannelSetupError(ValueError):
    """A change to a channel account or listing that cannot be made; the message says why."""


# ---------------------------------------------------------------------------------------------
# Accounts and credentials


def save_connection(*, account: ChannelAccount | None = None, channel: str, name: str, api_base_url: str = "",
                    shop_id: str = "", credentials: dict, keep_blank: Iterable[str] = (), user=None) -> ChannelAccount:
    """Create or update an account's connection. Credentials are merged into the stored ones;
    a blank value for a key in ``keep_blank`` (the secrets) keeps what is stored."""
    keep = set(keep_blank)
    with transaction.atomic():
        if account is None:
            account = ChannelAccount(channel=channel)
        else:
            account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
            if account.channel != channel:
                raise ChannelSetupError("An account's channel cannot change; connect a new account instead.")
        merged = dict(account.credentials or {})
        for key, value in credentials.items():
            if value in (None, "") and key in keep:
                continue
            if value in (None, ""):
                merged.pop(key, None)
            else:
                merged[key] = value
        account.name = name
        account.api_base_url = api_base_url
        account.shop_id = shop_id
        account.credentials = merged
        account.save()
    return account


def store_credentials(*, account_id: int, credentials: dict) -> None:
    """Replace an account's credentials (fresh tokens, a connection test's findings): the
    kernel's token store does the write, so the token refresh and this share one writer."""
    channel_tokens.save_credentials(account_id=account_id, credentials=credentials)


def set_active(*, account: ChannelAccount, active: bool) -> None:
    ChannelAccount.objects.filter(pk=account.pk).update(active=active)


# ---------------------------------------------------------------------------------------------
# Sync runs


def start_run(*, account: ChannelAccount, kind: str, trigger: str, args: dict | None = None, job_run_id=None,
              user=None, retry_of: SyncRun | None = None, cursor_before: str = "") -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(account=account, kind=kind, trigger=trigger, args=args or {}, job_run_id=job_run_id,
                                  created_by=user if user is not None and user.is_authenticated else None,
                                  retry_of=retry_of, started_at=now, heartbeat_at=now, cursor_before=cursor_before)


def heartbeat(*, run: SyncRun, pages: int, items_ok: int, items_failed: int, counts: dict, message: str = "") -> None:
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), pages=pages, items_ok=items_ok,
                                             items_failed=items_failed, counts=counts, message=message[:500])


def finish_run(*, run: SyncRun, status: str, items_ok: int = 0, items_failed: int = 0, counts: dict | None = None,
               message: str = "", error: str = "", retryable: bool | None = None, pages: int | None = None,
               cursor_after: str = "") -> SyncRun:
    fields = {"status": status, "finished_at": timezone.now(), "items_ok": items_ok, "items_failed": items_failed,
              "counts": counts or {}, "message": message[:500], "error": error[:MAX_ERROR], "retryable": retryable,
              "cursor_after": cursor_after[:64]}
    if pages is not None:
        fields["pages"] = pages
    SyncRun.objects.filter(pk=run.pk).update(**fields)
    for key, value in fields.items():
        setattr(run, key, value)
    return run


def interrupt_stale_runs(*, account: ChannelAccount, kind: str) -> int:
    """Runs still marked running for this account and kind: their job died (the caller holds
    the account's lock, so nobody else is running them)."""
    return SyncRun.objects.filter(account=account, kind=kind, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.INTERRUPTED, finished_at=timezone.now(),
        message="The job stopped before finishing (worker killed or restarted); the next run carried on.")


def fail_runs_of_job(run: JobRun) -> int:
    """The sync runs of a job that died (a killed worker, found by the kernel's job sweep) are
    failed with the job's message, retryable (registered in channels/startup.py)."""
    return SyncRun.objects.filter(job_run_id=run.pk, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), retryable=True,
        message=(run.message or "The job stopped before finishing.")[:500])


RETRYABLE_KINDS = (SyncRun.Kind.PULL_ORDERS, SyncRun.Kind.PUSH_STOCK, SyncRun.Kind.PUSH_TRACKING,
                   SyncRun.Kind.REFRESH_TOKEN)
RETRY_JOB = "channels.retries.retry_run_job"


def queue_retry(*, run: SyncRun, user=None) -> JobRun | None:
    """Queue a failed run's work again (the sync log's Retry, the admin action); None when the
    run cannot be retried (its kind, or it is still running)."""
    if run.kind not in RETRYABLE_KINDS or run.status == SyncRun.Status.RUNNING:
        return None
    return enqueue_job(kind="channels.retry", func=RETRY_JOB, args=[run.pk], queue="sync", user=user,
                       message=f"Retry {run.get_kind_display().lower()} for {run.account.name}")


def queue_sync_now(*, account: ChannelAccount, user=None) -> JobRun:
    """Sync now: pull the account's orders, then push its stock (a JobRun with live progress)."""
    with transaction.atomic():
        return enqueue_job(kind="channels.sync_now", func="channels.jobs.sync_now_job", args=[account.pk],
                           queue="sync", user=user, message=f"Waiting for a sync worker ({account.name})")


def queue_import_listings(*, account: ChannelAccount, user=None) -> JobRun:
    """Read the account's listings from the channel and match them to SKUs (a JobRun)."""
    with transaction.atomic():
        return enqueue_job(kind="channels.import_listings", func="channels.jobs.import_listings_job",
                           args=[account.pk], queue="sync", user=user,
                           message=f"Waiting for a sync worker ({account.name})")


def prune_history(*, now=None) -> dict:
    """Keep the sync log readable: successful runs that changed nothing go after a day, other
    successful runs after 30 days, failures after 90 days (the webhook inbox has its own rule)."""
    now = now or timezone.now()
    day = dt.timedelta(days=1)
    done = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
    deleted = done.filter(items_ok=0, items_failed=0, started_at__lt=now - day).delete()[0]
    deleted += done.filter(started_at__lt=now - 30 * day).delete()[0]
    deleted += SyncRun.objects.filter(started_at__lt=now - 90 * day).exclude(status=SyncRun.Status.RUNNING).delete()[0]
    return {"runs": deleted}


# ---------------------------------------------------------------------------------------------
# Cursors


def ensure_cursor(*, account: ChannelAccount, stream: str = SyncCursor.Stream.ORDERS) -> SyncCursor:
    try:
        cursor, _ = SyncCursor.objects.get_or_create(account=account, stream=stream)
    except IntegrityError:
        cursor = SyncCursor.objects.get(account=account, stream=stream)
    return cursor


def save_position(*, cursor: SyncCursor, position: dict) -> None:
    """The page before ``position`` is stored: remember where the next one starts."""
    now = timezone.now()
    SyncCursor.objects.filter(pk=cursor.pk).update(position=position, last_attempt_at=now, updated_at=now)
    cursor.position = position


def complete_window(*, cursor: SyncCursor, since: dt.datetime, retry_ids: dict | list[str] | None = None) -> None:
    """Every page of the window is stored: the next pull starts at ``since``."""
    now = timezone.now()
    position = {"retry_ids": retry_ids} if retry_ids else {}
    SyncCursor.objects.filter(pk=cursor.pk).update(since=since, position=position, last_success_at=now,
                                                   last_attempt_at=now, last_error="", failures=0, updated_at=now)
    cursor.since, cursor.position, cursor.last_success_at, cursor.failures = since, position, now, 0


def record_pull_failure(*, cursor: SyncCursor, error: str) -> None:
    now = timezone.now()
    SyncCursor.objects.filter(pk=cursor.pk).update(last_error=error[:MAX_ERROR], last_attempt_at=now,
                                                   failures=F("failures") + 1, updated_at=now)


def reset_cursor(*, account: ChannelAccount, since: dt.datetime | None) -> None:
    """Start over from ``since`` (None: the initial window) on the next pull."""
    SyncCursor.objects.filter(account=account).update(since=since, position={}, updated_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# The stock outbox, as the push consumes it


def _rows_up_to(listing_ids, up_to: dict[int, int]) -> Q:
    """The waiting outbox rows of these listings, each up to the id read before the push."""
    condition = Q(pk__in=[])
    for listing_id in listing_ids:
        condition |= Q(listing_id=listing_id, pk__lte=up_to[listing_id])
    return condition


def record_push_results(*, outcomes: list[PushOutcome], up_to: dict[int, int], quantities: dict[int, int]) -> dict:
    """After a push: mark each listing's outbox rows up to the id read before the push as pushed
    (only for the listings the channel accepted), note the error on the others. A fixed number of
    statements whatever the number of listings: one update of the pushed rows, one of the
    listings' last pushed quantities, one per distinct error."""
    now = timezone.now()
    ok = [o.listing_id for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    errors: dict[str, list[int]] = {}
    for outcome in failed:
        errors.setdefault(outcome.error[:MAX_ERROR], []).append(outcome.listing_id)
    waiting = StockOutbox.objects.filter(pushed_at__isnull=True)
    with transaction.atomic():
        if ok:
            waiting.filter(_rows_up_to(ok, up_to)).update(pushed_at=now, attempts=F("attempts") + 1, last_error="")
            ChannelListing.objects.bulk_update(
                [ChannelListing(pk=pk, last_pushed_quantity=quantities[pk], last_pushed_at=now) for pk in ok],
                ["last_pushed_quantity", "last_pushed_at"])
        for error, listing_ids in errors.items():
            waiting.filter(_rows_up_to(listing_ids, up_to)).update(attempts=F("attempts") + 1, last_error=error)
    return {"pushed": len(ok), "failed": len(failed), "retryable": sum(1 for o in failed if o.retryable)}


def close_unpushable(*, account: ChannelAccount) -> int:
    """Outbox rows of this account's listings that will never be pushed (inactive, unmatched, or
    fulfilled by TikTok, whose stock TikTok keeps) are closed with the reason."""
    now = timezone.now()
    base = StockOutbox.objects.filter(listing__account=account, pushed_at__isnull=True)
    closed = 0
    with transaction.atomic():
        closed += base.filter(Q(listing__active=False) | Q(listing__sku__isnull=True)).update(
            pushed_at=now, last_error="Not pushed: the listing is inactive or not mapped to a SKU.")
        closed += base.filter(listing__is_fbt=True).update(
            pushed_at=now, last_error="Not pushed: fulfilled by TikTok, which keeps this listing's stock.")
    return closed


def request_full_push(*, account: ChannelAccount, listing_ids: Iterable[int] | None = None) -> int:
    """Queue the current available quantity of these listings (default: all active, mapped) for a
    push, e.g. after connecting or mapping listings."""
    listings = ChannelListing.objects.filter(account=account, active=True, sku__isnull=False, is_fbt=False)
    if listing_ids is not None:
        listings = listings.filter(pk__in=list(listing_ids))
    rows = [StockOutbox(listing_id=listing.pk, quantity=listing.quantity)  # a quantity: pushed whatever was before
            for listing in listings_with_quantity(listings)]
    with transaction.atomic():
        StockOutbox.objects.bulk_create(rows)
        if rows:
            job_requests.request_stock_push(account.pk, "manual")
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Listings


def _auto_sku(channel_sku: str, skus: dict[str, int]) -> int | None:
    return skus.get(channel_sku) if channel_sku else None


def import_listings(*, account: ChannelAccount, listings: list[RemoteListing]) -> dict:
    """Record the channel's listings for the account; a new or unmatched listing is matched to
    the SKU with exactly its seller SKU. Returns counts (created, updated, matched, unmatched)."""
    counts = {"created": 0, "updated": 0, "matched": 0, "unmatched": 0}
    wanted = {rl.channel_sku for rl in listings if rl.channel_sku}
    skus = dict(SKU.objects.filter(seller_sku__in=wanted, active=True).values_list("seller_sku", "pk"))
    newly_matched = []
    with transaction.atomic():
        existing = {(lst.external_product_id, lst.external_variant_id): lst for lst in ChannelListing.objects
                    .select_for_update().filter(account=account)}
        for remote in listings:
            key = (remote.product_id[:64], remote.variant_id[:64])
            listing = existing.get(key)
            if listing is None:
                sku_id = _auto_sku(remote.channel_sku, skus)
                listing = ChannelListing.objects.create(
                    account=account, external_product_id=key[0], external_variant_id=key[1],
                    channel_sku=remote.channel_sku[:100], title=remote.title[:200], sku_id=sku_id, active=True,
                    image_url=remote.image_url[:500], **listing_reads.as_read(remote))
                existing[key] = listing
                counts["created"] += 1
                if sku_id:
                    newly_matched.append(listing.pk)
            else:
                update = {}
                if listing.channel_sku != remote.channel_sku[:100]:
                    update["channel_sku"] = remote.channel_sku[:100]
                if remote.title and listing.title != remote.title[:200]:
                    update["title"] = remote.title[:200]
                if remote.image_url and listing.image_url != remote.image_url[:500]:
                    update["image_url"] = remote.image_url[:500]
                if listing.sku_id is None:
                    sku_id = _auto_sku(remote.channel_sku, skus)
                    if sku_id:
                        update["sku_id"] = sku_id
                        newly_matched.append(listing.pk)
                if update:
                    counts["updated"] += 1
                ChannelListing.objects.filter(pk=listing.pk).update(**update, **listing_reads.as_read(remote))
        matched = ChannelListing.objects.filter(account=account, active=True)
        counts["matched"] = matched.filter(sku__isnull=False).count()
        counts["unmatched"] = matched.filter(sku__isnull=True).count()
        if newly_matched:
            request_full_push(account=account, listing_ids=newly_matched)
            image_jobs.request_listing_images(newly_matched)  # their pictures, for SKUs without one
    return counts


def map_listing(*, listing: ChannelListing, sku: SKU | None, user=None) -> ChannelListing:
    """Map a channel listing to one of our SKUs (None: unmap). A newly mapped listing gets its
    available quantity pushed."""
    if sku is not None and not sku.active:
        raise ChannelSetupError(f"SKU {sku.seller_sku} is inactive; activate it or choose another.")
    with transaction.atomic():
        locked = ChannelListing.objects.select_for_update().get(pk=listing.pk)
        changed = locked.sku_id != (sku.pk if sku else None)
        locked.sku = sku
        locked.save(update_fields=["sku"])
        if changed and sku is not None:
            request_full_push(account=locked.account, listing_ids=[locked.pk])
            image_jobs.request_listing_images([locked.pk])
    return locked


def auto_match_listings(*, account: ChannelAccount) -> int:
    """Match every unmatched listing of the account whose channel SKU is exactly a seller SKU."""
    with transaction.atomic():
        unmatched = list(ChannelListing.objects.select_for_update().filter(account=account, sku__isnull=True)
                         .exclude(channel_sku=""))
        skus = dict(SKU.objects.filter(seller_sku__in={lst.channel_sku for lst in unmatched}, active=True)
                    .values_list("seller_sku", "pk"))
        matched = []
        for listing in unmatched:
            if listing.channel_sku in skus:
                ChannelListing.objects.filter(pk=listing.pk).update(sku_id=skus[listing.channel_sku])
                matched.append(listing.pk)
        if matched:
            request_full_push(account=account, listing_ids=matched)
            image_jobs.request_listing_images(matched)
    return len(matched)


# ---------------------------------------------------------------------------------------------
# Tracking


# The tracking upload's outbox row is fulfilment's (written when a package ships); these names stay
# here for the channel jobs that record its result.
queue_tracking_push = fulfilment_tracking_uploads.queue_tracking_push
record_tracking_result = fulfilment_tracking_uploads.record_tracking_result
