"""TikTok Shop Open API 202309 order detail -> ChannelOrder (pure; no database).

The field mapping is the binding one of docs/domain/tiktok-mapping.md#timestamps ("the
metrics read"): ``create_time`` -> created_at, ``paid_time`` -> paid_at, ``rts_sla_time`` ->
dispatch_due_at, ``rts_time`` -> tracking_uploaded_at, ``collection_time`` -> dispatched_at,
``delivery_sla_time`` -> delivery_due_at, ``delivery_time`` -> delivered_at, ``cancel_time`` /
``cancellation_initiator`` / ``cancel_reason`` -> the cancellation, ``fulfillment_type`` ->
fulfilment, ``shipping_type`` -> label_source, ``is_sample_order`` -> is_sample.
Timestamps are Unix seconds; absent or 0 means "not happened".

TikTok's statuses map onto SellerHub's lifecycle as follows. AWAITING_SHIPMENT and
PARTIALLY_SHIPPING both mean "the seller still has work to do", so they map to awaiting
confirmation: the order then runs through SellerHub's own confirmation, picking and packing, and
a channel status never moves an order back (see ``orders.services``).

Line items are per unit in 202309 (no quantity field); a ``quantity`` key is honoured if present.
A combined listing's line carries ``combined_listing_skus`` (``sku_id``, ``seller_sku``,
``product_id``, ``sku_count``): they become the line's ``components`` (matched to a bundle SKU at
upsert, see ``orders.services.bundle_lines``).
Packages come from ``line_items[].package_id`` with the line's tracking number and shipping
provider; the order-level ``rts_time``, ``collection_time`` and ``delivery_time`` apply to them.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.mapping.types import ChannelComponent, ChannelLine, ChannelOrder, ChannelPackage, PayloadError
from orders.models import CancelInitiator, Fulfilment, LabelSource, OrderStatus

STATUS_MAP = {
    "UNPAID": OrderStatus.AWAITING_PAYMENT,
    "ON_HOLD": OrderStatus.ON_HOLD,
    "AWAITING_SHIPMENT": OrderStatus.AWAITING_CONFIRMATION,
    "PARTIALLY_SHIPPING": OrderStatus.AWAITING_CONFIRMATION,
    "AWAITING_COLLECTION": OrderStatus.SHIPPED,
    "IN_TRANSIT": OrderStatus.IN_TRANSIT,
    "DELIVERED": OrderStatus.DELIVERED,
    "COMPLETED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCEL": OrderStatus.CANCELLED,  # the webhook documentation's spelling
}
FULFILMENT_MAP = {"FULFILLMENT_BY_SELLER": Fulfilment.FBS, "FULFILLMENT_BY_TIKTOK": Fulfilment.FBT}
LABEL_MAP = {"SELLER": LabelSource.SELLER, "TIKTOK": LabelSource.PLATFORM}
INITIATOR_MAP = {"SELLER": CancelInitiator.SELLER, "BUYER": CancelInitiator.BUYER, "SYSTEM": CancelInitiator.SYSTEM}
# Package statuses (TO_FULFILL, PROCESSING, FULFILLING, COMPLETED, CANCELLED).
PACKAGE_SCANNED = ("FULFILLING", "COMPLETED")


def _text(value: Any, name: str, *, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{name} must be a string, got {type(value).__name__}")
    text = str(value).strip()
    return text[:limit] if limit else text


def _time(payload: dict, name: str) -> dt.datetime | None:
    value = payload.get(name)
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadError(f"{name} must be a Unix time in seconds, got {value!r}")
    if value > 10**11:  # milliseconds were sent by mistake; TikTok's 202309 times are seconds
        raise PayloadError(f"{name} looks like milliseconds ({value}); expected Unix seconds")
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _money(value: Any, name: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool):
        raise PayloadError(f"{name} must be an amount, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{name} must be an amount, got {value!r}")
    if not amount.is_finite():
        raise PayloadError(f"{name} must be an amount, got {value!r}")
    return amount.quantize(Decimal("0.01"))


def _flag(payload: dict, name: str) -> bool:
    value = payload.get(name, False)
    if value in (None, ""):
        return False
    if not isinstance(value, bool):
        raise PayloadError(f"{name} must be true or false, got {value!r}")
    return value


def _address(address: Any) -> dict[str, str]:
    if not address:
        return {}
    if not isinstance(address, dict):
        raise PayloadError("recipient_address must be an object")
    street1 = _text(address.get("address_line1"), "recipient_address.address_line1", limit=200)
    street2 = ", ".join(
        part for part in (
            _text(address.get(f"address_line{i}"), f"recipient_address.address_line{i}") for i in (2, 3, 4)
        ) if part
    )[:200]
    if not street1:
        street1 = _text(address.get("address_detail"), "recipient_address.address_detail", limit=200)
    postal_code = _text(address.get("postal_code"), "recipient_address.postal_code", limit=20)
    city = state = ""
    districts = address.get("district_info") or []
    if isinstance(districts, list):
        for level in districts:
            if not isinstance(level, dict):
                continue
            name = _text(level.get("address_name"), "district_info.address_name")
            if level.get("address_level") == "L1":
                state = name
            elif level.get("address_level") in ("L2", "L3") and name:
                city = name  # L3 (city) wins over L2 (county): it comes later in TikTok's list
    if not (city and state):
        # No district_info: TikTok's full_address reads "street, city, state, postal code, country".
        parts = [p.strip() for p in _text(address.get("full_address"), "recipient_address.full_address").split(",")]
        if len(parts) >= 5 and postal_code and parts[-2] == postal_code:
            city, state = city or parts[-4], state or parts[-3]
    region = _text(address.get("region_code"), "recipient_address.region_code").upper()
    return {
        "ship_name": _text(address.get("name"), "recipient_address.name", limit=200)
        or " ".join(p for p in (_text(address.get("first_name"), "first_name"),
                                _text(address.get("last_name"), "last_name")) if p)[:200],
        "ship_street1": street1,
        "ship_street2": street2,
        "ship_city": city[:100],
        "ship_state": state[:100],
        "ship_postal_code": postal_code,
        "ship_country": region[:2] if len(region) == 2 else "",
        "ship_phone": _text(address.get("phone_number"), "recipient_address.phone_number", limit=40),
    }


def _components(item: dict, where: str) -> tuple[ChannelComponent, ...]:
    """A combined listing's ``combined_listing_skus``: the SKUs (and how many of each) one unit of
    the line is made of; empty for an ordinary line."""
    raw = item.get("combined_listing_skus")
    if raw in (None, []):
        return ()
    if not isinstance(raw, list):
        raise PayloadError(f"{where}.combined_listing_skus must be a list")
    parts = []
    for i, part in enumerate(raw):
        at = f"{where}.combined_listing_skus[{i}]"
        if not isinstance(part, dict):
            raise PayloadError(f"{at} must be an object")
        count = part.get("sku_count", 1)
        if isinstance(count, str) and count.isdigit():
            count = int(count)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise PayloadError(f"{at}.sku_count must be a whole number of at least 1, got {count!r}")
        component = ChannelComponent(
            channel_sku=_text(part.get("seller_sku"), f"{at}.seller_sku", limit=100),
            channel_product_id=_text(part.get("product_id"), f"{at}.product_id", limit=64),
            channel_variant_id=_text(part.get("sku_id"), f"{at}.sku_id", limit=64),
            count=count,
        )
        if not (component.channel_sku or component.channel_variant_id):
            raise PayloadError(f"{at} has neither seller_sku nor sku_id")
        parts.append(component)
    return tuple(parts)


def _line(item: Any, index: int) -> tuple[ChannelLine, dict]:
    where = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(f"{where} must be an object")
    external_id = _text(item.get("id"), f"{where}.id", limit=64)
    seller_sku = _text(item.get("seller_sku"), f"{where}.seller_sku", limit=100)
    if not external_id:
        raise PayloadError(f"{where} has no id")
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise PayloadError(f"{where}.quantity must be a whole number of at least 1, got {quantity!r}")
    name = " - ".join(
        part for part in (_text(item.get("product_name"), f"{where}.product_name"),
                          _text(item.get("sku_name"), f"{where}.sku_name")) if part and part != "Default"
    )
    price = item.get("sale_price", item.get("original_price"))
    line = ChannelLine(
        external_id=external_id,
        channel_sku=seller_sku,
        channel_product_id=_text(item.get("product_id"), f"{where}.product_id", limit=64),
        channel_variant_id=_text(item.get("sku_id"), f"{where}.sku_id", limit=64),
        name=name[:300],
        quantity=quantity,
        unit_price=_money(price, f"{where}.sale_price"),
        cancelled=_text(item.get("display_status"), f"{where}.display_status").upper() == "CANCELLED"
        or _text(item.get("package_status"), f"{where}.package_status").upper() == "CANCELLED",
        components=_components(item, where),
    )
    package = {
        "package_id": _text(item.get("package_id"), f"{where}.package_id", limit=64),
        "tracking_number": _text(item.get("tracking_number"), f"{where}.tracking_number", limit=64),
        "provider_id": _text(item.get("shipping_provider_id"), f"{where}.shipping_provider_id", limit=64),
        "provider_name": _text(item.get("shipping_provider_name"), f"{where}.shipping_provider_name", limit=100),
        "package_status": _text(item.get("package_status"), f"{where}.package_status").upper(),
        "rts_time": _time(item, "rts_time"),
    }
    return line, package


def _packages(order: dict, line_packages: list[tuple[ChannelLine, dict]], times: dict) -> tuple[ChannelPackage, ...]:
    grouped: OrderedDict[str, list[tuple[ChannelLine, dict]]] = OrderedDict()
    for line, package in line_packages:
        if package["package_id"]:
            grouped.setdefault(package["package_id"], []).append((line, package))
    packages = []
    for package_id, members in grouped.items():
        first = next((p for _line, p in members if p["tracking_number"]), members[0][1])
        statuses = {p["package_status"] for _l, p in members if p["package_status"]}
        status = sorted(statuses)[0] if len(statuses) == 1 else ",".join(sorted(statuses))
        uploaded = min((p["rts_time"] for _l, p in members if p["rts_time"]), default=None)
        scanned = times["collection_time"] if (times["collection_time"] or statuses & set(PACKAGE_SCANNED)) else None
        delivered = times["delivery_time"] if "COMPLETED" in statuses or times["delivery_time"] else None
        packages.append(ChannelPackage(
            external_id=package_id,
            tracking_number=first["tracking_number"],
            carrier_name=first["provider_name"],
            shipping_provider_id=first["provider_id"],
            channel_status=status,
            line_external_ids=tuple(line.external_id for line, _p in members),
            tracking_uploaded_at=uploaded or (times["rts_time"] if first["tracking_number"] else None),
            first_scan_at=scanned,
            delivered_at=delivered,
            cancelled=statuses == {"CANCELLED"},
        ))
    order_tracking = _text(order.get("tracking_number"), "tracking_number", limit=64)
    if not packages and order_tracking:
        # Only an order-level tracking number (no package ids yet): one package, keyed by it.
        packages.append(ChannelPackage(
            external_id="",
            tracking_number=order_tracking,
            carrier_name=_text(order.get("shipping_provider"), "shipping_provider", limit=100),
            shipping_provider_id=_text(order.get("shipping_provider_id"), "shipping_provider_id", limit=64),
            line_external_ids=tuple(line.external_id for line, _p in line_packages if not line.cancelled),
            tracking_uploaded_at=times["rts_time"],
            first_scan_at=times["collection_time"],
            delivered_at=times["delivery_time"],
        ))
    return tuple(packages)


def map_order(payload: Any) -> ChannelOrder:
    """One TikTok 202309 order object -> ChannelOrder; raises PayloadError naming the problem."""
    if not isinstance(payload, dict):
        raise PayloadError(f"an order must be a JSON object, got {type(payload).__name__}")
    external_id = _text(payload.get("id"), "id", limit=64)
    if not external_id:
        raise PayloadError("the order has no id")
    channel_status = _text(payload.get("status"), "status").upper()
    if not channel_status:
        raise PayloadError("the order has no status")
    if channel_status not in STATUS_MAP:
        raise PayloadError(f"unknown status {channel_status!r} (expected one of {', '.join(STATUS_MAP)})")
    created_at = _time(payload, "create_time")
    if created_at is None:
        raise PayloadError("the order has no create_time")
    items = payload.get("line_items")
    if not isinstance(items, list) or not items:
        raise PayloadError("the order has no line_items")
    line_packages = [_line(item, i) for i, item in enumerate(items)]
    seen = set()
    for line, _p in line_packages:
        if line.external_id in seen:
            raise PayloadError(f"line item id {line.external_id} appears twice")
        seen.add(line.external_id)

    times = {name: _time(payload, name) for name in ("rts_time", "collection_time", "delivery_time")}
    fulfilment_type = _text(payload.get("fulfillment_type"), "fulfillment_type").upper() or "FULFILLMENT_BY_SELLER"
    if fulfilment_type not in FULFILMENT_MAP:
        raise PayloadError(f"unknown fulfillment_type {fulfilment_type!r}")
    shipping_type = _text(payload.get("shipping_type"), "shipping_type").upper() or (
        "TIKTOK" if fulfilment_type == "FULFILLMENT_BY_TIKTOK" else "SELLER")
    if shipping_type not in LABEL_MAP:
        raise PayloadError(f"unknown shipping_type {shipping_type!r}")
    initiator = _text(payload.get("cancellation_initiator"), "cancellation_initiator").upper()
    if initiator and initiator not in INITIATOR_MAP:
        raise PayloadError(f"unknown cancellation_initiator {initiator!r}")
    payment = payload.get("payment") or {}
    if not isinstance(payment, dict):
        raise PayloadError("payment must be an object")
    currency = _text(payment.get("currency"), "payment.currency").upper() or "USD"
    if len(currency) != 3:
        raise PayloadError(f"payment.currency must be a 3-letter code, got {currency!r}")
    address = _address(payload.get("recipient_address"))
    lines = tuple(line for line, _p in line_packages)

    return ChannelOrder(
        external_id=external_id,
        status=STATUS_MAP[channel_status],
        channel_status="CANCELLED" if channel_status == "CANCEL" else channel_status,
        created_at=created_at,
        updated_at=_time(payload, "update_time"),
        paid_at=_time(payload, "paid_time"),
        buyer_name=address.get("ship_name", ""),
        buyer_email=_text(payload.get("buyer_email"), "buyer_email", limit=254),
        buyer_phone=address.get("ship_phone", ""),
        **address,
        currency=currency,
        subtotal=_money(payment.get("sub_total"), "payment.sub_total"),
        shipping_total=_money(payment.get("shipping_fee"), "payment.shipping_fee"),
        tax_total=_money(payment.get("tax"), "payment.tax"),
        total=_money(payment.get("total_amount"), "payment.total_amount"),
        fulfilment=FULFILMENT_MAP[fulfilment_type],
        label_source=LABEL_MAP[shipping_type],
        is_sample=_flag(payload, "is_sample_order"),
        dispatch_due_at=_time(payload, "rts_sla_time"),
        delivery_due_at=_time(payload, "delivery_sla_time"),
        tracking_uploaded_at=times["rts_time"],
        dispatched_at=times["collection_time"],
        delivered_at=times["delivery_time"],
        cancelled_at=_time(payload, "cancel_time"),
        cancel_initiator=INITIATOR_MAP.get(initiator, ""),
        cancel_reason=_text(payload.get("cancel_reason"), "cancel_reason", limit=300),
        tracking_number=_text(payload.get("tracking_number"), "tracking_number", limit=64),
        shipping_provider=_text(payload.get("shipping_provider"), "shipping_provider", limit=100),
        lines=lines,
        packages=_packages(payload, line_packages, times),
        raw=payload,
    )
