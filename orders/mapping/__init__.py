"""Per-channel order mappings: channel JSON -> ChannelOrder (pure functions, no database).

    from orders.mapping import map_order
    incoming = map_order("tiktok", payload)          # raises PayloadError with the reason
    orders.services.upsert_order(account=account, incoming=incoming, source="import")

TikTok Shop (Open API 202309) is mapped now; WooCommerce, Etsy and Square come with their
connectors (the channel-sync issue): each adds ``orders/mapping/<channel>.py`` with a
``map_order(payload) -> ChannelOrder`` and one line in ``MAPPERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orders.mapping import etsy, square, tiktok, woocommerce
from orders.mapping.common import clean_payload
from orders.mapping.types import ChannelLine, ChannelOrder, ChannelPackage, PayloadError

__all__ = ["ChannelLine", "ChannelOrder", "ChannelPackage", "MAPPERS", "PayloadError", "map_order", "supports"]

MAPPERS: dict[str, Callable[[Any], ChannelOrder]] = {
    "tiktok": tiktok.map_order,
    "woocommerce": woocommerce.map_order,
    "etsy": etsy.map_order,
    "square": square.map_order,
}


def supports(channel: str) -> bool:
    return channel in MAPPERS


def map_order(channel: str, payload: Any) -> ChannelOrder:
    try:
        mapper = MAPPERS[channel]
    except KeyError:
        known = ", ".join(sorted(MAPPERS))
        raise PayloadError(f"no order mapping for channel {channel!r} yet (available: {known})") from None
    return mapper(clean_payload(payload))  # channel text enters here: control characters removed
