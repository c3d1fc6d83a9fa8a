"""Bundles hold no stock: their components are reserved, shipped and restocked through the ledger."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory import services as stock
from inventory.bundles import bundles_containing, components_of, whole_bundles
from inventory.models import StockLevel
from inventory.services.bundles import BundleError, set_components
from orders import services as orders
from orders.mapping import map_order
from orders.models import OrderStatus
from orders.samples import tiktok_payload
from orders.selectors import line_views
from orders.services.stock_effects import stock_requests
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory, OrderSKUFactory

pytestmark = pytest.mark.django_db


def level(sku):
    row = StockLevel.objects.filter(sku=sku, location__code="MAIN").first()
    return (row.on_hand, row.reserved) if row else (0, 0)


def test_reads_are_one_query_each(tees, django_assert_num_queries):
    black, white, bundle = tees
    with django_assert_num_queries(1):
        assert components_of([bundle.pk, black.pk]) == {bundle.pk: sorted([(black.pk, 1), (white.pk, 1)])}
    with django_assert_num_queries(1):
        assert bundles_containing([white.pk]) == {bundle.pk}
    assert whole_bundles({black.pk: 5, white.pk: 3}, components_of([bundle.pk])[bundle.pk]) == 3


def test_a_bundle_refuses_what_would_give_it_stock_or_a_cycle(tees, main):
    black, white, bundle = tees
    with pytest.raises(BundleError, match="component of itself"):
        set_components(bundle=bundle, components=[(bundle, 1)])
    with pytest.raises(BundleError, match="itself a bundle"):
        set_components(bundle=OrderSKUFactory(seller_sku="KIT"), components=[(bundle, 1)])
    with pytest.raises(BundleError, match="component of bundle TT-BUNDLE-TEE2"):
        set_components(bundle=black, components=[(white, 2)])
    with pytest.raises(BundleError, match="on hand of its own"):
        stocked = OrderSKUFactory(seller_sku="SOCK-PAIR")
        stock.receive(sku=stocked, location=main, quantity=1)
        set_components(bundle=stocked, components=[(white, 2)])
    with pytest.raises(BundleError, match="Units per bundle"):
        set_components(bundle=bundle, components=[(black, 0)])
    for refused in (lambda: stock.receive(sku=bundle, location=main, quantity=2),
                    lambda: stock.adjust(sku=bundle, location=main, quantity=1, reason="adjustment"),
                    lambda: stock.record_count(location=main, counts=[(bundle, 4)])):
        with pytest.raises(stock.StockError, match="is a bundle and holds no stock of its own.*TEE-BLK-M, TEE-WHT-M"):
            refused()
    assert components_of([bundle.pk])[bundle.pk] == sorted([(black.pk, 1), (white.pk, 1)])
    assert not StockLevel.objects.filter(sku=bundle).exists()


def test_a_bundle_order_reserves_ships_and_restocks_its_components(tees, main):
    black, white, bundle = tees
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    now = timezone.now()
    payload = tiktok_payload(order_id="576000000000000777", lines=(("TT-BUNDLE-TEE2", 2, "40.00"),),
                             created=now - dt.timedelta(hours=2), paid=now - dt.timedelta(hours=1),
                             rts_sla=now + dt.timedelta(days=1))
    result = orders.upsert_order(account=account, incoming=map_order("tiktok", payload), source="sync")
    order = result.order
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    keys = sorted(r.line_key for r in stock_requests(list(order.lines.all())))
    assert all(":" in key for key in keys) and len(keys) == 4  # two lines × two components
    assert level(black) == (5, 2) and level(white) == (3, 2)
    assert [(v.reserved, v.consumed) for v in line_views(order)] == [(1, 0), (1, 0)]  # whole bundles held
    # The order page's stock of a bundle line: whole bundles from the components (3 and 1 free: 1).
    assert line_views(order)[0].stock == {"on_hand": 3, "reserved": 2, "available": 1}
    orders.transition(order=order, to_status=OrderStatus.SHIPPED, message="shipped")
    assert level(black) == (3, 0) and level(white) == (1, 0)
    stock.restock_returned(sku=bundle, location=main, quantity=1)
    assert level(black) == (4, 0) and level(white) == (2, 0)


def test_a_bundle_order_short_of_a_component_says_which(tees):
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    now = timezone.now()
    payload = tiktok_payload(order_id="576000000000000778", lines=(("TT-BUNDLE-TEE2", 4, "40.00"),),
                             created=now - dt.timedelta(hours=2), paid=now - dt.timedelta(hours=1),
                             rts_sla=now + dt.timedelta(days=1))
    order = orders.upsert_order(account=account, incoming=map_order("tiktok", payload), source="sync").order
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION
    assert "TEE-WHT-M: 4 ordered, 3 available" in order.attention_detail
    assert "TEE-BLK-M" not in order.attention_detail


def test_a_bundle_line_cancelled_on_the_channel_frees_its_components(tees):
    black, white, _bundle = tees
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    now = timezone.now()
    fields = dict(order_id="576000000000000779", lines=(("TT-BUNDLE-TEE2", 2, "40.00"),),
                  created=now - dt.timedelta(hours=2), paid=now - dt.timedelta(hours=1),
                  rts_sla=now + dt.timedelta(days=1))
    orders.upsert_order(account=account, incoming=map_order("tiktok", tiktok_payload(**fields)), source="sync")
    assert level(black) == (5, 2) and level(white) == (3, 2)
    payload = tiktok_payload(**fields, updated=now)
    payload["line_items"][1]["display_status"] = "CANCELLED"
    orders.upsert_order(account=account, incoming=map_order("tiktok", payload), source="sync")
    assert level(black) == (5, 1) and level(white) == (3, 1)
