"""Bundles end to end over the four emulated channels (real HTTP): a TikTok order of a combined
listing of two tees reserves one unit of each tee, the bundle's available count drops on all four
channels, shipping takes both tees off the shelf in the ledger, and reconcile_stock finds no drift."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from channels import jobs
from channels import services as channel_services
from devtools.demo.emulated import catalogue_listings
from devtools.emulators import EmulatorConfig, SeedItem, start_emulator
from devtools.emulators.catalogue import DEFAULT_SEED
from fulfilment import services as fulfilment
from inventory import services as stock
from inventory.models import SKU, ChannelListing, Location, StockLevel, StockMovement
from inventory.services.bundles import create_bundle
from orders.models import Order, OrderStatus
from tests.sync.test_stock_push import CHANNELS, channel_quantity

BUNDLE = "TEE-DUO"


@pytest.fixture(scope="module")
def emu():
    handle = start_emulator(config=EmulatorConfig(seed=(*DEFAULT_SEED, SeedItem(BUNDLE, "Two tees", "42.00", 9))))
    yield handle
    handle.stop()


@pytest.fixture
def bundle_world(accounts, emulator):
    """TEE-BLK-M (5 on hand) and TEE-WHT-M (3), the bundle TEE-DUO of one of each, listed everywhere."""
    main = Location.objects.get(code="MAIN")
    Location.objects.filter(pk=main.pk).update(street1="1450 Harbor Way", city="Oakland", state="CA",
                                               postal_code="94607", country="US")
    black = SKU.objects.create(seller_sku="TEE-BLK-M", name="Classic Tee Black M")
    white = SKU.objects.create(seller_sku="TEE-WHT-M", name="Classic Tee White M")
    stock.receive(sku=black, location=main, quantity=5)
    stock.receive(sku=white, location=main, quantity=3)
    bundle = create_bundle(seller_sku=BUNDLE, name="Two tees", components=[(black, 1), (white, 1)])
    for channel, account in accounts.items():
        channel_services.import_listings(account=account,
                                         listings=catalogue_listings(channel, emulator.state.catalogue))
    for account in accounts.values():
        assert not jobs.push_stock(account).get("failed")
    return black, white, bundle


def combined_listing_order(emulator) -> str:
    """A TikTok order of one unit of the combined listing TEE-DUO (one Black M + one White M)."""
    svc = emulator.state.tiktok
    order_id = svc.generate_order(skus={"TEE-BLK-M": 1})
    catalogue = emulator.state.catalogue
    for line in svc.orders[order_id]["line_items"]:
        ids = catalogue.ids(BUNDLE)["tiktok"]
        line.update(seller_sku=BUNDLE, sku_id=ids["sku_id"], product_id=ids["product_id"], sku_name="Two tees",
                    combined_listing_skus=[
                        {"sku_id": catalogue.ids(sku)["tiktok"]["sku_id"], "sku_count": 1, "seller_sku": sku,
                         "product_id": catalogue.ids(sku)["tiktok"]["product_id"]}
                        for sku in ("TEE-BLK-M", "TEE-WHT-M")])
    return order_id


def level(sku):
    row = StockLevel.objects.get(sku=sku, location__code="MAIN")
    return row.on_hand, row.reserved


@pytest.mark.django_db
def test_a_combined_listing_order_moves_both_tees_everywhere(accounts, bundle_world, emulator):
    black, white, bundle = bundle_world
    everywhere = {c: channel_quantity(emulator, c, BUNDLE) for c in CHANNELS}
    assert everywhere == dict.fromkeys(CHANNELS, 3), "whole bundles: min(5 black, 3 white)"

    order_id = combined_listing_order(emulator)
    jobs.pull_orders(accounts["tiktok"])
    order = Order.objects.get(account=accounts["tiktok"], external_id=order_id)
    assert order.status == OrderStatus.CONFIRMED, order.attention_detail
    assert order.lines.get().sku == bundle
    assert level(black) == (5, 1) and level(white) == (3, 1), "one unit of each component reserved"

    for account in accounts.values():
        assert not jobs.push_stock(account).get("failed")
    assert {c: channel_quantity(emulator, c, BUNDLE) for c in CHANNELS} == dict.fromkeys(CHANNELS, 2)
    assert set(ChannelListing.objects.filter(sku=bundle).values_list("last_pushed_quantity", flat=True)) == {2}

    package = fulfilment.set_tracking_number(package=fulfilment.create_package(order=order, weight_grams=400),
                                             tracking_number="9400111206206406260787", carrier="usps")
    fulfilment.ship_package(package=package)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert level(black) == (4, 0) and level(white) == (2, 0)
    sales = StockMovement.objects.filter(reference=order.reservation_reference, reason="sale")
    assert sorted(sales.values_list("sku__seller_sku", "on_hand_change")) == [("TEE-BLK-M", -1), ("TEE-WHT-M", -1)]
    out = io.StringIO()
    call_command("reconcile_stock", stdout=out)
    assert out.getvalue().startswith("OK:")
