"""The needs-attention queue: an order's attention reason (unmatched SKU, short stock, on hold,
address problem), how it is stored, and the messages that say what to fix."""

from __future__ import annotations

from django.utils import timezone

from orders.models import RESERVED_STATUSES, AttentionReason, Fulfilment, Order, OrderStatus
from orders.services.timeline import channel_name, record_event

S = OrderStatus


ADDRESS_FIELDS = (
    ("ship_name", "recipient name"), ("ship_street1", "street"), ("ship_city", "city"),
    ("ship_postal_code", "postal code"), ("ship_country", "country"),
)


def address_problems(order: Order) -> list[str]:
    """What is missing from the shipping address of an order the seller ships (FBS)."""
    if order.fulfilment == Fulfilment.FBT:
        return []
    missing = [label for name, label in ADDRESS_FIELDS if not (getattr(order, name) or "").strip()]
    if (order.ship_country or "").upper() in ("US", "CA") and not (order.ship_state or "").strip():
        missing.append("state")
    return missing


def address_detail(missing: list[str]) -> str:
    return f"The shipping address has no {', '.join(missing)}: add it before the order can ship."


def hold_detail(order: Order) -> str:
    if order.channel_status == "ON_HOLD":
        return (f"{channel_name(order)} holds new orders for about an hour after payment while the buyer may "
                f"still cancel; it releases them itself and the next sync moves the order on.")
    return order.attention_detail or "Put on hold."


def set_attention(order: Order, reason: str, detail: str = "", *, user=None, actor="") -> bool:
    """Store the order's attention reason; an event is written only when the reason changes."""
    detail = (detail if reason else "")[:500]
    if order.attention_reason == reason and order.attention_detail == detail:
        return False
    before = order.attention_reason
    Order.objects.filter(pk=order.pk).update(attention_reason=reason, attention_detail=detail,
                                             updated_at=timezone.now())
    order.attention_reason, order.attention_detail = reason, detail
    if reason != before:
        label = AttentionReason(reason).label if reason else ""
        record_event(order, kind="attention", user=user, actor=actor,
               message=f"Needs attention: {label}. {detail}" if reason else "No longer needs attention.",
               data={"reason": reason, "previous": before})
    return True


def attention_after_move(order: Order) -> tuple[str, str]:
    """The attention an order has right after a status change (short stock is decided by a
    reservation attempt, in confirmation)."""
    if order.status == S.ON_HOLD:
        return AttentionReason.ON_HOLD, hold_detail(order)
    if order.status == S.AWAITING_CONFIRMATION:
        unmatched = order.lines.filter(cancelled=False, sku__isnull=True).exists()
        if unmatched and order.fulfilment != Fulfilment.FBT:
            return AttentionReason.UNMATCHED_SKU, unmatched_detail(order)
    if order.status in (S.AWAITING_CONFIRMATION,) + RESERVED_STATUSES:
        missing = address_problems(order)
        if missing:
            return AttentionReason.ADDRESS_PROBLEM, address_detail(missing)
    return AttentionReason.NONE, ""


def unmatched_detail(order: Order) -> str:
    skus = sorted({line.channel_sku or line.channel_variant_id or f"line {line.external_id}"
                   for line in order.lines.filter(cancelled=False, sku__isnull=True)})
    return f"No SKU matches channel SKU {', '.join(skus)}: map it to one of your SKUs."
