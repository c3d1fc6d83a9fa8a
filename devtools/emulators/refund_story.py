"""The refunds of the demo's seeded world (``world.seed_world`` plays them after the orders): a
partial refund on a delivered WooCommerce order and a goodwill refund on a delivered Square order,
made on the channel a day before the anchor. Deterministic like the rest of the world, so the
emulator process and the demo loader (``devtools/demo/refunds.py``) hold the same refund ids."""

from __future__ import annotations

from typing import Any

from . import square_refunds, woocommerce_refunds

H = 3600.0
# (story order, amount: WooCommerce "0.00" / Square cents, reason)
REFUNDS: tuple[tuple[str, Any, str], ...] = (
    ("woo-delivered-1", "3.00", "Arrived chipped: partial refund"),
    ("square-delivered-1", 500, "Delivered late: goodwill refund"),
)


def seed_refunds(state, seeded: list, anchor: float) -> None:
    by_name = {s.story.name: s for s in seeded}
    for name, amount, reason in REFUNDS:
        story = by_name.get(name)
        if story is None:
            continue
        at = anchor - 24 * H
        if story.channel == "woocommerce":
            woocommerce_refunds.add_refund(state.woocommerce, int(story.order_id), amount, reason, at=at)
        elif story.channel == "square":
            square_refunds.add_refund(state.square, story.order_id, amount, reason, at=at)
