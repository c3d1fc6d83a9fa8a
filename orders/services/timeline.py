"""The order's timeline: writing one OrderEvent, who acted, and the small labels services share
(status names, the channel's name, an order's active lines)."""

from __future__ import annotations

from orders.models import Order, OrderEvent, OrderLine, OrderStatus

S = OrderStatus


def status_label(status: str) -> str:
    try:
        return S(status).label.lower()
    except ValueError:
        return repr(status)


def actor_name(user, actor: str) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()[:60]
    return (actor or "system")[:60]


def acting_user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record_event(order: Order, *, kind: str, user=None, actor="", from_status="", to_status="", message="", data=None):
    return OrderEvent.objects.create(
        order=order, kind=kind, user=acting_user(user), actor=actor_name(user, actor), from_status=from_status,
        to_status=to_status, message=message[:500], data=data or {},
    )


def active_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.filter(cancelled=False).select_related("sku").order_by("pk"))


def channel_name(order: Order) -> str:
    return order.account.get_channel_display()
