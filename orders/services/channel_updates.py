"""A stored order following its channel: the new Order a payload becomes, and the update of an
existing one (the channel's changes against its previous payload, lines, packages, the status
forward only, re-reserving changed lines). Used by the page ingest (``page_ingest``)."""

from __future__ import annotations

from django.utils import timezone

from orders import hooks
from orders.cancel_reasons import classify as classify_cancellation
from orders.mapping import ChannelOrder, PayloadError, map_order
from orders.models import RESERVED_STATUSES, SHIPPED_STATUSES, STATUS_RANK, Fulfilment, Order, OrderStatus
from orders.services.errors import UpsertResult
from orders.services.order_lines import sync_lines
from orders.services.shop_calendar import deadline_values
from orders.services.stock_effects import resync_reservation
from orders.services.timeline import channel_name, record_event, status_label
from orders.services.transitions import CHANNEL, allowed, refusal, transition

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


def new_order(account, incoming: ChannelOrder) -> Order:
    """The Order a new channel payload becomes (not saved): its fields, deadlines from the shop's
    calendar, and the timestamps of a cancelled or completed order."""
    now = timezone.now()
    order = Order(account=account, external_id=incoming.external_id, status=incoming.status,
                  raw=incoming.raw, channel_updated_at=incoming.updated_at, last_synced_at=now,
                  **incoming.order_fields())
    for name, value in deadline_values(order, incoming, None).items():
        setattr(order, name, value)
    if order.status == S.CANCELLED and order.cancelled_at is None:
        order.cancelled_at = incoming.updated_at or now
    if order.status == S.CANCELLED:  # why, as the figures count it (orders/cancel_reasons.py)
        order.cancel_reason_code = classify_cancellation(incoming.cancel_initiator, incoming.cancel_reason)
    if order.status == S.COMPLETED:
        order.completed_at = incoming.updated_at or now
    return order


def created_message(account, incoming: ChannelOrder) -> tuple[str, dict]:
    """The "created" event's message and data."""
    return (f"Received from {account.get_channel_display()}"
            + (f" as {incoming.channel_status}" if incoming.channel_status else ""),
            {"channel_status": incoming.channel_status,
             "update_time": incoming.updated_at.isoformat() if incoming.updated_at else None})


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


def update_from_channel(order: Order, incoming: ChannelOrder, *, actor, user) -> UpsertResult:
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
