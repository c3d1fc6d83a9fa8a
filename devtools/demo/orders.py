"""Demo orders: a TikTok Shop, a WooCommerce, an Etsy and a Square account (the channel demo
connects them to the emulators) and ~55 orders across statuses and channels, with deadlines
relative to now (some overdue, some due today), FBT orders, a few that need attention (an
unmatched SKU, short stock, an address problem, holds) and returns.

The orders are the seeded world's (``devtools/emulators/world.py``): the emulator that ``make
run`` starts holds the very same orders, ids, line ids and packages, so shipping any of them,
buying TikTok's label or uploading tracking works end to end. Each payload goes through the
same mapping and upsert as a sync; the warehouse steps use orders.services, so stock is reserved
and consumed through the ledger and every step is on the order's timeline. Loading again does nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from channels import services as channel_services
from devtools.demo import timelines, world
from devtools.demo.emulated import catalogue_listings
from devtools.emulators import Catalogue
from inventory.models import SKU, Location
from orders import services
from orders.mapping import map_order
from orders.models import Order, OrderStatus, SellerCancellation
from orders.services import seller_cancellation
from sellerhub.models import Channel, ChannelAccount

S = OrderStatus

ACCOUNTS = [
    # name, channel, shop id, handling days, cut-off, transit days
    ("Northbound TikTok Shop", Channel.TIKTOK, "7495000000000000001", 2, dt.time(23, 59), 4),
    ("northbound-goods.com", Channel.WOOCOMMERCE, "northbound-goods.com", 1, dt.time(14, 0), 5),
    ("NorthboundGoods on Etsy", Channel.ETSY, "50000001", 3, dt.time(15, 0), 5),
    ("Harbor Way market stall", Channel.SQUARE, "LEMU0000MAIN1", 2, dt.time(16, 0), 4),
]
BUYERS = [
    ("Maya Patel", "maya.patel@example.com", "1823 Larkin St", "San Francisco", "CA", "94109"),
    ("Ethan Brooks", "ethan.brooks@example.com", "77 Bedford Ave", "Brooklyn", "NY", "11211"),
    ("Lena Fischer", "lena.f@example.com", "512 W 6th St", "Austin", "TX", "78701"),
    ("Noah Kim", "noah.kim@example.com", "1400 E Pine St", "Seattle", "WA", "98122"),
    ("Grace O'Neil", "grace.oneil@example.com", "221 Newbury St", "Boston", "MA", "02116"),
    ("Diego Alvarez", "diego.a@example.com", "3100 N Clark St", "Chicago", "IL", "60657"),
]


class Demo:
    def __init__(self, users):
        self.owner = users.get("owner")
        self.warehouse = users.get("warehouse")
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.skus = set(SKU.objects.filter(active=True).values_list("seller_sku", flat=True))

    def ago(self, **kwargs):
        return self.now - dt.timedelta(**kwargs)

    def walk(self, order, to, *, shipped_ago=None, scanned_ago=None, delivered_ago=None):
        """Move a confirmed order along as the warehouse and the carrier would."""
        if order is None or order.status != S.CONFIRMED:
            return order
        steps = [S.PICKING, S.PACKED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED]
        for step in steps[: steps.index(to) + 1]:
            if step == S.PICKING:
                services.send_to_picking(order=order, user=self.warehouse)
            elif step == S.PACKED:
                services.mark_packed(order=order, user=self.warehouse)
            elif step == S.SHIPPED:
                services.mark_shipped(order=order, user=self.warehouse, at=self.ago(**(shipped_ago or {"hours": 2})))
            elif step == S.IN_TRANSIT:
                services.mark_in_transit(order=order, at=self.ago(**(scanned_ago or {"hours": 1})))
            elif step == S.DELIVERED:
                services.mark_delivered(order=order, at=self.ago(**(delivered_ago or {"minutes": 30})))
        return order


def _accounts():
    accounts = {}
    for name, channel, shop_id, handling, cutoff, transit in ACCOUNTS:
        account, _ = ChannelAccount.objects.get_or_create(
            channel=channel, name=name,
            defaults={"shop_id": shop_id, "handling_days": handling, "cutoff_time": cutoff, "transit_days": transit,
                      "time_zone": "America/Los_Angeles", "holiday_country": "US", "api_base_url": ""})
        accounts[channel] = account
    return accounts


def load(*, users):
    accounts = _accounts()
    if Order.objects.filter(account__in=accounts.values()).exists():
        return  # loaded before
    # The channels' listings first, as a connected shop has them: a Square line names only its
    # catalogue variation, matched to our SKU through its listing.
    catalogue = Catalogue.from_file(world.SEED_FILE)
    for channel, account in accounts.items():
        channel_services.import_listings(account=account, listings=catalogue_listings(channel, catalogue))
    anchor = world.anchor_now()
    demo = Demo(users)
    demo.now = dt.datetime.fromtimestamp(anchor, tz=dt.UTC)
    made = {}
    for seeded in world.seeded(anchor):
        order = services.upsert_order(account=accounts[seeded.channel], incoming=map_order(seeded.channel,
                                                                                           seeded.payload),
                                      source="demo").order
        made[seeded.story.name] = order
        story = seeded.story
        if story.walk:
            hours = lambda h: {"hours": h} if h is not None else None  # noqa: E731
            demo.walk(order, story.walk, shipped_ago=hours(story.shipped_h), scanned_ago=hours(story.scanned_h),
                      delivered_ago=hours(story.delivered_h))
    _afterwards(demo, made)
    timelines.retime([o for o in made.values() if o is not None], now=timezone.now())
    _manual(demo)


def _afterwards(demo, made):
    """What people did after: a hold, a cancellation, two returns."""
    held = made.get("etsy-held")
    if held is not None and held.status == S.CONFIRMED:
        services.hold_order(order=held, reason="Buyer asked to change the size; waiting for their reply",
                            user=demo.owner)
    cancel = made.get("woo-cancelled")
    if cancel is not None:
        services.cancel_order(order=cancel, reason="Buyer asked to cancel by email", user=demo.owner)
        for row in SellerCancellation.objects.filter(order=cancel, state=SellerCancellation.State.QUEUED):
            # The world has the order cancelled on WooCommerce already: record that, send nothing.
            seller_cancellation.record_result(cancellation_id=row.pk, channel_status="cancelled", already=True)
    main = Location.objects.filter(code="MAIN").first()
    completed = made.get("tt-completed-return")
    if completed is not None and completed.status == S.COMPLETED:
        services.request_return(order=completed, reason="Too small", refund_amount=completed.total, user=demo.owner)
    returned = made.get("etsy-returned")
    if returned is not None and returned.status == S.DELIVERED and main is not None:
        ret = services.request_return(order=returned, reason="Arrived with a cracked lid", refund_amount=Decimal("0"),
                                      user=demo.owner)
        services.receive_return(ret=ret, user=demo.warehouse, note="Box dented")
        services.inspect_return(ret=ret, user=demo.warehouse, note="Candle intact, lid replaced")
        services.restock_return(ret=ret, location=main, user=demo.warehouse)


def _manual(demo):
    """Manual orders (phone and email), on the Manual account: awaiting a person's confirmation."""
    for lines, address in (([{"sku": "TEE-BLK-M", "quantity": 2, "unit_price": "24.00"}], True),
                           ([{"sku": "MUG-01", "quantity": 1, "unit_price": "18.00"}], False)):
        lines = [ln for ln in lines if ln["sku"] in demo.skus]
        if not lines:
            continue
        name, email, street, town, state, postal = BUYERS[len(lines) % len(BUYERS)]
        result = services.create_manual_order(
            lines=lines, buyer={"name": name, "email": email}, user=demo.owner,
            address={"name": name, "street1": street, "city": town, "state": state, "postal_code": postal,
                     "country": "US"} if address else {}, note="Phone order")
        if address:
            services.confirm_order(order=result.order, user=demo.owner)
