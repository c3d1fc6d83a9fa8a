"""Demo history for the metrics: 13 weeks of placed, dispatched, delivered and cancelled orders
on the four demo accounts, a few orders at risk right now, and the daily snapshots of it all.

The accounts are the ones devtools/demo/orders.py creates (one per channel; see ``demo_accounts``), so
the history and today's orders share their shops. The history is generated from a fixed seed; rates differ per
channel and TikTok's late dispatch rate improves week by week, so the trend has a shape. Orders
are bulk-inserted with ids in each channel's own format, numbered below the seeded world's
(TikTok 18 digits, WooCommerce order numbers, Etsy receipt ids, Square order ids), a buyer's
address and a timeline (``devtools/demo/timelines.py``). They are finished (delivered, in transit
or cancelled) except the at-risk ones, which are shipped (stock already out) and so need no
reservations. FBT orders sell the SKUs stocked at TikTok's FBT warehouse, so the FBT sales
velocity and TikTok's predicted stock-out agree. The units of the last 30 days are recorded as
sales in the stock ledger (received first, so shelves keep their counts), so a SKU's sales
velocity and the metrics' paid orders tell the same story.
Safe to run again: an account that already has demo history is left as it is.
"""

import datetime as dt
import random
import string
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from devtools.demo import timelines
from fulfilment.models import Package
from inventory import services as stock
from inventory.models import SKU, Location, StockLevel
from metrics.services import take_snapshots
from orders import deadlines
from orders.models import CancelInitiator, DeadlineSource, Fulfilment, LabelSource, Order, OrderLine, OrderStatus
from sellerhub.models import ChannelAccount

HISTORY_DAYS = 7 * 13 + 6
VELOCITY_DAYS = 30
# The first history id of each channel (the seeded world's orders and the emulator's come after).
FIRST_ID = {"tiktok": 576500000000000001, "woocommerce": 101, "etsy": 3000000001}
ADDRESSES = [("1823 Larkin St", "San Francisco", "CA", "94109"), ("77 Bedford Ave", "Brooklyn", "NY", "11211"),
             ("512 W 6th St", "Austin", "TX", "78701"), ("1400 E Pine St", "Seattle", "WA", "98122"),
             ("221 Newbury St", "Boston", "MA", "02116"), ("3100 N Clark St", "Chicago", "IL", "60657"),
             ("640 N Broadway", "Denver", "CO", "80203"), ("88 Peachtree St NE", "Atlanta", "GA", "30303")]
FBT_SKUS = ["TEE-BLK-M", "TEE-BLK-L", "HOOD-NVY-M", "TOTE-NAT"]

# name, channel, time zone (when this loader creates the account), orders a day,
#   (late dispatch from, to), late delivery, seller cancels, system cancels, buyer cancels, invalid tracking,
#   share FBT, share on the platform's label
ACCOUNTS = [
    ("TikTok Shop demo", "tiktok", "America/Los_Angeles", 14, (0.11, 0.03), 0.13, 0.018, 0.006, 0.03, 0.03,
     0.15, 0.35),
    ("WooCommerce demo", "woocommerce", "America/Los_Angeles", 5, (0.05, 0.05), 0.10, 0.010, 0.0, 0.04, 0.01,
     0.0, 0.0),
    ("Etsy demo", "etsy", "America/New_York", 3, (0.03, 0.02), 0.08, 0.015, 0.0, 0.02, 0.01, 0.0, 0.0),
    ("Square demo", "square", "America/Los_Angeles", 2, (0.04, 0.04), 0.09, 0.005, 0.0, 0.03, 0.02, 0.0, 0.0),
]
BUYERS = ["Avery Chen", "Jordan Diaz", "Sam Patel", "Riley Brooks", "Morgan Lee", "Casey Nguyen", "Quinn Rivera",
          "Jamie Fox", "Drew Kim", "Alex Morgan", "Taylor Reed", "Harper Scott"]
SKUS = ["TEE-BLK-M", "TEE-WHT-M", "HOOD-NVY-L", "MUG-01", "MUG-02", "TOTE-NAT", "CAP-BLK", "CNDL-CEDAR",
        "STK-TRAIL", "TEE-SND-M"]


