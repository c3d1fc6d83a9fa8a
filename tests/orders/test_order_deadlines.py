"""Acceptance 3: dispatch_due_at as orders get it, table-driven: through the manual-order API and
through the channel upsert, with the account's calendar (weekends, US holidays, cut-off).
orders/deadlines.py has its own unit tests (test_deadlines.py); these check the wiring."""

import datetime as dt
from decimal import Decimal

import pytest

from orders.mapping import ChannelLine, ChannelOrder, map_order
from orders.models import DeadlineSource, Order, OrderStatus
from orders.samples import tiktok_payload
from orders.services import upsert_order
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory

# (handling days, paid at, expected dispatch_due_at); cut-off 14:00 America/Los_Angeles.
# Week of Mon 2026-09-14 has no US holiday; Mon 2026-09-07 is Labor Day; Thu 2026-11-26 is
# Thanksgiving; Fri 2026-12-25 is Christmas.
CASES = [
    pytest.param(1, "2026-09-14T10:00-07:00", "2026-09-15T14:00-07:00", id="mon-before-cutoff"),
    pytest.param(1, "2026-09-14T14:00-07:00", "2026-09-15T14:00-07:00", id="mon-exactly-at-cutoff"),
    pytest.param(1, "2026-09-14T15:30-07:00", "2026-09-16T14:00-07:00", id="mon-after-cutoff"),
    pytest.param(1, "2026-09-18T09:00-07:00", "2026-09-21T14:00-07:00", id="fri-before-cutoff-weekend"),
    pytest.param(1, "2026-09-18T18:00-07:00", "2026-09-21T14:00-07:00", id="fri-after-cutoff-weekend"),
    pytest.param(1, "2026-09-19T11:00-07:00", "2026-09-21T14:00-07:00", id="paid-saturday"),
    pytest.param(1, "2026-09-20T21:00-07:00", "2026-09-21T14:00-07:00", id="paid-sunday-evening"),
    pytest.param(1, "2026-09-04T18:00-07:00", "2026-09-08T14:00-07:00", id="binding-fri-after-cutoff-labor-day"),
    pytest.param(1, "2026-09-04T10:00-07:00", "2026-09-08T14:00-07:00", id="fri-before-cutoff-labor-day"),
    pytest.param(1, "2026-09-07T10:00-07:00", "2026-09-08T14:00-07:00", id="paid-on-labor-day"),
    pytest.param(1, "2026-11-25T15:00-08:00", "2026-11-27T14:00-08:00", id="wed-after-cutoff-thanksgiving"),
    pytest.param(1, "2026-11-25T11:00-08:00", "2026-11-27T14:00-08:00", id="wed-before-cutoff-thanksgiving"),
    pytest.param(1, "2026-12-24T10:00-08:00", "2026-12-28T14:00-08:00", id="christmas-eve-to-monday"),
    pytest.param(2, "2026-09-18T09:00-07:00", "2026-09-22T14:00-07:00", id="h2-fri-before-cutoff"),
    pytest.param(2, "2026-09-03T15:00-07:00", "2026-09-09T14:00-07:00", id="h2-thu-after-cutoff-labor-day"),
    pytest.param(0, "2026-09-14T10:00-07:00", "2026-09-14T14:00-07:00", id="h0-same-day"),
    pytest.param(0, "2026-09-14T16:00-07:00", "2026-09-15T14:00-07:00", id="h0-after-cutoff"),
    pytest.param(1, "2026-11-02T10:00-08:00", "2026-11-03T14:00-08:00", id="after-dst-ends-pst"),
]


def at(text):
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def manual_calendar(db):
    """The Manual account the API uses, with a 14:00 cut-off and 3 transit days."""

    def make(handling):
        return ChannelAccountFactory(name="Manual", channel=Channel.MANUAL, handling_days=handling,
                                     cutoff_time=dt.time(14, 0), transit_days=3, holiday_country="US")

    return make


