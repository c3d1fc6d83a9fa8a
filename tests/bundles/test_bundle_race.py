"""Oversell proof for bundles on PostgreSQL: orders of a bundle and of its components confirmed
at the same moment in threads (each its own connection). No component goes below zero, and
exactly the orders the stock covers are confirmed: every order left waiting is short."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from inventory import services as stock
from inventory.models import Location, Reservation, StockLevel, StockMovement
from inventory.services.bundles import set_components
from orders import services as orders
from orders.models import AttentionReason, Order, OrderStatus
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory, OrderSKUFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 3
# Each round: 4 bundle orders, 3 black-tee orders and 3 white-tee orders race for 4 of each tee.
ORDERS = [("bundle", 1)] * 4 + [("black", 1)] * 3 + [("white", 1)] * 3
ON_HAND = 4


def confirm(order, start, errors):
    try:
        start.wait(10)
        orders.confirm_order(order=Order.objects.get(pk=order.pk))
    except Exception as exc:  # a deadlock or anything else fails the test below
        errors.append(exc)
    finally:
        connection.close()


def test_bundle_and_component_orders_race_without_overselling(on_postgres):
    main = Location.objects.get(code="MAIN")
    account = ChannelAccountFactory(name="Race shop", channel="woocommerce")
    for rnd in range(ROUNDS):
        black = OrderSKUFactory(seller_sku=f"RACE-BLK-{rnd}")
        white = OrderSKUFactory(seller_sku=f"RACE-WHT-{rnd}")
        bundle = OrderSKUFactory(seller_sku=f"RACE-DUO-{rnd}")
        stock.receive(sku=black, location=main, quantity=ON_HAND)
        stock.receive(sku=white, location=main, quantity=ON_HAND)
        set_components(bundle=bundle, components=[(black, 1), (white, 1)])
        sku = {"bundle": bundle, "black": black, "white": white}
        need = {"bundle": {black.pk: 1, white.pk: 1}, "black": {black.pk: 1}, "white": {white.pk: 1}}
        placed = []
        for i, (kind, quantity) in enumerate(ORDERS):
            order = OrderFactory(account=account, external_id=f"R{rnd}-{i}", status=OrderStatus.AWAITING_CONFIRMATION)
            OrderLineFactory(order=order, sku=sku[kind], channel_sku=sku[kind].seller_sku, quantity=quantity)
            placed.append((order, kind))

        start, errors = threading.Barrier(len(placed)), []
        threads = [threading.Thread(target=confirm, args=(order, start, errors), daemon=True) for order, _k in placed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors

        levels = {lv.sku_id: lv for lv in StockLevel.objects.filter(sku__in=[black, white], location=main)}
        assert all(0 <= lv.reserved <= lv.on_hand == ON_HAND for lv in levels.values())
        confirmed = [(o, k) for o, k in placed if Order.objects.get(pk=o.pk).status == OrderStatus.CONFIRMED]
        held = {sku_id: 0 for sku_id in levels}
        for _order, kind in confirmed:
            for sku_id, units in need[kind].items():
                held[sku_id] += units
        assert held == {sku_id: lv.reserved for sku_id, lv in levels.items()}, "reserved = what the confirmed need"
        free = {sku_id: lv.on_hand - lv.reserved for sku_id, lv in levels.items()}
        for order, kind in placed:
            order.refresh_from_db()
            if order.status != OrderStatus.CONFIRMED:
                assert order.attention_reason == AttentionReason.SHORT_STOCK
                assert any(free[sku_id] < units for sku_id, units in need[kind].items()), "left waiting, yet covered"
        assert len(confirmed) >= ON_HAND  # 4 of each tee always cover at least four orders
    ledger = dict(StockMovement.objects.values("sku_id").annotate(n=Sum("reserved_change")).values_list("sku_id", "n"))
    reserved = dict(StockLevel.objects.values_list("sku_id", "reserved"))
    assert {k: v for k, v in ledger.items() if v} == {k: v for k, v in reserved.items() if v}
    active = dict(Reservation.objects.filter(state="active").values("sku_id").annotate(n=Sum("quantity"))
                  .values_list("sku_id", "n"))
    assert active == {k: v for k, v in reserved.items() if v}
