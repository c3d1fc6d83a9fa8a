"""The demo tells one story: ``load_demo_data`` and the emulators hold the same seeded world, so
every seeded order that waits for the warehouse can be picked, packed, labelled, shipped and its
tracking uploaded to its channel; the seeded collection request reads its packages from TikTok
without an error; every delivered order has an address and a timeline; the numbers agree (FBT
stock, TikTok's predicted stock-out); and the live order stream is bounded and can be paused.

One expensive test loads the whole demo against an in-process emulator seeded from the same
world (about half a minute) and walks every order; the others are quick."""

from __future__ import annotations

import io
import socket
import time

import pytest
import requests
from django.core.management import call_command

from channels import jobs as channel_jobs
from devtools.demo import world as demo_world
from devtools.demo.channels import SEED_FILE
from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState, start_emulator
from devtools.emulators.world import FBT_FIGURES, STORY
from fulfilment import services as fulfilment
from fulfilment.models import BoxPreset, Package, PickList, TrackingPush
from fulfilment.shipping_rules import selectors as rule_selectors
from fulfilment.tiktok import collection as tiktok_collection
from fulfilment.tiktok import shipping as tiktok_shipping
from fulfilment.tiktok.models import CollectionRequest, Handover, PlatformPackage
from inventory.fbt.models import FbtStock, ReplenishmentAlert
from inventory.fbt.selectors import fbt_velocity
from inventory.models import StockLevel
from orders.models import Fulfilment, LabelSource, Order, OrderStatus
from sellerhub.models import Channel

