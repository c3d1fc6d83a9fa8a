"""Etsy Open API v3 receipt -> ChannelOrder (pure; no database). docs/domain/channels.md#etsy.

Times are Unix seconds: created_at = ``created_timestamp``, the channel's update time =
``updated_timestamp``, paid_at = the earliest transaction ``paid_timestamp`` (else the creation
time of a paid receipt). Etsy sends no dispatch deadline SellerHub relies on: it is computed
from the account's calendar.

Statuses: open and payment processing -> awaiting payment; paid -> awaiting confirmation;
completed (or any receipt marked ``is_shipped``) -> shipped; canceled and fully refunded ->
cancelled (its cancel reason says which, "Canceled on Etsy" / "Fully refunded on Etsy": Etsy has
no cancellation call, the seller cancels in Shop Manager and SellerHub follows); partially
refunded follows ``is_shipped``.

Lines are the receipt's transactions: the seller SKU, the listing id as product id and the SKU
as variant (Etsy issues new product ids on every inventory change, so the SKU names the variant
within a listing). Money is ``{amount, divisor, currency_code}``. ``shipments[]`` become packages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orders.mapping.common import country, minor_units, text, unix_time, whole_quantity
from orders.mapping.types import ChannelLine, ChannelOrder, ChannelPackage, PayloadError
from orders.models import OrderStatus

S = OrderStatus
STATUS_MAP = {
    "open": S.AWAITING_PAYMENT,
    "payment processing": S.AWAITING_PAYMENT,
    "paid": S.AWAITING_CONFIRMATION,
    "completed": S.SHIPPED,
    "canceled": S.CANCELLED,
    "cancelled": S.CANCELLED,
    "fully refunded": S.CANCELLED,
}


def _amount(payload: dict, name: str) -> tuple[Decimal, str]:
    value = payload.get(name)
    if value in (None, ""):
        return Decimal("0"), ""
    if not isinstance(value, dict):
        raise PayloadError(f"{name} must be an object with amount, divisor and currency_code")
    currency = text(value.get("currency_code"), f"{name}.currency_code").upper()
    return minor_units(value.get("amount"), f"{name}.amount", currency, value.get("divisor", 100)), currency


def _line(item: Any, index: int) -> tuple[ChannelLine, dt.datetime | None]:
    where = f"transactions[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(f"{where} must be an object")
    external_id = text(item.get("transaction_id"), f"{where}.transaction_id", limit=64)
    if not external_id:
        raise PayloadError(f"{where} has no transaction_id")
    sku = text(item.get("sku"), f"{where}.sku", limit=100)
    variations = ", ".join(text(v.get("formatted_value"), f"{where}.variations")
                           for v in item.get("variations") or [] if isinstance(v, dict) and v.get("formatted_value"))
    title = text(item.get("title"), f"{where}.title")
    price, _currency = _amount(item, "price") if isinstance(item.get("price"), dict) else (Decimal("0"), "")
    line = ChannelLine(
        external_id=external_id,
        channel_sku=sku,
        channel_product_id=text(item.get("listing_id"), f"{where}.listing_id", limit=64),
        channel_variant_id=sku,
        name=(f"{title} - {variations}" if variations else title)[:300],
        quantity=whole_quantity(item.get("quantity"), f"{where}.quantity"),
        unit_price=price,
    )
    return line, unix_time(item.get("paid_timestamp"), f"{where}.paid_timestamp")



def _packages(payload: dict, lines: tuple[ChannelLine, ...]) -> tuple[ChannelPackage, ...]:
    packages = []
    for index, entry in enumerate(payload.get("shipments") or []):
        where = f"shipments[{index}]"
        if not isinstance(entry, dict):
            raise PayloadError(f"{where} must be an object")
        number = text(entry.get("tracking_code"), f"{where}.tracking_code", limit=64)
        if not number:
            continue  # marked shipped without tracking
        packages.append(ChannelPackage(
            external_id=text(entry.get("receipt_shipping_id"), f"{where}.receipt_shipping_id", limit=64),
            tracking_number=number,
            carrier_name=text(entry.get("carrier_name"), f"{where}.carrier_name", limit=100),
            line_external_ids=tuple(line.external_id for line in lines),
            tracking_uploaded_at=unix_time(entry.get("shipment_notification_timestamp"),
                                           f"{where}.shipment_notification_timestamp"),
        ))
    return tuple(packages)


def map_order(payload: Any) -> ChannelOrder:
    """One Etsy receipt -> ChannelOrder; raises PayloadError naming the problem."""
    if not isinstance(payload, dict):
        raise PayloadError(f"a receipt must be a JSON object, got {type(payload).__name__}")
    external_id = text(payload.get("receipt_id"), "receipt_id", limit=64)
    if not external_id:
        raise PayloadError("the receipt has no receipt_id")
    channel_status = text(payload.get("status"), "status").lower()
    if not channel_status:
        raise PayloadError("the receipt has no status")
    created_at = unix_time(payload.get("created_timestamp", payload.get("create_timestamp")), "created_timestamp")
    if created_at is None:
        raise PayloadError("the receipt has no created_timestamp")
    updated_at = unix_time(payload.get("updated_timestamp", payload.get("update_timestamp")), "updated_timestamp")
    is_paid = payload.get("is_paid") is True
    is_shipped = payload.get("is_shipped") is True
    status = STATUS_MAP.get(channel_status)
    if status is None or (status == S.AWAITING_CONFIRMATION and is_shipped):
        if is_shipped:
            status = S.SHIPPED
        else:
            status = S.AWAITING_CONFIRMATION if is_paid else S.AWAITING_PAYMENT
    items = payload.get("transactions")
    if not isinstance(items, list) or not items:
        raise PayloadError("the receipt has no transactions")
    mapped = [_line(item, i) for i, item in enumerate(items)]
    lines = tuple(line for line, _paid in mapped)
    if len({line.external_id for line in lines}) != len(lines):
        raise PayloadError("a transaction id appears twice")
    paid_times = [paid for _line_, paid in mapped if paid]
    paid_at = min(paid_times) if paid_times else (created_at if is_paid else None)
    total, currency = _amount(payload, "grandtotal")
    subtotal, _c = _amount(payload, "subtotal")
    shipping, _c = _amount(payload, "total_shipping_cost")
    tax, _c = _amount(payload, "total_tax_cost")
    vat, _c = _amount(payload, "total_vat_cost")
    packages = _packages(payload, lines)
    first = packages[0] if packages else None
    name = text(payload.get("name"), "name", limit=200)
    return ChannelOrder(
        external_id=external_id,
        status=status,
        channel_status=channel_status[:40],
        created_at=created_at,
        updated_at=updated_at,
        paid_at=paid_at,
        buyer_name=name,
        buyer_email=text(payload.get("buyer_email"), "buyer_email", limit=254),
        ship_name=name,
        ship_street1=text(payload.get("first_line"), "first_line", limit=200),
        ship_street2=text(payload.get("second_line"), "second_line", limit=200),
        ship_city=text(payload.get("city"), "city", limit=100),
        ship_state=text(payload.get("state"), "state", limit=100),
        ship_postal_code=text(payload.get("zip"), "zip", limit=20),
        ship_country=country(payload.get("country_iso"), "country_iso"),
        currency=currency or "USD",
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax + vat,
        total=total,
        tracking_uploaded_at=first.tracking_uploaded_at if first else None,
        cancelled_at=updated_at if status == S.CANCELLED else None,
        cancel_reason=f"{channel_status.capitalize()} on Etsy" if status == S.CANCELLED else "",
        tracking_number=first.tracking_number if first else "",
        shipping_provider=first.carrier_name if first else "",
        note=text(payload.get("message_from_buyer"), "message_from_buyer", limit=1000),
        lines=lines,
        packages=packages,
        raw=payload,
    )