@pytest.mark.parametrize("handling,paid,expected", CASES)
def test_manual_orders_get_their_deadline_from_the_account_calendar(api_client_for, owner_user, stocked,
                                                                     manual_calendar, handling, paid, expected):
    manual_calendar(handling)
    stocked("TEE-BLK-M", 5)
    response = api_client_for(owner_user).post(
        "/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M", "quantity": 1}], "paid_at": paid}, format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get(pk=response.json()["id"])
    assert order.dispatch_due_at == at(expected)
    assert order.deadline_source == DeadlineSource.CALENDAR
    assert dt.datetime.fromisoformat(response.json()["dispatch_due_at"]) == at(expected)


@pytest.mark.parametrize("handling,paid,expected", CASES)
def test_channel_orders_without_deadlines_get_them_from_the_account_calendar(db, handling, paid, expected):
    account = ChannelAccountFactory(channel=Channel.WOOCOMMERCE, handling_days=handling, cutoff_time=dt.time(14, 0),
                                    transit_days=0)
    paid_at = at(paid)
    incoming = ChannelOrder(
        external_id="1042", status=OrderStatus.AWAITING_PAYMENT, channel_status="pending",
        created_at=paid_at - dt.timedelta(minutes=5), updated_at=paid_at, paid_at=paid_at,
        lines=(ChannelLine(external_id="1", channel_sku="X", quantity=1, unit_price=Decimal("5")),), raw={"n": 1})
    order = upsert_order(account=account, incoming=incoming).order
    assert order.dispatch_due_at == at(expected)
    assert order.delivery_due_at == at(expected), "0 transit days: deliver by the dispatch deadline"


def test_delivery_due_adds_the_transit_business_days(api_client_for, owner_user, stocked, manual_calendar):
    manual_calendar(1)
    stocked("TEE-BLK-M", 5)
    response = api_client_for(owner_user).post("/api/v1/orders", {
        "lines": [{"sku": "TEE-BLK-M"}], "paid_at": "2026-09-04T18:00:00-07:00"}, format="json")
    order = Order.objects.get(pk=response.json()["id"])
    assert order.dispatch_due_at == at("2026-09-08T14:00-07:00")
    assert order.delivery_due_at == at("2026-09-11T14:00-07:00")  # Tue + 3 business days = Fri


@pytest.fixture
def tiktok_account(db):
    return ChannelAccountFactory(channel=Channel.TIKTOK, handling_days=1, cutoff_time=dt.time(14, 0))


def test_tiktok_deadlines_are_used_as_they_come(tiktok_account):
    paid = at("2026-09-04T18:00-07:00")
    rts_sla, delivery_sla = at("2026-09-09T23:59-07:00"), at("2026-09-16T23:59-07:00")
    raw = tiktok_payload(order_id="576000000000000001", created=paid, paid=paid, rts_sla=rts_sla,
                         delivery_sla=delivery_sla)
    order = upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw)).order
    assert (order.dispatch_due_at, order.delivery_due_at) == (rts_sla, delivery_sla)
    assert order.deadline_source == DeadlineSource.CHANNEL


def test_tiktok_without_rts_sla_time_falls_back_to_the_calendar_and_never_recomputes(tiktok_account):
    paid = at("2026-09-04T18:00-07:00")
    raw = tiktok_payload(order_id="576000000000000002", created=paid, paid=paid)
    order = upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw)).order
    assert order.dispatch_due_at == at("2026-09-08T14:00-07:00")
    assert order.deadline_source == DeadlineSource.CALENDAR
    tiktok_account.handling_days = 3
    tiktok_account.save()
    raw["update_time"] += 60
    raw["buyer_email"] = "changed@scs.tiktokw.us"
    result = upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw))
    assert result.outcome == "updated"
    result.order.refresh_from_db()
    assert result.order.dispatch_due_at == at("2026-09-08T14:00-07:00"), "a stored deadline is kept"


def test_paying_later_sets_the_deadline_from_the_payment(tiktok_account):
    created = at("2026-09-14T09:00-07:00")
    raw = tiktok_payload(order_id="576000000000000003", status="UNPAID", created=created)
    order = upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw)).order
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.dispatch_due_at is None
    paid = tiktok_payload(order_id="576000000000000003", created=created, paid=at("2026-09-14T15:00-07:00"))
    order = upsert_order(account=tiktok_account, incoming=map_order("tiktok", paid)).order
    order.refresh_from_db()
    assert order.dispatch_due_at == at("2026-09-16T14:00-07:00")
