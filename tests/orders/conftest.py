import datetime as dt

import pytest
from django.utils import timezone

from inventory import services as stock
from inventory.models import Location, StockLevel
from orders.mapping import map_order
from orders.samples import tiktok_payload
from orders.services import upsert_order
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory, OrderSKUFactory


@pytest.fixture
def main(db):
    return Location.objects.get(code="MAIN")


@pytest.fixture
def stocked(main):
    """stocked(seller_sku, on_hand) -> SKU with that much received at MAIN."""

    def make(seller_sku, on_hand=0, **fields):
        sku = OrderSKUFactory(seller_sku=seller_sku, **fields)
        if on_hand:
            stock.receive(sku=sku, location=main, quantity=on_hand)
        return sku

    return make


@pytest.fixture
def tiktok_account(db):
    return ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)


@pytest.fixture
def woo_account(db):
    return ChannelAccountFactory(name="Woo", channel=Channel.WOOCOMMERCE, handling_days=1,
                                 cutoff_time=dt.time(14, 0), transit_days=3)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def tiktok(tiktok_account, now):
    """tiktok(order_id, **payload fields) -> UpsertResult, through the TikTok mapping and the upsert."""

    def push(order_id="576000000000000001", *, account=None, source="sync", **fields):
        fields.setdefault("created", now - dt.timedelta(hours=1))
        if fields.get("status", "AWAITING_SHIPMENT") != "UNPAID":
            fields.setdefault("paid", now - dt.timedelta(minutes=50))
            fields.setdefault("rts_sla", now + dt.timedelta(days=2))
        payload = tiktok_payload(order_id=order_id, **fields)
        return upsert_order(account=account or tiktok_account, incoming=map_order("tiktok", payload), source=source)

    return push


def level(sku, location_code="MAIN"):
    row = StockLevel.objects.filter(sku=sku, location__code=location_code).first()
    return (row.on_hand, row.reserved) if row else (0, 0)


@pytest.fixture
def wh_client(warehouse_user):
    """A client of its own for the warehouse user (owner_client and warehouse_client share one)."""
    from django.test import Client

    client = Client()
    client.force_login(warehouse_user)
    return client
