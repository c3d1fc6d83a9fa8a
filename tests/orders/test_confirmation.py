"""Confirmation, the needs-attention reasons and their fixes, holds, cancellation."""

import pytest

from inventory import services as stock
from inventory.models import ChannelListing
from orders import services
from orders.models import AttentionReason, CancelInitiator, OrderStatus
from sellerhub.models import Channel
from tests.orders.conftest import level
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory

S = OrderStatus
A = AttentionReason


@pytest.fixture
def waiting(stocked):
    """An order awaiting confirmation with one line of `quantity` units of a SKU with `on_hand`."""

    def make(quantity=1, on_hand=5, **order_fields):
        sku = stocked("TEE-BLK-M", on_hand)
        order = OrderFactory(status=S.AWAITING_CONFIRMATION, **order_fields)
        OrderLineFactory(order=order, sku=sku, quantity=quantity)
        return order, sku

    return make


def test_run_confirmation_reserves_when_all_is_well(waiting):
    order, sku = waiting(quantity=2)
    result = services.run_confirmation(order=order, on_arrival=True)
    assert result.confirmed and order.status == S.CONFIRMED and order.attention_reason == ""
    assert level(sku) == (5, 2)


def test_short_stock_waits_then_confirms_when_stock_arrives(waiting, main):
    order, sku = waiting(quantity=3, on_hand=1)
    result = services.run_confirmation(order=order, on_arrival=True)
    assert not result.confirmed and result.reason == A.SHORT_STOCK
    assert order.attention_reason == A.SHORT_STOCK and "TEE-BLK-M: 3 ordered, 1 available" in order.attention_detail
    assert level(sku) == (1, 0)
    stock.receive(sku=sku, location=main, quantity=4)
    again = services.run_confirmation(order=order)
    assert again.confirmed and order.attention_reason == "" and level(sku) == (5, 3)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["attention", "status"], "one attention event in, the confirmation clears it"


def test_the_same_problem_twice_writes_one_event(waiting):
    order, _sku = waiting(quantity=9, on_hand=1)
    services.run_confirmation(order=order, on_arrival=True)
    services.run_confirmation(order=order, on_arrival=True)
    assert order.events.count() == 1


def test_an_incomplete_address_blocks_automatic_confirmation_but_not_a_person(waiting):
    order, sku = waiting(ship_city="", ship_postal_code="")
    result = services.run_confirmation(order=order, on_arrival=True)
    assert not result.confirmed and order.attention_reason == A.ADDRESS_PROBLEM
    assert "no city, postal code" in order.attention_detail and level(sku) == (5, 0)
    confirmed = services.confirm_order(order=order)
    assert confirmed.confirmed and order.status == S.CONFIRMED and level(sku) == (5, 1)
    assert order.attention_reason == A.ADDRESS_PROBLEM, "still needed before shipping"


def test_fixing_the_address_runs_confirmation_again(waiting):
    order, sku = waiting(ship_city="")
    services.run_confirmation(order=order, on_arrival=True)
    result = services.update_address(order=order, values={"ship_city": "San Francisco", "ship_country": "us"})
    assert result.confirmed and order.status == S.CONFIRMED and order.attention_reason == ""
    assert order.ship_country == "US" and order.events.filter(kind="address_updated").exists()


def test_an_address_cannot_change_after_shipping(waiting):
    order, _sku = waiting()
    order.status = S.SHIPPED
    order.save()
    with pytest.raises(services.OrderError, match="can't change now"):
        services.update_address(order=order, values={"ship_city": "Oakland"})


def test_unmatched_lines_block_confirmation_until_mapped(stocked):
    account = ChannelAccountFactory(channel=Channel.WOOCOMMERCE)
    order = OrderFactory(account=account, status=S.AWAITING_CONFIRMATION)
    OrderLineFactory(order=order, sku=None, channel_sku="woo-tee-m", channel_product_id="88",
                     channel_variant_id="91", quantity=2)
    result = services.confirm_order(order=order)
    assert not result.confirmed and result.reason == A.UNMATCHED_SKU
    assert result.unmatched[0]["channel_sku"] == "woo-tee-m"
    sku = stocked("TEE-BLK-M", 5)
    mapped = services.map_channel_sku(account=account, sku=sku, channel_sku="woo-tee-m")
    listing = ChannelListing.objects.get(account=account)
    assert (listing.sku, listing.external_product_id, listing.external_variant_id) == (sku, "88", "91")
    assert mapped.lines == 1 and mapped.confirmations[0].confirmed
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and level(sku) == (5, 2)
    assert order.events.filter(kind="sku_mapped", message__contains="woo-tee-m mapped to TEE-BLK-M").exists()


