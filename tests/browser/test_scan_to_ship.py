"""Scan-to-ship in a real browser (issue 13, acceptance 1), keyboard and scanner only: ten orders
of WooCommerce, Etsy and Square (pulled from the loopback emulators) are picked, then each is
packed and shipped at a station whose label printer is a loopback raw-9100 ZPL printer, with the
order scan, the item scans, the weight and Enter alone (keystrokes counted: every key goes through
``page.keyboard``). The ZPL the printer received carries each package's tracking number, and
each channel's emulator received the tracking."""

import django_rq
import pytest
from rq import SimpleWorker

from channels import jobs as channel_jobs
from channels import services as channel_services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from fulfilment.models import Package
from fulfilment.printers import services as printers
from orders.models import Order, OrderStatus
from tests.browser.test_fbs import emu, warehouse_with_stock  # noqa: F401 -- the emulator fixture and the stock
from tests.core.factories import UserFactory
from tests.fulfilment.printer_support import LoopbackPrinter

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = [("woocommerce", {"TEE-BLK-M": 2, "MUG-01": 1}), ("etsy", {"CAP-BLK": 1}), ("square", {"TOTE-NAT": 1}),
          ("woocommerce", {"MUG-01": 1}), ("etsy", {"TEE-BLK-M": 1, "CAP-BLK": 1}), ("square", {"MUG-01": 2}),
          ("woocommerce", {"TOTE-NAT": 1, "CAP-BLK": 1}), ("etsy", {"MUG-01": 1}), ("square", {"CAP-BLK": 1}),
          ("woocommerce", {"TEE-BLK-M": 1})]


@pytest.fixture
def zebra():
    port = LoopbackPrinter()
    yield port
    port.stop()


def channel_orders(emu):  # noqa: F811 -- the emulator fixture
    accounts = {}
    for channel in ("woocommerce", "etsy", "square"):
        url, shop_id, credentials = emulator_connection(channel, emu.base_url, emu.state.config.credentials)
        account = channel_services.save_connection(channel=channel, name=f"{channel} shop", api_base_url=url,
                                                   shop_id=shop_id, credentials=credentials)
        channel_services.import_listings(account=account, listings=catalogue_listings(channel, emu.state.catalogue))
        accounts[channel] = account
    ids = [(channel, emu.state.generate_orders(channel, 1, skus=skus)[0]) for channel, skus in ORDERS]
    for account in accounts.values():
        assert not channel_jobs.pull_orders(account).get("failed")
    orders = [Order.objects.get(account=accounts[channel], external_id=str(i)) for channel, i in ids]
    assert all(o.status == OrderStatus.CONFIRMED for o in orders), [(o.status, o.attention_detail) for o in orders]
    return orders


class Keys:
    """Every key the packer presses, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def scan(self, code):
        self.type(code)
        self.enter()

    def type(self, text):
        self.page.keyboard.type(text, delay=1)
        self.count += len(text)

    def enter(self):
        self.page.keyboard.press("Enter")
        self.count += 1


def press(locator, key):
    """Move the keyboard focus to a control (as Tab would) and press a key on it: no mouse."""
    locator.focus()
    locator.press(key)


def test_ten_parcels_ship_with_scans_the_weight_and_enter(page, login, emu, zebra):  # noqa: F811
    warehouse_with_stock()
    orders = channel_orders(emu)
    UserFactory(username="wren", role="Warehouse")
    printer = printers.save_printer(name="Zebra ZD421", kind="zpl", host="127.0.0.1", port=zebra.port)
    station = printers.save_station(name="Bench 1", label_printer=printer, document_printer=None)
    login("wren")
    page.goto("/fulfilment/station/")  # this browser becomes Bench 1 (a setup step, once per station)
    press(page.get_by_role("button", name="Use this browser as Bench 1"), "Enter")
    page.wait_for_url("**/fulfilment/pack/")

    # Pick the ten orders on one pick list, with the keyboard: Space ticks, Enter presses.
    page.goto("/fulfilment/pick-pack/")
    for order in orders:
        press(page.get_by_label(f"Pick order {order.external_id}"), "Space")
    press(page.get_by_role("button", name="Pick the selected orders"), "Enter")
    page.wait_for_url("**/fulfilment/pick-lists/*/")
    assert "10 order(s) to pick" in page.locator(".messages").inner_text()
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status=OrderStatus.PICKING).count() == 10
    press(page.get_by_role("button", name="Done picking: go to packing"), "Enter")
    page.wait_for_url("**/fulfilment/pack/")

    keys = Keys(page)
    for order in orders:
        before = keys.count
        lines = list(order.lines.select_related("sku"))
        item_scans = sum(line.quantity for line in lines)
        assert page.evaluate("document.activeElement.id") == "id_code"
        keys.scan(order.external_id)
        page.wait_for_url(f"**/fulfilment/pack/{order.pk}/")
        page.wait_for_function("document.activeElement.id === 'scan_code'")
        for line in lines:
            for _ in range(line.quantity):
                keys.scan(line.sku.barcode)
        page.locator(".scan-alert.done").wait_for()
        page.wait_for_function("document.activeElement.id === 'id_weight'")
        hint = page.locator("[data-pack-hint]").inner_text()
        assert hint == "Every item is verified: enter the weight and press Enter.", hint
        keys.type("640")
        keys.enter()
        page.wait_for_url("**/fulfilment/pack/")
        message = page.locator(".message.success").inner_text()
        assert f"Order {order.external_id} shipped" in message and "sent to Zebra ZD421" in message, message
        used = keys.count - before
        limit = len(order.external_id) + 1 + sum(len(line.sku.barcode) + 1 for line in lines
                                                   for _ in range(line.quantity)) + len("640") + 2
        assert used <= limit, (used, limit, item_scans)

    packages = {p.order_id: p for p in Package.objects.filter(order__in=orders)}
    assert all(p.status == Package.Status.SHIPPED and p.label_format == "zpl" for p in packages.values())
    for name in ("documents", "push", "sync"):
        queue = django_rq.get_queue(name)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    printed = b"".join(zebra.documents(10))
    assert printed.count(b"^XA") >= 10
    for package in packages.values():
        assert package.tracking_number.encode() in printed
    by_channel = {
        "woocommerce": {u["tracking_number"] for u in emu.state.received("woocommerce", "tracking_upload")},
        "etsy": {u["tracking_code"] for u in emu.state.received("etsy", "tracking_upload")},
        "square": {u["tracking_number"] for u in emu.state.received("square", "fulfillment_update")},
    }
    for order in orders:
        assert packages[order.pk].tracking_number in by_channel[order.account.channel], order.account.channel
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status=OrderStatus.SHIPPED).count() == 10
    assert station.pk