def usps_number(serial):
    """A USPS IMpb number (22 digits) with its MOD 10 check digit."""
    payload = f"9400111{serial:014d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return payload + str((10 - total % 10) % 10)


def _calendar(account):
    return deadlines.ShopCalendar(handling_days=account.handling_days, transit_days=account.transit_days,
                                  time_zone=account.time_zone, country=account.holiday_country or "US",
                                  subdivision=account.holiday_subdivision or None, cutoff=account.cutoff_time)


def demo_accounts():
    """The demo account of each channel: the one named here, else the one devtools/demo/orders.py made
    for that channel (it runs first), else a new one with the name here."""
    accounts = []
    for name, channel, tz, *_rest in ACCOUNTS:
        account = (ChannelAccount.objects.filter(name=name, channel=channel).first()
                   or ChannelAccount.objects.filter(channel=channel).order_by("pk").first())
        if account is None:
            account = ChannelAccount.objects.create(name=name, channel=channel, time_zone=tz)
        accounts.append(account)
    return accounts


def order_id(channel: str, serial: int, rng) -> str:
    """A history order's id in its channel's format."""
    if channel == "square":
        return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(27))
    return str(FIRST_ID.get(channel, 1) + serial - 1)


def load(*, users, now=None):
    now = now or timezone.now()
    skus = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=SKUS + FBT_SKUS)}
    made = []
    for account, spec in zip(demo_accounts(), ACCOUNTS, strict=True):
        if Order.objects.filter(account=account, created_at__lt=now - dt.timedelta(days=VELOCITY_DAYS)).exists():
            continue  # its history is there (the seeded world's orders are all younger)
        made += _history(account, spec, now, skus, random.Random(f"sellerhub-metrics-{spec[1]}"))
    if made:
        timelines.history(made, warehouse_name=getattr(users.get("warehouse"), "username", "warehouse"))
        _ledger_sales(made, now, users.get("owner"))
    take_snapshots(now=now)


def _ledger_sales(orders, now, user):
    """The last 30 days' units of the own-warehouse history, as sales in the stock ledger: received
    (so the shelves keep their counts), reserved and consumed, one reference per SKU."""
    since = now - dt.timedelta(days=VELOCITY_DAYS)
    units = Counter()
    for order in orders:
        if order.fulfilment == Fulfilment.FBS and order.paid_at and order.paid_at >= since and \
                order.status != OrderStatus.CANCELLED:
            for line in order.history_lines:
                if line.sku_id:
                    units[line.sku_id] += line.quantity
    bins = dict(StockLevel.objects.filter(sku_id__in=list(units), location__kind=Location.Kind.BIN)
                .order_by("sku_id", "location_id").values_list("sku_id", "location"))
    locations = Location.objects.in_bulk(set(bins.values()))
    skus = SKU.objects.in_bulk(list(units))
    for sku_id, quantity in sorted(units.items()):
        location = locations.get(bins.get(sku_id))
        if location is None:
            continue
        sku = skus[sku_id]
        reference = f"demo-history-sales:{sku_id}"
        stock.receive(sku=sku, location=location, quantity=quantity, user=user, reference="PO-2026-0038",
                      note="demo: stock the last 30 days' orders were shipped from")
        stock.reserve(reference=reference, requests=[stock.StockRequest("1", sku_id, quantity)], user=user)
        stock.consume(reference=reference, user=user)


