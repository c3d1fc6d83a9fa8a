"""Reads of channel sync state for the jobs, pages, admin and API (constant query counts)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from channels.models import SyncCursor, SyncRun
from fulfilment.models import TrackingPush
from integrations.channels.connectors import CONNECTORS
from inventory.models import ChannelListing, StockOutbox
from inventory.selectors import listings_with_quantity
from orders.models import Order
from sellerhub.models import ChannelAccount, WebhookEvent

PUSHABLE = Q(listing__active=True, listing__sku__isnull=False, listing__is_fbt=False)


def syncable_accounts():
    """Active accounts of a channel with a connector, an API URL or default host, and credentials
    (credentials are encrypted, so they are checked in Python)."""
    accounts = ChannelAccount.objects.filter(active=True, channel__in=list(CONNECTORS)).order_by("pk")
    return [a for a in accounts if a.credentials and (a.api_base_url or CONNECTORS[a.channel].default_base_url)]


def accounts_overview():
    """Every account with its order cursor, last pull, last error, push backlog and counts; two
    queries whatever the number of accounts."""
    backlog = (StockOutbox.objects.filter(PUSHABLE, listing__account=OuterRef("pk"), pushed_at__isnull=True)
               .order_by().values("listing__account").annotate(n=Count("pk")).values("n"))
    unmatched = (ChannelListing.objects.filter(account=OuterRef("pk"), active=True, sku__isnull=True)
                 .order_by().values("account").annotate(n=Count("pk")).values("n"))
    listings = (ChannelListing.objects.filter(account=OuterRef("pk"), active=True)
                .order_by().values("account").annotate(n=Count("pk")).values("n"))
    last_pull = SyncRun.objects.filter(account=OuterRef("pk"), kind=SyncRun.Kind.PULL_ORDERS).order_by("-started_at",
                                                                                                      "-pk")
    last_failure = SyncRun.objects.filter(account=OuterRef("pk"), status=SyncRun.Status.FAILED).order_by(
        "-started_at", "-pk")
    cursor = SyncCursor.objects.filter(account=OuterRef("pk"), stream=SyncCursor.Stream.ORDERS)
    zero = Value(0)
    return (ChannelAccount.objects.exclude(channel="manual").order_by("channel", "name").annotate(
        backlog=Coalesce(Subquery(backlog, output_field=IntegerField()), zero),
        unmatched_listings=Coalesce(Subquery(unmatched, output_field=IntegerField()), zero),
        listing_count=Coalesce(Subquery(listings, output_field=IntegerField()), zero),
        cursor_since=Subquery(cursor.values("since")[:1]),
        cursor_success=Subquery(cursor.values("last_success_at")[:1]),
        cursor_error=Subquery(cursor.values("last_error")[:1]),
        cursor_failures=Subquery(cursor.values("failures")[:1]),
        last_pull_status=Subquery(last_pull.values("status")[:1]),
        last_pull_at=Subquery(last_pull.values("started_at")[:1]),
        last_failure_at=Subquery(last_failure.values("started_at")[:1]),
        last_failure_message=Subquery(last_failure.values("error")[:1]),
    ))


def account_detail(account: ChannelAccount) -> dict:
    cursor = SyncCursor.objects.filter(account=account, stream=SyncCursor.Stream.ORDERS).first()
    return {
        "cursor": cursor,
        "runs": list(SyncRun.objects.filter(account=account).select_related("job_run")[:10]),
        "webhooks": list(WebhookEvent.objects.filter(account=account, source=account.channel)[:10]),
        "orders": Order.objects.filter(account=account).count(),
    }


def runs(*, account_id=None, status="", kind=""):
    qs = SyncRun.objects.select_related("account", "created_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    if status == "problems":
        qs = qs.filter(status__in=[SyncRun.Status.FAILED, SyncRun.Status.PARTIAL, SyncRun.Status.INTERRUPTED])
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-started_at", "-pk")


def outbox_backlog(account: ChannelAccount) -> dict[int, int]:
    """{listing id: highest unpushed outbox id} for the account's pushable listings."""
    rows = (StockOutbox.objects.filter(PUSHABLE, listing__account=account, pushed_at__isnull=True)
            .order_by().values("listing_id").annotate(top=Max("pk")))
    return {row["listing_id"]: row["top"] for row in rows}


def accounts_with_backlog() -> list[int]:
    return list(StockOutbox.objects.filter(PUSHABLE, pushed_at__isnull=True, listing__account__active=True)
                .order_by().values_list("listing__account_id", flat=True).distinct())


def pushable_account_ids() -> list[int]:
    """Active accounts with at least one active, mapped listing not fulfilled by TikTok (one query)."""
    pushable = ChannelListing.objects.filter(account=OuterRef("pk"), active=True, sku__isnull=False, is_fbt=False)
    accounts = ChannelAccount.objects.filter(Exists(pushable), active=True).order_by("pk")
    return list(accounts.values_list("pk", flat=True))


