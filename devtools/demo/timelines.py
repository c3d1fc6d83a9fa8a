"""Demo timelines that read like the history they tell.

The demo makes its orders in one go, so the events the services write carry the moment of
loading. ``retime`` moves each order's events to when they happened in the story (received when
paid, shipped when the tracking went up, in transit at the carrier's first scan, delivered...),
and, for an order that arrived already shipped, adds the steps the channel reports. ``history``
writes the timeline of the metrics' bulk-inserted history orders. Both are bulk writes: the demo
loads in seconds.
"""

from __future__ import annotations

import datetime as dt

from orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus
MINUTE = dt.timedelta(minutes=1)


def _moments(order: Order) -> dict[str, dt.datetime | None]:
    paid = order.paid_at or order.created_at
    shipped = order.tracking_uploaded_at or order.dispatched_at
    return {
        S.AWAITING_PAYMENT: order.created_at,
        S.AWAITING_CONFIRMATION: paid,
        S.ON_HOLD: paid,
        S.CONFIRMED: paid + MINUTE if paid else None,
        S.PICKING: shipped - 2 * 60 * MINUTE if shipped else None,
        S.PACKED: shipped - 60 * MINUTE if shipped else None,
        S.SHIPPED: shipped,
        S.IN_TRANSIT: order.dispatched_at,
        S.DELIVERED: order.delivered_at,
        S.COMPLETED: order.completed_at,
        S.CANCELLED: order.cancelled_at,
    }


def _channel_steps(order: Order, existing: set[str]) -> list[tuple[str, str, dt.datetime, str]]:
    """(from, to, when, actor) of the steps an order that arrived shipped went through on its channel."""
    steps, previous = [], S.CONFIRMED
    actor = f"sync:{order.account.channel}"
    for status, when in ((S.SHIPPED, order.tracking_uploaded_at), (S.IN_TRANSIT, order.dispatched_at),
                         (S.DELIVERED, order.delivered_at), (S.COMPLETED, order.completed_at)):
        if when is not None and status not in existing:
            steps.append((previous, status, when, actor))
            previous = status
    return steps


def retime(orders: list[Order], *, now: dt.datetime) -> None:
    """Move the events of ``orders`` to their moments in the story; fill in channel steps."""
    ids = [o.pk for o in orders]
    by_order: dict[int, list[OrderEvent]] = {}
    for event in OrderEvent.objects.filter(order_id__in=ids).order_by("pk"):
        by_order.setdefault(event.order_id, []).append(event)
    changed, added = [], []
    for order in Order.objects.filter(pk__in=ids).select_related("account"):
        moments = _moments(order)
        events = by_order.get(order.pk, [])
        floor = None
        for event in events:
            if event.kind == "created":
                when = order.created_at
            else:
                when = moments.get(event.to_status) if event.kind == "status" else None
            when = when or floor or event.created_at
            if floor is not None and when < floor:
                when = floor + MINUTE
            floor = when
            if when != event.created_at and when <= now:
                event.created_at = when
                changed.append(event)
        reached = {e.to_status for e in events if e.kind == "status"} | {e.to_status for e in events
                                                                         if e.kind == "created"}
        if order.tracking_uploaded_at and S.SHIPPED not in {e.to_status for e in events if e.kind == "status"}:
            for from_status, to_status, when, actor in _channel_steps(order, reached - {order.status}):
                added.append(OrderEvent(order=order, kind="status", actor=actor, from_status=from_status,
                                        to_status=to_status, created_at=when,
                                        message=f"{S(from_status).label} → {S(to_status).label}"
                                                f" (reported by {order.account.get_channel_display()})"))
    OrderEvent.objects.bulk_update(changed, ["created_at"], batch_size=500)
    _bulk_create_at(added)


def _bulk_create_at(events: list[OrderEvent]) -> None:
    """Create events keeping their ``created_at``: ``auto_now_add`` is set aside for this insert
    (one INSERT per thousand rows instead of an UPDATE per row after it)."""
    if not events:
        return
    field = OrderEvent._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        OrderEvent.objects.bulk_create(events, batch_size=1000)
    finally:
        field.auto_now_add = True


def history(orders: list[Order], *, warehouse_name: str = "warehouse") -> None:
    """The timeline of bulk-inserted history orders: received, shipped, in transit, delivered or
    cancelled, each at its moment."""
    events = []
    for order in orders:
        channel = order.account.get_channel_display()
        actor = f"sync:{order.account.channel}"
        events.append(OrderEvent(order=order, kind="created", actor=actor, to_status=S.CONFIRMED,
                                 created_at=order.paid_at or order.created_at, message=f"Received from {channel}"))
        steps = [(S.SHIPPED, order.tracking_uploaded_at, warehouse_name),
                 (S.IN_TRANSIT, order.dispatched_at, "carrier"), (S.DELIVERED, order.delivered_at, "carrier"),
                 (S.CANCELLED, order.cancelled_at, actor)]
        previous = S.CONFIRMED
        for status, when, who in steps:
            if when is None:
                continue
            message = (f"Cancelled: {order.cancel_reason}" if status == S.CANCELLED and order.cancel_reason
                       else f"{S(previous).label} → {S(status).label}")
            events.append(OrderEvent(order=order, kind="status", actor=who, from_status=previous, to_status=status,
                                     created_at=when, message=message))
            previous = status
    _bulk_create_at(events)
