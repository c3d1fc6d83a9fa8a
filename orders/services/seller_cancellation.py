"""The seller's cancellation on its way to the channel: the outbox row (``SellerCancellation``)
written in the same transaction as the cancellation, the hook that tells the channels app to send
it once committed, the result written back, and the retry.

``register_cancellation_queued(fn)``: ``fn(cancellation_id)`` runs after the transaction that
queued a cancellation commits; the channels app registers the job that sends it
(``channels/startup.py``). With nothing registered the row stays queued: a sweep (or a retry)
sends it later. A callback that raises is logged and does not undo the cancellation.

Keyword-only functions, one transaction each; no HTTP here (the channels job does it between
these writes). See docs/after-sales/seller-cancellations-and-refunds.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from integrations.channels.connectors import CONNECTORS
from integrations.channels.connectors.base import CANCEL_REASONS
from orders.cancel_reasons import SELLER_REASON_LABELS
from orders.models import Order, SellerCancellation
from orders.services.errors import OrderError
from orders.services.timeline import record_event
from sellerhub.models import Channel

log = logging.getLogger("sellerhub.orders")

State = SellerCancellation.State
CancellationQueued = Callable[[int], None]

_cancellation_queued: list[CancellationQueued] = []

# What the seller does on a channel without a cancellation call, in the seller's words.
CHANNEL_STEPS = {
    "etsy": ("On Etsy, open Shop Manager > Orders & Shipping, open the order, choose More actions > "
             "Cancel order, pick the reason and confirm; Etsy refunds the buyer. SellerHub follows the "
             "receipt's status (canceled or fully refunded) on the next sync."),
}


def register_cancellation_queued(fn: CancellationQueued) -> None:
    """Register ``fn(cancellation_id)``, called on commit each time a seller cancellation is queued
    for its channel. Registering the same function again changes nothing."""
    if fn not in _cancellation_queued:
        _cancellation_queued.append(fn)


def _announce(cancellation_id: int) -> None:
    for fn in list(_cancellation_queued):
        transaction.on_commit(lambda fn=fn: fn(cancellation_id), robust=True)


def supports_cancellation(channel: str) -> bool:
    connector = CONNECTORS.get(channel)
    return bool(connector and connector.supports_cancellation)


def channel_steps(channel: str) -> str:
    return CHANNEL_STEPS.get(channel, "Cancel the order on the channel too; SellerHub follows the channel's status "
                                      "on the next sync.")


def check_reason(*, order: Order, reason_code: str, reason: str) -> None:
    """The page's and the API's rule: a channel order needs a reason from the list (the channel
    asks for one); a manual order a reason in words or from the list."""
    if reason_code and reason_code not in CANCEL_REASONS:
        raise OrderError(f"{reason_code!r} is not a cancellation reason; choose one of: "
                         f"{', '.join(CANCEL_REASONS)}.")
    if not reason_code and not (reason or "").strip():
        raise OrderError("A reason is required to cancel an order.")
    if not reason_code and order.account.channel != Channel.MANUAL:
        raise OrderError(f"Choose why you cancel from the list ({', '.join(SELLER_REASON_LABELS.values())}): "
                         f"{order.account.get_channel_display()} is told the reason.")


def queue_cancellation(*, order: Order, reason_code: str, note: str = "", user=None,
                       line_external_ids: tuple[str, ...] = ()) -> SellerCancellation | None:
    """Write the outbox row of a seller's cancellation of a channel order (inside the caller's
    transaction, which cancels the order) and announce it on commit. None for a manual order or
    when the order already has one."""
    if order.account.channel == Channel.MANUAL:
        return None
    if reason_code not in CANCEL_REASONS:
        reason_code = "other"
    supported = supports_cancellation(order.account.channel)
    with transaction.atomic():
        row, created = SellerCancellation.objects.get_or_create(order=order, defaults={
            "reason": reason_code, "note": (note or "")[:500], "line_external_ids": list(line_external_ids),
            "idempotency_key": f"sellerhub-cancel-{uuid.uuid4().hex}",
            "state": State.QUEUED if supported else State.NOT_SUPPORTED,
            "created_by": user if getattr(user, "is_authenticated", False) else None})
        if not created:
            return row
        if supported:
            _announce(row.pk)
        else:
            record_event(order, kind="channel_cancellation", user=user,
                         message=f"{order.account.get_channel_display()} has no cancellation call: "
                                 f"{channel_steps(order.account.channel)}")
        return row


def retry_cancellation(*, cancellation: SellerCancellation, user=None) -> SellerCancellation:
    """Send a failed cancellation again (the order page's and the API's Retry)."""
    with transaction.atomic():
        row = SellerCancellation.objects.select_for_update(of=("self",)).select_related("order__account").get(
            pk=cancellation.pk)
        if row.state != State.FAILED:
            raise OrderError(f"The cancellation of order {row.order.external_id} is "
                             f"{row.get_state_display().lower()}; only a failed one can be sent again.")
        row.state = State.QUEUED
        row.queued_at = timezone.now()
        row.save(update_fields=["state", "queued_at"])
        record_event(row.order, kind="channel_cancellation", user=user,
                     message=f"Cancellation queued again for {row.order.account.get_channel_display()}")
        _announce(row.pk)
        return row


def start_attempt(*, cancellation_id: int) -> SellerCancellation | None:
    """The job's first write: count the attempt; None when there is nothing to send (already sent,
    not supported, or gone)."""
    with transaction.atomic():
        row = (SellerCancellation.objects.select_for_update(of=("self",)).select_related("order__account")
               .filter(pk=cancellation_id).first())
        if row is None or row.state not in (State.QUEUED, State.FAILED):
            return None
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return row


def record_result(*, cancellation_id: int, reference: str = "", channel_status: str = "", already: bool = False,
                  error: str = "", retryable: bool = False) -> SellerCancellation:
    """Write what the channel answered, on the row and on the order's timeline."""
    with transaction.atomic():
        row = SellerCancellation.objects.select_for_update(of=("self",)).select_related("order__account").get(
            pk=cancellation_id)
        channel = row.order.account.get_channel_display()
        if error:
            row.state, row.last_error, row.retryable = State.FAILED, error[:4000], retryable
            row.save(update_fields=["state", "last_error", "retryable"])
            record_event(row.order, kind="channel_cancellation", actor=f"sync:{row.order.account.channel}",
                         message=f"{channel} refused the cancellation: {error}"[:500],
                         data={"attempt": row.attempts, "retryable": retryable})
            return row
        row.state, row.last_error, row.retryable = State.SENT, "", False
        row.channel_reference, row.channel_status = reference[:100], channel_status[:60]
        row.sent_at = timezone.now()
        row.save(update_fields=["state", "last_error", "retryable", "channel_reference", "channel_status",
                                "sent_at"])
        what = "already had the order cancelled" if already else "cancelled the order"
        record_event(row.order, kind="channel_cancellation", actor=f"sync:{row.order.account.channel}",
                     message=f"{channel} {what} ({SELLER_REASON_LABELS.get(row.reason, row.reason)})"
                             + (f"; reference {reference}" if reference else ""),
                     data={"attempt": row.attempts, "reference": reference, "channel_status": channel_status})
        return row
