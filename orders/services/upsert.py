"""The channel upsert: one service for sync, webhooks, import and manual orders. It creates or
updates the Order for a channel's payload, follows the channel's status forward only, records
the channel's packages through the hook fulfilment registers, then runs automatic confirmation."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import hooks
from orders.cancel_reasons import classify as classify_cancellation
from orders.mapping import ChannelOrder, PayloadError, map_order
from orders.models import (
    RESERVED_STATUSES,
    SHIPPED_STATUSES,
    STATUS_RANK,
    AttentionReason,
    Fulfilment,
    Order,
    OrderStatus,
)
from orders.services.attention import attention_after_move, hold_detail, set_attention
from orders.services.confirmation import run_confirmation
from orders.services.errors import UpsertResult
from orders.services.locks import lock_orders
from orders.services.order_lines import sync_lines
from orders.services.shop_calendar import deadline_values
from orders.services.stock_effects import resync_reservation
from orders.services.timeline import channel_name, record_event, status_label
from orders.services.transitions import CHANNEL, allowed, refusal, transition
from sellerhub.models import ChannelAccount

S = OrderStatus


def _previous(order: Order) -> ChannelOrder | None:
    """What the channel said last time (the stored payload mapped again), to tell the channel's
    changes from local edits: a field the channel did not change keeps its local value."""
    if not order.raw:
        return None
    try:
        return map_order(order.account.channel, order.raw)
    except PayloadError:
        return None


def _create_from_channel(account, incoming: ChannelOrder, *, actor, user) -> Order:
    now = timezone.now()
    order = Order(account=account, external_id=incoming.external_id, status=incoming.status,
                  raw=incoming.raw, channel_updated_at=incoming.updated_at, last_synced_at=now,
                  **incoming.order_fields())
    order.account = account
    for name, value in deadline_values(order, incoming, None).items():
        setattr(order, name, value)
    if order.status == S.CANCELLED and order.cancelled_at is None:
        order.cancelled_at = incoming.updated_at or now
    if order.status == S.CANCELLED:  # why, as the figures count it (orders/cancel_reasons.py)
        order.cancel_reason_code = classify_cancellation(incoming.cancel_initiator, incoming.cancel_reason)
    if order.status == S.COMPLETED:
        order.completed_at = incoming.updated_at or now
    order.save()
    sync_lines(order, incoming, None, created=True)
    hooks.record_channel_packages(order=order, packages=incoming.packages)
    record_event(order, kind="created", user=user, actor=actor, to_status=order.status,
           message=f"Received from {account.get_channel_display()}"
           + (f" as {incoming.channel_status}" if incoming.channel_status else ""),
           data={"channel_status": incoming.channel_status,
                 "update_time": incoming.updated_at.isoformat() if incoming.updated_at else None})
    if order.status == S.ON_HOLD:
        set_attention(order, AttentionReason.ON_HOLD, hold_detail(order), user=user, actor=actor)
    elif order.status in RESERVED_STATUSES or order.status == S.AWAITING_CONFIRMATION:
        reason, detail = attention_after_move(order)
        if reason:
            set_attention(order, reason, detail, user=user, actor=actor)
    return order


def _apply_channel_status(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None,
                          *, actor, user, notes: list[str]) -> bool:
    """Follow the channel's status forward; never backward, never past a seller's own hold."""
    target, current = incoming.status, order.status
    if target == current:
        return False
    seller_hold = current == S.ON_HOLD and not (previous is not None and previous.status == S.ON_HOLD)
    if target == S.CANCELLED:
        if current in SHIPPED_STATUSES:
            notes.append(f"{channel_name(order)} reports the order cancelled, but it has shipped here; "
                         f"not applied (record a return if goods come back).")
            return False
    elif STATUS_RANK.get(target, -1) <= STATUS_RANK.get(current, -1):
        return False  # SellerHub is ahead of the channel (e.g. picking while TikTok says AWAITING_SHIPMENT)
    elif seller_hold and target in (S.AWAITING_CONFIRMATION,):
        notes.append("The order is on hold in SellerHub; the channel's status did not release it.")
        return False
    if not allowed(current, target, CHANNEL):
        notes.append(refusal(order, current, target, CHANNEL))
        return False
    transition(order=order, to_status=target, source=CHANNEL, user=user, actor=actor,
               message=f"{channel_name(order)}: {incoming.channel_status or status_label(target)}",
               data={"channel_status": incoming.channel_status},
               cancel_initiator=incoming.cancel_initiator, cancel_reason=incoming.cancel_reason,
               at=incoming.updated_at)
    return True


def _update_from_channel(order: Order, incoming: ChannelOrder, *, actor, user) -> UpsertResult:
    if incoming.updated_at and order.channel_updated_at and incoming.updated_at < order.channel_updated_at:
        return UpsertResult("stale", order, notes=[
            f"older than what is stored (update time {incoming.updated_at:%Y-%m-%d %H:%M:%S} UTC < "
            f"{order.channel_updated_at:%Y-%m-%d %H:%M:%S} UTC); nothing changed"])
    if order.raw == incoming.raw and order.channel_updated_at == incoming.updated_at:
        return UpsertResult("unchanged", order)
    previous = _previous(order)
    before = previous.order_fields() if previous else {}
    update = {}
    for name, value in incoming.order_fields().items():
        if previous is not None and before.get(name) == value:
            continue
        if getattr(order, name) != value:
            update[name] = value
    for name, value in deadline_values(order, incoming, previous).items():
        if getattr(order, name) != value:
            update[name] = value
    changes = sorted(k for k in update if k != "channel_status")
    update.update(raw=incoming.raw, channel_updated_at=incoming.updated_at, last_synced_at=timezone.now())
    for name, value in update.items():
        setattr(order, name, value)
    order.save(update_fields=[*update, "updated_at"])
    line_changes = sync_lines(order, incoming, previous, created=False)
    package_changes = hooks.record_channel_packages(order=order, packages=incoming.packages)
    notes: list[str] = []
    summary = [Order._meta.get_field(k).verbose_name for k in changes] + line_changes + package_changes
    if summary:
        record_event(order, kind="synced", user=user, actor=actor,
               message=f"Updated from {channel_name(order)}: {', '.join(summary)}"[:500],
               data={"fields": changes, "lines": line_changes, "packages": package_changes,
                     "update_time": incoming.updated_at.isoformat() if incoming.updated_at else None})
    moved = _apply_channel_status(order, incoming, previous, actor=actor, user=user, notes=notes)
    if moved:
        order.refresh_from_db()
    if line_changes and order.status in RESERVED_STATUSES and order.fulfilment == Fulfilment.FBS:
        notes.extend(resync_reservation(order, user=user))
    for note in notes:
        record_event(order, kind="sync_note", user=user, actor=actor, message=note)
    return UpsertResult("updated", order, changes=changes + line_changes + package_changes + (
        ["status"] if moved else []), notes=notes)


def _upsert_once(*, account, incoming: ChannelOrder, actor, user) -> UpsertResult:
    with transaction.atomic():
        found = lock_orders(account=account, external_id=incoming.external_id)
        order = found[0] if found else None
        if order is None:
            with transaction.atomic():
                order = _create_from_channel(account, incoming, actor=actor, user=user)
            return UpsertResult("created", order)
        return _update_from_channel(order, incoming, actor=actor, user=user)


def upsert_order(*, account: ChannelAccount, incoming: ChannelOrder, source: str = "sync", user=None,
                 confirm: bool = True) -> UpsertResult:
    """Create or update the Order for a channel's payload (already mapped to a ChannelOrder).

    Idempotent: the same payload again reports "unchanged" and writes nothing; a payload older
    than the stored one (by the channel's update time) reports "stale" and writes nothing. A field
    the channel did not change since its last payload keeps any local correction. Status follows
    the channel forward only (see ``_apply_channel_status``). Orders awaiting confirmation then
    run through automatic confirmation (``run_confirmation(on_arrival=True)``)."""
    actor = f"{source}:{account.channel}"
    try:
        result = _upsert_once(account=account, incoming=incoming, actor=actor, user=user)
    except IntegrityError:
        # Another worker created the same order between our read and our insert: update it instead.
        result = _upsert_once(account=account, incoming=incoming, actor=actor, user=user)
    if confirm and result.changed and result.order.status == S.AWAITING_CONFIRMATION:
        confirmation = run_confirmation(order=result.order, user=user, actor=actor, on_arrival=True)
        result.order = confirmation.order
    return result
