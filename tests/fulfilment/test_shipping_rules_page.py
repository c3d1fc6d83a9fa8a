"""Shipping rules applied to a page of confirmed orders at once end exactly as the same orders
decided one by one (rule, action, tag, platform rule, hold), over rules of several kinds; a stored
page of a channel's orders calls the order-confirmed hook once, and a page costs the same
statements whatever its size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulfilment.shipping_rules import selectors
from fulfilment.shipping_rules import services as rules
from fulfilment.shipping_rules.models import OrderShippingDecision
from orders import hooks
from orders.mapping import map_order
from orders.models import Order, OrderStatus
from orders.samples import tiktok_payload
from orders.services.page_ingest import store_page
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db

# (lines, order fields, tag already recorded on its decision)
ORDERS = [
    ({"MUG-01": 1}, {"total": Decimal("95.00")}, ""),                 # big: held
    ({"MUG-01": 1}, {"total": Decimal("20.00")}, ""),                 # a mug: USPS by SKU prefix
    ({"TEE-BLK-M": 4}, {"total": Decimal("40.00")}, ""),              # 680 g: no rule
    ({"TEE-BLK-M": 3, "TOTE-NAT": 2}, {"total": Decimal("60.00")}, ""),  # 930 g: heavy, UPS
    ({"CAP-BLK": 1}, {"total": Decimal("10.00"), "ship_state": "NY"}, ""),  # east: platform label, tag
    ({"CAP-BLK": 1}, {"total": Decimal("10.00")}, "vip"),             # tagged before: the VIP rule
    ({"CAP-BLK": 1}, {"total": Decimal("12.00"), "tiktok": True}, ""),  # TikTok: the built-in rule noted
    ({"CAP-BLK": 2}, {"total": Decimal("12.00"), "due": dt.timedelta(hours=2)}, ""),  # due soon: rush
]


@pytest.fixture
def rule_set(owner_user):
    for fields in (
        {"name": "Big: check", "min_value": Decimal("90"), "hold_reason": "Call the buyer first."},
        {"name": "Off", "enabled": False, "carrier": "fedex"},
        {"name": "VIP", "has_tag": "vip", "carrier": "ups", "service": "NextDayAir", "tag": "vip"},
        {"name": "Mugs: USPS", "skus": "mug-*", "carrier": "usps", "service": "GroundAdvantage"},
        {"name": "Heavy: UPS", "min_weight_grams": 900, "carrier": "ups", "service": "Ground", "label_source": "own"},
        {"name": "East", "states": "NY, NJ", "label_source": "platform", "tag": "east"},
        {"name": "Rush", "due_within_hours": 3, "cheapest_by_deliver_date": True, "tag": "rush"},
    ):
        rules.save_rule(user=owner_user, **fields)


def _orders(make_order, prefix: str, tiktok) -> list[Order]:
    made = []
    for i, (lines, fields, tag) in enumerate(ORDERS):
        fields = dict(fields)
        account = tiktok if fields.pop("tiktok", False) else None
        due = fields.pop("due", dt.timedelta(hours=30))
        order = make_order(f"{prefix}-{i}", lines, account=account, due=due, **fields)
        if tag:
            OrderShippingDecision.objects.create(order=order, moment="before_label", tag=tag)
        made.append(order)
    return made


def _picture(order: Order) -> tuple:
    order.refresh_from_db()
    d = order.shipping_decision
    return (d.rule_name, d.moment, d.carrier, d.service, d.cheapest_by_deliver_date, d.box_id, d.label_source,
            d.hold_reason, d.tag, d.action_text, d.platform_rule, d.held_at is not None, order.status,
            order.attention_reason, order.attention_detail)


def test_a_page_decides_exactly_as_one_order_at_a_time(make_order, skus, rule_set):
    tiktok = ChannelAccountFactory(name="TikTok shop", channel="tiktok")
    one_by_one, page = _orders(make_order, "A", tiktok), _orders(make_order, "B", tiktok)
    expected = [getattr(selectors.matching_rule(o), "name", "") for o in one_by_one]  # the per-order selector
    for order in one_by_one:
        hooks.order_confirmed(order_id=order.pk)  # a single order: a page of one
    hooks.orders_confirmed(order_ids=[o.pk for o in page])
    singles, together = [_picture(o) for o in one_by_one], [_picture(o) for o in page]
    assert together == singles
    assert [p[0] for p in singles] == expected == [
        "Big: check", "Mugs: USPS", "", "Heavy: UPS", "East", "VIP", "", "Rush"]
    assert singles[0][-3] == OrderStatus.ON_HOLD and "Call the buyer first." in singles[0][-1]
    assert [p[-3] for p in singles[1:]] == [OrderStatus.CONFIRMED] * 7
    assert singles[6][10] == "TikTok orders: USPS only through TikTok Shipping" and singles[5][8] == "vip"
    assert [p[10] for p in singles].count("") == 7

    hooks.orders_confirmed(order_ids=[o.pk for o in page])  # again: the held order is not held twice
    again = [_picture(o) for o in page]
    assert [p[:11] for p in again] == [p[:11] for p in together]
    assert Order.objects.get(pk=page[0].pk).events.filter(to_status=OrderStatus.ON_HOLD).count() == 1


def test_a_page_costs_the_same_statements_whatever_its_size(make_order, skus, owner_user):
    rules.save_rule(name="Mugs: USPS", skus="MUG-*", carrier="usps", user=owner_user)
    orders = [make_order(f"Q-{i}", {"MUG-01": 1, "CAP-BLK": 1}) for i in range(6)]
    counts = []
    for ids in ([orders[0].pk], [o.pk for o in orders[1:]]):
        with CaptureQueriesContext(connection) as queries:
            decisions = rules.apply_rules_to_orders(order_ids=ids, moment="confirmed")
        counts.append(len(queries))
        assert {d.rule_name for d in decisions.values()} == {"Mugs: USPS"}
    assert counts[0] == counts[1] <= 10, counts


def test_a_stored_page_calls_the_hook_once_and_every_order_gets_its_rule(
        skus, owner_user, django_capture_on_commit_callbacks):
    rules.save_rule(name="Mugs: USPS", skus="MUG-*", carrier="usps", user=owner_user)
    account = ChannelAccountFactory(name="TikTok page shop", channel="tiktok")
    now = timezone.now()
    incoming = [map_order("tiktok", tiktok_payload(order_id=f"57700000000000{n:04d}", lines=(("MUG-01", 1, "9.00"),),
                                                   created=now, paid=now, rts_sla=now + dt.timedelta(days=2)))
                for n in range(3)]
    calls = []

    def record(*, order_ids):
        calls.append(list(order_ids))

    hooks.register_orders_confirmed(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            results = store_page(account=account, incoming=incoming)
    finally:
        hooks._orders_confirmed.remove(record)
    ids = [r.order.pk for r in results]
    assert calls == [ids]
    assert [Order.objects.get(pk=pk).shipping_decision.rule_name for pk in ids] == ["Mugs: USPS"] * 3


def test_with_no_own_rule_a_page_is_decided_without_locking_its_orders(make_order, skus, owner_user):
    """The common case (no own rule, the built-in TikTok rule on): "no rule applied" for every
    order, the built-in rule noted on the TikTok one, a hold from an earlier rule remembered; the
    same pictures as with an own rule that matches nothing (the general path)."""
    tiktok = ChannelAccountFactory(name="TikTok shop", channel="tiktok")
    fast, general = _orders(make_order, "F", tiktok), _orders(make_order, "G", tiktok)
    held = timezone.now() - dt.timedelta(hours=1)
    for order in (fast[2], general[2]):
        OrderShippingDecision.objects.create(order=order, moment="confirmed", rule_name="Old", held_at=held)
    with CaptureQueriesContext(connection) as queries:
        hooks.orders_confirmed(order_ids=[o.pk for o in fast])
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) <= 4  # the rules, the orders' facts, one upsert (+ savepoint)
    rules.save_rule(name="Never", min_value=Decimal("100000"), user=owner_user)
    hooks.orders_confirmed(order_ids=[o.pk for o in general])
    fast_pictures, general_pictures = [_picture(o) for o in fast], [_picture(o) for o in general]
    assert fast_pictures == general_pictures
    assert {p[0] for p in fast_pictures} == {""} and {p[9] for p in fast_pictures} == {"no rule applied"}
    assert [p[10] for p in fast_pictures].count("TikTok orders: USPS only through TikTok Shipping") == 1
    assert fast_pictures[2][11] and OrderShippingDecision.objects.get(order=fast[2]).held_at == held
