"""Writes of the listing page: a listing's own stock rule (overrides of its account's rule) and the
owner's title and price edits, pushed to the channel by ``push_listing_edit_job(edit_id)``.

An edit is a ``ListingEdit`` row written first (pending), queued on commit, sent once through the
account's connector (``integrations.channels.listing_edits``), and closed with the channel's
answer; the listing then holds the title and price the channel accepted. Nothing is held open
across the HTTP call."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from channels import services
from channels.models import ListingEdit
from channels.services import ChannelSetupError
from channels.token_refresh import open_connector
from integrations.channels.connectors import CONNECTORS, ChannelError
from integrations.channels.listing_edits import ListingEditPush, push_listing_edit
from integrations.tiktok.client import TikTokError
from inventory.models import ChannelListing
from inventory.stock_rules import RULE_FIELDS
from sellerhub.jobs import enqueue_job, progress, tracked

log = logging.getLogger("channels")

JOB_KIND = "channels.push_listing_edit"
QUEUE = "sync"
STALE_AFTER = dt.timedelta(minutes=10)  # a pending edit this old was never picked up by a worker
RULE_OVERRIDES = tuple(listing_field for _account, listing_field, _name in RULE_FIELDS)


class ListingEditError(ChannelSetupError):
    """A listing edit or rule that cannot be made; the message says why."""


def save_listing_rule(*, listing_id: int, values: dict) -> ChannelListing:
    """Set the listing's own stock rule (``values``: override field -> int or None = follow the
    account); a changed rule re-pushes the listing's quantity."""
    unknown = set(values) - set(RULE_OVERRIDES)
    if unknown:
        raise ListingEditError(f"Unknown rule field(s): {', '.join(sorted(unknown))}.")
    for name in ("stock_buffer_percent", "stock_share_percent"):
        if values.get(name) is not None and not 0 <= values[name] <= 100:
            raise ListingEditError("A percentage is 0 to 100.")
    with transaction.atomic():
        listing = ChannelListing.objects.select_for_update(of=("self",)).select_related("account").get(pk=listing_id)
        changed = [name for name in RULE_OVERRIDES if name in values and getattr(listing, name) != values[name]]
        for name in changed:
            setattr(listing, name, values[name])
        if changed:
            listing.save(update_fields=changed)
            if listing.sku_id and listing.active:
                services.request_full_push(account=listing.account, listing_ids=[listing.pk])
    return listing


def request_edit(*, listing_id: int, title: str | None, price: Decimal | None, user=None) -> ListingEdit:
    """Record the owner's new title and/or price of a listing and queue the push to its channel.
    A value equal to what the channel shows is left out; nothing left to change is an error."""
    with transaction.atomic():
        listing = ChannelListing.objects.select_for_update(of=("self",)).select_related("account").get(pk=listing_id)
        if listing.account.channel not in CONNECTORS:
            raise ListingEditError(f"{listing.account.get_channel_display()} listings cannot be edited from here.")
        if not listing.active:
            raise ListingEditError("This listing is inactive on the channel; edit it there.")
        title = (title or "").strip() or None
        if title is not None and title == listing.title:
            title = None
        if price is not None and listing.channel_price is not None and price == listing.channel_price:
            price = None
        if title is None and price is None:
            raise ListingEditError("Nothing to change: the title and price are what the channel shows.")
        if price is not None and price <= 0:
            raise ListingEditError("The price must be more than 0.")
        pending = ListingEdit.objects.filter(listing=listing, status=ListingEdit.Status.PENDING)
        pending.filter(created_at__lt=timezone.now() - STALE_AFTER).update(  # its job was lost (Redis down)
            status=ListingEdit.Status.FAILED, finished_at=timezone.now(),
            message="Never sent: the background job did not run. Send the edit again.")
        if pending.exists():
            raise ListingEditError("An edit of this listing is still being sent; wait for its answer.")
        edit = ListingEdit.objects.create(
            listing=listing, title=title or "", price=price, previous_title=listing.title,
            previous_price=listing.channel_price, created_by=user if user and user.is_authenticated else None)
        transaction.on_commit(lambda: enqueue_edit(edit.pk))
    return edit


def enqueue_edit(edit_id: int) -> None:
    try:
        enqueue_job(kind=JOB_KIND, func=push_listing_edit_job, args=[edit_id], queue=QUEUE,
                    message="Waiting to send the listing edit")
    except Exception as exc:  # Redis down: the edit stays pending; the owner sees it and can send it again
        log.warning("could not queue listing edit %s (%s)", edit_id, exc)


def _finish(edit_id: int, *, ok: bool, message: str) -> None:
    with transaction.atomic():
        edit = ListingEdit.objects.select_for_update(of=("self",)).get(pk=edit_id)
        edit.status = ListingEdit.Status.SENT if ok else ListingEdit.Status.FAILED
        edit.message = message[:500]
        edit.finished_at = timezone.now()
        edit.save(update_fields=["status", "message", "finished_at"])
        if ok:
            listing = ChannelListing.objects.select_for_update(of=("self",)).get(pk=edit.listing_id)
            fields = ["channel_read_at"]
            listing.channel_read_at = edit.finished_at
            if edit.title:
                listing.title, fields = edit.title, [*fields, "title"]
            if edit.price is not None:
                listing.channel_price, fields = edit.price, [*fields, "channel_price"]
            listing.save(update_fields=fields)


def push_edit(edit_id: int) -> dict:
    """Send one pending edit to its channel and record the answer; a no-op once answered."""
    edit = ListingEdit.objects.select_related("listing__account").filter(pk=edit_id).first()
    if edit is None or edit.status != ListingEdit.Status.PENDING:
        return {"message": "nothing to send: the edit was already answered", "already": True}
    listing = edit.listing
    push = ListingEditPush(product_id=listing.external_product_id, variant_id=listing.external_variant_id,
                           channel_sku=listing.channel_sku, title=edit.title or None, price=edit.price,
                           currency=listing.channel_currency or "USD")
    channel = listing.account.get_channel_display()
    connector = None
    try:
        connector = open_connector(listing.account)
        outcome = push_listing_edit(connector, push)
    except Exception as exc:  # noqa: BLE001 -- any failure is the edit's answer, shown on the page
        words = str(exc) if isinstance(exc, (ChannelError, TikTokError)) else \
            f"an internal error ({type(exc).__name__})"
        _finish(edit_id, ok=False, message=f"{channel} refused the edit: {words}")
        return {"message": f"Listing edit not sent to {channel}: {words}", "failed": True}
    finally:
        if connector is not None:
            connector.close()
    _finish(edit_id, ok=True, message=f"{outcome.message[:1].upper()}{outcome.message[1:]}.")
    return {"message": f"Listing edit sent to {channel}"}


@tracked
def push_listing_edit_job(run_id: int, edit_id: int) -> dict:
    progress(run_id, 10, "Sending the listing edit to the channel")
    result = push_edit(edit_id)
    if result.get("failed"):
        raise RuntimeError(result["message"])
    return result