S = OrderStatus
OPEN = (S.CONFIRMED, S.PICKING, S.PACKED)
ID_FORMATS = {
    Channel.TIKTOK: lambda i: i.isdigit() and len(i) == 18,
    Channel.WOOCOMMERCE: lambda i: i.isdigit() and len(i) <= 9,
    Channel.ETSY: lambda i: i.isdigit() and len(i) == 10,
    Channel.SQUARE: lambda i: i.isalnum() and 20 <= len(i) <= 32,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def story(db, settings, tmp_path, uses_rq):
    """The demo loaded as ``make run`` loads it, then the emulator started on the world's anchor."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_WORLD_FILE = str(tmp_path / "demo-world.json")
    settings.CHANNEL_SYNC_BACKOFF_BASE = 0.01
    settings.CHANNEL_SYNC_BACKOFF_CAP = 0.1
    port = _free_port()
    settings.EMULATOR_URL = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    call_command("load_demo_data", stdout=io.StringIO())
    loaded_in = time.monotonic() - started
    anchor = demo_world.current_anchor()
    assert anchor is not None, "the loader writes the world's anchor for the emulator"
    handle = start_emulator(port, config=EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items,
                                                        world_anchor=anchor))
    settings.EASYPOST_API_KEY = handle.state.config.credentials.easypost_test_key
    settings.EASYPOST_BASE_URL = handle.url("easypost")
    yield handle, loaded_in
    handle.stop()


def _pack(order, user) -> Package:
    """Pick (on a pick list of its own unless it is on one) and pack the order at the station."""
    order.refresh_from_db()
    packed = order.packages.exclude(status=Package.Status.CANCELLED).order_by("pk").first()
    if packed is not None:  # packed already (the demo's own label, a typed tracking number...)
        return packed
    if order.status == S.CONFIRMED:
        result = fulfilment.create_pick_list(order_ids=[order.pk], user=user)
        assert result.pick_list is not None, (order.external_id, result)
    for pick_list in PickList.objects.filter(entries__order=order, status=PickList.Status.OPEN).distinct():
        fulfilment.complete_pick_list(pick_list=pick_list, user=user)
    order.refresh_from_db()
    open_packages = order.packages.exclude(status=Package.Status.CANCELLED)
    if order.status in (S.CONFIRMED, S.PICKING) and not open_packages.exists():
        session = fulfilment.start_packing(order=order, user=user)
        for line in order.lines.filter(cancelled=False).select_related("sku"):
            for _ in range(line.quantity):
                scan = fulfilment.scan_item(session=session, code=line.sku.barcode or line.sku.seller_sku, user=user)
                assert scan.ok, scan
        return fulfilment.finish_packing(session=session, weight_grams=640,
                                         box=BoxPreset.objects.filter(name="Small box").first(), user=user)
    package = open_packages.order_by("pk").first()
    return package or fulfilment.create_package(order=order, user=user)


def _label(package, user) -> Package:
    """A label as the shipping rules say: TikTok's for TikTok-label orders and for USPS on TikTok
    orders (the built-in rule), else the cheapest EasyPost rate the rules allow."""
    package.refresh_from_db()
    if package.has_label or package.tracking_number:
        return package
    order = package.order
    if not package.weight_grams:
        package = fulfilment.update_package(package=package, weight_grams=640)
    if order.label_source == LabelSource.PLATFORM:
        return tiktok_shipping.ensure_label(package=package, user=user)
    quote = fulfilment.quote_rates(package=package, user=user)
    rates = sorted(quote.rates, key=lambda r: float(r.amount))
    if rule_selectors.platform_rule_for(order) is not None:
        rates = [r for r in rates if (r.carrier_code or r.carrier).lower() != "usps"]
    assert rates, f"no rate the rules allow for {order.external_id}"
    return fulfilment.buy_label(package=package, rate_id=rates[0].id, user=user)


def test_every_seeded_order_ships_end_to_end(story, role_users):
    handle, loaded_in = story
    emu = handle.state
    warehouse = role_users["Warehouse"]
    assert loaded_in < 60, f"load_demo_data took {loaded_in:.0f} s"

    # The database and the emulator hold the same orders, with ids in each channel's format.
    seeded = {(s.channel, s.order_id): s for s in emu.seeded}
    assert len(seeded) == len(STORY)
    for (channel, order_id), item in seeded.items():
        order = Order.objects.get(account__channel=channel, external_id=order_id)
        assert ID_FORMATS[channel](order_id), order_id
        assert order.lines.count() >= 1, item.story.name
    assert not Order.objects.filter(external_id__startswith="H-").exists(), "history ids look like the channel's"
    for channel, fits in ID_FORMATS.items():
        ids = Order.objects.filter(account__channel=channel).values_list("external_id", flat=True)
        bad = [i for i in ids if not fits(i)]
        assert not bad, (channel, bad[:5])

    # Every open own-fulfilled order of a channel: picked, packed, labelled, shipped, tracking pushed.
    # (An order whose buyer asked to cancel waits for the seller's decision first: not shipped here.)
    todo = list(Order.objects.filter(status__in=OPEN, fulfilment=Fulfilment.FBS, attention_reason="")
                .exclude(account__channel=Channel.MANUAL).exclude(cancellation_requests__status="pending")
                .select_related("account").order_by("pk"))
    assert {o.account.channel for o in todo} == {Channel.TIKTOK, Channel.WOOCOMMERCE, Channel.ETSY, Channel.SQUARE}
    assert len(todo) >= 15
    for order in todo:
        package = _label(_pack(order, warehouse), warehouse)
        assert package.tracking_number or package.label_source == "own", (order.external_id, package.status)
        if order.label_source == LabelSource.PLATFORM:  # handed over through a collection request
            handover = tiktok_collection.request_collection(packages=[package], method=Handover.DROP_OFF,
                                                            user=warehouse)
            outcome = tiktok_collection.ship_collection(collection=handover, user=warehouse)
            assert outcome["shipped"] == 1 and not outcome["refused"], outcome
        else:
            fulfilment.ship_package(package=package, user=warehouse)
        for push in TrackingPush.objects.filter(package=package):
            result = channel_jobs.push_tracking(package.pk)
            assert not result.get("failed"), (order.account.channel, order.external_id, result)
            push.refresh_from_db()
            assert push.status == TrackingPush.Status.PUSHED, (order.external_id, push.last_error)
        order.refresh_from_db()
        assert order.status == S.SHIPPED, (order.external_id, order.status)

    # The seeded collection request reads its packages from TikTok: no error.
    collection = CollectionRequest.objects.get(handover_method=Handover.PICKUP)
    platforms = PlatformPackage.objects.filter(collection=collection).select_related("package")
    assert platforms.exists()
    tiktok_collection.read_packages(account=collection.account,
                                    package_ids=[p.package.external_id for p in platforms])
    collection.refresh_from_db()
    assert collection.message == "" and collection.status == CollectionRequest.Status.SCHEDULED
    assert not PlatformPackage.objects.filter(collection=collection).exclude(collection_error="").exists()

    # Delivered orders have an address and a timeline.
    delivered = Order.objects.filter(status__in=(S.DELIVERED, S.COMPLETED))
    assert delivered.count() >= 20
    no_address = delivered.filter(ship_street1="").values_list("external_id", flat=True)
    assert not no_address, list(no_address[:5])
    no_timeline = delivered.filter(events__isnull=True).values_list("external_id", flat=True)
    assert not no_timeline, list(no_timeline[:5])

    # FBT: SellerHub's stock is TikTok's; TikTok's predicted stock-out is SellerHub's days of cover.
    for row in FbtStock.objects.select_related("sku"):
        total, available, _reserved, bad = FBT_FIGURES[row.sku.seller_sku]
        goods = next(g for g in emu.tiktok.fbt_goods.values() if g["goods"]["reference_code"] == row.sku.seller_sku)
        assert (row.total, row.available) == (goods["on_hand_detail"]["total"], goods["on_hand_detail"]["available"])
        level = StockLevel.objects.get(sku=row.sku, location=row.location)
        assert level.on_hand == total - bad
    alert = ReplenishmentAlert.objects.get(sku__seller_sku="HOOD-NVY-M", source="tiktok")
    sold = fbt_velocity(sku_ids=[alert.sku_id])[alert.sku_id]
    total, _available, _reserved, bad = FBT_FIGURES["HOOD-NVY-M"]
    assert alert.lead_days == round((total - bad) / (sold / 30))


def test_the_world_is_the_same_in_every_process():
    catalogue = Catalogue.from_file(SEED_FILE).items
    anchor = 1_767_225_600.0
    one = EmulatorState(EmulatorConfig(seed=catalogue, world_anchor=anchor)).seeded
    two = EmulatorState(EmulatorConfig(seed=catalogue, world_anchor=anchor)).seeded
    assert [(s.order_id, s.payload) for s in one] == [(s.order_id, s.payload) for s in two]
    tiktok = {s.story.name: s for s in one if s.channel == "tiktok"}
    assert tiktok["tt-pickup"].payload["packages"], "a shipped order has its package"
    assert all(li["id"] for li in tiktok["tt-later-1"].payload["line_items"])


def test_the_order_stream_is_bounded_and_can_be_paused():
    handle = start_emulator(config=EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, orders_per_hour_cap=3,
                                                  orders_per_day_cap=5))
    try:
        base = handle.base_url + "/_emulator"
        handle.state.start_order_stream(1200)  # one every 50 ms
        time.sleep(1.0)
        status = requests.get(base + "/order-stream", timeout=5).json()
        assert status["last_hour"] == 3 and status["capped"] == "hour"
        assert sum(handle.state.summary()["services"][c]["orders"] for c in ("tiktok", "woocommerce", "square")) + \
            len(handle.state.etsy.receipts) == 3
        page = requests.get(base + "/", timeout=5)
        assert "Pause the order stream" in page.text and "3 per hour" in page.text
        answer = requests.post(base + "/order-stream/pause", data={"go": "1"}, allow_redirects=False, timeout=5)
        assert answer.status_code == 303 and answer.headers["Location"] == "/_emulator/"
        assert "Resume the order stream" in requests.get(base + "/", timeout=5).text
        assert requests.post(base + "/order-stream/resume", json={}, timeout=5).json()["paused"] is False
    finally:
        handle.stop()
