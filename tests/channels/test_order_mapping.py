"""The WooCommerce, Etsy and Square order mappings (pure functions) on the emulators' payloads,
which follow the channels' public shapes, and on broken ones."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from devtools.emulators import EmulatorState
from orders.mapping import PayloadError, map_order
from orders.models import OrderStatus

S = OrderStatus


@pytest.fixture(scope="module")
def state():
    return EmulatorState()


def one(state, channel, **options):
    order_id = state.generate_orders(channel, 1, **options)[0]
    store = {"woocommerce": state.woocommerce.orders, "etsy": state.etsy.receipts,
             "square": state.square.orders, "tiktok": state.tiktok.orders}[channel]
    return copy.deepcopy(store[order_id])


def test_woocommerce_order(state):
    payload = one(state, "woocommerce", skus={"TEE-BLK-M": 2, "CAP-BLK": 1})
    order = map_order("woocommerce", payload)
    assert order.status == S.AWAITING_CONFIRMATION and order.channel_status == "processing"
    assert order.external_id == str(payload["id"])
    assert order.created_at == dt.datetime.fromisoformat(payload["date_created_gmt"]).replace(tzinfo=dt.UTC)
    assert order.paid_at is not None and order.updated_at is not None
    assert [(ln.channel_sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("TEE-BLK-M", 2, Decimal("24.00")), ("CAP-BLK", 1, Decimal("22.00"))]
    tee = order.lines[0]
    assert tee.channel_product_id == "101" and tee.channel_variant_id  # a variation of a variable product
    assert order.lines[1].channel_variant_id == ""  # a simple product
    assert order.total == Decimal(payload["total"]) and order.subtotal == Decimal("70.00")
    assert order.ship_country == "US" and order.ship_street1 and order.buyer_email.endswith("@example.com")
    assert order.dispatch_due_at is None, "WooCommerce sends no deadline: the calendar gives it"


@pytest.mark.parametrize("status,expected", [
    ("pending", S.AWAITING_PAYMENT), ("on-hold", S.ON_HOLD), ("completed", S.SHIPPED), ("cancelled", S.CANCELLED),
    ("refunded", S.CANCELLED), ("failed", S.AWAITING_PAYMENT), ("wc-ready-to-ship", S.AWAITING_CONFIRMATION)])
def test_woocommerce_statuses(state, status, expected):
    payload = one(state, "woocommerce")
    payload["status"] = status
    assert map_order("woocommerce", payload).status == expected


def test_woocommerce_shipment_tracking_meta_becomes_a_package(state):
    payload = one(state, "woocommerce")
    payload["meta_data"] = [{"id": 1, "key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "USPS", "tracking_number": "9400111206206406260787", "date_shipped": "1767225600",
         "tracking_id": "abc"}]}]
    order = map_order("woocommerce", payload)
    (package,) = order.packages
    assert package.tracking_number == "9400111206206406260787" and package.carrier_name == "USPS"
    assert package.tracking_uploaded_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_etsy_receipt(state):
    payload = one(state, "etsy", skus={"MUG-RED": 2})
    order = map_order("etsy", payload)
    assert order.status == S.AWAITING_CONFIRMATION and order.external_id == str(payload["receipt_id"])
    (line,) = order.lines
    assert (line.channel_sku, line.channel_variant_id, line.quantity, line.unit_price) == (
        "MUG-RED", "MUG-RED", 2, Decimal("16.00"))
    assert line.channel_product_id == str(payload["transactions"][0]["listing_id"])
    assert order.total == Decimal(payload["grandtotal"]["amount"]) / 100
    assert order.paid_at == dt.datetime.fromtimestamp(payload["created_timestamp"], tz=dt.UTC)
    payload.update(status="completed", is_shipped=True, shipments=[
        {"receipt_shipping_id": 5, "carrier_name": "usps", "tracking_code": "9400111206206406260787",
         "shipment_notification_timestamp": payload["created_timestamp"] + 60}])
    shipped = map_order("etsy", payload)
    assert shipped.status == S.SHIPPED and shipped.packages[0].tracking_number == "9400111206206406260787"
    payload["status"] = "canceled"
    assert map_order("etsy", payload).status == S.CANCELLED
    payload.update(status="open", is_paid=False)
    assert map_order("etsy", payload).status == S.AWAITING_PAYMENT


def test_square_order(state):
    payload = one(state, "square", skus={"MUG-BLU": 3})
    order = map_order("square", payload)
    assert order.status == S.AWAITING_CONFIRMATION and order.channel_status == "OPEN/PROPOSED"
    (line,) = order.lines
    assert line.channel_sku == "" and line.channel_variant_id == payload["line_items"][0]["catalog_object_id"]
    assert (line.quantity, line.unit_price) == (3, Decimal("16.00"))
    assert order.total == Decimal("48.00") and order.ship_postal_code and order.paid_at == order.created_at
    payload["fulfillments"][0].update(state="COMPLETED", shipment_details={
        **payload["fulfillments"][0]["shipment_details"], "carrier": "UPS", "tracking_number": "1Z5R89390357567127"})
    shipped = map_order("square", payload)
    assert shipped.status == S.SHIPPED and shipped.packages[0].carrier_name == "UPS"
    payload["state"] = "CANCELED"
    assert map_order("square", payload).status == S.CANCELLED


def test_square_counter_sales_and_pickups_are_refused(state):
    pickup = one(state, "square", fulfillment_type="PICKUP")
    with pytest.raises(PayloadError, match="no SHIPMENT fulfilment"):
        map_order("square", pickup)


@pytest.mark.parametrize("channel,breakage,message", [
    ("woocommerce", lambda p: p.pop("date_created_gmt"), "date_created_gmt"),
    ("woocommerce", lambda p: p["line_items"][0].update(quantity=0), "quantity"),
    ("woocommerce", lambda p: p.update(line_items=[]), "line_items"),
    ("etsy", lambda p: p["transactions"][0].update(quantity="two"), "quantity"),
    ("etsy", lambda p: p.update(grandtotal={"amount": 100, "divisor": 0, "currency_code": "USD"}), "divisor"),
    ("square", lambda p: p["line_items"][0].update(quantity="1.5"), "whole number"),
    ("square", lambda p: p.update(state="WEIRD"), "unknown order state"),
    ("square", lambda p: p.update(created_at="yesterday"), "ISO 8601"),
])
def test_broken_payloads_say_what_is_wrong(state, channel, breakage, message):
    payload = one(state, channel)
    breakage(payload)
    with pytest.raises(PayloadError, match=message):
        map_order(channel, payload)