def push_backlog(account: ChannelAccount) -> dict[int, tuple[int, bool, int]]:
    """{listing id: (highest unpushed outbox id, whether a row asks for a push whatever was pushed
    before, lowest unpushed outbox id)} for the account's pushable listings (one query)."""
    rows = (StockOutbox.objects.filter(PUSHABLE, listing__account=account, pushed_at__isnull=True)
            .order_by().values("listing_id").annotate(top=Max("pk"), forced=Count("quantity"), first=Min("pk")))
    return {row["listing_id"]: (row["top"], bool(row["forced"]), row["first"]) for row in rows}


def accounts_for_outbox(ids) -> list[int]:
    return list(StockOutbox.objects.filter(pk__in=list(ids), listing__account__active=True)
                .order_by().values_list("listing__account_id", flat=True).distinct())


def listings_to_push(backlog: dict[int, tuple[int, bool, int]]) -> list[ChannelListing]:
    """The backlog's listings with their available quantity now (inventory's rule, buffers
    included), the one whose change has waited longest first: a push that a channel's quota stops
    early never leaves the same listings behind push after push."""
    listings = listings_with_quantity(ChannelListing.objects.filter(pk__in=list(backlog)))
    return sorted(listings, key=lambda listing: (backlog[listing.pk][2], listing.pk))


def stored_versions(account: ChannelAccount, external_ids) -> dict[str, tuple]:
    """{external id: (channel update time, created_at, raw payload)} of stored orders."""
    rows = Order.objects.filter(account=account, external_id__in=list(external_ids)).values_list(
        "external_id", "channel_updated_at", "created_at", "raw")
    return {ext: (updated, created, raw) for ext, updated, created, raw in rows}


def unchanged_ids(account: ChannelAccount, update_times: dict) -> set[str]:
    """The ids among {external id: the channel's update time} that are stored at that update time."""
    rows = Order.objects.filter(account=account, external_id__in=list(update_times)).values_list(
        "external_id", "channel_updated_at")
    return {ext for ext, updated in rows if updated is not None and updated == update_times.get(ext)}


def known_variant_ids(account: ChannelAccount, variant_ids) -> set[str]:
    return set(ChannelListing.objects.filter(account=account, external_variant_id__in=list(variant_ids))
               .values_list("external_variant_id", flat=True))


def listings(account: ChannelAccount, *, show: str = ""):
    qs = ChannelListing.objects.filter(account=account).select_related("sku")
    if show == "unmatched":
        qs = qs.filter(sku__isnull=True, active=True)
    elif show == "matched":
        qs = qs.filter(sku__isnull=False)
    backlog = (StockOutbox.objects.filter(listing_id=OuterRef("pk"), pushed_at__isnull=True).order_by()
               .values("listing_id").annotate(n=Count("pk")).values("n"))
    return listings_with_quantity(qs).annotate(
        waiting=Coalesce(Subquery(backlog, output_field=IntegerField()), Value(0))).order_by(
        "-active", Coalesce("sku_id", Value(0)).asc(), "channel_sku", "pk")


def pending_tracking_pushes():
    return TrackingPush.objects.filter(status__in=[TrackingPush.Status.PENDING, TrackingPush.Status.FAILED])


def webhook_url_path(account: ChannelAccount) -> str:
    return reverse("channel_webhook", args=[account.channel, account.pk])


def lost_webhook_events(*, received_before, limit: int = 500) -> list[int]:
    """Channel notifications still waiting for their job (it was lost): their ids."""
    return list(WebhookEvent.objects.filter(source__in=list(CONNECTORS), status=WebhookEvent.Status.RECEIVED,
                                            received_at__lt=received_before).values_list("pk", flat=True)[:limit])


def tracking_pushes_to_retry(*, queued_before, limit: int = 500) -> list[int]:
    """Packages whose tracking upload is pending or failed retryably (fewer than 8 tries)."""
    return list(TrackingPush.objects.filter(
        status__in=[TrackingPush.Status.PENDING, TrackingPush.Status.FAILED], queued_at__lt=queued_before,
        attempts__lt=8, package__order__account__active=True).exclude(status=TrackingPush.Status.FAILED,
                                                                       retryable=False)
        .values_list("package_id", flat=True)[:limit])


HEALTH_BADGES = {"connected": "ok", "failing": "failed", "needs_reauth": "failed", "paused": "warning",
                 "disconnected": ""}


def health_of(account: ChannelAccount) -> dict:
    """An account's connection state as the pages and the API show it (no query: the fields are
    the account's; see channels.health)."""
    state = account.state
    set_up = account.channel not in CONNECTORS or bool(
        account.credentials and (account.api_base_url or CONNECTORS[account.channel].default_base_url))
    return {
        "state": state, "label": account.get_state_display(), "badge": HEALTH_BADGES.get(state, ""),
        "set_up": set_up, "syncs": account.active and state in ("connected", "failing"),
        "failing_since": account.failing_since if state == "failing" else None,
        "failures": account.failures if state == "failing" else 0,
        "next_retry_at": account.next_retry_at if state == "failing" else None,
        "error": account.last_error if state != "connected" else "",
        "changed_at": account.state_changed_at, "authorization_expires_at": account.authorization_expires_at,
    }
