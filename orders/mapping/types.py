"""The channel-neutral shape every channel's order payload is mapped into.

A mapping function (one per channel, in ``orders/mapping/<channel>.py``) is pure: it takes the
channel's JSON for one order and returns a :class:`ChannelOrder`, or raises
:class:`PayloadError` saying what is wrong with the payload. It never touches the database.
``orders.services.upsert_order`` then turns a ``ChannelOrder`` into an Order, idempotently.

Timestamps are aware datetimes in UTC (or ``None``: not happened / not sent). Money is
``Decimal``. Statuses are SellerHub's (``orders.models.OrderStatus``); the channel's own status
travels alongside as ``channel_status``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


class PayloadError(ValueError):
    """The payload cannot be mapped; the message says which field and why."""


@dataclass(frozen=True)
class ChannelComponent:
    """One SKU inside a channel's combined listing (TikTok ``combined_listing_skus``): `count`
    units of it go into one unit of the line."""

    channel_sku: str = ""
    channel_product_id: str = ""
    channel_variant_id: str = ""
    count: int = 1


@dataclass(frozen=True)
class ChannelLine:
    external_id: str
    channel_sku: str = ""
    channel_product_id: str = ""
    channel_variant_id: str = ""
    name: str = ""
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    cancelled: bool = False
    # A combined listing (a bundle made on the channel): the SKUs one unit of the line is made of.
    components: tuple[ChannelComponent, ...] = ()

    @property
    def channel_components(self) -> list[dict]:
        """The components as stored on ``OrderLine.channel_components``."""
        return [{"channel_sku": c.channel_sku, "product_id": c.channel_product_id,
                 "variant_id": c.channel_variant_id, "count": c.count} for c in self.components]


@dataclass(frozen=True)
class ChannelPackage:
    """One shipment as the channel knows it, with the lines (by external id) it carries."""

    external_id: str
    tracking_number: str = ""
    carrier_name: str = ""
    shipping_provider_id: str = ""
    channel_status: str = ""
    line_external_ids: tuple[str, ...] = ()
    tracking_uploaded_at: dt.datetime | None = None
    first_scan_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class ChannelOrder:
    external_id: str
    status: str  # an orders.models.OrderStatus value
    channel_status: str
    created_at: dt.datetime
    updated_at: dt.datetime | None = None  # the channel's update time: older payloads never win
    paid_at: dt.datetime | None = None
    buyer_name: str = ""
    buyer_email: str = ""
    buyer_phone: str = ""
    ship_name: str = ""
    ship_company: str = ""
    ship_street1: str = ""
    ship_street2: str = ""
    ship_city: str = ""
    ship_state: str = ""
    ship_postal_code: str = ""
    ship_country: str = ""
    ship_phone: str = ""
    currency: str = "USD"
    subtotal: Decimal = Decimal("0")
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    fulfilment: str = "FBS"
    label_source: str = "SELLER"
    is_sample: bool = False
    # Deadlines the channel sends itself (TikTok); None: SellerHub computes them from the calendar.
    dispatch_due_at: dt.datetime | None = None
    delivery_due_at: dt.datetime | None = None
    tracking_uploaded_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancel_initiator: str = ""
    cancel_reason: str = ""
    tracking_number: str = ""
    shipping_provider: str = ""
    note: str = ""
    lines: tuple[ChannelLine, ...] = ()
    packages: tuple[ChannelPackage, ...] = ()
    raw: dict = field(default_factory=dict, compare=False)

    # The Order fields a channel owns, in the order they are compared and written.
    ORDER_FIELDS = (
        "channel_status", "created_at", "paid_at",
        "buyer_name", "buyer_email", "buyer_phone",
        "ship_name", "ship_company", "ship_street1", "ship_street2", "ship_city", "ship_state",
        "ship_postal_code", "ship_country", "ship_phone",
        "currency", "subtotal", "shipping_total", "tax_total", "total",
        "fulfilment", "label_source", "is_sample",
        "tracking_uploaded_at", "dispatched_at", "delivered_at",
        "cancelled_at", "cancel_initiator", "cancel_reason",
        "tracking_number", "shipping_provider",
    )

    def order_fields(self) -> dict:
        return {name: getattr(self, name) for name in self.ORDER_FIELDS}
