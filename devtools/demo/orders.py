"""Demo orders: a TikTok Shop, a WooCommerce, an Etsy and a Square account (no API URL yet: the
channel-sync issue connects them to the emulators) and ~60 orders across statuses and channels,
with deadlines relative to now (some overdue, some due today), FBT orders, a few that need
attention (an unmatched SKU, short stock, an address problem, holds) and returns.

Everything goes through the real paths: TikTok orders are 202309 payloads mapped and upserted
like the sync does; the other channels' orders are ChannelOrders upserted the same way (their
deadlines computed from the account calendar); the warehouse steps use orders.services, so stock
is reserved and consumed through the ledger. SKUs come from the inventory demo by seller SKU; a
line whose SKU doesn't exist is left out. Loading again does nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from inventory.models import SKU, Location
from orders import services
from orders.mapping import ChannelLine, ChannelOrder, map_order
from orders.models import Order, OrderStatus
from orders.samples import tiktok_payload
from sellerhub.models import Channel, ChannelAccount

S = OrderStatus

ACCOUNTS = [
    # name, channel, shop id, handling days, cut-off, transit days
    ("Northbound TikTok Shop", Channel.TIKTOK, "7495000000000000001", 2, dt.time(23, 59), 4),
    ("northbound-goods.com", Channel.WOOCOMMERCE, "northbound-goods.com", 1, dt.time(14, 0), 5),
    ("NorthboundGoods on Etsy", Channel.ETSY, "38150021", 3, dt.time(15, 0), 5),
    ("Harbor Way market stall", Channel.SQUARE, "L8Q2H9X1ZZ1", 2, dt.time(16, 0), 4),
]
BUYERS = [
    ("Maya Patel", "maya.patel@example.com", "1823 Larkin St", "San Francisco", "CA", "94109"),
    ("Ethan Brooks", "ethan.brooks@example.com", "77 Bedford Ave", "Brooklyn", "NY", "11211"),
    ("Lena Fischer", "lena.f@example.com", "512 W 6th St", "Austin", "TX", "78701"),
    ("Noah Kim", "noah.kim@example.com", "1400 E Pine St", "Seattle", "WA", "98122"),
    ("Grace O'Neil", "grace.oneil@example.com", "221 Newbury St", "Boston", "MA", "02116"),
    ("Diego Alvarez", "diego.a@example.com", "3100 N Clark St", "Chicago", "IL", "60657"),
]
PRICES = {"TEE": "24.00", "HOOD": "58.00", "MUG": "18.00", "TOTE": "22.00", "CAP": "26.00", "CNDL": "28.00",
          "STK": "6.00"}
TRACKING = {  # valid test numbers from tracking_number_data, one per carrier
    "USPS": ["9400111206206406260787", "9205590164917312751089", "9361289878700317633795"],
    "UPS": ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591"],
    "FedEx": ["986578788855", "477179081230"],
}


def _price(seller_sku):
    return PRICES.get(seller_sku.split("-")[0], "20.00")


class Demo:
    def __init__(self, users):
        self.owner = users.get("owner")
        self.warehouse = users.get("warehouse")
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.skus = set(SKU.objects.filter(active=True).values_list("seller_sku", flat=True))
        self.tracking = {carrier: iter(numbers * 5) for carrier, numbers in TRACKING.items()}
        self.seq = 0

    def ago(self, **kwargs):
        return self.now - dt.timedelta(**kwargs)

    def later(self, **kwargs):
        return self.now + dt.timedelta(**kwargs)

    def lines(self, wanted):
        """Keep the lines whose SKU exists (the unmatched demo SKU is kept on purpose)."""
        kept = [(s, q) for s, q in wanted if s in self.skus or s.startswith("TT-")]
        return kept or [(s, q) for s, q in (("TEE-BLK-M", 1),) if s in self.skus]

    # --- TikTok: payloads through the same mapping the sync uses ---------------------------------
    def tiktok(self, account, status, wanted, *, paid_ago=None, due=None, fbt=False, platform=False, hold=False,
               sample=False, carrier=None, invalid_tracking=False, shipped_ago=None, collected_ago=None,
               delivered_ago=None, cancelled_ago=None, initiator="BUYER", reason="", unpaid_age=None):
        self.seq += 1
        lines = self.lines(wanted)
        if not lines:
            return None
        paid = None if status == "UNPAID" else self.ago(**(paid_ago or {"hours": 5}))
        created = (paid or self.ago(**(unpaid_age or {"minutes": 40}))) - dt.timedelta(minutes=2)
        rts_sla = delivery_sla = None
        if paid:
            calendar = services.shop_calendar(account)
            rts_sla = due if due is not None else services.computed_deadlines(account=account, paid_at=paid)[0]
            delivery_sla = rts_sla + dt.timedelta(days=calendar.transit_days + 2)
        package = None
        if carrier:
            number = "9400111206206406260780" if invalid_tracking else next(self.tracking[carrier])
            package = (carrier, number)
        payload = tiktok_payload(
            order_id=f"5764614130{38800000 + self.seq}", status=status,
            lines=[(s, q, _price(s)) for s, q in lines], created=created, paid=paid, rts_sla=rts_sla,
            delivery_sla=delivery_sla, fbt=fbt, platform_label=platform, hold=hold, sample=sample,
            address=self.seq, package=package,
            rts=self.ago(**shipped_ago) if shipped_ago else None,
            collected=self.ago(**collected_ago) if collected_ago else None,
            delivered=self.ago(**delivered_ago) if delivered_ago else None,
            cancelled=self.ago(**cancelled_ago) if cancelled_ago else None,
            cancel_initiator=initiator, cancel_reason=reason)
        return services.upsert_order(account=account, incoming=map_order("tiktok", payload), source="demo").order

    # --- other channels: normalized orders; deadlines from the account calendar ------------------
    def channel_order(self, account, wanted, *, paid_ago, address=True, prefix="", city=True):
        self.seq += 1
        lines = self.lines(wanted)
        if not lines:
            return None
        name, email, street, town, state, postal = BUYERS[self.seq % len(BUYERS)]
        paid = self.ago(**paid_ago)
        channel_lines = tuple(ChannelLine(external_id=str(i + 1), channel_sku=s, name=s, quantity=q,
                                          unit_price=Decimal(_price(s))) for i, (s, q) in enumerate(lines))
        subtotal = sum((ln.unit_price * ln.quantity for ln in channel_lines), Decimal("0"))
        shipping = Decimal("0") if subtotal >= 50 else Decimal("4.95")
        incoming = ChannelOrder(
            external_id=f"{prefix}{1000 + self.seq}", status=S.AWAITING_CONFIRMATION, channel_status="processing",
            created_at=paid - dt.timedelta(minutes=1), updated_at=paid, paid_at=paid,
            buyer_name=name, buyer_email=email, ship_name=name if address else "",
            ship_street1=street if address else "", ship_city=town if (address and city) else "",
            ship_state=state if address else "", ship_postal_code=postal if address else "",
            ship_country="US" if address else "", currency="USD", subtotal=subtotal, shipping_total=shipping,
            total=subtotal + shipping, lines=channel_lines, raw={"demo": True, "number": self.seq},
        )
        return services.upsert_order(account=account, incoming=incoming, source="demo").order

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
    demo = Demo(users)
    tt, woo, etsy, square = (accounts[c] for c in (Channel.TIKTOK, Channel.WOOCOMMERCE, Channel.ETSY, Channel.SQUARE))
    today_end = timezone.localtime(demo.now).replace(hour=23, minute=30)

    # TikTok Shop: open orders first (auto-confirmed on arrival; deadlines from TikTok).
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("TEE-BLK-M", 1), ("MUG-01", 1)], paid_ago={"days": 3},
                due=demo.ago(hours=3))  # overdue
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("HOOD-NVY-M", 1)], paid_ago={"days": 2, "hours": 4},
                due=demo.ago(minutes=50))  # overdue
    for i, wanted in enumerate([[("TEE-WHT-M", 2)], [("CNDL-CEDAR", 1), ("STK-TRAIL", 3)], [("TOTE-NAT", 1)]]):
        demo.tiktok(tt, "AWAITING_SHIPMENT", wanted, paid_ago={"days": 1, "hours": i},
                    due=max(demo.later(hours=2 + i), min(today_end, demo.later(hours=6 + i))))  # due today
    for i, wanted in enumerate([[("TEE-BLK-L", 1)], [("MUG-03", 2)], [("CAP-BLK", 1)], [("TEE-SND-S", 1)]]):
        demo.tiktok(tt, "AWAITING_SHIPMENT", wanted, paid_ago={"hours": 3 + i}, sample=(i == 3))
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("TEE-BLK-S", 1)], paid_ago={"hours": 2}, platform=True)
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("TT-BUNDLE-TEE2", 1)], paid_ago={"hours": 6})  # unmatched SKU
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("CAP-GRN", 2)], paid_ago={"hours": 9})  # short stock (none on hand)
    demo.tiktok(tt, "ON_HOLD", [("TOTE-BLK", 1)], paid_ago={"minutes": 20}, hold=True)
    demo.tiktok(tt, "ON_HOLD", [("STK-OCEAN", 2)], paid_ago={"minutes": 45}, hold=True)
    demo.tiktok(tt, "UNPAID", [("HOOD-OLV-L", 1)], unpaid_age={"minutes": 15})
    demo.tiktok(tt, "UNPAID", [("MUG-02", 1)], unpaid_age={"hours": 2})
    # FBT: TikTok ships these from its own warehouse.
    demo.tiktok(tt, "AWAITING_SHIPMENT", [("TEE-BLK-M", 1)], paid_ago={"hours": 4}, fbt=True)
    demo.tiktok(tt, "IN_TRANSIT", [("TOTE-NAT", 2)], paid_ago={"days": 3}, fbt=True, carrier="UPS",
                shipped_ago={"days": 2}, collected_ago={"days": 2})
    demo.tiktok(tt, "DELIVERED", [("HOOD-NVY-M", 1)], paid_ago={"days": 6}, fbt=True, carrier="UPS",
                shipped_ago={"days": 5}, collected_ago={"days": 5}, delivered_ago={"days": 2})
    # Shipped and later (seen for the first time already shipped: no stock moves).
    demo.tiktok(tt, "AWAITING_COLLECTION", [("TEE-WHT-L", 1)], paid_ago={"days": 1}, carrier="USPS",
                shipped_ago={"hours": 20})
    demo.tiktok(tt, "AWAITING_COLLECTION", [("MUG-04", 1)], paid_ago={"days": 2}, carrier="USPS",
                shipped_ago={"days": 1}, invalid_tracking=True)  # a bad check digit: counts against VTR
    demo.tiktok(tt, "AWAITING_COLLECTION", [("CNDL-FIG", 1)], paid_ago={"days": 1, "hours": 3}, carrier="USPS",
                shipped_ago={"hours": 6}, platform=True)
    for i in range(3):
        demo.tiktok(tt, "IN_TRANSIT", [("TEE-BLK-M", 1 + i % 2)], paid_ago={"days": 3 + i}, carrier="UPS",
                    shipped_ago={"days": 2 + i}, collected_ago={"days": 2 + i, "hours": -3})
    for i in range(3):
        demo.tiktok(tt, "DELIVERED", [("MUG-01", 1), ("STK-TRAIL", 2)], paid_ago={"days": 8 + i}, carrier="USPS",
                    shipped_ago={"days": 7 + i}, collected_ago={"days": 7 + i, "hours": -4},
                    delivered_ago={"days": 3 + i})
    completed = demo.tiktok(tt, "COMPLETED", [("HOOD-OLV-M", 1)], paid_ago={"days": 15}, carrier="FedEx",
                            shipped_ago={"days": 14}, collected_ago={"days": 14, "hours": -2},
                            delivered_ago={"days": 10})
    demo.tiktok(tt, "COMPLETED", [("TEE-SND-L", 1)], paid_ago={"days": 16}, carrier="FedEx",
                shipped_ago={"days": 15}, collected_ago={"days": 15, "hours": -2}, delivered_ago={"days": 12})
    demo.tiktok(tt, "CANCELLED", [("TEE-BLK-M", 1)], paid_ago={"days": 1}, cancelled_ago={"hours": 20},
                initiator="BUYER", reason="No longer needed")
    demo.tiktok(tt, "CANCELLED", [("HOOD-NVY-XL", 1)], paid_ago={"days": 9}, cancelled_ago={"days": 2},
                initiator="SYSTEM", reason="Seller did not ship in time")

    # WooCommerce: deadlines from the account calendar (1 business day, 14:00 cut-off).
    woo_orders = [demo.channel_order(woo, w, paid_ago=a, prefix="WC-") for w, a in [
        ([("TEE-BLK-M", 1)], {"hours": 1}), ([("MUG-01", 2), ("MUG-03", 2)], {"hours": 5}),
        ([("TOTE-BLK", 1)], {"days": 1}), ([("CNDL-SEA", 2)], {"days": 1, "hours": 5}),
        ([("TEE-WHT-S", 1), ("CAP-KHK", 1)], {"days": 2}), ([("HOOD-NVY-L", 1)], {"days": 3}),
    ]]
    demo.channel_order(woo, [("TEE-BLK-L", 1)], paid_ago={"hours": 7}, prefix="WC-", city=False)  # address problem
    for order in woo_orders[3:5]:
        demo.walk(order, S.PICKING)
    shipped = [demo.channel_order(woo, w, paid_ago=a, prefix="WC-") for w, a in [
        ([("STK-TRAIL", 5)], {"days": 4}), ([("TEE-WHT-M", 1)], {"days": 5}),
        ([("MUG-01", 1)], {"days": 9}), ([("CNDL-CEDAR", 1)], {"days": 10})]]
    demo.walk(shipped[0], S.SHIPPED, shipped_ago={"days": 3})
    demo.walk(shipped[1], S.IN_TRANSIT, shipped_ago={"days": 4}, scanned_ago={"days": 3, "hours": 20})
    for order, ago in zip(shipped[2:], (8, 9), strict=True):
        demo.walk(order, S.DELIVERED, shipped_ago={"days": ago}, scanned_ago={"days": ago, "hours": -3},
                  delivered_ago={"days": ago - 4})
    cancel = demo.channel_order(woo, [("TOTE-STR", 1)], paid_ago={"days": 2}, prefix="WC-")
    if cancel is not None:
        services.cancel_order(order=cancel, reason="Buyer asked to cancel by email", user=demo.owner)

    # Etsy: 3 handling days.
    etsy_orders = [demo.channel_order(etsy, w, paid_ago=a, prefix="") for w, a in [
        ([("MUG-02", 1)], {"hours": 3}), ([("CNDL-FIG", 1), ("CNDL-CEDAR", 1)], {"days": 1}),
        ([("TOTE-NAT", 2)], {"days": 2}), ([("MUG-04", 1)], {"days": 4}),
    ]]
    held = demo.channel_order(etsy, [("HOOD-OLV-XL", 1)], paid_ago={"hours": 10})
    if held is not None and held.status == S.CONFIRMED:
        services.hold_order(order=held, reason="Buyer asked to change the size; waiting for their reply",
                            user=demo.owner)
    demo.walk(etsy_orders[3], S.PACKED)
    etsy_done = [demo.channel_order(etsy, w, paid_ago=a) for w, a in [
        ([("MUG-03", 1)], {"days": 6}), ([("CNDL-SEA", 1)], {"days": 12})]]
    demo.walk(etsy_done[0], S.SHIPPED, shipped_ago={"days": 4})
    returned = demo.walk(etsy_done[1], S.DELIVERED, shipped_ago={"days": 10}, scanned_ago={"days": 10, "hours": -2},
                         delivered_ago={"days": 6})

    # Square: the market stall's shipped orders, 2 handling days.
    square_orders = [demo.channel_order(square, w, paid_ago=a, prefix="SQ-") for w, a in [
        ([("TEE-SND-M", 2)], {"hours": 4}), ([("CAP-BLK", 1), ("STK-OCEAN", 2)], {"days": 1}),
        ([("HOOD-NVY-XL", 3)], {"hours": 8}),  # short: only 2 on hand
        ([("TOTE-NAT", 1)], {"days": 7}), ([("MUG-01", 1)], {"days": 8}),
    ]]
    for order in square_orders[3:]:
        demo.walk(order, S.DELIVERED, shipped_ago={"days": 6}, scanned_ago={"days": 6, "hours": -2},
                  delivered_ago={"days": 3})

    # Manual orders (phone and email), on the Manual account: awaiting a person's confirmation.
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

    # Returns: one waiting to be received, one restocked through the ledger.
    main = Location.objects.filter(code="MAIN").first()
    if completed is not None and completed.status == S.COMPLETED:
        services.request_return(order=completed, reason="Too small", refund_amount=completed.total, user=demo.owner)
    if returned is not None and returned.status == S.DELIVERED and main is not None:
        ret = services.request_return(order=returned, reason="Arrived with a cracked lid", refund_amount=Decimal("0"),
                                      user=demo.owner)
        services.receive_return(ret=ret, user=demo.warehouse, note="Box dented")
        services.inspect_return(ret=ret, user=demo.warehouse, note="Candle intact, lid replaced")
        services.restock_return(ret=ret, location=main, user=demo.warehouse)
