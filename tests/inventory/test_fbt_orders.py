"""FBT orders: in the order list, read-only for the warehouse (TikTok picks, packs and ships
them), no own stock reserved, and counted in the metrics as the domain page says (LDR
denominator only; out of VTR and OTDR)."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inventory.models import Reservation
from metrics.definitions import LATE_DISPATCH, ON_TIME_DELIVERY
from metrics.selectors import metric_report
from orders import services as orders
from orders.mapping import map_order
from orders.models import Order
from orders.samples import tiktok_payload
from tests.orders.factories import ChannelAccountFactory


def _import(account, **kwargs):
    now = timezone.now()
    payload = tiktok_payload(created=now - dt.timedelta(hours=3), paid=now - dt.timedelta(hours=2), **kwargs)
    orders.upsert_order(account=account, incoming=map_order("tiktok", payload))
    return Order.objects.get(account=account, external_id=kwargs["order_id"])


def test_fbt_orders_are_listed_read_only_for_the_warehouse(warehouse_user, stocked):
    stocked("TEE-FBT", 5)
    account = ChannelAccountFactory(name="TikTok", channel="tiktok")
    order = _import(account, order_id="576600000000123456", status="AWAITING_SHIPMENT", fbt=True,
                    lines=[("TEE-FBT", 1, "20.00")])
    assert order.fulfilment == "FBT"
    assert not Reservation.objects.filter(reference=order.reservation_reference).exists()  # TikTok's stock
    client = Client()
    client.force_login(warehouse_user)
    listing = client.get(reverse("orders:queue") + "?fulfilment=FBT").content.decode()
    assert order.external_id in listing
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Fulfilled by TikTok" in detail and "Pack this order" not in detail
    result = orders.bulk_apply(order_ids=[order.pk], action="send_to_picking", user=warehouse_user)
    assert Order.objects.get(pk=order.pk).status == order.status
    assert "fulfilled by TikTok" in str(result)


def test_fbt_orders_count_in_the_metrics_as_the_domain_page_says(db):
    account = ChannelAccountFactory(name="TikTok M", channel="tiktok")
    now = timezone.now()
    due = now - dt.timedelta(days=3)
    common = dict(account=account, created_at=now - dt.timedelta(days=5), paid_at=now - dt.timedelta(days=5),
                  dispatch_due_at=due, tracking_uploaded_at=due + dt.timedelta(hours=2),
                  dispatched_at=due + dt.timedelta(hours=5), delivery_due_at=now - dt.timedelta(days=2),
                  delivered_at=now - dt.timedelta(days=1), status="delivered")
    Order.objects.create(external_id="LATE-FBS", fulfilment="FBS", **common)
    Order.objects.create(external_id="LATE-FBT", fulfilment="FBT", **common)
    report = metric_report(account=account)
    ldr, otdr = report.figures[LATE_DISPATCH], report.figures[ON_TIME_DELIVERY]
    assert (ldr.numerator, ldr.denominator) == (1, 2)  # FBT in the denominator only
    assert otdr.denominator == 1  # FBT orders are exempt from OTDR
