"""Fulfilled by Seller in a real browser (acceptance 1): the warehouse user picks a 3-order pick
list, packs one order by scanning with a keyboard-wedge scanner (one wrong scan refused), buys its
label from the emulated EasyPost, prints it, ships it; the order shows shipped, the emulated
TikTok Shop received the tracking number, and the printed PDF's barcode (rendered with pypdfium2,
decoded with zxing-cpp) is the tracking number.

The emulator runs in-process on a free port; EasyPost's base URL and the TikTok account's
api_base_url point at it."""

import django_rq
import pytest
from django.urls import reverse
from rq import SimpleWorker

from channels import jobs as channel_jobs
from channels import services as channel_services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from devtools.emulators import EmulatorConfig, start_emulator
from fulfilment.models import CarrierMapping, Package, ShippingRule, TrackingPush
from inventory import services as stock
from inventory.models import Location
from orders.models import Order, OrderStatus
from tests.core.factories import UserFactory
from tests.fulfilment.conftest import CATALOGUE, FOUR_BY_SIX, SEED, WEBHOOK_SECRET, barcodes, pdf_pages
from tests.inventory.factories import SKUFactory, make_ean13

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def emu(settings, tmp_path, uses_rq):
    handle = start_emulator(0, config=EmulatorConfig(seed=SEED))
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EASYPOST_API_KEY = handle.state.config.credentials.easypost_test_key
    settings.EASYPOST_BASE_URL = handle.url("easypost")
    settings.EASYPOST_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.CHANNEL_SYNC_READ_TIMEOUT = 5.0
    yield handle
    handle.stop()


def warehouse_with_stock():
    main = Location.objects.get(code="MAIN")
    Location.objects.filter(pk=main.pk).update(company="Northbound Goods", street1="1450 Harbor Way", city="Oakland",
                                               state="CA", postal_code="94607", country="US")
    skus = {}
    for seller_sku, bin_code, sequence, weight, n in CATALOGUE:
        location = Location.objects.create(code=bin_code, name=f"Bin {bin_code}", kind=Location.Kind.BIN,
                                           parent=main, pick_sequence=sequence)
        skus[seller_sku] = SKUFactory(seller_sku=seller_sku, barcode=make_ean13(n), weight_grams=weight)
        stock.receive(sku=skus[seller_sku], location=location, quantity=20)
    return skus


def tiktok_orders(emu):
    url, shop_id, credentials = emulator_connection("tiktok", emu.base_url, emu.state.config.credentials)
    account = channel_services.save_connection(channel="tiktok", name="TikTok US", api_base_url=url, shop_id=shop_id,
                                               credentials=credentials)
    channel_services.import_listings(account=account, listings=catalogue_listings("tiktok", emu.state.catalogue))
    CarrierMapping.objects.create(account=account, carrier="usps", provider_id="7117858858072016686",
                                  provider_name="USPS")
    ids = [emu.state.generate_orders("tiktok", 1, skus=skus)[0]
           for skus in ({"TEE-BLK-M": 2, "MUG-01": 1}, {"CAP-BLK": 1}, {"TOTE-NAT": 1, "MUG-01": 1})]
    assert not channel_jobs.pull_orders(account).get("failed")
    orders = [Order.objects.get(account=account, external_id=i) for i in ids]
    assert all(o.status == OrderStatus.CONFIRMED for o in orders), [(o.status, o.attention_detail) for o in orders]
    return orders