@transaction.atomic
def _history(account, spec, now, skus, rng):
    (_name, channel, _tz, per_day, (late_from, late_to), p_late_delivery, p_seller, p_system, p_buyer,
     p_invalid, p_fbt, p_platform) = spec
    calendar = _calendar(account)
    zone = calendar.zone
    today = now.astimezone(zone).date()
    orders, packages, lines = [], [], []
    serial = 0
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        progress = 1 - back / HISTORY_DAYS
        p_late = late_from + (late_to - late_from) * progress
        for _ in range(max(0, round(rng.gauss(per_day, per_day ** 0.5)))):
            serial += 1
            created = dt.datetime.combine(day, dt.time(rng.randint(6, 22), rng.randint(0, 59)), tzinfo=zone)
            order = Order(account=account, external_id=order_id(channel, serial, rng), created_at=created,
                          currency="USD", channel_status="", status=OrderStatus.DELIVERED, **_buyer(rng))
            price = Decimal(rng.choice(["12.00", "18.50", "24.00", "39.00", "54.00"]))
            order.subtotal = order.total = price
            fbt = rng.random() < p_fbt
            order.fulfilment = Fulfilment.FBT if fbt else Fulfilment.FBS
            order.label_source = LabelSource.PLATFORM if fbt or rng.random() < p_platform else LabelSource.SELLER
            roll = rng.random()
            if roll < 0.015:  # never paid: the channel cancels it
                order.status, order.cancel_initiator = OrderStatus.CANCELLED, CancelInitiator.SYSTEM
                order.cancelled_at, order.cancel_reason = created + dt.timedelta(days=1), "Not paid in time"
                orders.append(order)
                continue
            order.paid_at = created + dt.timedelta(minutes=rng.randint(1, 20))
            order.dispatch_due_at = deadlines.dispatch_due_at(paid_at=order.paid_at, calendar=calendar)
            order.delivery_due_at = deadlines.delivery_due_at(dispatch_due_at=order.dispatch_due_at,
                                                              calendar=calendar)
            order.deadline_source = DeadlineSource.CALENDAR
            roll = rng.random()
            cancel = None
            if roll < p_buyer:
                cancel = (CancelInitiator.BUYER, "Buyer changed their mind", dt.timedelta(hours=rng.randint(1, 20)))
            elif roll < p_buyer + p_seller:
                cancel = (CancelInitiator.SELLER, "Out of stock", dt.timedelta(hours=rng.randint(2, 40)))
            elif roll < p_buyer + p_seller + p_system:
                cancel = (CancelInitiator.SYSTEM, "Not shipped in time", dt.timedelta(days=9))
            if cancel:
                order.status, order.cancel_initiator, order.cancel_reason = OrderStatus.CANCELLED, cancel[0], cancel[1]
                order.cancelled_at = order.paid_at + cancel[2]
                orders.append(order)
                continue
            late = rng.random() < p_late
            due = order.dispatch_due_at
            if late:
                scan = due + dt.timedelta(hours=rng.randint(2, 40))
                upload = scan - dt.timedelta(hours=rng.randint(1, 30))
            else:
                scan = due - dt.timedelta(hours=rng.randint(1, 30))
                upload = scan - dt.timedelta(hours=rng.randint(1, 20))
            upload = max(upload, order.paid_at + dt.timedelta(minutes=30))
            scan = max(scan, upload + dt.timedelta(minutes=30))
            if not fbt and rng.random() < 0.01:  # the carrier missed the pickup scan: first scan days later
                if back <= 8:
                    scan = None  # still waiting: shows in the at-risk lists
                else:
                    scan = upload + dt.timedelta(days=rng.randint(6, 8))
            never_scanned = scan is None
            order.tracking_uploaded_at = upload
            if not never_scanned:
                order.dispatched_at = scan
                transit = dt.timedelta(hours=rng.randint(30, 110))
                if rng.random() < p_late_delivery:
                    transit += order.delivery_due_at - scan + dt.timedelta(hours=rng.randint(3, 60))
                order.delivered_at = scan + transit
            if order.dispatched_at is None:
                order.status = OrderStatus.SHIPPED
            elif order.delivered_at > now:
                order.status, order.delivered_at = OrderStatus.IN_TRANSIT, None
            if order.dispatched_at and order.dispatched_at > now:
                order.status, order.dispatched_at, order.delivered_at = OrderStatus.SHIPPED, None, None
            if order.tracking_uploaded_at > now:
                continue  # not shipped yet: the orders queue has today's work
            orders.append(order)
            if not fbt:
                serial_number = usps_number(int(f"{ACCOUNTS.index(spec) + 1}{serial:07d}"))
                invalid = rng.random() < p_invalid
                packages.append((order, Package(
                    external_id=f"{order.external_id}-P1", carrier="usps", carrier_name="USPS",
                    tracking_number=serial_number[:-1] + str((int(serial_number[-1]) + 3) % 10) if invalid
                    else serial_number, tracking_format_valid=not invalid,
                    status=Package.Status.DELIVERED if order.delivered_at else
                    Package.Status.IN_TRANSIT if order.dispatched_at else Package.Status.SHIPPED,
                    tracking_uploaded_at=upload, first_scan_at=order.dispatched_at, delivered_at=order.delivered_at)))
                order.tracking_number, order.shipping_provider = packages[-1][1].tracking_number, "USPS"
    at_risk = _at_risk(account, calendar, now, rng, serial + 1) if channel in ("tiktok", "woocommerce") else []
    orders.extend(at_risk)
    Order.objects.bulk_create(orders, batch_size=500)
    for order in orders:
        pool = FBT_SKUS if order.fulfilment == Fulfilment.FBT else SKUS
        sku_code = pool[order.pk % len(pool)]
        order.history_lines = [OrderLine(order=order, external_id=f"{order.external_id}-1", channel_sku=sku_code,
                                         sku=skus.get(sku_code), name=sku_code, quantity=1,
                                         unit_price=order.subtotal)]
        lines += order.history_lines
    OrderLine.objects.bulk_create(lines, batch_size=1000)
    for order, package in packages:
        package.order = order
    Package.objects.bulk_create([p for _o, p in packages] + _at_risk_packages(at_risk), batch_size=1000)
    for order in orders:
        order.account = account
    return orders


