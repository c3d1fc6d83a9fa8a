"""On PostgreSQL, with real threads (one connection each): the same replenishment notification
delivered many times at once is stored once and shows one alert; different notifications about
the same SKU at once keep one open alert; a webhook receipt racing a receipt by hand moves each
unit once."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from devtools.emulators import start_emulator
from inventory import services as stock
from inventory.fbt import services
from inventory.fbt.models import ReplenishmentAlert
from inventory.models import SKU, ChannelListing, Location, StockLevel
from sellerhub.models import WebhookEvent
from tests.inventory.fbt_support import connect_tiktok, fbt_location

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


@pytest.fixture(scope="module")
def emu():
    handle = start_emulator()
    yield handle
    handle.stop()


def together(work):
    """Run work(i) on THREADS threads released at once; returns their results."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_concurrent_deliveries_make_one_alert(on_postgres, emu):
    emu.state.reset()
    account = connect_tiktok(emu)
    sku = SKU.objects.create(seller_sku="TEE-BLK-L", name="Tee")
    ids = emu.state.catalogue.ids("TEE-BLK-L")["tiktok"]
    ChannelListing.objects.create(sku=sku, account=account, external_product_id=ids["product_id"],
                                  external_variant_id=ids["sku_id"])
    fbt_location()
    url = reverse("tiktok_fulfilment_webhook", args=[account.pk])
    same = emu.state.tiktok.build_inventory_alert("TEE-BLK-L")
    others = [emu.state.tiktok.build_inventory_alert("TEE-BLK-L") for _ in range(THREADS)]

    def post(headers, body):
        return Client().post(url, data=body, content_type="application/json",
                             HTTP_AUTHORIZATION=headers["Authorization"]).json()["status"]

    statuses = together(lambda i: post(*same))
    assert sorted(statuses) == ["duplicate"] * (THREADS - 1) + ["processed"], statuses
    assert WebhookEvent.objects.count() == 1 and ReplenishmentAlert.objects.count() == 1

    statuses = together(lambda i: post(*others[i]))
    assert statuses == ["processed"] * THREADS, statuses
    alert = ReplenishmentAlert.objects.get()
    assert alert.status == "open" and alert.times_reported == THREADS + 1

    # No open alert yet for another SKU: notifications racing to open it make one.
    other = SKU.objects.create(seller_sku="TEE-BLK-M", name="Tee M")
    ids = emu.state.catalogue.ids("TEE-BLK-M")["tiktok"]
    ChannelListing.objects.create(sku=other, account=account, external_product_id=ids["product_id"],
                                  external_variant_id=ids["sku_id"])
    fresh = [emu.state.tiktok.build_inventory_alert("TEE-BLK-M", status="OUT_OF_STOCK") for _ in range(THREADS)]
    statuses = together(lambda i: post(*fresh[i]))
    assert statuses == ["processed"] * THREADS, statuses
    opened = ReplenishmentAlert.objects.get(sku=other)
    assert opened.times_reported == THREADS


def test_receipts_racing_move_each_unit_once(on_postgres, owner_user):
    main, fbt = Location.objects.get(code="MAIN"), fbt_location()
    sku = SKU.objects.create(seller_sku="RACE-IB", name="Race")
    stock.receive(sku=sku, location=main, quantity=50)
    shipment = services.create_inbound(destination=fbt, source=main, lines=[(sku, 40)])
    line = shipment.lines.get()
    services.add_carton(shipment=shipment, contents={line.pk: 40})
    services.ship_inbound(shipment=shipment, user=owner_user)

    results = together(lambda i: services.receive_inbound(shipment=shipment, counts={line.pk: (30, 0)},
                                                          actor="tiktok", tolerate_excess=True)["received"])
    assert sorted(results) == [0] * (THREADS - 1) + [30], results
    assert StockLevel.objects.get(sku=sku, location=fbt).on_hand == 30
    assert StockLevel.objects.get(sku=sku, location__code="TRANSIT").on_hand == 10
