"""The TikTok 202309 mapping (pure: no database), field by field per docs/domain/tiktok-mapping.md."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from integrations.carriers.aliases import carrier_code
from orders.mapping import PayloadError, map_order
from orders.models import OrderStatus
from orders.samples import SAMPLE_FILE, tiktok_payload

UTC = dt.UTC
T0 = dt.datetime(2026, 9, 14, 17, 0, tzinfo=UTC)


def payload(**fields):
    return tiktok_payload(order_id="576000000000000042", created=T0, paid=T0 + dt.timedelta(minutes=1), **fields)


@pytest.mark.parametrize("tiktok,ours", [
    ("UNPAID", OrderStatus.AWAITING_PAYMENT),
    ("ON_HOLD", OrderStatus.ON_HOLD),
    ("AWAITING_SHIPMENT", OrderStatus.AWAITING_CONFIRMATION),
    ("PARTIALLY_SHIPPING", OrderStatus.AWAITING_CONFIRMATION),
    ("AWAITING_COLLECTION", OrderStatus.SHIPPED),
    ("IN_TRANSIT", OrderStatus.IN_TRANSIT),
    ("DELIVERED", OrderStatus.DELIVERED),
    ("COMPLETED", OrderStatus.COMPLETED),
    ("CANCELLED", OrderStatus.CANCELLED),
])
def test_every_tiktok_status_maps_onto_the_lifecycle(tiktok, ours):
    order = map_order("tiktok", payload(status=tiktok))
    assert order.status == ours
    assert order.channel_status == tiktok


def test_timestamps_and_flags_follow_the_binding_table():
    rts_sla, delivery_sla = T0 + dt.timedelta(days=2), T0 + dt.timedelta(days=6)
    shipped, scanned = T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=1, hours=5)
    delivered = T0 + dt.timedelta(days=4)
    order = map_order("tiktok", payload(status="DELIVERED", rts_sla=rts_sla, delivery_sla=delivery_sla, sample=True,
                                        package=("USPS", "9400111206206406260787"), rts=shipped, collected=scanned,
                                        delivered=delivered, platform_label=True))
    assert order.created_at == T0
    assert order.paid_at == T0 + dt.timedelta(minutes=1)
    assert order.dispatch_due_at == rts_sla  # rts_sla_time, as it comes
    assert order.delivery_due_at == delivery_sla  # delivery_sla_time
    assert order.tracking_uploaded_at == shipped  # rts_time
    assert order.dispatched_at == scanned  # collection_time: the first carrier scan
    assert order.delivered_at == delivered  # delivery_time
    assert order.is_sample and order.label_source == "PLATFORM" and order.fulfilment == "FBS"
    assert order.updated_at == delivered
    (package,) = order.packages
    assert package.tracking_number == "9400111206206406260787" and package.carrier_name == "USPS"
    assert package.tracking_uploaded_at == shipped and package.first_scan_at == scanned
    assert package.delivered_at == delivered
    assert package.line_external_ids == tuple(line.external_id for line in order.lines)


def test_cancellation_and_fbt():
    cancelled = T0 + dt.timedelta(hours=3)
    order = map_order("tiktok", payload(status="CANCELLED", fbt=True, cancelled=cancelled, cancel_initiator="SYSTEM",
                                        cancel_reason="Auto-cancelled: not shipped in time"))
    assert (order.cancelled_at, order.cancel_initiator) == (cancelled, "SYSTEM")
    assert order.cancel_reason == "Auto-cancelled: not shipped in time"
    assert order.fulfilment == "FBT" and order.label_source == "PLATFORM"
    assert all(line.cancelled for line in order.lines)


def test_zero_or_absent_timestamps_mean_not_happened():
    raw = payload(status="AWAITING_SHIPMENT")
    raw.update(rts_time=0, collection_time="0", delivery_time=None)
    order = map_order("tiktok", raw)
    assert order.tracking_uploaded_at is None and order.dispatched_at is None and order.delivered_at is None
    assert order.dispatch_due_at is None  # no rts_sla_time: SellerHub computes it from the calendar


def test_lines_address_and_money():
    order = map_order("tiktok", payload(lines=(("TEE-BLK-M", 2, "24.00"), ("MUG-01", 1, "16.50")), address=1))
    assert [(ln.channel_sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("TEE-BLK-M", 1, Decimal("24.00")), ("TEE-BLK-M", 1, Decimal("24.00")), ("MUG-01", 1, Decimal("16.50"))]
    assert order.subtotal == Decimal("64.50") and order.total == Decimal("64.50") and order.currency == "USD"
    assert (order.ship_name, order.ship_street1, order.ship_city, order.ship_state, order.ship_postal_code,
            order.ship_country) == ("Jordan Lee", "41 Wythe Ave", "Brooklyn", "New York", "11249", "US")
    assert order.buyer_email.endswith("@scs.tiktokw.us")


def test_city_and_state_from_full_address_when_district_info_is_missing():
    raw = payload()
    del raw["recipient_address"]["district_info"]
    order = map_order("tiktok", raw)
    assert (order.ship_city, order.ship_state) == ("San Francisco", "California")


def test_a_quantity_field_is_honoured():
    raw = payload()
    raw["line_items"][0]["quantity"] = 3
    assert map_order("tiktok", raw).lines[0].quantity == 3


@pytest.mark.parametrize("change,message", [
    (lambda p: p.pop("id"), "has no id"),
    (lambda p: p.update(status="SHIPPED_SOMEHOW"), "unknown status 'SHIPPED_SOMEHOW'"),
    (lambda p: p.pop("create_time"), "no create_time"),
    (lambda p: p.update(line_items=[]), "no line_items"),
    (lambda p: p.update(paid_time="yesterday"), "paid_time must be a Unix time"),
    (lambda p: p.update(update_time=1_790_000_000_000), "looks like milliseconds"),
    (lambda p: p["payment"].update(total_amount="lots"), "payment.total_amount must be an amount"),
    (lambda p: p.update(fulfillment_type="DROPSHIP"), "unknown fulfillment_type"),
    (lambda p: p["line_items"][0].pop("id"), r"line_items\[0\] has no id"),
    (lambda p: p["line_items"][0].update(quantity=0), r"line_items\[0\].quantity"),
    (lambda p: p.update(is_sample_order="yes"), "is_sample_order must be true or false"),
])
def test_bad_payloads_are_refused_with_the_reason(change, message):
    raw = payload()
    change(raw)
    with pytest.raises(PayloadError, match=message):
        map_order("tiktok", raw)


def test_not_an_object():
    with pytest.raises(PayloadError, match="must be a JSON object"):
        map_order("tiktok", ["not", "an", "order"])


def test_an_unknown_channel_has_no_mapping():
    with pytest.raises(PayloadError, match="no order mapping for channel 'amazon' yet"):
        map_order("amazon", {})


@pytest.mark.parametrize("name,code", [
    ("USPS", "usps"), ("UPS", "ups"), ("FedEx", "fedex"), ("FedEx Ground Economy", "fedex"),
    ("DHL eCommerce", "dhl_ecommerce"), ("DHL Express", "dhl_express"), ("OnTrac", "ontrac"),
    ("United States Postal Service", "usps"), ("Amazon Shipping", "amazon"), ("Speedy Local Couriers", ""), ("", ""),
])
def test_shipping_provider_names_map_to_carrier_codes(name, code):
    assert carrier_code(name) == code


def test_the_sample_file_maps_cleanly():
    orders = [map_order("tiktok", raw) for raw in json.loads(SAMPLE_FILE.read_text())]
    assert len(orders) == 10
    assert {o.channel_status for o in orders} >= {"AWAITING_SHIPMENT", "ON_HOLD", "UNPAID", "AWAITING_COLLECTION",
                                                   "IN_TRANSIT", "DELIVERED", "CANCELLED", "COMPLETED"}
