"""FBT from TikTok over real HTTP against the emulator: the stock sync, receipts from inbound
status notifications (type 21), replenishment alerts (type 27: the same notification delivered
twice shows one alert, acceptance 4), and the shop's own thresholds."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from devtools.emulators import start_emulator
from inventory import services as stock
from inventory.fbt import jobs, services
from inventory.fbt.models import FbtStock, InboundShipment, ReplenishmentAlert
from inventory.models import SKU, ChannelListing, Location, StockLevel, StockMovement
from sellerhub.models import WebhookEvent
from tests.inventory.fbt_support import connect_tiktok, fbt_location, run_jobs

Alert = ReplenishmentAlert


@pytest.fixture(scope="module")
def emu():
    handle = start_emulator()
    yield handle
    handle.stop()


@pytest.fixture
def emulator(emu, uses_rq, settings):
    emu.state.reset()
    settings.CHANNEL_SYNC_BACKOFF_BASE = 0.01
    settings.CHANNEL_SYNC_BACKOFF_CAP = 0.1
    yield emu
    emu.state.faults.clear()


@pytest.fixture
def account(db, emulator):
    account = connect_tiktok(emulator)
    # The shop's listings of the seeded catalogue, matched to SKUs by seller SKU.
    for item in emulator.state.catalogue.items_for("tiktok"):
        sku = SKU.objects.create(seller_sku=item.sku, name=item.name, reorder_point=10)
        ids = emulator.state.catalogue.ids(item.sku)["tiktok"]
        ChannelListing.objects.create(sku=sku, account=account, channel_sku=item.sku,
                                      external_product_id=ids["product_id"], external_variant_id=ids["sku_id"])
    return account


def post(client, account, headers, body):
    return client.post(reverse("tiktok_fulfilment_webhook", args=[account.pk]), data=body,
                       content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"])


def on_hand(sku, location):
    return StockLevel.objects.filter(sku=sku, location=location).values_list("on_hand", flat=True).first() or 0


def test_sync_reads_fbt_stock_into_the_fbt_location_through_the_ledger(account, emulator):
    tiktok = emulator.state.tiktok
    first = emulator.state.catalogue.items_for("tiktok")[0].sku
    tiktok.set_fbt_stock(first, total=50, available=40, reserved=6, unfulfillable=4)

    result = jobs.sync_account(account)

    location = Location.objects.get(kind="fbt")  # created from TikTok's warehouse list
    assert location.external_id == "7400000000000000001" and location.name == "FBT Pennsylvania"
    sku = SKU.objects.get(seller_sku=first)
    figures = FbtStock.objects.get(sku=sku)
    assert (figures.total, figures.available, figures.reserved, figures.unfulfillable) == (50, 40, 6, 4)
    assert on_hand(sku, location) == 46  # total - unfulfillable
    movement = StockMovement.objects.get(sku=sku, location=location)
    assert (movement.reason, movement.on_hand_change) == ("count", 46)
    assert result["stock"]["matched"] == len(emulator.state.catalogue.items_for("tiktok"))

    # Again: nothing changed, nothing written.
    before = StockMovement.objects.count()
    jobs.sync_account(account)
    assert StockMovement.objects.count() == before


def test_inbound_status_notification_applies_tiktoks_receipt(account, emulator, main, owner_user,
                                                             django_capture_on_commit_callbacks):
    tiktok = emulator.state.tiktok
    location = fbt_location()
    tee, cap = SKU.objects.get(seller_sku="TEE-BLK-S"), SKU.objects.get(seller_sku="TEE-BLK-M")
    stock.receive(sku=tee, location=main, quantity=40)
    stock.receive(sku=cap, location=main, quantity=40)
    shipment = services.create_inbound(destination=location, source=main, lines=[(tee, 20), (cap, 10)],
                                       account=account, user=owner_user)
    lines = {ln.sku_id: ln.pk for ln in shipment.lines.all()}
    services.add_carton(shipment=shipment, contents={lines[tee.pk]: 20, lines[cap.pk]: 10})
    services.ship_inbound(shipment=shipment, user=owner_user)
    ibr = tiktok.create_inbound_order({"TEE-BLK-S": 20, "TEE-BLK-M": 10})
    services.update_inbound_details(shipment=shipment, ibr_id=ibr)

    # TikTok receives 15 tees (and 1 damaged) and all 10 of the other SKU: PARTIALLY_RECEIVED.
    tiktok.receive_inbound(ibr, {"TEE-BLK-S": 15, "TEE-BLK-M": 10}, defective={"TEE-BLK-S": 1})
    headers, body = tiktok.build_notification(21, {"inbound_order_id": ibr, "order_status": "PARTIALLY_RECEIVED",
                                                   "update_time": 1700000000})
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, account, headers, body)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    run_jobs()

    shipment.refresh_from_db()
    assert shipment.status == InboundShipment.Status.PARTIALLY_RECEIVED
    assert shipment.tiktok_status == "PARTIALLY_RECEIVED"
    assert on_hand(tee, location) == 15 and on_hand(cap, location) == 10
    tee_line = shipment.lines.get(sku=tee)
    assert (tee_line.received, tee_line.damaged, tee_line.missing) == (15, 1, 4)
    transit = Location.objects.get(code="TRANSIT")
    assert on_hand(tee, transit) == 4

    # Delivered again: "duplicate", nothing more moves.
    assert post(client, account, headers, body).json()["status"] == "duplicate"
    run_jobs()
    assert on_hand(tee, location) == 15

    # The rest arrives; the sync (no notification) applies it too.
    tiktok.receive_inbound(ibr, {"TEE-BLK-S": 4})
    jobs.sync_receipts(jobs.tiktok.open_connector(account), account, [shipment])
    shipment.refresh_from_db()
    assert shipment.status == InboundShipment.Status.RECEIVED and on_hand(tee, location) == 19


def test_the_same_replenishment_webhook_twice_shows_one_alert(account, emulator, owner_user):
    tiktok = emulator.state.tiktok
    fbt_location()
    headers, body = tiktok.build_inventory_alert("TEE-BLK-L", status="LOW_STOCK", available=3)
    client = Client()
    first = post(client, account, headers, body)
    second = post(client, account, headers, body)
    assert first.status_code == second.status_code == 200
    assert (first.json()["status"], second.json()["status"]) == ("processed", "duplicate")
    alert = Alert.objects.get()
    assert (alert.sku.seller_sku, alert.alert_type, alert.status, alert.times_reported) == (
        "TEE-BLK-L", "LOW_STOCK", "open", 1)
    assert WebhookEvent.objects.count() == 1

    # The owner's dashboard shows it once.
    client.force_login(owner_user)
    page = client.get(reverse("dashboard")).content.decode()
    panel = page[page.index("FBT: 1 replenishment alert"):]
    panel = panel[:panel.index("</section>")]
    assert panel.count(">TEE-BLK-L</a>") == 1 and "Low stock" in panel

    # Another notification about the same SKU and kind updates the open alert.
    headers, body = tiktok.build_inventory_alert("TEE-BLK-L", status="LOW_STOCK", available=2)
    post(client, account, headers, body)
    alert.refresh_from_db()
    assert Alert.objects.count() == 1 and alert.times_reported == 2 and alert.quantity == 2

    # Out of stock supersedes low stock; a prediction is its own alert; sufficient stock resolves them.
    post(client, account, *tiktok.build_inventory_alert("TEE-BLK-L", status="OUT_OF_STOCK", available=0))
    post(client, account, *tiktok.build_inventory_alert("TEE-BLK-L", alert_type="PREDICTION", lead_days=12))
    assert set(Alert.objects.filter(status="open").values_list("alert_type", flat=True)) == {
        "OUT_OF_STOCK", "PREDICTION"}
    post(client, account, *tiktok.build_inventory_alert("TEE-BLK-L", status="SUFFICIENT_STOCK", available=30))
    assert not Alert.objects.filter(status="open").exists()


def test_notifications_sent_by_the_emulator_over_http(account, emulator, live_server):
    """The emulator posts to the registered address: the full loop, signature included."""
    tiktok = emulator.state.tiktok
    fbt_location()
    url = live_server.url + reverse("tiktok_fulfilment_webhook", args=[account.pk])
    tiktok.webhooks["INVENTORY_STATUS_CHANGE"] = {"address": url, "event_type": "INVENTORY_STATUS_CHANGE",
                                                  "create_time": 0, "update_time": 0}
    tiktok.inventory_alert("TEE-WHT-M", status="OUT_OF_STOCK", available=0)
    assert emulator.state.webhooks.flush(5)
    delivery = emulator.state.webhooks.deliveries[-1]
    assert delivery.status == 200, delivery.error
    assert Alert.objects.get().sku.seller_sku == "TEE-WHT-M"


def test_bad_signature_is_refused_and_stores_nothing(account, emulator):
    headers, body = emulator.state.tiktok.build_inventory_alert("TEE-BLK-L")
    tampered = body.replace(b"LOW_STOCK", b"OUT_OF_STOCK")
    response = post(Client(), account, headers, tampered)
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists() and not Alert.objects.exists()
    payload = json.loads(body)
    assert post(Client(), account, {"Authorization": "0" * 64}, json.dumps(payload).encode()).status_code == 401


def test_own_threshold_alerts_open_and_resolve(account, emulator):
    location = fbt_location()
    tee = SKU.objects.get(seller_sku="TEE-BLK-S")  # reorder point 10
    stock.receive(sku=tee, location=location, quantity=4, reason="fbt_inbound")
    assert services.check_thresholds()["opened"] >= 1
    alert = Alert.objects.get(sku=tee, alert_type="REORDER_POINT")
    assert (alert.source, alert.quantity, alert.threshold) == ("threshold", 4, 10)
    services.check_thresholds()
    assert Alert.objects.filter(sku=tee, status="open").count() == 1  # not opened twice
    stock.receive(sku=tee, location=location, quantity=8, reason="fbt_inbound")
    services.check_thresholds()
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_suggestions_use_fbt_velocity_and_alerts(account, emulator, main):
    from inventory.fbt import selectors
    from orders.models import Fulfilment
    from tests.orders.factories import OrderFactory, OrderLineFactory

    location = fbt_location()
    tee, mug = SKU.objects.get(seller_sku="TEE-BLK-S"), SKU.objects.get(seller_sku="TEE-BLK-M")
    stock.receive(sku=tee, location=main, quantity=100)
    stock.receive(sku=tee, location=location, quantity=5, reason="fbt_inbound")
    for _ in range(3):  # 30 units sold through FBT in 30 days: 1 a day
        OrderLineFactory(order=OrderFactory(account=account, fulfilment=Fulfilment.FBT), sku=tee, quantity=10)
    OrderLineFactory(order=OrderFactory(account=account), sku=tee, quantity=50)  # FBS: not FBT velocity
    headers, body = emulator.state.tiktok.build_inventory_alert("TEE-BLK-M", status="OUT_OF_STOCK", available=0)
    post(Client(), account, headers, body)

    rows = {r.sku.seller_sku: r for r in selectors.inbound_suggestions(destination=location, source=main)}
    assert rows["TEE-BLK-S"].sold == 30
    assert rows["TEE-BLK-S"].suggested == 10 + 30 - 5  # reorder point + 30 days of sales - FBT on hand
    assert rows["TEE-BLK-M"].alerts and rows["TEE-BLK-M"].suggested == 0  # no own stock to send
    assert rows["TEE-BLK-M"].short == 10
    assert list(rows)[0] == "TEE-BLK-M"  # alerts first
    assert mug.pk  # noqa


def test_register_webhooks_with_tiktok(account, emulator, owner_user):
    client = Client()
    client.force_login(owner_user)
    page = client.get(reverse("inventory:fbt:stock")).content.decode()
    address = f"http://testserver/webhooks/tiktok-fulfilment/{account.pk}"
    assert address in page
    response = client.post(reverse("inventory:fbt:register_webhooks"))
    assert response.status_code == 302
    hooks = emulator.state.tiktok.webhooks
    assert {k: v["address"] for k, v in hooks.items()} == {
        "PACKAGE_UPDATE": address, "INBOUND_FBT_ORDER_STATUS_CHANGE": address, "FBT_INVENTORY_UPDATE": address,
        "INVENTORY_STATUS_CHANGE": address}


def test_fbt_inventory_notification_updates_that_sku(account, emulator, django_capture_on_commit_callbacks):
    location = fbt_location()
    tiktok = emulator.state.tiktok
    tiktok.webhooks["FBT_INVENTORY_UPDATE"] = {"address": "http://127.0.0.1:9/unused",
                                               "event_type": "FBT_INVENTORY_UPDATE", "create_time": 0,
                                               "update_time": 0}
    tiktok.set_fbt_stock("TEE-BLK-M", total=12, available=9, reserved=2, unfulfillable=1)
    assert emulator.state.webhooks.flush(5)
    delivery = [d for d in emulator.state.webhooks.deliveries if d.event == "FBT_INVENTORY_UPDATE"][-1]
    payload = json.loads(delivery.body)
    assert payload["type"] == 24 and payload["data"]["fbt_warehouse_inventory"][0]["on_hand_detail"] == {
        "total_quantity": 12, "reserved_quantity": 2, "available_quantity": 9}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(Client(), account, delivery.headers, delivery.body)
    assert response.json()["status"] == "accepted"
    run_jobs()
    sku = SKU.objects.get(seller_sku="TEE-BLK-M")
    assert on_hand(sku, location) == 11 and FbtStock.objects.count() == 1  # only that SKU was read