def test_mapping_a_line_without_channel_ids_records_a_listing_by_channel_sku(stocked):
    account = ChannelAccountFactory(channel=Channel.SQUARE)
    order = OrderFactory(account=account, status=S.AWAITING_CONFIRMATION)
    OrderLineFactory(order=order, sku=None, channel_sku="sq-mug")
    sku = stocked("MUG-01", 3)
    services.map_channel_sku(account=account, sku=sku, channel_sku="sq-mug")
    assert ChannelListing.objects.get(account=account, channel_sku="sq-mug").sku == sku


def test_manual_orders_wait_for_a_person(stocked):
    stocked("TEE-BLK-M", 5)
    result = services.create_manual_order(lines=[{"sku": "TEE-BLK-M", "quantity": 1}],
                                          address={"name": "A", "street1": "1 Main St", "city": "Oakland",
                                                   "state": "CA", "postal_code": "94607", "country": "US"})
    assert result.order.status == S.AWAITING_CONFIRMATION and result.order.attention_reason == ""


def test_a_sellers_hold_releases_stock_and_releasing_it_confirms_again(waiting):
    order, sku = waiting(quantity=2)
    services.confirm_order(order=order)
    services.hold_order(order=order, reason="Buyer asked for a different colour")
    assert order.status == S.ON_HOLD and level(sku) == (5, 0)
    assert order.attention_reason == A.ON_HOLD and "different colour" in order.attention_detail
    result = services.release_hold(order=order)
    assert result.confirmed and order.status == S.CONFIRMED and level(sku) == (5, 2)


def test_holding_needs_a_reason(waiting):
    order, _sku = waiting()
    with pytest.raises(services.OrderError, match="Say why"):
        services.hold_order(order=order, reason=" ")
    assert order.events.count() == 0


def test_seller_cancellation(waiting):
    order, sku = waiting(quantity=2)
    services.confirm_order(order=order)
    with pytest.raises(services.OrderError, match="reason is required"):
        services.cancel_order(order=order, reason="")
    services.cancel_order(order=order, reason="Out of stock after a miscount")
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.cancel_initiator == CancelInitiator.SELLER
    assert order.cancelled_at is not None and level(sku) == (5, 0)
    event = order.events.get(to_status=S.CANCELLED)
    assert "Cancelled by the seller: Out of stock after a miscount" in event.message
    assert "until channel sync sends it" not in event.message  # seller cancellations are sent to the channel now
    services.cancel_order(order=order, reason="again")  # nothing more happens
    assert order.events.filter(to_status=S.CANCELLED).count() == 1


def test_bulk_actions_go_order_by_order(waiting, stocked):
    order, sku = waiting(quantity=2, on_hand=3)
    short = OrderFactory(status=S.AWAITING_CONFIRMATION)
    OrderLineFactory(order=short, sku=sku, quantity=5)
    shipped = OrderFactory(status=S.SHIPPED)
    outcome = services.bulk_apply(order_ids=[order.pk, short.pk, shipped.pk], action="confirm")
    assert [o.pk for o in outcome["done"]] == [order.pk]
    assert [o.pk for o, _why in outcome["failed"]] == [short.pk]
    assert [(o.pk, why) for o, why in outcome["skipped"]] == [(shipped.pk, f"Order {shipped.external_id} is already "
                                                                           f"shipped.")]
    cancelled = services.bulk_apply(order_ids=[order.pk, shipped.pk], action="cancel", reason="Shop closed")
    assert [o.pk for o in cancelled["done"]] == [order.pk] and "can't be cancelled" in cancelled["failed"][0][1]
    assert level(sku) == (3, 0)


def test_shipping_consumes_and_needs_no_second_reservation(waiting):
    order, sku = waiting(quantity=2)
    services.confirm_order(order=order)
    services.send_to_picking(order=order)
    services.mark_packed(order=order)
    services.mark_shipped(order=order)
    assert order.status == S.SHIPPED and order.tracking_uploaded_at is not None
    assert level(sku) == (3, 0)


def test_the_scheduled_sweep_confirms_orders_once_stock_arrives(waiting, main):
    from orders.jobs import reconfirm_waiting_orders

    order, sku = waiting(quantity=3, on_hand=1)
    services.run_confirmation(order=order, on_arrival=True)
    assert reconfirm_waiting_orders() == {"confirmed": 0}
    assert order.events.count() == 1, "still short: nothing written"
    stock.receive(sku=sku, location=main, quantity=5)
    assert reconfirm_waiting_orders() == {"confirmed": 1}
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and level(sku) == (6, 3)
