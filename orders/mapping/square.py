"""Square order -> ChannelOrder (pure; no database). docs/domain/channels.md#square.

Only orders with a SHIPMENT fulfilment are SellerHub's to ship; counter sales and pickups are
refused with a PayloadError saying so (the connector does not fetch them).

Times are RFC 3339: created_at = ``created_at``, the channel's update time = ``updated_at``,
paid_at = the first tender's ``created_at``, else the creation time of an OPEN or COMPLETED
order (Square Online orders are paid when placed). No deadlines: the account's calendar gives them.

Statuses come from the order ``state`` and its shipment fulfilment ``state``: DRAFT -> awaiting
payment; OPEN with the fulfilment PROPOSED, RESERVED or PREPARED -> awaiting confirmation;
fulfilment COMPLETED, or the order COMPLETED -> shipped; CANCELED order or fulfilment
CANCELED/FAILED -> cancelled. The channel status reads "OPEN/PROPOSED".

Lines carry no SKU, only the catalog variation id (``catalog_object_id``): it is the line's
variant id, matched through the account's listings. Money is in the currency's smallest unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders.mapping.common import country, iso_time, minor_units, text, whole_quantity
from orders.mapping.types import ChannelLine, ChannelOrder, ChannelPackage, PayloadError
from orders.models import OrderStatus

S = OrderStatus
FULFILMENT_MAP = {
    "PROPOSED": S.AWAITING_CONFIRMATION,
    "RESERVED": S.AWAITING_CONFIRMATION,
    "PREPARED": S.AWAITING_CONFIRMATION,
    "COMPLETED": S.SHIPPED,
    "CANCELED": S.CANCELLED,
    "FAILED": S.CANCELLED,
}


def _money(value: Any, name: str, currency: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if not isinstance(value, dict):
        raise PayloadError(f"{name} must be an object with amount and currency")
    return minor_units(value.get("amount"), f"{name}.amount", text(value.get("currency"), name) or currency)


def _shipment(payload: dict) -> tuple[dict, int]:
    fulfilments = payload.get("fulfillments") or []
    if not isinstance(fulfilments, list):
        raise PayloadError("fulfillments must be a list")
    for index, fulfilment in enumerate(fulfilments):
        if isinstance(fulfilment, dict) and fulfilment.get("type") == "SHIPMENT":
            return fulfilment, index
    kinds = ", ".join(sorted({str(f.get("type")) for f in fulfilments if isinstance(f, dict)})) or "none"
    raise PayloadError(f"the order has no SHIPMENT fulfilment (fulfilments: {kinds}): counter sales and pickups "
                       f"are not shipped from SellerHub")


def _line(item: Any, index: int, currency: str) -> ChannelLine:
    where = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(f"{where} must be an object")
    external_id = text(item.get("uid"), f"{where}.uid", limit=64)
    if not external_id:
        raise PayloadError(f"{where} has no uid")
    variation = text(item.get("variation_name"), f"{where}.variation_name")
    name = text(item.get("name"), f"{where}.name")
    return ChannelLine(
        external_id=external_id,
        channel_variant_id=text(item.get("catalog_object_id"), f"{where}.catalog_object_id", limit=64),
        name=(f"{name} - {variation}" if variation and variation != "Regular" else name)[:300],
        quantity=whole_quantity(item.get("quantity"), f"{where}.quantity"),
        unit_price=_money(item.get("base_price_money"), f"{where}.base_price_money", currency),
    )


def map_order(payload: Any) -> ChannelOrder:
    """One Square order -> ChannelOrder; raises PayloadError naming the problem."""
    if not isinstance(payload, dict):
        raise PayloadError(f"an order must be a JSON object, got {type(payload).__name__}")
    external_id = text(payload.get("id"), "id", limit=64)
    if not external_id:
        raise PayloadError("the order has no id")
    state = text(payload.get("state"), "state").upper()
    if state not in ("OPEN", "COMPLETED", "CANCELED", "DRAFT"):
        raise PayloadError(f"unknown order state {state!r} (expected OPEN, COMPLETED, CANCELED or DRAFT)")
    created_at = iso_time(payload.get("created_at"), "created_at")
    if created_at is None:
        raise PayloadError("the order has no created_at")
    updated_at = iso_time(payload.get("updated_at"), "updated_at")
    fulfilment, f_index = _shipment(payload)
    f_state = text(fulfilment.get("state"), f"fulfillments[{f_index}].state").upper()
    if state == "DRAFT":
        status = S.AWAITING_PAYMENT
    elif state == "CANCELED":
        status = S.CANCELLED
    elif state == "COMPLETED":
        status = S.CANCELLED if f_state in ("CANCELED", "FAILED") else S.SHIPPED
    else:
        if f_state not in FULFILMENT_MAP:
            raise PayloadError(f"unknown fulfilment state {f_state!r}")
        status = FULFILMENT_MAP[f_state]
    money = payload.get("total_money") or {}
    currency = (text(money.get("currency"), "total_money.currency") if isinstance(money, dict) else "").upper() \
        or "USD"
    items = payload.get("line_items")
    if not isinstance(items, list) or not items:
        raise PayloadError("the order has no line_items")
    lines = tuple(_line(item, i, currency) for i, item in enumerate(items))
    if len({line.external_id for line in lines}) != len(lines):
        raise PayloadError("a line item uid appears twice")
    tenders = [t for t in payload.get("tenders") or [] if isinstance(t, dict)]
    paid_at = iso_time(tenders[0].get("created_at"), "tenders[0].created_at") if tenders else None
    if paid_at is None and state in ("OPEN", "COMPLETED"):
        paid_at = created_at
    where = f"fulfillments[{f_index}].shipment_details"
    details = fulfilment.get("shipment_details") or {}
    recipient = details.get("recipient") or {}
    address = recipient.get("address") or {}
    if not all(isinstance(v, dict) for v in (details, recipient, address)):
        raise PayloadError(f"{where}.recipient must be an object")
    number = text(details.get("tracking_number"), f"{where}.tracking_number", limit=64)
    carrier = text(details.get("carrier"), f"{where}.carrier", limit=100)
    shipped_at = iso_time(details.get("shipped_at"), f"{where}.shipped_at")
    packages = ()
    if number:
        packages = (ChannelPackage(external_id=text(fulfilment.get("uid"), "fulfillment uid", limit=64),
                                   tracking_number=number, carrier_name=carrier, channel_status=f_state,
                                   line_external_ids=tuple(line.external_id for line in lines),
                                   tracking_uploaded_at=shipped_at, cancelled=f_state in ("CANCELED", "FAILED")),)
    name = text(recipient.get("display_name"), f"{where}.recipient.display_name", limit=200)
    subtotal = sum((_money(i.get("gross_sales_money"), f"line_items[{n}].gross_sales_money", currency)
                    for n, i in enumerate(items) if isinstance(i, dict)), Decimal("0"))
    return ChannelOrder(
        external_id=external_id,
        status=status,
        channel_status=f"{state}/{f_state}"[:40],
        created_at=created_at,
        updated_at=updated_at,
        paid_at=paid_at,
        buyer_name=name,
        buyer_email=text(recipient.get("email_address"), f"{where}.recipient.email_address", limit=254),
        buyer_phone=text(recipient.get("phone_number"), f"{where}.recipient.phone_number", limit=40),
        ship_name=name,
        ship_street1=text(address.get("address_line_1"), f"{where}.address.address_line_1", limit=200),
        ship_street2=text(address.get("address_line_2"), f"{where}.address.address_line_2", limit=200),
        ship_city=text(address.get("locality"), f"{where}.address.locality", limit=100),
        ship_state=text(address.get("administrative_district_level_1"), f"{where}.address.state", limit=100),
        ship_postal_code=text(address.get("postal_code"), f"{where}.address.postal_code", limit=20),
        ship_country=country(address.get("country"), f"{where}.address.country"),
        ship_phone=text(recipient.get("phone_number"), f"{where}.recipient.phone_number", limit=40),
        currency=currency,
        subtotal=subtotal,
        shipping_total=_money(payload.get("total_service_charge_money"), "total_service_charge_money", currency),
        tax_total=_money(payload.get("total_tax_money"), "total_tax_money", currency),
        total=_money(payload.get("total_money"), "total_money", currency),
        tracking_uploaded_at=shipped_at if number else None,
        cancelled_at=(iso_time(payload.get("closed_at"), "closed_at") or updated_at) if status == S.CANCELLED else None,
        tracking_number=number,
        shipping_provider=carrier,
        lines=lines,
        packages=packages,
        raw=payload,
    )
