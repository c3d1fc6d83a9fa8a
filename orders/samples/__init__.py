"""Sample TikTok Shop orders: ``tiktok_orders.json`` (for ``import_orders``) and a builder of
202309 order-detail payloads used by the demo data and the tests."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal
from pathlib import Path

SAMPLE_FILE = Path(__file__).with_name("tiktok_orders.json")

PROVIDERS = {"USPS": "7117858858072016686", "UPS": "7117859084333745966", "FedEx": "7129736293356094251",
             "DHL eCommerce": "7212608507307099946"}
ADDRESSES = [
    ("Avery Jones", "2250 Mission St", "San Francisco", "California", "94110"),
    ("Jordan Lee", "41 Wythe Ave", "Brooklyn", "New York", "11249"),
    ("Sam Rivera", "1600 Guadalupe St", "Austin", "Texas", "78701"),
    ("Casey Smith", "800 Boylston St", "Boston", "Massachusetts", "02199"),
    ("Riley Chen", "400 Broad St", "Seattle", "Washington", "98109"),
]


def unix(moment: dt.datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def tiktok_payload(*, order_id: str, status: str = "AWAITING_SHIPMENT", lines=(("TEE-BLK-M", 1, "24.00"),),
                   created: dt.datetime, paid: dt.datetime | None = None, updated: dt.datetime | None = None,
                   rts_sla: dt.datetime | None = None, delivery_sla: dt.datetime | None = None,
                   fbt: bool = False, platform_label: bool = False, sample: bool = False, hold: bool = False,
                   address: int = 0, package: tuple[str, str] | None = None, rts: dt.datetime | None = None,
                   collected: dt.datetime | None = None, delivered: dt.datetime | None = None,
                   cancelled: dt.datetime | None = None, cancel_initiator: str = "", cancel_reason: str = "",
                   line_ids_from: int = 0) -> dict:
    """One order as TikTok's Open API 202309 order detail returns it (line items per unit).

    ``lines``: (seller sku, units, unit price). ``package``: (provider name, tracking number) for
    shipped orders. Times are aware datetimes; absent means "not happened"."""
    base = line_ids_from or int(order_id[-6:]) * 100
    items, subtotal, n = [], Decimal("0"), 0
    for seller_sku, units, price in lines:
        for _ in range(units):
            n += 1
            subtotal += Decimal(price)
            items.append({
                "id": str(577000000000000000 + base + n), "sku_id": f"17295{zlib.crc32(seller_sku.encode()):014d}",
                "product_id": f"17294{zlib.crc32(seller_sku.rsplit('-', 1)[0].encode()):014d}",
                "product_name": seller_sku.split("-")[0].title(), "sku_name": seller_sku, "seller_sku": seller_sku,
                "original_price": price, "sale_price": price, "currency": "USD", "display_status": status,
                "package_status": "TO_FULFILL", "package_id": "", "tracking_number": "", "shipping_provider_id": "",
                "shipping_provider_name": "", "is_gift": False, "cancel_user": "", "cancel_reason": "",
            })
    name, street, city, state, postal = ADDRESSES[address % len(ADDRESSES)]
    shipping = Decimal("0") if subtotal >= 35 else Decimal("5.99")
    payload = {
        "id": order_id, "status": status, "create_time": unix(created),
        "update_time": unix(updated or max(t for t in (created, paid, rts, collected, delivered, cancelled) if t)),
        "user_id": f"74940000{order_id[-8:]}", "buyer_email": f"v2{order_id[-6:]}@scs.tiktokw.us",
        "recipient_address": {} if hold else {
            "name": name, "phone_number": "(+1)213*****50", "address_line1": street, "address_line2": "",
            "postal_code": postal, "region_code": "US",
            "full_address": f"{street}, {city}, {state}, {postal}, United States",
            "district_info": [
                {"address_level": "L0", "address_level_name": "Country", "address_name": "United States"},
                {"address_level": "L1", "address_level_name": "State", "address_name": state},
                {"address_level": "L3", "address_level_name": "City", "address_name": city},
            ],
        },
        "payment": {"currency": "USD", "sub_total": f"{subtotal:.2f}", "shipping_fee": f"{shipping:.2f}", "tax": "0",
                    "total_amount": f"{subtotal + shipping:.2f}"},
        "packages": [], "line_items": items,
        "fulfillment_type": "FULFILLMENT_BY_TIKTOK" if fbt else "FULFILLMENT_BY_SELLER",
        "shipping_type": "TIKTOK" if (fbt or platform_label) else "SELLER",
        "delivery_type": "HOME_DELIVERY", "tracking_number": "", "shipping_provider": "", "shipping_provider_id": "",
        "is_sample_order": sample, "is_on_hold_order": hold, "is_buyer_request_cancel": False, "order_type": "NORMAL",
    }
    if paid:
        payload["paid_time"] = unix(paid)
    if rts_sla:
        payload["rts_sla_time"] = unix(rts_sla)
    if delivery_sla:
        payload["delivery_sla_time"] = unix(delivery_sla)
    if package:
        provider, number = package
        package_id = f"1153{order_id[-12:]}"
        package_status = "COMPLETED" if delivered else "FULFILLING" if collected else "PROCESSING"
        for item in items:
            item.update(package_id=package_id, tracking_number=number, shipping_provider_id=PROVIDERS.get(provider, ""),
                        shipping_provider_name=provider, package_status=package_status, rts_time=unix(rts))
        payload.update(packages=[{"id": package_id}], tracking_number=number, shipping_provider=provider,
                       shipping_provider_id=PROVIDERS.get(provider, ""))
    for key, moment in (("rts_time", rts), ("collection_time", collected), ("delivery_time", delivered),
                        ("cancel_time", cancelled)):
        if moment:
            payload[key] = unix(moment)
    if cancelled:
        payload.update(cancellation_initiator=cancel_initiator or "BUYER", cancel_reason=cancel_reason)
        for item in items:
            item.update(package_status="CANCELLED", display_status="CANCELLED")
    return payload
