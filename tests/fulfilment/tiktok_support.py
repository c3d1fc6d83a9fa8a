"""TikTok Shipping test helpers: a TikTok account on the loopback emulator, orders that ship
with TikTok's label imported the way the sync stores them, their packages weighed, and jobs run
in-process."""

from __future__ import annotations

import django_rq
from rq import SimpleWorker

from devtools.demo.emulated import emulator_connection
from fulfilment import services as fulfilment
from inventory import services as stock
from inventory.models import SKU, Location
from orders import services as orders
from orders.mapping import map_order
from orders.models import Order
from sellerhub.models import Channel, ChannelAccount


def connect(emu, name="TikTok Shipping test") -> ChannelAccount:
    url, shop_id, credentials = emulator_connection("tiktok", emu.base_url, emu.state.config.credentials)
    return ChannelAccount.objects.create(name=name, channel=Channel.TIKTOK, api_base_url=url, shop_id=shop_id,
                                         credentials=credentials)


def ship_from_address():
    Location.objects.filter(code="MAIN").update(
        contact_name="Shipping desk", company="Northbound Goods", street1="1450 Harbor Way", city="Oakland",
        state="CA", postal_code="94607", country="US")


def platform_orders(emu, account, n, seller_sku="TEE-BLK-S", *, weight=480) -> list:
    """``n`` TikTok orders shipping with TikTok's label, imported and confirmed (stock reserved),
    each with one package of ``weight`` grams. Returns the packages."""
    sku, _ = SKU.objects.get_or_create(seller_sku=seller_sku, defaults={"name": seller_sku, "weight_grams": 300})
    stock.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=n + 5)
    ids = emu.state.generate_orders("tiktok", n, shipping_type="TIKTOK", skus={seller_sku: 1})
    packages = []
    for order_id in ids:
        payload = emu.state.tiktok.orders[order_id]
        orders.upsert_order(account=account, incoming=map_order("tiktok", payload))
        order = Order.objects.get(account=account, external_id=order_id)
        assert order.label_source == "PLATFORM" and order.status == "confirmed", (order.label_source, order.status)
        packages.append(fulfilment.create_package(order=order, weight_grams=weight, length_mm=250, width_mm=200,
                                                  height_mm=40))
    return packages


def run_jobs(*queues):
    for name in queues or ("push", "sync", "documents", "default"):
        q = django_rq.get_queue(name)
        SimpleWorker([q], connection=q.connection).work(burst=True)
