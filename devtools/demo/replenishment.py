"""Demo replenishment: sales dated across the month, and a SKU whose sales spiked last week (after
the inventory, orders, metrics and purchasing demos; see ``load_demo_data``'s ``LOADERS``).

1. The earlier demos record their sales in the stock ledger at load time: the inventory demo's
   "sold in the last days" (``demo-sale:<sku>``) and the metrics history's last 30 days of
   own-warehouse orders (``demo-history-sales:<sku id>``). Left at load time, every SKU would
   look as if it had sold its whole month this week. Here those sale rows are spread back over
   the 30 days they describe, evenly, and the deliveries they came from are dated before them;
   every row keeps its SKU, location and reference and the sums do not change, so
   ``reconcile_stock`` finds no drift.
2. TEE-BLK-L went viral on TikTok: ``SPIKE`` units a day over the last six days, each a TikTok
   order shipped from the own warehouse on our label (delivered or in transit, with its package
   and timeline, ids below the emulator's). The units came in a delivery nine days ago (bin
   A-01) and left through the ledger under each order's reference on the day it shipped, so the
   shelves keep the counts the other demos gave them. With the history it is "up ~290%" on the
   low-stock and reorder pages; its open purchase order (the purchasing demo) counts as on order.
   The metrics snapshots of those days are taken again.

Loading again does nothing (the spike's orders are there).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devtools.demo import metrics as metrics_demo
from devtools.demo import timelines
from fulfilment.models import Package
from inventory import services as stock
from inventory.models import SKU, Location, StockMovement
from metrics.services import take_snapshots
from orders import deadlines
from orders.models import DeadlineSource, Fulfilment, LabelSource, Order, OrderLine, OrderStatus

SPIKE_SKU = "TEE-BLK-L"
SPIKE = [4, 11, 19, 24, 18, 14]  # units a day, six days ago .. yesterday: a video took off
SPIKE_BIN = "A-01"
FIRST_SERIAL = 90_001  # TikTok history ids 576500000000090001...: below the emulator's 5766...
SPREAD_DAYS = 30
RECORDED_SALES = ("demo-sale:", "demo-history-sales:")


def load(*, users, now=None):
    now = now or timezone.now()
    sku = SKU.objects.filter(seller_sku=SPIKE_SKU).first()
    bin_ = Location.objects.filter(code=SPIKE_BIN).first()
    if sku is None or bin_ is None or OrderLine.objects.filter(external_id__startswith="spike-").exists():
        return
    with transaction.atomic():
        _spread_recorded_sales(now)
        orders = _spike_orders(sku, now)
        timelines.history(orders, warehouse_name=getattr(users.get("warehouse"), "username", "warehouse"))
        _spike_ledger(sku, bin_, orders, now, users.get("warehouse"))
    take_snapshots(now=now)


def _spread_recorded_sales(now):
    """Spread each recorded sale row over the last SPREAD_DAYS days (the first portion stays on
    the row, the others are new rows of the same SKU, location and reference); date the
    deliveries and reservations of those references a day before the first sale."""
    recorded = Q()
    for prefix in RECORDED_SALES:
        recorded |= Q(reference__startswith=prefix)
    rows = list(StockMovement.objects.filter(recorded, reason=StockMovement.Reason.SALE,
                                             created_at__gte=now - dt.timedelta(hours=6)))
    kept: dict[int, list[int]] = {}  # day -> ids of the rows that keep a portion
    new: dict[int, list[StockMovement]] = {}  # day -> rows to add
    for row in rows:
        units = -row.on_hand_change
        shares = [units * (d + 1) // SPREAD_DAYS - units * d // SPREAD_DAYS for d in range(SPREAD_DAYS)]
        ratio = row.reserved_change / row.on_hand_change if row.on_hand_change else 0
        days = [(day, share) for day, share in enumerate(shares) if share]
        (first_day, first_share), rest = days[0], days[1:]
        StockMovement.objects.filter(pk=row.pk).update(on_hand_change=-first_share,
                                                       reserved_change=round(-first_share * ratio))
        kept.setdefault(first_day, []).append(row.pk)
        for day, share in rest:
            new.setdefault(day, []).append(StockMovement(
                sku_id=row.sku_id, location_id=row.location_id, on_hand_change=-share,
                reserved_change=round(-share * ratio), reason=row.reason, user_id=row.user_id,
                reference=row.reference, note=row.note))
    for day in sorted(set(kept) | set(new)):
        made = StockMovement.objects.bulk_create(new.get(day, []))
        ids = kept.get(day, []) + [m.pk for m in made]
        StockMovement.objects.filter(pk__in=ids).update(created_at=now - dt.timedelta(days=day, hours=2 + day % 5))
    references = {row.reference for row in rows}
    before = now - dt.timedelta(days=SPREAD_DAYS, hours=6)
    StockMovement.objects.filter(reference__in=references, reason=StockMovement.Reason.RESERVATION).update(
        created_at=before)
    StockMovement.objects.filter(reason=StockMovement.Reason.RECEIPT, reference__in=("PO-2026-0038", "PO-2026-0042"),
                                 created_at__gte=now - dt.timedelta(hours=6)).update(
        created_at=before - dt.timedelta(days=1))


def _spike_orders(sku, now) -> list[Order]:
    """One TikTok order per unit of SPIKE, shipped from the own warehouse on our label."""
    account = next(a for a in metrics_demo.demo_accounts() if a.channel == "tiktok")
    calendar = metrics_demo._calendar(account)
    zone = calendar.zone
    rng = random.Random("sellerhub-replenishment-spike")
    today = now.astimezone(zone).date()
    orders, serial = [], FIRST_SERIAL
    for back, units in zip(range(len(SPIKE), 0, -1), SPIKE, strict=True):
        day = today - dt.timedelta(days=back)
        for _ in range(units):
            created = dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)), tzinfo=zone)
            order = Order(account=account, external_id=metrics_demo.order_id("tiktok", serial, rng), created_at=created,
                          currency="USD", channel_status="", status=OrderStatus.DELIVERED,
                          subtotal=Decimal("24.00"), total=Decimal("24.00"), fulfilment=Fulfilment.FBS,
                          label_source=LabelSource.SELLER, **metrics_demo._buyer(rng))
            serial += 1
            order.paid_at = created + dt.timedelta(minutes=rng.randint(1, 15))
            order.dispatch_due_at = deadlines.dispatch_due_at(paid_at=order.paid_at, calendar=calendar)
            order.delivery_due_at = deadlines.delivery_due_at(dispatch_due_at=order.dispatch_due_at,
                                                              calendar=calendar)
            order.deadline_source = DeadlineSource.CALENDAR
            # shipped within the day (before its deadline, and at least two hours ago), scanned soon after
            upload = min(order.paid_at + dt.timedelta(hours=rng.randint(3, 20)), now - dt.timedelta(hours=2),
                         order.dispatch_due_at - dt.timedelta(hours=1))
            order.tracking_uploaded_at = upload
            order.dispatched_at = upload + dt.timedelta(minutes=rng.randint(60, 110))
            order.delivered_at = order.dispatched_at + dt.timedelta(hours=rng.randint(40, 100))
            if order.delivered_at > now:
                order.status, order.delivered_at = OrderStatus.IN_TRANSIT, None
            order.tracking_number = metrics_demo.usps_number(int(f"7{serial:07d}"))
            order.shipping_provider = "USPS"
            orders.append(order)
    Order.objects.bulk_create(orders, batch_size=500)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, external_id=f"spike-{order.external_id}", channel_sku=SPIKE_SKU, sku=sku,
                  name=sku.name, quantity=1, unit_price=order.subtotal) for order in orders])
    Package.objects.bulk_create([
        Package(order=order, external_id=f"{order.external_id}-P1", carrier="usps", carrier_name="USPS",
                tracking_number=order.tracking_number, tracking_format_valid=True,
                status=(Package.Status.DELIVERED if order.delivered_at else
                        Package.Status.IN_TRANSIT if order.dispatched_at else Package.Status.SHIPPED),
                tracking_uploaded_at=order.tracking_uploaded_at, first_scan_at=order.dispatched_at,
                delivered_at=order.delivered_at) for order in orders])
    for order in orders:
        order.account = account
    return orders


def _spike_ledger(sku, bin_, orders, now, user):
    """The spike's units: received in bin A-01 nine days ago, then each order's unit reserved and
    shipped from there under the order's reference, dated when its tracking went up."""
    receipt = stock.receive(sku=sku, location=bin_, quantity=len(orders), user=user, reference="PO-2026-0047",
                            note="demo: the delivery the viral week sold")
    StockMovement.objects.filter(pk=receipt.pk).update(created_at=now - dt.timedelta(days=9))
    for order in orders:
        reference = order.reservation_reference
        stock.reserve(reference=reference, requests=[stock.StockRequest("1", sku.pk, 1)], location_codes=[bin_.code],
                      user=user)
        stock.consume(reference=reference, user=user)
        StockMovement.objects.filter(reference=reference).update(created_at=order.tracking_uploaded_at)
