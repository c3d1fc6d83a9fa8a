"""Fixtures for Fulfilled by Seller: a warehouse with bins and an address, SKUs with barcodes and
weights stocked in those bins, confirmed orders, the loopback emulator as the label provider
(over real HTTP), and a media folder of the test's own."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from pypdf import PdfReader

from devtools.emulators import EmulatorConfig, start_emulator
from fulfilment.models import BoxPreset
from inventory import services as stock
from inventory.models import Location
from orders import services as order_services
from orders.models import Order, OrderStatus
from tests.inventory.factories import SKUFactory, make_ean13
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory

WEBHOOK_SECRET = "s\u00e9cret-for-tests"

# seller sku, bin, pick sequence, weight g, barcode number
CATALOGUE = [("TEE-BLK-M", "A-02", 20, 170, 1), ("MUG-01", "C-01", 50, 420, 2), ("CAP-BLK", "A-01", 10, 90, 3),
             ("TOTE-NAT", "B-01", 30, 210, 4)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def main(db):
    main = Location.objects.get(code="MAIN")
    Location.objects.filter(pk=main.pk).update(
        contact_name="Shipping desk", company="Northbound Goods", street1="1450 Harbor Way", city="Oakland",
        state="CA", postal_code="94607", country="US", phone="+1 510 555 0142")
    main.refresh_from_db()
    return main


@pytest.fixture
def skus(main):
    """Four SKUs with barcodes and weights, 20 units each in their bin."""
    out = {}
    for seller_sku, bin_code, sequence, weight, n in CATALOGUE:
        location, _ = Location.objects.get_or_create(code=bin_code, defaults={
            "name": f"Bin {bin_code}", "kind": Location.Kind.BIN, "parent": main, "pick_sequence": sequence})
        sku = SKUFactory(seller_sku=seller_sku, barcode=make_ean13(n), weight_grams=weight)
        stock.receive(sku=sku, location=location, quantity=20)
        out[seller_sku] = sku
    return out


@pytest.fixture
def box(db):
    return BoxPreset.objects.create(name="Small box", length_mm=250, width_mm=200, height_mm=100, tare_grams=120)


@pytest.fixture
def woo(db):
    return ChannelAccountFactory(name="Woo shop", channel="woocommerce")


@pytest.fixture
def make_order(skus, woo):
    """make_order("W-1", {"TEE-BLK-M": 2}, due=timedelta) -> a confirmed FBS order."""

    def make(external_id, lines, *, account=None, due=dt.timedelta(hours=6), confirm=True, **fields):
        order = OrderFactory(account=account or woo, external_id=external_id,
                             status=OrderStatus.AWAITING_CONFIRMATION,
                             dispatch_due_at=timezone.now() + due, **fields)
        for i, (seller_sku, quantity) in enumerate(lines.items()):
            OrderLineFactory(order=order, sku=skus[seller_sku], channel_sku=seller_sku, quantity=quantity,
                             external_id=f"{external_id}-L{i + 1}")
        if confirm:
            result = order_services.confirm_order(order=order)
            assert result.confirmed, result.message
        order.refresh_from_db()
        return order

    return make


SEED = [{"sku": sku, "name": f"Item {sku}", "price": "20.00", "stock": 100} for sku, *_ in CATALOGUE]


@pytest.fixture(scope="session")
def emu():
    """One loopback emulator per test process, seeded with the test catalogue's SKUs."""
    handle = start_emulator(config=EmulatorConfig(seed=SEED))
    yield handle
    handle.stop()


@pytest.fixture
def tiktok(emu, skus, settings, uses_rq):
    """A TikTok account connected to the emulator, its listings matched to our SKUs."""
    from channels import services as channel_services
    from devtools.demo.emulated import catalogue_listings, emulator_connection

    emu.state.reset()
    settings.CHANNEL_SYNC_BACKOFF_BASE = 0.01
    settings.CHANNEL_SYNC_BACKOFF_CAP = 0.1
    settings.CHANNEL_SYNC_READ_TIMEOUT = 2.0
    url, shop_id, credentials = emulator_connection("tiktok", emu.base_url, emu.state.config.credentials)
    account = channel_services.save_connection(channel="tiktok", name="TikTok US", api_base_url=url,
                                               shop_id=shop_id, credentials=credentials)
    channel_services.import_listings(account=account, listings=catalogue_listings("tiktok", emu.state.catalogue))
    return account


@pytest.fixture
def tiktok_order(tiktok, emu):
    """tiktok_order({"MUG-01": 1}) -> the order made on the emulated TikTok Shop, pulled in and confirmed."""
    from channels import jobs as channel_jobs

    def make(skus):
        external_id = emu.state.generate_orders("tiktok", 1, skus=skus)[0]
        result = channel_jobs.pull_orders(tiktok)
        assert not result.get("failed"), result
        order = Order.objects.get(account=tiktok, external_id=external_id)
        assert order.status == OrderStatus.CONFIRMED, (order.status, order.attention_detail)
        return order

    return make


@pytest.fixture
def easypost(emu, settings):
    """EasyPost pointed at the loopback emulator (its test key, our webhook secret)."""
    emu.state.reset()
    settings.EASYPOST_API_KEY = emu.state.config.credentials.easypost_test_key
    settings.EASYPOST_BASE_URL = emu.url("easypost")
    settings.EASYPOST_WEBHOOK_SECRET = WEBHOOK_SECRET
    return emu


def pdf_pages(content: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page."""
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
            for p in PdfReader(io.BytesIO(content)).pages]


def barcodes(content: bytes, page: int = 0) -> list[str]:
    """The barcodes a scanner reads on a page of a PDF (rendered at 3x, decoded by zxing-cpp)."""
    pdf = pypdfium2.PdfDocument(content)
    try:
        image = pdf[page].render(scale=3).to_pil()
    finally:
        pdf.close()
    return [r.text for r in zxingcpp.read_barcodes(image)]


FOUR_BY_SIX = (288.0, 432.0)
LETTER = (612.0, 792.0)
A4 = (595.3, 841.9)
