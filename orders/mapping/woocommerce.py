"""WooCommerce REST v3 order -> ChannelOrder (pure; no database). docs/domain/channels.md#woocommerce.

Dates: the ``*_gmt`` fields (no offset, GMT) are read; created_at = ``date_created_gmt``,
paid_at = ``date_paid_gmt``, the channel's update time = ``date_modified_gmt``. WooCommerce
sends no dispatch or delivery deadlines: SellerHub computes them from the account's calendar.

Statuses: pending, checkout-draft and failed (the buyer may still pay) -> awaiting payment;
on-hold (payment to be confirmed by the seller, e.g. a bank transfer) -> on hold; processing
(paid, to ship) -> awaiting confirmation; completed (WooCommerce's "fulfilled") -> shipped;
cancelled, refunded and trash -> cancelled. A status added by a plug-in is kept as the channel
status and read as awaiting confirmation when the order is paid, else awaiting payment.

Lines keep the seller SKU, the product id and the variation id (0 -> none). Tracking numbers
come from the Shipment Tracking extension's ``_wc_shipment_tracking_items`` meta, else the
``_tracking_number`` / ``_tracking_provider`` meta SellerHub writes on stores without it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders.mapping.common import country, iso_time, join_name, money, text, unix_time, whole_quantity
from orders.mapping.types import ChannelLine, ChannelOrder, ChannelPackage, PayloadError
from orders.models import OrderStatus

S = OrderStatus
STATUS_MAP = {
    "pending": S.AWAITING_PAYMENT,
    "checkout-draft": S.AWAITING_PAYMENT,
    "failed": S.AWAITING_PAYMENT,
    "on-hold": S.ON_HOLD,
    "processing": S.AWAITING_CONFIRMATION,
    "completed": S.SHIPPED,
    "cancelled": S.CANCELLED,
    "refunded": S.CANCELLED,
    "trash": S.CANCELLED,
}


def _meta(payload: dict) -> dict[str, Any]:
    meta = payload.get("meta_data") or []
    if not isinstance(meta, list):
        raise PayloadError("meta_data must be a list")
    return {m.get("key"): m.get("value") for m in meta if isinstance(m, dict)}


def _address(payload: dict) -> dict[str, str]:
    shipping = payload.get("shipping") or {}
    billing = payload.get("billing") or {}
    if not isinstance(shipping, dict) or not isinstance(billing, dict):
        raise PayloadError("shipping and billing must be objects")
    source, where = (shipping, "shipping") if text(shipping.get("address_1"), "shipping.address_1") else (
        billing, "billing")
    return {
        "ship_name": join_name(text(source.get("first_name"), f"{where}.first_name"),
                               text(source.get("last_name"), f"{where}.last_name"))[:200],
        "ship_company": text(source.get("company"), f"{where}.company", limit=200),
        "ship_street1": text(source.get("address_1"), f"{where}.address_1", limit=200),
        "ship_street2": text(source.get("address_2"), f"{where}.address_2", limit=200),
        "ship_city": text(source.get("city"), f"{where}.city", limit=100),
        "ship_state": text(source.get("state"), f"{where}.state", limit=100),
        "ship_postal_code": text(source.get("postcode"), f"{where}.postcode", limit=20),
        "ship_country": country(source.get("country"), f"{where}.country"),
        "ship_phone": (text(source.get("phone"), f"{where}.phone") or text(billing.get("phone"), "billing.phone"))[:40],
    }


def _line(item: Any, index: int) -> ChannelLine:
    where = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(f"{where} must be an object")
    external_id = text(item.get("id"), f"{where}.id", limit=64)
    if not external_id:
        raise PayloadError(f"{where} has no id")
    quantity = whole_quantity(item.get("quantity"), f"{where}.quantity")
    subtotal = money(item.get("subtotal"), f"{where}.subtotal")
    unit = (subtotal / quantity).quantize(Decimal("0.01")) if subtotal else money(item.get("price"), f"{where}.price")
    variation = text(item.get("variation_id"), f"{where}.variation_id", limit=64)
    return ChannelLine(
        external_id=external_id,
        channel_sku=text(item.get("sku"), f"{where}.sku", limit=100),
        channel_product_id=text(item.get("product_id"), f"{where}.product_id", limit=64),
        channel_variant_id="" if variation in ("", "0") else variation,
        name=text(item.get("name"), f"{where}.name", limit=300),
        quantity=quantity,
        unit_price=unit,
    )


def _packages(meta: dict, lines: tuple[ChannelLine, ...]) -> tuple[ChannelPackage, ...]:
    line_ids = tuple(line.external_id for line in lines)
    items = meta.get("_wc_shipment_tracking_items")
    packages = []
    if isinstance(items, list):
        for index, entry in enumerate(items):
            if not isinstance(entry, dict) or not entry.get("tracking_number"):
                continue
            where = f"_wc_shipment_tracking_items[{index}]"
            shipped = entry.get("date_shipped")
            uploaded = unix_time(shipped, f"{where}.date_shipped") if str(shipped or "").isdigit() else None
            packages.append(ChannelPackage(
                external_id=text(entry.get("tracking_id"), f"{where}.tracking_id", limit=64),
                tracking_number=text(entry.get("tracking_number"), f"{where}.tracking_number", limit=64),
                carrier_name=(text(entry.get("tracking_provider"), f"{where}.tracking_provider") or text(
                    entry.get("custom_tracking_provider"), f"{where}.custom_tracking_provider"))[:100],
                line_external_ids=line_ids, tracking_uploaded_at=uploaded))
    elif meta.get("_tracking_number"):
        packages.append(ChannelPackage(
            external_id="", tracking_number=text(meta.get("_tracking_number"), "_tracking_number", limit=64),
            carrier_name=text(meta.get("_tracking_provider"), "_tracking_provider", limit=100),
            line_external_ids=line_ids))
    return tuple(packages)


def map_order(payload: Any) -> ChannelOrder:
    """One WooCommerce order object -> ChannelOrder; raises PayloadError naming the problem."""
    if not isinstance(payload, dict):
        raise PayloadError(f"an order must be a JSON object, got {type(payload).__name__}")
    external_id = text(payload.get("id"), "id", limit=64)
    if not external_id:
        raise PayloadError("the order has no id")
    channel_status = text(payload.get("status"), "status").lower()
    if not channel_status:
        raise PayloadError("the order has no status")
    created_at = iso_time(payload.get("date_created_gmt"), "date_created_gmt")
    if created_at is None:
        raise PayloadError("the order has no date_created_gmt")
    paid_at = iso_time(payload.get("date_paid_gmt"), "date_paid_gmt")
    updated_at = iso_time(payload.get("date_modified_gmt"), "date_modified_gmt")
    status = STATUS_MAP.get(channel_status) or (S.AWAITING_CONFIRMATION if paid_at else S.AWAITING_PAYMENT)
    items = payload.get("line_items")
    if not isinstance(items, list) or not items:
        raise PayloadError("the order has no line_items")
    lines = tuple(_line(item, i) for i, item in enumerate(items))
    if len({line.external_id for line in lines}) != len(lines):
        raise PayloadError("a line item id appears twice")
    currency = text(payload.get("currency"), "currency").upper() or "USD"
    if len(currency) != 3:
        raise PayloadError(f"currency must be a 3-letter code, got {currency!r}")
    billing = payload.get("billing") or {}
    address = _address(payload)
    meta = _meta(payload)
    packages = _packages(meta, lines)
    first = packages[0] if packages else None
    return ChannelOrder(
        external_id=external_id,
        status=status,
        channel_status=channel_status[:40],
        created_at=created_at,
        updated_at=updated_at,
        paid_at=paid_at,
        buyer_name=join_name(text(billing.get("first_name"), "billing.first_name"),
                             text(billing.get("last_name"), "billing.last_name"))[:200] or address["ship_name"],
        buyer_email=text(billing.get("email"), "billing.email", limit=254),
        buyer_phone=text(billing.get("phone"), "billing.phone", limit=40),
        **address,
        currency=currency,
        subtotal=sum((money(i.get("subtotal"), f"line_items[{n}].subtotal") for n, i in enumerate(items)),
                     Decimal("0")),
        shipping_total=money(payload.get("shipping_total"), "shipping_total"),
        tax_total=money(payload.get("total_tax"), "total_tax"),
        total=money(payload.get("total"), "total"),
        tracking_uploaded_at=first.tracking_uploaded_at if first else None,
        cancelled_at=updated_at if status == S.CANCELLED else None,
        tracking_number=first.tracking_number if first else "",
        shipping_provider=first.carrier_name if first else "",
        note=text(payload.get("customer_note"), "customer_note", limit=1000),
        lines=lines,
        packages=packages,
        raw=payload,
    )
