"""Refunds read from WooCommerce and Square over real HTTP (the loopback emulators), created from
SellerHub on WooCommerce, linked to returns; a pull run twice changes nothing the second time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels import jobs, refunds
from devtools.emulators import square_refunds, woocommerce_refunds
from orders.models import Order, OrderEvent, Refund, Return
from sellerhub.models import JobRun

pytestmark = pytest.mark.django_db


def pulled_order(account, emulator, channel: str) -> Order:
    emulator.state.generate_orders(channel, 1, skus={"TEE-BLK-M": 2})
    jobs.pull_orders(account)
    return Order.objects.filter(account=account).latest("pk")


def snapshot():
    return (Refund.objects.count(), OrderEvent.objects.filter(kind="refund").count(),
            sorted(Refund.objects.values_list("external_id", "amount", "ret_id")))


def test_woocommerce_refunds_are_read_once_and_linked_to_the_return(listed, emulator, ops_user, client):
    account = listed["woocommerce"]
    order = pulled_order(account, emulator, "woocommerce")
    ret = Return.objects.create(order=order, reason="Wrong size", refund_amount=Decimal("5.00"))
    store = emulator.state.woocommerce
    woocommerce_refunds.add_refund(store, int(order.external_id), "5.00", "Wrong size")
    woocommerce_refunds.add_refund(store, int(order.external_id), "1.50", "Shipping goodwill")
    assert refunds.pull_refunds(account.pk)["created"] == 0, "SellerHub does not know of them before the pull"
    jobs.pull_orders(account)  # the order's payload now lists two refund ids

    first = refunds.pull_refunds(account.pk)
    assert first["created"] == 2, first
    stored = {r.reason: r for r in Refund.objects.filter(order=order)}
    assert stored["Wrong size"].amount == Decimal("5.00") and stored["Wrong size"].ret_id == ret.pk
    assert stored["Shipping goodwill"].ret_id is None
    assert stored["Wrong size"].source == Refund.Source.CHANNEL and stored["Wrong size"].through_gateway is False
    before = snapshot()
    calls = len(emulator.state.requests("woocommerce"))

    second = refunds.pull_refunds(account.pk)
    assert second["created"] == 0 and snapshot() == before, "the same pull again changes nothing"
    assert len(emulator.state.requests("woocommerce")) == calls, "no refund ids are new: no call is made"
    client.force_login(ops_user)  # Ops reads the refunds on the return's page
    page = client.get(f"/orders/returns/{ret.pk}/").content.decode()
    assert f'data-refund="{stored["Wrong size"].external_id}"' in page and "5.00 USD" in page
    assert f'data-refund="{stored["Shipping goodwill"].external_id}"' not in page


def test_square_refunds_are_read_once(listed, emulator):
    account = listed["square"]
    order = pulled_order(account, emulator, "square")
    square_refunds.add_refund(emulator.state.square, order.external_id, 700, "Damaged in transit")
    first = refunds.pull_refunds(account.pk)
    assert first["created"] == 1, first
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("7.00") and refund.reason == "Damaged in transit"
    assert refund.channel_status == "COMPLETED" and refund.external_id.startswith(
        square_refunds.payment_id(order.external_id))
    before = snapshot()
    assert refunds.pull_refunds(account.pk)["created"] == 0
    assert refunds.pull_refunds(account.pk)["unchanged"] == 1 and snapshot() == before
    events = order.events.filter(kind="refund")
    assert events.count() == 1 and "7.00 USD" in events.get().message


def test_the_owner_refunds_a_woocommerce_order_from_sellerhub(listed, emulator, owner_user, owner_client):
    account = listed["woocommerce"]
    order = pulled_order(account, emulator, "woocommerce")
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert "Refund through the payment gateway" in page
    response = owner_client.post(f"/channels/orders/{order.pk}/refunds/new/", {"amount": "4.00",
                                                                             "reason": "Late delivery"})
    assert response.status_code == 302
    run = JobRun.objects.get(kind=refunds.CREATE_KIND)
    refunds.create_refund_job(run.pk, *run_args(order, "4.00", "Late delivery", False, owner_user))
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED, run.message
    sent = emulator.state.received("woocommerce", "refund_create")
    assert len(sent) == 1 and sent[0]["amount"] == "4.00" and sent[0]["api_refund"] is False
    refund = Refund.objects.get(order=order)
    assert refund.source == Refund.Source.SELLERHUB and refund.through_gateway is False
    assert refund.created_by == owner_user
    jobs.pull_orders(account)
    assert refunds.pull_refunds(account.pk)["created"] == 0, "reading it back adds nothing"
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert "Late delivery" in page and "recorded only" in page


def run_args(order, amount, reason, api_refund, user):
    return [order.pk, amount, reason, api_refund, user.pk]


def test_bad_refunds_are_refused_with_a_message(listed, emulator, owner_user, api_client_for, owner_client):
    order = pulled_order(listed["woocommerce"], emulator, "woocommerce")
    api = api_client_for(owner_user)
    too_much = api.post("/api/v1/refunds", {"order": order.pk, "amount": str(order.total + 1)}, format="json")
    assert too_much.status_code == 409 and "between 0.01 and" in too_much.json()["error"]
    assert api.post("/api/v1/refunds", {"order": order.pk, "amount": "abc"}, format="json").status_code == 400
    assert api.post("/api/v1/refunds", {"order": 10**12, "amount": "1"}, format="json").status_code == 404
    etsy = pulled_order(listed["etsy"], emulator, "etsy")
    refused = api.post("/api/v1/refunds", {"order": etsy.pk, "amount": "1.00"}, format="json")
    assert refused.status_code == 409 and "made on the channel" in refused.json()["error"]
    page = owner_client.post(f"/channels/orders/{order.pk}/refunds/new/", {"amount": "1e999"}, follow=True)
    assert "Enter the amount to refund" in page.content.decode() or "between 0.01" in page.content.decode()
    assert not JobRun.objects.filter(kind=refunds.CREATE_KIND).exists() and not Refund.objects.exists()
    queued = api.post("/api/v1/refunds", {"order": order.pk, "amount": "2.00", "api_refund": True}, format="json")
    assert queued.status_code == 202 and JobRun.objects.filter(pk=queued.json()["job_run"]).exists()


def test_roles_ops_and_warehouse_read_but_do_not_refund(listed, emulator, api_client_for, ops_user, warehouse_user,
                                                        client):
    order = pulled_order(listed["woocommerce"], emulator, "woocommerce")
    for user in (ops_user, warehouse_user):
        api = api_client_for(user)
        assert api.get("/api/v1/refunds").status_code == 200
        assert api.post("/api/v1/refunds", {"order": order.pk, "amount": "1.00"}, format="json").status_code == 403
        client.force_login(user)
        assert client.post(f"/channels/orders/{order.pk}/refunds/new/", {"amount": "1.00"}).status_code == 403
        assert client.post(f"/orders/{order.pk}/cancellation/retry/").status_code == 403
    assert not JobRun.objects.filter(kind=refunds.CREATE_KIND).exists()


def test_the_refunds_list_runs_a_constant_number_of_queries(listed, emulator, owner_user, api_client_for):
    account = listed["square"]
    api = api_client_for(owner_user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/refunds").status_code == 200
        return len(ctx.captured_queries)

    order = pulled_order(account, emulator, "square")
    square_refunds.add_refund(emulator.state.square, order.external_id, 100, "one")
    refunds.pull_refunds(account.pk)
    few = count_queries()
    for _ in range(4):
        other = pulled_order(account, emulator, "square")
        square_refunds.add_refund(emulator.state.square, other.external_id, 100, "more")
    refunds.pull_refunds(account.pk)
    assert Refund.objects.count() == 5
    assert count_queries() == few
    listed_refunds = api.get("/api/v1/refunds", {"order": order.pk}).json()
    rows = listed_refunds["results"] if isinstance(listed_refunds, dict) else listed_refunds
    assert [r["reason"] for r in rows] == ["one"]
