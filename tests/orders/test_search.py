"""The order search finds an order by number or id, buyer, SKU (ours or the channel's) or tracking
number (the order's or a package's), on SQLite and PostgreSQL alike; on PostgreSQL the pg_trgm
indexes of the search serve it (bench/search.py times it over 100,000 orders)."""

import pytest
from django.db import connection
from django.utils import timezone

from fulfilment.models import Package
from orders.models import Order, OrderLine
from orders.selectors import QueueFilters, order_queue, search_condition
from tests.orders.factories import ChannelAccountFactory, OrderSKUFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def orders():
    account = ChannelAccountFactory()
    sku = OrderSKUFactory(seller_sku="MUG-BLUE-01")
    rows = Order.objects.bulk_create([
        Order(account=account, external_id="TT-577001", buyer_name="Ana Lima", buyer_email="ana@example.com",
              total=1, created_at=NOW),
        Order(account=account, external_id="TT-577002", buyer_name="Bo Chen", ship_name="Carla Diaz", total=1,
              created_at=NOW, tracking_number="1Z5R89390357567127"),
        Order(account=account, external_id="TT-577003", buyer_name="Dee", total=1, created_at=NOW),
        Order(account=account, external_id="TT-577004", buyer_name="Eli", total=1, created_at=NOW),
    ])
    OrderLine.objects.bulk_create([OrderLine(order=rows[2], sku=sku, channel_sku="CH-9", quantity=1),
                                   OrderLine(order=rows[3], channel_sku="tee-red-xl", quantity=1)])
    Package.objects.create(order=rows[0], carrier="usps", tracking_number="9400111206206406260787")
    return rows


def found(text):
    return sorted(Order.objects.filter(search_condition(text)).values_list("external_id", flat=True))


def test_search_by_number_buyer_sku_and_tracking(orders):
    assert found("577001") == ["TT-577001"]
    assert found("ana LIMA") == found("EXAMPLE.COM") == ["TT-577001"]  # case doesn't matter
    assert found("carla") == ["TT-577002"]  # the ship-to name
    assert found("mug-blue") == ["TT-577003"]  # our SKU
    assert found("TEE-RED") == ["TT-577004"]  # the channel's SKU
    assert found("9400 1112 0620 6406") == ["TT-577001"]  # a package's number, spaces as printed
    assert found("1z5r8939") == ["TT-577002"]  # the order's number
    assert found(str(orders[3].pk)) == sorted({"TT-577004"} | set(found(str(orders[3].pk))))
    assert found("50%") == [] and found("no such thing") == []  # wildcards are plain characters


def test_the_queue_filters_and_searches_together(orders):
    rows = list(order_queue(QueueFilters(status="all", q="lima")))
    assert [o.external_id for o in rows] == ["TT-577001"]


def test_postgres_search_is_served_by_the_trigram_indexes(orders, on_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"order_buyer_name_trgm", "orderline_channel_sku_trgm", "package_tracking_number_trgm"} <= names
    sql, params = Order.objects.filter(search_condition("9400111206")).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows: leave the planner only bitmap scans, which need an index that serves
        # the search's exact expression (a plain index scan could walk a primary key and filter).
        for plan_kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for name in ("order_buyer_name_trgm", "orderline_channel_sku_trgm", "package_tracking_number_trgm"):
        assert name in plan
