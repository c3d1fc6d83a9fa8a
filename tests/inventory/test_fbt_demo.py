"""The FBT and TikTok Shipping demo: an inbound shipment in progress with a difference, one being
planned, FBT stock from TikTok's figures and replenishment alerts, all through the services
(after the inventory, orders and channel demos, as load_demo_data runs them); a scheduled pickup;
and, with the emulator running, TikTok-label orders ready for a collection request."""

import pytest
from django.test import Client
from django.urls import reverse

from devtools.demo import channels as channels_demo
from devtools.demo import fbt as demo
from devtools.demo import inventory as inventory_demo
from devtools.demo import orders as orders_demo
from devtools.demo import tiktok_shipping
from devtools.emulators import Catalogue, EmulatorConfig, start_emulator
from fulfilment.tiktok import collection
from fulfilment.tiktok.models import CollectionRequest
from inventory.fbt.models import FbtStock, InboundShipment, ReplenishmentAlert
from inventory.models import StockMovement
from inventory.selectors import reconcile


@pytest.fixture
def emu(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed = Catalogue.from_file(channels_demo.SEED_FILE).items
    handle = start_emulator(config=EmulatorConfig(seed=seed))
    settings.EMULATOR_URL = handle.base_url
    yield handle
    handle.stop()


def test_demo(role_users, emu):
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    channels_demo.load(users=users)
    for _ in range(2):  # again: nothing more
        demo.load(users=users)
        tiktok_shipping.load(users=users)

    assert InboundShipment.objects.count() == 2
    moving = InboundShipment.objects.get(status="partially_received")
    assert moving.ibr_id and sum(line.missing for line in moving.lines.all()) > 0
    assert StockMovement.objects.filter(reference=moving.reference, location__code="TRANSIT").exists()
    assert InboundShipment.objects.filter(status="draft", cartons__isnull=False).exists()
    assert FbtStock.objects.count() >= 4
    open_alerts = ReplenishmentAlert.objects.filter(status="open")
    assert {"tiktok", "threshold"} <= set(open_alerts.values_list("source", flat=True))
    assert open_alerts.get(source="tiktok").sku.seller_sku == "HOOD-NVY-M"  # matched through the listing
    assert reconcile()[1] == []
    # TikTok Shipping: a pickup already scheduled, and packages ready for the next request.
    assert CollectionRequest.objects.filter(status="scheduled").count() == 1
    groups = collection.ready_groups()
    assert sum(len(g.packages) for g in groups) >= 4 and all(p.has_label for g in groups for p in g.packages)

    client = Client()
    client.force_login(users["owner"])
    for name in ("inventory:fbt:inbound_list", "inventory:fbt:stock", "inventory:fbt:alerts",
                 "inventory:fbt:inbound_new", "fulfilment:collection", "fulfilment:tiktok_labels"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("inventory:fbt:inbound_detail", args=[moving.pk])).status_code == 200
    scheduled = CollectionRequest.objects.get()
    assert client.get(reverse("fulfilment:collection_detail", args=[scheduled.pk])).status_code == 200
    assert client.get(reverse("fulfilment:collection_manifest", args=[scheduled.pk]))["Content-Type"] == \
        "application/pdf"
    assert "replenishment alert" in client.get(reverse("dashboard")).content.decode()


def test_demo_without_the_emulator(role_users, settings):
    settings.EMULATOR_URL = "http://127.0.0.1:9"  # nothing listens: the demo still loads
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    channels_demo.load(users=users)
    demo.load(users=users)
    tiktok_shipping.load(users=users)
    assert InboundShipment.objects.count() == 2 and CollectionRequest.objects.count() == 1
