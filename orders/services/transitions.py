"""The order lifecycle: the transition table, ``transition`` (the one place a status changes) and
the seller's status moves built on it (cancel, hold, send to picking, packed, shipped, in transit,
delivered).

Functions are keyword-only and each runs in one transaction. Status changes go through
``transition`` and nowhere else: it checks the table ``ALLOWED`` (who may move an order from
which status to which), applies the move's stock side effects through the inventory services
(entering confirmed reserves, leaving a reserved state for on hold / cancelled releases, shipping
consumes) and writes one OrderEvent. An illegal move raises ``TransitionNotAllowed`` with a
message a person can act on, and writes nothing.

Two kinds of actor move orders:

* ``SELLER``: people in SellerHub (pages, API), automatic confirmation and carrier scans;
* ``CHANNEL``: what a channel reports (sync, webhooks, import) through ``upsert_order``. The
  channel is the truth for payment, holds, shipping, delivery and cancellation, and may skip
  ahead (an order shipped from TikTok's Seller Center goes from confirmed straight to shipped),
  but it never moves an order back: a stale AWAITING_SHIPMENT does not undo local picking.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from inventory import services as stock
from orders.cancel_reasons import SELLER_REASON_CHOICES, code_for_seller_reason
from orders.cancel_reasons import classify as classify_cancellation
from orders.models import (
    RESERVED_STATUSES,
    SHIPPED_STATUSES,
    CancelInitiator,
    Fulfilment,
    Order,
    OrderStatus,
)
from orders.services.attention import address_detail, address_problems, attention_after_move
from orders.services.errors import OrderError, TransitionNotAllowed
from orders.services.locks import lock_order, sync_instance
from orders.services.seller_cancellation import check_reason, queue_cancellation
from orders.services.stock_effects import consume_on_ship, reserve_lines
from orders.services.timeline import channel_name, record_event, status_label
from sellerhub.models import Channel

S = OrderStatus
SELLER = "seller"
CHANNEL = "channel"
BOTH = frozenset({SELLER, CHANNEL})
SELLER_ONLY = frozenset({SELLER})
CHANNEL_ONLY = frozenset({CHANNEL})


# ---------------------------------------------------------------------------------------------
# The transition table: from status -> {to status: who may make the move}. Everything else is
# refused. Channels never drive the warehouse's own steps (confirmed, picking, packed).

_SHIP_AHEAD = {S.SHIPPED: CHANNEL_ONLY, S.IN_TRANSIT: CHANNEL_ONLY, S.DELIVERED: CHANNEL_ONLY,
               S.COMPLETED: CHANNEL_ONLY}

ALLOWED: dict[str, dict[str, frozenset]] = {
    S.AWAITING_PAYMENT: {
        S.ON_HOLD: CHANNEL_ONLY, S.AWAITING_CONFIRMATION: BOTH, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    S.ON_HOLD: {
        S.AWAITING_CONFIRMATION: BOTH, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    S.AWAITING_CONFIRMATION: {
        S.CONFIRMED: SELLER_ONLY, S.ON_HOLD: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    # Back to awaiting confirmation (SellerHub only): a stock count took the order's units.
    S.CONFIRMED: {
        S.PICKING: SELLER_ONLY, S.PACKED: SELLER_ONLY, S.ON_HOLD: SELLER_ONLY, S.CANCELLED: BOTH,
        S.AWAITING_CONFIRMATION: SELLER_ONLY,
        **_SHIP_AHEAD, S.SHIPPED: BOTH,
    },
    S.PICKING: {
        S.PACKED: SELLER_ONLY, S.CONFIRMED: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD, S.SHIPPED: BOTH,
        S.AWAITING_CONFIRMATION: SELLER_ONLY,
    },
    S.PACKED: {
        S.PICKING: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD, S.SHIPPED: BOTH,
        S.AWAITING_CONFIRMATION: SELLER_ONLY,
    },
    S.SHIPPED: {S.IN_TRANSIT: BOTH, S.DELIVERED: BOTH, S.COMPLETED: CHANNEL_ONLY},
    S.IN_TRANSIT: {S.DELIVERED: BOTH, S.COMPLETED: CHANNEL_ONLY},
    S.DELIVERED: {S.COMPLETED: BOTH},
    S.COMPLETED: {},
    S.CANCELLED: {},
}


def allowed(from_status: str, to_status: str, source: str = SELLER) -> bool:
    return source in ALLOWED.get(from_status, {}).get(to_status, ())


def refusal(order: Order, from_status: str, to_status: str, source: str) -> str:
    name = f"Order {order.external_id}"
    now, wanted = status_label(from_status), status_label(to_status)
    if from_status == to_status:
        return f"{name} is already {now}."
    if from_status == S.CANCELLED:
        return f"{name} is cancelled; it can't be moved to {wanted}."
    if to_status == S.CANCELLED and from_status in SHIPPED_STATUSES:
        return f"{name} has shipped ({now}), so it can't be cancelled; record a return instead."
    if from_status == S.COMPLETED:
        return f"{name} is completed; nothing more can happen to it."
    if source == CHANNEL and allowed(from_status, to_status, SELLER):
        return f"{name}: moving from {now} to {wanted} is SellerHub's own step; a channel can't make it."
    if source == SELLER and allowed(from_status, to_status, CHANNEL):
        return f"{name}: only the channel can move it from {now} to {wanted}."
    hints = {
        S.CONFIRMED: {S.AWAITING_PAYMENT: "it isn't paid yet", S.ON_HOLD: "release the hold first"},
        S.PICKING: {S.AWAITING_CONFIRMATION: "confirm it first (that reserves its stock)",
                    S.ON_HOLD: "release the hold and confirm it first"},
        S.PACKED: {S.AWAITING_CONFIRMATION: "confirm it first"},
    }
    hint = hints.get(to_status, {}).get(from_status)
    tail = f": {hint}" if hint else ""
    return f"{name} is {now}; it can't be moved to {wanted}{tail}."


def transition(*, order: Order, to_status: str, source: str = SELLER, user=None, actor: str = "",
               message: str = "", data: dict | None = None, cancel_initiator: str = "", cancel_reason: str = "",
               at: dt.datetime | None = None, cancel_reason_code: str = "") -> Order:
    """Move an order to ``to_status`` if the table allows it for ``source``; apply the move's
    stock side effects and timestamps; write one event. Refused moves raise TransitionNotAllowed
    (or OrderError for a missing precondition) and write nothing."""
    to_status = str(to_status)
    if to_status not in S.values:
        raise TransitionNotAllowed(f"{to_status!r} is not an order status.")
    with transaction.atomic():
        locked = lock_order(order)
        from_status = locked.status
        if not allowed(from_status, to_status, source):
            raise TransitionNotAllowed(refusal(locked, from_status, to_status, source))
        now = at or timezone.now()
        data = dict(data or {})
        fields = {"status": to_status}

        # Preconditions of the seller's own moves.
        if source == SELLER:
            if locked.fulfilment == Fulfilment.FBT and to_status in (S.PICKING, S.PACKED, S.SHIPPED):
                raise OrderError(f"Order {locked.external_id} is fulfilled by TikTok: TikTok picks, packs and "
                                 f"ships it.")
            if to_status == S.CANCELLED and not (cancel_reason or "").strip():
                raise OrderError("A reason is required to cancel an order.")
            if to_status == S.SHIPPED:
                missing = address_problems(locked)
                if missing:
                    raise OrderError(f"Order {locked.external_id} can't ship yet. {address_detail(missing)}")

        # Stock.
        if to_status == S.CONFIRMED and from_status == S.AWAITING_CONFIRMATION:
            if locked.fulfilment == Fulfilment.FBT:
                data.setdefault("stock", "fulfilled by TikTok: nothing reserved here")
            else:
                reserved = reserve_lines(locked, user)  # raises InsufficientStock: nothing is written
                data["reserved"] = sum(r.quantity for r in reserved)
        elif from_status in RESERVED_STATUSES and to_status in (S.ON_HOLD, S.CANCELLED, S.AWAITING_CONFIRMATION):
            released = stock.release(reference=locked.reservation_reference, user=user,
                                     note=f"order {locked.external_id} {status_label(to_status)}")
            data["released"] = released
        elif to_status == S.CANCELLED:
            # A channel may cancel before confirmation; release anything held all the same.
            released = stock.release(reference=locked.reservation_reference, user=user,
                                     note=f"order {locked.external_id} cancelled")
            if released:
                data["released"] = released
        elif to_status in SHIPPED_STATUSES and from_status not in SHIPPED_STATUSES:
            if from_status in (S.AWAITING_PAYMENT, S.ON_HOLD):
                data["stock"] = "not deducted: the order was never confirmed here"
            else:
                data.update(consume_on_ship(locked, user))

        # Timestamps the metrics read (a channel's own times, written before, are kept).
        if to_status in SHIPPED_STATUSES and locked.tracking_uploaded_at is None:
            fields["tracking_uploaded_at"] = now
        if to_status == S.IN_TRANSIT and locked.dispatched_at is None and source == SELLER:
            fields["dispatched_at"] = now
        if to_status in (S.DELIVERED, S.COMPLETED) and locked.delivered_at is None and source == SELLER:
            fields["delivered_at"] = now
        if to_status == S.COMPLETED and locked.completed_at is None:
            fields["completed_at"] = now
        if to_status == S.CANCELLED:
            fields["cancelled_at"] = locked.cancelled_at or now
            fields["cancel_initiator"] = cancel_initiator or locked.cancel_initiator
            fields["cancel_reason"] = (cancel_reason or locked.cancel_reason or "")[:300]
            fields["cancel_reason_code"] = (cancel_reason_code or locked.cancel_reason_code
                                            or classify_cancellation(fields["cancel_initiator"],
                                                                     fields["cancel_reason"]))

        for name, value in fields.items():
            setattr(locked, name, value)
        reason, detail = attention_after_move(locked)
        if to_status == S.ON_HOLD and message and source == SELLER:
            detail = f"On hold: {message}"[:500]
        locked.attention_reason, locked.attention_detail = reason, detail
        locked.save(update_fields=[*fields, "attention_reason", "attention_detail", "updated_at"])
        if to_status == S.CANCELLED:
            who = CancelInitiator(fields["cancel_initiator"]).label.lower() if fields["cancel_initiator"] else ""
            message = message or (f"Cancelled by the {who}" if who else "Cancelled") + (
                f": {fields['cancel_reason']}" if fields["cancel_reason"] else "")
        record_event(locked, kind="status", user=user, actor=actor, from_status=from_status, to_status=to_status,
               message=message or f"{S(from_status).label} → {S(to_status).label}", data=data)
        sync_instance(order, locked)
        return locked


def _channel_note(order: Order) -> str:
    if order.account.channel == Channel.MANUAL:
        return ""
    return f" (recorded in SellerHub; until channel sync sends it, make the same change on {channel_name(order)})"


def cancel_order(*, order: Order, reason: str, user=None, actor: str = "",
                 initiator: str = CancelInitiator.SELLER, reason_code: str | None = None) -> Order:
    """The seller cancels (reason required): reservations are released. A shipped order can't be
    cancelled. Cancelling a cancelled order changes nothing.

    ``reason_code`` (one of the connectors' CANCEL_REASONS) is what the page and the API ask for:
    given (even empty) it is checked (``seller_cancellation.check_reason``). A seller's cancellation
    of a channel order queues its push to the channel in the same transaction."""
    if reason_code is not None:
        if allowed(order.status, S.CANCELLED, SELLER):  # else the refusal below says why it can't be
            check_reason(order=order, reason_code=reason_code, reason=reason)
        from_list = code_for_seller_reason(reason_code) if reason_code else ""
        label = dict(SELLER_REASON_CHOICES).get(reason_code, "")
        note = (reason or "").strip()
        reason = f"{label}: {note}" if label and note and note != label else (note or label)
    else:
        from_list, note = "", (reason or "").strip()
    reason = (reason or "").strip()
    if not reason:
        raise OrderError("A reason is required to cancel an order.")
    if initiator not in CancelInitiator.values:
        raise OrderError(f"Unknown cancellation initiator {initiator!r}.")
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status == S.CANCELLED:
            sync_instance(order, locked)
            return locked
        pushed = initiator == CancelInitiator.SELLER and locked.account.channel != Channel.MANUAL
        message = f"Cancelled by the seller: {reason}" + ("" if pushed else _channel_note(locked))
        cancelled = transition(order=order, to_status=S.CANCELLED, user=user, actor=actor, message=message,
                               cancel_initiator=initiator, cancel_reason=reason, cancel_reason_code=from_list)
        if pushed:
            queue_cancellation(order=cancelled, reason_code=reason_code or "other", note=note, user=user)
        return cancelled


def hold_order(*, order: Order, reason: str, user=None, actor: str = "") -> Order:
    """Put an order on hold (releases its reservation); it waits in the needs-attention queue."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderError("Say why the order is put on hold.")
    return transition(order=order, to_status=S.ON_HOLD, user=user, actor=actor, message=reason)


def send_to_picking(*, order: Order, user=None, actor: str = "") -> Order:
    return transition(order=order, to_status=S.PICKING, user=user, actor=actor, message="Sent to picking")


def mark_packed(*, order: Order, user=None, actor: str = "") -> Order:
    return transition(order=order, to_status=S.PACKED, user=user, actor=actor, message="Packed")


def mark_shipped(*, order: Order, user=None, actor: str = "", at: dt.datetime | None = None) -> Order:
    """Tracking uploaded: sets tracking_uploaded_at (``at`` or now) and consumes the reservation."""
    return transition(order=order, to_status=S.SHIPPED, user=user, actor=actor, at=at, message="Shipped")


def mark_in_transit(*, order: Order, at: dt.datetime, user=None, actor: str = "carrier") -> Order:
    """The carrier's first scan: dispatched_at."""
    with transaction.atomic():
        Order.objects.filter(pk=order.pk, dispatched_at__isnull=True).update(dispatched_at=at)
        return transition(order=order, to_status=S.IN_TRANSIT, user=user, actor=actor, at=at,
                          message="First carrier scan")


def mark_delivered(*, order: Order, at: dt.datetime, user=None, actor: str = "carrier") -> Order:
    with transaction.atomic():
        Order.objects.filter(pk=order.pk, delivered_at__isnull=True).update(delivered_at=at)
        return transition(order=order, to_status=S.DELIVERED, user=user, actor=actor, at=at, message="Delivered")