def test_warehouse_picks_packs_buys_prints_and_ships_with_keyboard_and_scanner(page, login, emu):
    skus = warehouse_with_stock()
    orders = tiktok_orders(emu)
    ShippingRule.objects.filter(builtin="tiktok_usps_platform").update(enabled=False)  # buys an own USPS label
    first = orders[0]
    UserFactory(username="wren", role="Warehouse")
    login("wren")

    # Pick: the three orders on one pick list, walking the bins in order.
    page.goto("/fulfilment/pick-pack/")
    for order in orders:
        page.get_by_label(f"Pick order {order.external_id}").check()
    page.get_by_role("button", name="Pick the selected orders").click()
    page.wait_for_url("**/fulfilment/pick-lists/*/")
    assert "3 order(s) to pick" in page.locator(".messages").inner_text()
    bins = page.locator("table.pick-walk td.bin").all_inner_texts()
    assert bins == ["A-01", "A-02", "B-01", "C-01"]
    assert all(o.status == OrderStatus.PICKING for o in Order.objects.filter(pk__in=[o.pk for o in orders]))
    page.get_by_role("button", name="Done picking: go to packing").click()
    page.wait_for_url("**/fulfilment/pack/")

    # Pack with a scanner: it types the code and presses Enter; the field has focus, no mouse.
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.keyboard.type(first.external_id, delay=2)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/fulfilment/pack/{first.pk}/")
    assert page.evaluate("document.activeElement.id") == "scan_code"
    tee, mug, cap = skus["TEE-BLK-M"].barcode, skus["MUG-01"].barcode, skus["CAP-BLK"].barcode
    for code in (tee, cap):  # the cap is not in this order
        page.keyboard.type(code, delay=2)
        page.keyboard.press("Enter")
    alert = page.get_by_role("alert").filter(has_text="Wrong item: CAP-BLK")
    alert.wait_for()
    assert "bad" in alert.get_attribute("class")
    assert page.evaluate("window.sellerhubBeeps") == ["ok", "error"]
    assert page.get_by_role("button", name="Pack").is_disabled()  # not every item is verified
    for code in (tee, mug):
        page.keyboard.type(code, delay=2)
        page.keyboard.press("Enter")
    page.locator(".scan-alert.done").wait_for()
    page.wait_for_function("document.activeElement.id === 'id_weight'")  # ready for the scale
    assert page.get_by_role("button", name="Pack").is_enabled()
    page.keyboard.type("760")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fulfilment/packages/*/")
    package = Package.objects.get(order=first)
    assert package.weight_grams == 760 and Order.objects.get(pk=first.pk).status == OrderStatus.PACKED

    # Buy the label from the emulated provider.
    page.get_by_role("button", name="Get rates").click()
    page.locator("table.rates").wait_for()
    assert "USPS" in page.locator("table.rates").inner_text()
    page.locator("table.rates tbody tr").first.get_by_role("button", name="Buy").click()
    page.locator(".message.success").filter(has_text="Label bought").wait_for()
    package.refresh_from_db()
    number = package.tracking_number
    assert number and package.label_source == "provider"

    # Print it: the label the Print button opens is 4x6 and its barcode scans as the number.
    href = page.get_by_role("link", name="Print label (4×6 PDF)").get_attribute("href")
    printed = page.request.get(href)
    assert printed.headers["content-type"] == "application/pdf"
    assert pdf_pages(printed.body()) == [FOUR_BY_SIX]
    assert barcodes(printed.body()) == [number]

    # Ship it: the order is shipped and the tracking number goes to TikTok.
    page.get_by_role("button", name=f"Mark shipped with {number}").click()
    page.locator(".message.success").filter(has_text="shipped").wait_for()
    queue = django_rq.get_queue("sync")
    SimpleWorker([django_rq.get_queue("push"), queue], connection=queue.connection).work(burst=True)
    uploads = emu.state.received("tiktok", "tracking_upload")
    assert [(u["order_id"], u["tracking_number"]) for u in uploads] == [(first.external_id, number)]
    assert TrackingPush.objects.get(package=package).status == TrackingPush.Status.PUSHED
    page.goto(reverse("orders:detail", args=[first.pk]))
    header = page.locator("header.order-head").inner_text()
    assert "Shipped" in header
    packages = page.locator("#packages-h").locator("xpath=..").inner_text()
    assert number in packages and "Pushed" in packages
