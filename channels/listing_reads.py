"""What SellerHub keeps of a listing as the channel last showed it (title, price, quantity, when):
the fields written from a ``RemoteListing`` when listings are imported or discovered by a pull."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import timezone

from integrations.channels.connectors.base import RemoteListing


def price_of(text) -> Decimal | None:
    """A decimal price from the channel's text ("24.00"), None when missing or not a price."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() and Decimal(0) <= value < Decimal(10) ** 8 else None


def as_read(remote: RemoteListing) -> dict:
    """The ChannelListing fields for what the channel showed now (missing values are not erased)."""
    fields: dict = {"channel_read_at": timezone.now()}
    price = price_of(remote.price) if remote.price else None
    if price is not None:
        fields["channel_price"] = price
        fields["channel_currency"] = (remote.currency or "")[:3].upper()
    if remote.quantity is not None:
        fields["channel_quantity"] = int(remote.quantity)
    return fields
