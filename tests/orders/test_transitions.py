"""Acceptance 5: every move outside the transition table is refused with a clear message and
leaves nothing behind (no event, no status change, no stock movement). Parametrized over the
full status x status matrix, for both kinds of actor (the seller, a channel)."""

import itertools

import pytest

from inventory import services as stock
from inventory.models import Reservation, StockMovement
from orders import services
from orders.models import RESERVED_STATUSES, Fulfilment, OrderEvent, OrderStatus
from tests.orders.conftest import level
from tests.orders.factories import OrderFactory, OrderLineFactory

S = OrderStatus
MATRIX = [pytest.param(a, b, source, id=f"{source}:{a}->{b}")
          for a, b in itertools.product(S.values, S.values) for source in (services.SELLER, services.CHANNEL)]


@pytest.fixture
def order_in(stocked):
    sku = stocked("MATRIX-1", 10)

    def make(status, fulfilment=Fulfilment.FBS):
        order = OrderFactory(status=status, fulfilment=fulfilment)
        line = OrderLineFactory(order=order, sku=sku, quantity=2)
        if status in RESERVED_STATUSES:  # as confirmation left it
            stock.reserve(reference=order.reservation_reference,
                          requests=[stock.StockRequest(str(line.pk), sku.pk, 2)])
        return order, sku

    return make


def test_the_table_knows_every_status():
    assert set(services.ALLOWED) == set(S.values)
    for targets in services.ALLOWED.values():
        assert set(targets) <= set(S.values)


@pytest.mark.parametrize("from_status,to_status,source", MATRIX)
def test_transition_matrix(order_in, from_status, to_status, source):
    order, sku = order_in(from_status)
    events, movements = OrderEvent.objects.count(), StockMovement.objects.count()
    stock_before = level(sku)
    reservations = list(Reservation.objects.values_list("pk", "state").order_by("pk"))

    if not services.allowed(from_status, to_status, source):
        with pytest.raises(services.TransitionNotAllowed) as refused:
            services.transition(order=order, to_status=to_status, source=source, cancel_reason="test")
        assert f"Order {order.external_id}" in str(refused.value)
        order.refresh_from_db()
        assert order.status == from_status
        assert OrderEvent.objects.count() == events, "a refused move wrote an event"
        assert StockMovement.objects.count() == movements, "a refused move moved stock"
        assert level(sku) == stock_before
        assert list(Reservation.objects.values_list("pk", "state").order_by("pk")) == reservations
        return

    services.transition(order=order, to_status=to_status, source=source, cancel_reason="test")
    order.refresh_from_db()
    assert order.status == to_status
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.from_status, event.to_status) == ("status", from_status, to_status)
    on_hand, reserved = level(sku)
    if to_status in RESERVED_STATUSES:
        assert reserved == 2
    if to_status == S.CANCELLED:
        assert reserved == 0 and on_hand == 10, "cancelling releases the reservation"
    if to_status in (S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED) and from_status in RESERVED_STATUSES:
        assert (on_hand, reserved) == (8, 0), "shipping consumes the reservation"


@pytest.mark.parametrize("status", [S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED])
def test_shipped_order_cannot_be_cancelled(order_in, status):
    order, _sku = order_in(status)
    with pytest.raises(services.TransitionNotAllowed, match="can't be cancelled; record a return instead"):
        services.cancel_order(order=order, reason="buyer changed their mind")
    assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.parametrize("func,status,message", [
    (services.send_to_picking, S.AWAITING_CONFIRMATION, "confirm it first"),
    (services.send_to_picking, S.CANCELLED, "is cancelled"),
    (services.mark_packed, S.ON_HOLD, "can't be moved to packed"),
    (services.mark_shipped, S.AWAITING_PAYMENT, "only the channel can move it"),
])
def test_refusals_say_what_to_do(order_in, func, status, message):
    order, _sku = order_in(status)
    with pytest.raises(services.TransitionNotAllowed, match=message):
        func(order=order)
    assert not OrderEvent.objects.filter(order=order).exists()


def test_a_channel_cannot_drive_the_warehouse_steps(order_in):
    order, _sku = order_in(S.AWAITING_CONFIRMATION)
    with pytest.raises(services.TransitionNotAllowed, match="SellerHub's own step"):
        services.transition(order=order, to_status=S.CONFIRMED, source=services.CHANNEL)


def test_fbt_orders_are_not_picked_by_the_seller(order_in):
    order, _sku = order_in(S.CONFIRMED, fulfilment=Fulfilment.FBT)
    with pytest.raises(services.OrderError, match="fulfilled by TikTok"):
        services.send_to_picking(order=order)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and not OrderEvent.objects.filter(order=order).exists()


def test_shipping_needs_an_address(order_in):
    order, sku = order_in(S.PACKED)
    order.ship_street1 = ""
    order.save()
    with pytest.raises(services.OrderError, match="can't ship yet.*street"):
        services.mark_shipped(order=order)
    order.refresh_from_db()
    assert order.status == S.PACKED and level(sku) == (10, 2)
