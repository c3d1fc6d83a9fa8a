"""Short after count: a stock count found fewer units on the shelf than were reserved, and
inventory released the newest reservations (``inventory.services.counts``). Registered with
``inventory.hooks.register_reservations_released_after_count`` from ``orders/apps.py``: each order
that lost stock goes back to awaiting confirmation (what it still held is released, so it holds
every line or nothing) and waits under needs-attention with the reason "short after count"."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction

from orders.models import RESERVED_STATUSES, AttentionReason, Order, OrderStatus
from orders.services.attention import set_attention
from orders.services.errors import OrderError
from orders.services.locks import lock_order, sync_instance
from orders.services.transitions import transition

log = logging.getLogger(__name__)
S = OrderStatus
ACTOR = "stock count"
REFERENCE_PREFIX = "order:"


def short_after_count_detail(parts: list[str]) -> str:
    return (f"Short after count: {'; '.join(parts)}. Receive or count the stock, then re-run confirmation; "
            f"or cancel the order with a reason.")[:500]


def mark_short_after_count(*, released, user=None, actor: str = ACTOR) -> list[Order]:
    """For each order a count took stock from (``released``: the ``ReleasedAfterCount`` rows of
    the count), newest order first, each in its own transaction: move it back to awaiting
    confirmation and set the attention reason "short after count". Orders no longer reserved
    (shipped, cancelled meanwhile) keep their status but are flagged only when still open.
    Returns the orders flagged."""
    parts: dict[int, list[str]] = defaultdict(list)
    for row in released:
        if not row.reference.startswith(REFERENCE_PREFIX) or not row.reference[len(REFERENCE_PREFIX):].isdigit():
            continue
        parts[int(row.reference[len(REFERENCE_PREFIX):])].append(
            f"{row.seller_sku} at {row.location_code} counted short, {row.quantity} reserved unit(s) released")
    flagged = []
    orders = Order.objects.filter(pk__in=list(parts)).order_by("-created_at", "-pk")
    for order in orders:
        try:
            with transaction.atomic():
                locked = lock_order(order)
                if locked.status in RESERVED_STATUSES:
                    transition(order=locked, to_status=S.AWAITING_CONFIRMATION, user=user, actor=actor,
                               message="Short after count: back to awaiting confirmation")
                if locked.status != S.AWAITING_CONFIRMATION:
                    continue
                set_attention(locked, AttentionReason.SHORT_AFTER_COUNT, short_after_count_detail(parts[locked.pk]),
                              user=user, actor=actor)
                sync_instance(order, locked)
                flagged.append(order)
        except OrderError as exc:  # one order refused (e.g. shipped meanwhile) must not stop the others
            log.warning("order %s: could not move it back after a short count (%s)", order.pk, exc)
    return flagged


def on_reservations_released_after_count(released) -> None:
    """The hook registered with inventory (called after the count commits)."""
    flagged = mark_short_after_count(released=released)
    log.info("short after count: %d order(s) back to needs-attention", len(flagged))
