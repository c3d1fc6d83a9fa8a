"""Why an order was cancelled: the code the figures count, from the seller's reason or from what the
channel reports (table-driven), and on the order when it is cancelled."""

import importlib

import pytest
from django.apps import apps as django_apps

from orders import services
from orders.cancel_reasons import SELLER_REASON_CHOICES, classify, code_for_seller_reason
from orders.models import CancelInitiator, Order, OrderStatus, SellerCancellation
from tests.orders.factories import OrderFactory

Who = CancelInitiator


@pytest.mark.parametrize(("initiator", "reason", "code"), [
    (Who.SELLER, "Out of stock", "out_of_stock"),
    (Who.SYSTEM, "Package not shipped in time", "missed_sla"),
    (Who.SYSTEM, "Auto-cancelled: seller did not ship before the deadline (overdue)", "missed_sla"),
    (Who.SYSTEM, "Not paid in time", ""),  # the system, and no words that say why: unknown
    (Who.SYSTEM, "", ""),
    (Who.BUYER, "Buyer changed their mind", "buyer_request"),
    (Who.BUYER, "", "buyer_request"),
    (Who.SELLER, "Buyer asked to cancel by email", "buyer_request"),
    (Who.SELLER, "Wrong price on the listing", "pricing_error"),
    (Who.SELLER, "Address is undeliverable", "unable_to_deliver"),
    (Who.SELLER, "Changed my mind", "seller_request"),
    ("", "Canceled on Etsy", ""),
    ("", "SOLD OUT", "out_of_stock"),
])
def test_a_channels_cancellation_is_classified_by_its_words_then_its_initiator(initiator, reason, code):
    assert classify(initiator, reason) == code


def test_every_reason_on_the_list_has_a_code():
    assert [code_for_seller_reason(value) for value, _label in SELLER_REASON_CHOICES] == [
        "out_of_stock", "pricing_error", "unable_to_deliver", "buyer_request", "other"]
    with pytest.raises(ValueError):
        code_for_seller_reason("bored")


@pytest.mark.django_db
def test_a_channel_cancellation_gets_its_code_and_a_manual_one_needs_no_list():
    channel_order = OrderFactory(status=OrderStatus.CONFIRMED)
    services.transition(order=channel_order, to_status=OrderStatus.CANCELLED, source=services.CHANNEL,
                        cancel_initiator=Who.SYSTEM, cancel_reason="Seller failed to ship within the SLA (timeout)")
    channel_order.refresh_from_db()
    assert channel_order.cancel_reason_code == "missed_sla"
    manual = OrderFactory(status=OrderStatus.AWAITING_CONFIRMATION, account__channel="manual")
    services.cancel_order(order=manual, reason="Customer called", reason_code="")
    manual.refresh_from_db()
    assert manual.status == OrderStatus.CANCELLED and manual.cancel_reason_code == "seller_request"
    assert not SellerCancellation.objects.filter(order=manual).exists(), "a manual order has no channel to tell"


@pytest.mark.django_db
def test_the_migration_fills_the_code_of_orders_already_cancelled():
    migration = importlib.import_module("orders.migrations.0007_seller_cancellations_refunds")
    out = OrderFactory(status=OrderStatus.CANCELLED, cancel_initiator=Who.SELLER, cancel_reason="Out of stock")
    buyer = OrderFactory(status=OrderStatus.CANCELLED, cancel_initiator=Who.BUYER, cancel_reason="")
    unknown = OrderFactory(status=OrderStatus.CANCELLED, cancel_initiator=Who.SYSTEM, cancel_reason="Not paid in time")
    kept = OrderFactory(status=OrderStatus.CANCELLED, cancel_initiator=Who.BUYER, cancel_reason_code="other")
    live = OrderFactory(status=OrderStatus.CONFIRMED, cancel_reason="out of stock")
    migration.backfill_codes(django_apps, None)
    codes = {o.pk: o.cancel_reason_code for o in Order.objects.all()}
    assert codes == {out.pk: "out_of_stock", buyer.pk: "buyer_request", unknown.pk: "", kept.pk: "other", live.pk: ""}