def _buyer(rng) -> dict:
    name = rng.choice(BUYERS)
    street, city, state, postal = rng.choice(ADDRESSES)
    return {"buyer_name": name, "ship_name": name, "ship_street1": street, "ship_city": city, "ship_state": state,
            "ship_postal_code": postal, "ship_country": "US"}


def _at_risk(account, calendar, now, rng, first_serial):
    """Orders that threaten the figures right now: shipped but never scanned by the carrier (some
    past their dispatch deadline), one due within hours, and parcels past their deliver-by date."""
    out = []
    cases = [  # (hours since paid, hours since tracking upload or None, scanned hours after upload, deliver late)
        (100, 90, None, False), (80, 76, None, False), (60, 50, None, False), (30, 3, None, False),
        (200, 190, 20, True), (180, 175, 30, True),
    ]
    for index, (paid_ago, upload_ago, scan_after, _late) in enumerate(cases, start=1):
        paid = now - dt.timedelta(hours=paid_ago)
        serial = first_serial + index - 1
        order = Order(account=account, external_id=order_id(account.channel, serial, rng),
                      created_at=paid - dt.timedelta(minutes=5), paid_at=paid, **_buyer(rng), currency="USD",
                      subtotal=Decimal("24.00"), total=Decimal("24.00"),
                      fulfilment=Fulfilment.FBS, label_source=LabelSource.SELLER, status=OrderStatus.SHIPPED)
        order.dispatch_due_at = deadlines.dispatch_due_at(paid_at=paid, calendar=calendar)
        order.delivery_due_at = deadlines.delivery_due_at(dispatch_due_at=order.dispatch_due_at, calendar=calendar)
        order.deadline_source = DeadlineSource.CALENDAR
        if upload_ago is not None:
            order.tracking_uploaded_at = now - dt.timedelta(hours=upload_ago)
        if scan_after is not None:
            order.dispatched_at = order.tracking_uploaded_at + dt.timedelta(hours=scan_after)
            order.status = OrderStatus.IN_TRANSIT
            order.delivery_due_at = min(order.delivery_due_at, now - dt.timedelta(hours=10))
        out.append(order)
    return out


def _at_risk_packages(orders):
    packages = []
    for order in orders:
        if order.tracking_uploaded_at is None:
            continue
        number = usps_number(9_000_000 + order.pk)
        packages.append(Package(order=order, external_id=f"{order.external_id}-P1", carrier="usps",
                                carrier_name="USPS", tracking_number=number, tracking_format_valid=True,
                                status=Package.Status.IN_TRANSIT if order.dispatched_at else Package.Status.SHIPPED,
                                tracking_uploaded_at=order.tracking_uploaded_at, first_scan_at=order.dispatched_at))
    return packages
