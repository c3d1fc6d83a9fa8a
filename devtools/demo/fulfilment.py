"""Demo fulfilment (runs after the inventory and orders demos): box presets, each TikTok account's
carriers mapped to TikTok's shipping provider ids (the emulator's, which are TikTok US's), and a
few packages at each stage, made through the real services: a pick list being picked (with
totes), an order packed at the station, a package with SellerHub's own label, one with a
tracking number bought elsewhere, and manual orders shipped, in transit and delivered with
their carrier scans on the timeline.

Labels bought through EasyPost come from the loopback emulator that ``make run`` starts (with
``DEBUG`` on and no ``EASYPOST_API_KEY``, see integrations/labels): open a package without a label
and press "Get rates". Loading again does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from fulfilment import services
from fulfilment.models import BoxPreset, CarrierMapping, Package, PickList
from fulfilment.printers import services as printer_services
from fulfilment.printers.models import Printer
from integrations.labels import Scan, TrackerUpdate
from inventory.models import SKU
from orders import services as order_services
from orders.models import Fulfilment, Order, OrderStatus
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger("sellerhub.fulfilment")

BOXES = [("Mailer bag", 320, 240, 30, 25, "BOX-MAILER"), ("Small box", 230, 160, 100, 150, "BOX-S"),
         ("Medium box", 300, 250, 150, 260, "BOX-M"), ("Large box", 400, 300, 200, 420, "BOX-L")]
# TikTok US shipping provider ids (as the emulator serves them from /logistics/202309/...).
TIKTOK_PROVIDERS = [("usps", "7117858858072016686", "USPS"), ("ups", "7117859084333745966", "UPS"),
                    ("fedex", "7129736293356094251", "FedEx"),
                    ("dhl_ecommerce", "7212608507307099946", "DHL eCommerce"),
                    ("ontrac", "7254084300678530858", "OnTrac")]
SHIPPED = [  # (sku, quantity), carrier, tracking number, shipped hours ago, scans [(status, message, place, hours ago)]
    ([("MUG-01", 1)], "ups", "1Z879E930346834440", 30, []),
    ([("TOTE-NAT", 1), ("STK-TRAIL", 2)], "usps", "9205590164917312751089", 52,
     [("pre_transit", "Shipping label created", "Oakland, CA 94607", 52),
      ("in_transit", "Accepted at USPS origin facility", "Oakland, CA 94607", 40),
      ("in_transit", "Arrived at USPS regional facility", "Sacramento, CA 95813", 22)]),
    ([("CNDL-CEDAR", 1)], "fedex", "477179081230", 80,
     [("in_transit", "Picked up", "Oakland, CA 94607", 70), ("out_for_delivery", "On FedEx vehicle for delivery",
                                                             "Portland, OR 97201", 12),
      ("delivered", "Delivered, left at front door", "Portland, OR 97201", 8)]),
]
BUYERS = [("Harper Quinn", "58 Dolores St", "San Francisco", "CA", "94103"),
          ("Owen Park", "410 SW Oak St", "Portland", "OR", "97204"),
          ("Ivy Chen", "2200 Westlake Ave", "Seattle", "WA", "98121")]


def _boxes():
    for position, (name, length, width, height, tare, barcode) in enumerate(BOXES):
        BoxPreset.objects.get_or_create(name=name, defaults={
            "length_mm": length, "width_mm": width, "height_mm": height, "tare_grams": tare, "barcode": barcode,
            "position": position})


def _printers():
    """A "Browser" label printer (today's print dialog) and a packing station using it: Enter at the
    station ships with the label opened in a new tab. A Zebra on 127.0.0.1:9100 would only fail."""
    if not Printer.objects.exists():
        browser = printer_services.save_printer(name="Browser", kind="browser")
        printer_services.save_station(name="Bench 1", label_printer=browser, document_printer=browser)


def _carriers():
    for account in ChannelAccount.objects.filter(channel=Channel.TIKTOK):
        for code, provider_id, name in TIKTOK_PROVIDERS:
            CarrierMapping.objects.get_or_create(account=account, carrier=code,
                                                 defaults={"provider_id": provider_id, "provider_name": name})


def _ready(limit):
    """Confirmed FBS orders with a complete address, soonest deadline first."""
    orders = (Order.objects.filter(fulfilment=Fulfilment.FBS, status=OrderStatus.CONFIRMED)
              .exclude(ship_street1="").exclude(account__channel=Channel.TIKTOK).select_related("account")
              .order_by("dispatch_due_at", "pk"))
    return [o for o in orders if not order_services.address_problems(o)][:limit]


def _pack_at_station(order, user):
    session = services.start_packing(order=order, user=user)
    for line in order.lines.filter(cancelled=False).select_related("sku"):
        for _ in range(line.quantity):
            services.scan_item(session=session, code=line.sku.barcode or line.sku.seller_sku, user=user)
    box = BoxPreset.objects.filter(name="Small box").first()
    return services.finish_packing(session=session, weight_grams=640, box=box, user=user)


def _shipped(user, now):
    known = set(SKU.objects.values_list("seller_sku", flat=True))
    for index, (lines, carrier, number, hours, scans) in enumerate(SHIPPED):
        lines = [(sku, q) for sku, q in lines if sku in known]
        if not lines:
            continue
        name, street, city, state, postal = BUYERS[index % len(BUYERS)]
        result = order_services.create_manual_order(
            lines=[{"sku": sku, "quantity": q} for sku, q in lines], external_id=f"M-DEMO-{index + 1}",
            buyer={"name": name, "email": f"{name.split()[0].lower()}@example.com"},
            address={"name": name, "street1": street, "city": city, "state": state, "postal_code": postal,
                     "country": "US"}, paid_at=now - dt.timedelta(hours=hours + 5), note="Phone order", user=user)
        order = result.order
        if order.status != OrderStatus.AWAITING_CONFIRMATION or not order_services.confirm_order(
                order=order, user=user).confirmed:
            continue
        package = services.create_package(order=order, user=user)
        services.set_tracking_number(package=package, tracking_number=number, carrier=carrier, user=user)
        services.ship_package(package=package, user=user, at=now - dt.timedelta(hours=hours))
        if scans:
            found = tuple(Scan(status=s, message=m, location=place, occurred_at=now - dt.timedelta(hours=h))
                          for s, m, place, h in scans)
            update = TrackerUpdate(tracker_id="", tracking_code=number, carrier=carrier.upper(), status=scans[-1][0],
                                   scans=found)
            services.record_tracker_update(package=package, update=update, source="demo")


def load(*, users):
    warehouse = users.get("warehouse")
    _boxes()
    _carriers()
    _printers()
    if PickList.objects.exists() or Package.objects.exclude(label_source="").exists():
        return  # loaded before
    now = timezone.now().replace(second=0, microsecond=0)
    ready = _ready(8)
    try:
        if len(ready) >= 3:
            pick_list = services.create_pick_list(order_ids=[o.pk for o in ready[:3]], user=warehouse,
                                                  note="Morning wave").pick_list
            for number, order in enumerate(ready[:3], start=1):
                services.set_tote(pick_list=pick_list, order=order, tote=f"T-{number:02d}", user=warehouse)
            _pack_at_station(Order.objects.get(pk=ready[0].pk), warehouse)
        if len(ready) >= 4:
            own = services.create_package(order=ready[3], user=warehouse)
            services.make_own_label(package=own, courier="Metro Couriers", service="Same day", user=warehouse)
        if len(ready) >= 5:
            typed = services.create_package(order=ready[4], user=warehouse)
            services.set_tracking_number(package=typed, tracking_number="9361289878700317633795", carrier="usps",
                                         user=warehouse)
        _shipped(warehouse, now)
    except services.FulfilmentError as exc:  # demo data that does not fit: say so, don't break the demo
        log.warning("fulfilment demo stopped early: %s", exc)
