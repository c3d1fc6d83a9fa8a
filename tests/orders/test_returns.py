"""Returns: requested -> received -> inspected -> restocked (through the ledger) or written off."""

import pytest

from inventory.models import Location, StockMovement
from orders import services
from orders.models import OrderStatus, Return
from tests.orders.conftest import level
from tests.orders.factories import OrderFactory, OrderLineFactory


@pytest.fixture
def delivered(stocked):
    sku = stocked("MUG-01", 4)
    order = OrderFactory(status=OrderStatus.DELIVERED, total=36)
    line = OrderLineFactory(order=order, sku=sku, quantity=2, unit_price=18)
    return order, line, sku


def test_a_return_is_restocked_into_a_location_through_the_ledger(delivered, main, warehouse_user):
    order, line, sku = delivered
    ret = services.request_return(order=order, reason="Arrived chipped", refund_amount=18, lines=[(line.pk, 1)])
    services.receive_return(ret=ret, user=warehouse_user)
    services.inspect_return(ret=ret, note="Chip is cosmetic", user=warehouse_user)
    services.restock_return(ret=ret, location=main, user=warehouse_user)
    ret.refresh_from_db()
    assert ret.status == Return.Status.RESTOCKED and ret.restock_location == main
    assert level(sku) == (5, 0)
    movement = StockMovement.objects.get(reason="return")
    assert (movement.on_hand_change, movement.reference, movement.user) == (1, f"return:{ret.pk}", warehouse_user)
    messages = list(order.events.filter(kind="return").values_list("message", flat=True))
    assert messages[0].startswith("Return requested: 1 unit(s)") and "restocked: 1 unit(s) into MAIN" in messages[-1]
    assert order.status == OrderStatus.DELIVERED, "returns run on their own record"


def test_writing_off_needs_a_reason_and_moves_no_stock(delivered):
    order, _line, sku = delivered
    ret = services.request_return(order=order, reason="Wrong colour")
    services.receive_return(ret=ret)
    services.inspect_return(ret=ret)
    with pytest.raises(services.ReturnError, match="Say why"):
        services.write_off_return(ret=ret, note="")
    services.write_off_return(ret=ret, note="Broken in transit")
    assert ret.status == Return.Status.WRITTEN_OFF and level(sku) == (4, 0)
    assert "Broken in transit" in ret.note


@pytest.mark.parametrize("steps,attempt,message", [
    ([], "restock", "is requested; it can't be restocked now"),
    ([], "inspect", "can't be inspected now"),
    (["receive"], "receive", "already received"),
    (["receive", "inspect", "write_off"], "restock", "is written off"),
])
def test_steps_cannot_be_skipped_or_repeated(delivered, main, steps, attempt, message):
    order, _line, sku = delivered
    ret = services.request_return(order=order, reason="x")
    actions = {"receive": lambda: services.receive_return(ret=ret), "inspect": lambda: services.inspect_return(ret=ret),
               "write_off": lambda: services.write_off_return(ret=ret, note="bad"),
               "restock": lambda: services.restock_return(ret=ret, location=main)}
    for step in steps:
        actions[step]()
    events = order.events.count()
    with pytest.raises(services.ReturnError, match=message):
        actions[attempt]()
    assert order.events.count() == events and level(sku) == (4, 0)


def test_quantities_and_refunds_are_checked(delivered):
    order, line, _sku = delivered
    with pytest.raises(services.ReturnError, match="3 returned but only 2 can be"):
        services.request_return(order=order, reason="x", lines=[(line.pk, 3)])
    with pytest.raises(services.ReturnError, match="can't exceed the order total"):
        services.request_return(order=order, reason="x", refund_amount=100)
    services.request_return(order=order, reason="x")  # every unit
    with pytest.raises(services.ReturnError, match="returned already"):
        services.request_return(order=order, reason="again")


def test_restocking_goes_to_an_own_location(delivered):
    order, _line, _sku = delivered
    ret = services.request_return(order=order, reason="x")
    services.receive_return(ret=ret)
    services.inspect_return(ret=ret)
    transit = Location.objects.get(code="TRANSIT")
    with pytest.raises(services.ReturnError, match="not an active own warehouse or bin"):
        services.restock_return(ret=ret, location=transit)
