"""Correcting an order's buyer and shipping address (a fix from the needs-attention queue), after
which confirmation runs again."""

from __future__ import annotations

from django.db import transaction

from orders.models import SHIPPED_STATUSES, AttentionReason, Order, OrderStatus
from orders.services.attention import attention_after_move, set_attention
from orders.services.confirmation import run_confirmation
from orders.services.errors import ConfirmResult, OrderError
from orders.services.locks import lock_order, sync_instance
from orders.services.timeline import record_event, status_label

S = OrderStatus


ADDRESS_LABELS = {
    "buyer_name": "buyer name", "buyer_email": "buyer email", "buyer_phone": "buyer phone",
    "ship_name": "recipient name", "ship_company": "company", "ship_street1": "street",
    "ship_street2": "street (line 2)", "ship_city": "city", "ship_state": "state", "ship_postal_code": "postal code",
    "ship_country": "country", "ship_phone": "phone",
}
EDITABLE_ADDRESS = tuple(ADDRESS_LABELS)


def update_address(*, order: Order, values: dict, user=None, actor: str = "") -> ConfirmResult | None:
    """Correct the buyer and shipping address (not after shipping); then, if the order was waiting
    for it, confirmation runs again. Returns that confirmation's result, if it ran."""
    unknown = set(values) - set(EDITABLE_ADDRESS)
    if unknown:
        raise OrderError(f"Unknown address field(s): {', '.join(sorted(unknown))}.")
    clean = {}
    for name, value in values.items():
        value = (value or "").strip()
        limit = Order._meta.get_field(name).max_length
        if len(value) > limit:
            raise OrderError(f"The {ADDRESS_LABELS[name]} is too long (at most {limit} characters).")
        clean[name] = value.upper() if name == "ship_country" else value
    if "ship_country" in clean and clean["ship_country"] and len(clean["ship_country"]) != 2:
        raise OrderError("Country must be a two-letter code, e.g. US.")
    with transaction.atomic():
        locked = lock_order(order)
        if not address_editable(locked):
            raise OrderError(f"Order {locked.external_id} is {status_label(locked.status)}; its address can't "
                             f"change now.")
        changed = {k: v for k, v in clean.items() if getattr(locked, k) != v}
        if not changed:
            sync_instance(order, locked)
            return None
        for k, v in changed.items():
            setattr(locked, k, v)
        locked.save(update_fields=[*changed, "updated_at"])
        record_event(locked, kind="address_updated", user=user, actor=actor,
               message="Address corrected: " + ", ".join(ADDRESS_LABELS[k] for k in changed),
               data={"fields": sorted(changed)})
        if locked.attention_reason == AttentionReason.ADDRESS_PROBLEM:
            reason, detail = attention_after_move(locked)
            if locked.status != S.AWAITING_CONFIRMATION or reason != AttentionReason.NONE:
                set_attention(locked, reason, detail, user=user, actor=actor)
        sync_instance(order, locked)
    if locked.status == S.AWAITING_CONFIRMATION:
        result = run_confirmation(order=locked, user=user, actor=actor)
        sync_instance(order, result.order)
        return result
    return None


def address_editable(order: Order) -> bool:
    """Whether the order's address can still be corrected (not once shipped or cancelled)."""
    return order.status not in SHIPPED_STATUSES and order.status != S.CANCELLED
