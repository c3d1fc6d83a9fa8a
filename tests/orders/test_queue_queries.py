"""Acceptance 4 (the test half; bench/orders.py measures 100,000 orders on PostgreSQL): the order
queue, the needs-attention page, the returns page, the API list and the admin changelist run the
same number of queries for 10 orders as for 200."""

import datetime as dt

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import AttentionReason, Order, OrderLine, OrderStatus, Return, ReturnLine
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory, OrderSKUFactory

S = OrderStatus
STATUSES = [S.AWAITING_CONFIRMATION, S.CONFIRMED, S.PICKING, S.PACKED, S.ON_HOLD, S.SHIPPED]


def make_orders(n, start=0):
    accounts = [ChannelAccountFactory(channel=c) for c in (Channel.TIKTOK, Channel.WOOCOMMERCE, Channel.ETSY)]
    skus = [OrderSKUFactory(seller_sku=f"Q-{i}") for i in range(3)]
    now = timezone.now()
    orders = Order.objects.bulk_create([Order(
        account=accounts[i % 3], external_id=f"Q{start + i:06d}", status=STATUSES[i % len(STATUSES)],
        attention_reason=AttentionReason.SHORT_STOCK if i % 7 == 0 else "", created_at=now,
        dispatch_due_at=now + dt.timedelta(hours=i - n // 2), buyer_name=f"Buyer {i}", total=10,
    ) for i in range(start, start + n)])
    lines = OrderLine.objects.bulk_create([OrderLine(order=o, sku=skus[j % 3] if j else None, channel_sku=f"C{j}",
                                                     quantity=1) for o in orders for j in range(2)])
    shipped = [o for o in orders if o.status == S.SHIPPED]
    returns = Return.objects.bulk_create([Return(order=o, reason="x") for o in shipped])
    by_order = {ln.order_id: ln for ln in lines}
    ReturnLine.objects.bulk_create([ReturnLine(ret=r, order_line=by_order[r.order_id], quantity=1) for r in returns])


def count(client, url):
    reset_queries()  # a request resets the query log: capture from an empty one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(ctx.captured_queries) > 3, "nothing captured: the count would prove nothing"
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("url", [
    "/orders/", "/orders/?status=all&sort=new", "/orders/?q=Buyer&channel=tiktok", "/orders/?due=overdue",
    "/orders/?attention=any", "/orders/attention/", "/orders/returns/?status=all",
])
def test_pages_run_a_constant_number_of_queries(owner_client, url):
    make_orders(10)
    small, response = count(owner_client, url)
    make_orders(190, start=10)
    large, response = count(owner_client, url)
    assert small == large, f"{url}: {small} queries for 10 orders, {large} for 200"


def test_the_queue_shows_fifty_a_page(owner_client):
    make_orders(120)
    _n, response = count(owner_client, "/orders/?status=all")
    assert len(response.context["page"].object_list) == 50


def test_api_list_runs_a_constant_number_of_queries(api_client_for, owner_user):
    api = api_client_for(owner_user)
    make_orders(10)
    small, _r = count(api, "/api/v1/orders?page_size=200")
    make_orders(190, start=10)
    large, response = count(api, "/api/v1/orders?page_size=200")
    assert response.json()["count"] == 200 and small == large


def test_admin_changelist_runs_a_constant_number_of_queries(client, ops_user):
    client.force_login(ops_user)
    make_orders(10)
    small, _r = count(client, "/admin/orders/order/")
    make_orders(190, start=10)
    large, _r = count(client, "/admin/orders/order/")
    assert small == large


def test_the_queue_index_covers_exactly_the_orders_to_ship():
    from orders.models import PRE_SHIP_STATUSES

    (index,) = [i for i in Order._meta.indexes if i.name == "order_to_ship_due"]
    assert index.condition.children == [("status__in", list(PRE_SHIP_STATUSES))]
