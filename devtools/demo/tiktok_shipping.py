"""Demo TikTok Shipping (loaded after the orders, channel and FBT demos).

- Always: the demo's TikTok-label order already awaiting collection gets a scheduled pickup
  (a collection request for tomorrow's first slot, with its manifest), without calling TikTok.
- When the loopback emulator answers (``EMULATOR_URL``, e.g. ``manage.py load_demo_data --force``
  while ``make run`` is up): six new TikTok-label orders are made on it, imported, packed and given
  TikTok's labels, ready for a collection request. Under ``make run`` the demo data is loaded
  before the emulator starts; its order stream then brings TikTok-label orders within minutes
  (print their labels on "TikTok labels", then request collection).
"""

from __future__ import annotations

import datetime as dt
import logging

import requests
from django.utils import timezone

from devtools.demo import world
from devtools.demo.channels import emulator_url
from devtools.emulators.world import pickup_slot
from fulfilment import services as fulfilment
from fulfilment.models import Package
from fulfilment.tiktok import shipping as tiktok_shipping
from fulfilment.tiktok.models import CollectionRequest, Handover, PlatformPackage
from integrations.channels.connectors import connector_for
from inventory.fbt.jobs import tiktok_accounts
from orders import services as orders
from orders.mapping import map_order
from orders.models import LabelSource, Order, OrderStatus
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger("sellerhub.fulfilment")
READY = [("TEE-BLK-M", 1), ("MUG-01", 1), ("TOTE-NAT", 1), ("CAP-BLK", 1), ("TEE-WHT-M", 1), ("CNDL-CEDAR", 1)]


def _tomorrow_slot(tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The seeded world's pickup slot (the emulator's package carries the same one)."""
    return pickup_slot(world.current_anchor() or timezone.now().timestamp(), tz_name)


def scheduled_pickup(users) -> CollectionRequest | None:
    """A pickup already scheduled for the seeded world's shipped TikTok-label packages waiting for
    the carrier (the emulator's packages carry the same slot)."""
    anchor = world.current_anchor()
    waiting = [s.order_id for s in world.seeded(anchor) if s.story.pickup] if anchor is not None else []
    packages = list(Package.objects.filter(order__label_source=LabelSource.PLATFORM, order__external_id__in=waiting,
                                           order__status=OrderStatus.SHIPPED, order__account__channel=Channel.TIKTOK)
                    .exclude(tracking_number="").exclude(external_id="").select_related("order__account"))
    packages = [p for p in packages if not PlatformPackage.objects.filter(package=p).exists()]
    if not packages:
        return None
    account = packages[0].order.account
    start, end = _tomorrow_slot(account.time_zone)
    now = timezone.now()
    collection = CollectionRequest.objects.create(
        account=account, handover_method=Handover.PICKUP, slot_start=start, slot_end=end,
        handover_date=start.date(), carrier_name=packages[0].carrier_name or "USPS",
        provider_id=packages[0].shipping_provider_id, status=CollectionRequest.Status.SCHEDULED, scheduled_at=now,
        created_by=users.get("warehouse"))
    PlatformPackage.objects.bulk_create([
        PlatformPackage(package=p, provider_id=p.shipping_provider_id, provider_name=p.carrier_name,
                        tiktok_status="PROCESSING", collection=collection,
                        collection_status=PlatformPackage.Collection.SCHEDULED, handover_method=Handover.PICKUP,
                        pickup_start=start, pickup_end=end, requested_at=now, scheduled_at=now)
        for p in packages if p.order.account_id == account.pk])
    return collection


def _emulator_account() -> tuple[ChannelAccount | None, str]:
    base = emulator_url()
    account = next((a for a in tiktok_accounts() if a.api_base_url.startswith(base)), None)
    return account, base


def ready_orders(users, *, timeout: float = 2.0) -> int:
    """Six TikTok-label orders on the running emulator, imported, packed and labelled."""
    account, base = _emulator_account()
    if account is None:
        return 0
    try:
        response = requests.post(f"{base}/_emulator/orders", timeout=timeout, json={
            "channel": "tiktok", "n": 1, "options": {"shipping_type": "TIKTOK", "skus": {"TEE-BLK-M": 1}}})
        response.raise_for_status()
    except requests.RequestException:
        log.info("TikTok Shipping demo: the emulator at %s is not running; TikTok-label orders will come from its "
                 "order stream", base)
        return 0
    ids = response.json()["ids"]
    for seller_sku, quantity in READY[1:]:
        response = requests.post(f"{base}/_emulator/orders", timeout=timeout, json={
            "channel": "tiktok", "n": 1, "options": {"shipping_type": "TIKTOK", "skus": {seller_sku: quantity}}})
        if response.ok:
            ids += response.json()["ids"]
    connector = connector_for(account)
    try:
        payloads = connector.fetch_order_payloads(ids)
    finally:
        connector.close()
    made = 0
    with tiktok_shipping.Session() as session:
        for payload in payloads:
            orders.upsert_order(account=account, incoming=map_order("tiktok", payload), user=users.get("owner"))
            order = Order.objects.get(account=account, external_id=str(payload["id"]))
            if order.status != OrderStatus.CONFIRMED:
                continue  # short of stock: it waits in the orders queue
            try:
                package = fulfilment.create_package(order=order, user=users.get("warehouse"))
                if not package.weight_grams:
                    fulfilment.update_package(package=package, weight_grams=450)
                tiktok_shipping.ensure_label(package=package, user=users.get("warehouse"), session=session)
                made += 1
            except (fulfilment.FulfilmentError, tiktok_shipping.ShippingError) as exc:
                log.warning("TikTok Shipping demo: order %s not made ready: %s", order.external_id, exc)
    return made


def load(*, users):
    if CollectionRequest.objects.exists():
        return
    scheduled_pickup(users)
    ready_orders(users)
