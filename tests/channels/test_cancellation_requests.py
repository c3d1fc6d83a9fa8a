"""Buyer cancellation requests with TikTok over real HTTP (the loopback emulator): a request
arrives by notification 11 or a pull; the same notification five times and the same pull twice
change nothing; the Owner's approval reaches TikTok once (a lost answer is read back before it is
sent again), cancels the order with the buyer as initiator and releases its stock; a rejection
carries TikTok's reason; past the deadline TikTok approves on its own; a pending request keeps the
order out of picking and packing; the seller's own cancellation reaches TikTok with its reason."""

from __future__ import annotations

import datetime as dt

import django_rq
import pytest
from django.utils import timezone
from rq import SimpleWorker

from channels import cancellation_requests as sync
from channels import coordination
from channels import jobs as channel_jobs
from fulfilment import services as fulfilment
from fulfilment.services.errors import CancellationPending
from integrations.channels.connectors import connector_for
from integrations.channels.connectors.base import CancellationPush
from inventory.models import Reservation, StockMovement, StockOutbox
from orders.models import CancellationRequest, Order, OrderEvent, OrderStatus
from orders.services import cancellation_requests as services
from sellerhub.models import WebhookEvent
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_jobs():
    SimpleWorker([django_rq.get_queue("push"), django_rq.get_queue("sync")],
                 connection=coordination.connection()).work(burst=True)


def tiktok_order(emulator, account, skus=None):
    order_id = emulator.state.generate_orders("tiktok", 1, skus=skus or {"TEE-BLK-M": 2})[0]
    assert not channel_jobs.pull_orders(account).get("failed")
    order = Order.objects.get(account=account, external_id=order_id)
    assert order.status == OrderStatus.CONFIRMED, order.attention_detail
    return order


def counts(order):
    return (CancellationRequest.objects.count(), StockMovement.objects.count(), OrderEvent.objects.filter(
        order=order).count(), Reservation.objects.filter(state=Reservation.State.ACTIVE).count())


def post(client, account, headers, body):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post(f"/webhooks/tiktok/{account.pk}", data=body, content_type="application/json", **extra)


def test_notification_five_times_and_pull_twice_change_nothing(client, listed, emulator,
                                                               django_capture_on_commit_callbacks):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    desk = emulator.state.tiktok.cancellation_desk
    cancel_id = desk.open_request(order.external_id, reason="No longer needed")
    headers, body = desk.build_notification(cancel_id)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post(client, account, headers, body).json()["status"] for _ in range(5)]
    assert answers == ["accepted"] + ["duplicate"] * 4
    run_jobs()
    request = CancellationRequest.objects.get()
    assert (request.order_id, request.external_id, request.status) == (order.pk, cancel_id, "pending")
    assert request.respond_by is not None and request.reason == "No longer needed"
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    before = counts(order)
    first = sync.pull_cancellations(account)
    second = sync.pull_cancellations(account)
    assert first["cancellation_requests_changed"] == 0 and second["cancellation_requests_changed"] == 0
    assert counts(order) == before


def test_owner_approval_reaches_tiktok_once_and_cancels_the_order(listed, emulator,
                                                                   django_capture_on_commit_callbacks):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    assert Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()
    cancel_id = emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    owner = UserFactory(username="olive", role="Owner")
    request = CancellationRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(request=request, approve=True, user=owner)
    run_jobs()
    assert sync.send_decision_job(request.pk)["message"] == "nothing to send"  # a second run sends nothing
    approvals = emulator.state.received("tiktok", "cancellation_approved")
    assert [a["cancel_id"] for a in approvals] == [cancel_id]
    assert approvals[0]["idempotency_key"] == f"sellerhub-cancellation-{request.pk}-approve"
    request.refresh_from_db()
    order.refresh_from_db()
    assert (request.status, request.delivery, request.decided_by) == ("approved", "sent", owner)
    assert order.status == OrderStatus.CANCELLED and order.cancel_initiator == "BUYER"
    assert not Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()
    assert StockOutbox.objects.filter(listing__account__in=list(listed.values())).exists()
    before = counts(order)
    sync.pull_cancellations(account)  # TikTok's own view of it changes nothing more
    assert counts(order) == before


def test_a_lost_answer_is_read_back_before_the_decision_is_sent_again(listed, emulator, settings):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    request = services.decide(request=CancellationRequest.objects.get(), approve=True,
                              user=UserFactory(username="olive", role="Owner"))
    settings.CHANNEL_SYNC_READ_TIMEOUT = 0.5
    emulator.state.faults.update(script=["slow"], slow_seconds=1.0, paths=["/approve"])
    assert sync.send_decision_job(request.pk).get("sent")
    assert len(emulator.state.received("tiktok", "cancellation_approved")) == 1
    request.refresh_from_db()
    assert request.status == "approved" and request.delivery == "sent"


def test_rejection_carries_tiktoks_reason_and_keeps_the_order(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    owner = UserFactory(username="olive", role="Owner")
    request = CancellationRequest.objects.get()
    with pytest.raises(services.CancellationRequestError, match="reasons"):
        services.decide(request=request, approve=False, user=owner)
    services.decide(request=request, approve=False, user=owner,
                    reject_reason="seller_reject_apply_buyer_agreed_to_keep")
    sync.send_decision_job(request.pk)
    sent = emulator.state.received("tiktok", "cancellation_rejected")
    assert [s["reject_reason"] for s in sent] == ["seller_reject_apply_buyer_agreed_to_keep"]
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == "rejected" and order.status == OrderStatus.CONFIRMED


def test_refused_decision_shows_its_reason(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    request = services.decide(request=CancellationRequest.objects.get(), approve=False,
                              user=UserFactory(username="olive", role="Owner"), reject_reason="not_a_tiktok_reason")
    assert sync.send_decision_job(request.pk).get("failed")
    request.refresh_from_db()
    assert request.delivery == "failed" and "reject_reason" in request.delivery_error
    assert request.status == "pending"


def test_past_the_deadline_tiktok_approves_it_and_we_show_it(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id, respond_within=60)
    sync.pull_cancellations(account)
    assert CancellationRequest.objects.get().status == "pending"
    emulator.state.clock.advance(120)
    sync.pull_cancellations(account)
    request = CancellationRequest.objects.get()
    order.refresh_from_db()
    assert (request.status, request.auto_approved, request.decided_by) == ("auto_approved", True, None)
    assert request.decided_at >= request.respond_by
    assert order.status == OrderStatus.CANCELLED and order.cancel_initiator == "BUYER"


def test_a_pending_request_keeps_the_order_out_of_picking_and_packing(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    other = tiktok_order(emulator, account, {"MUG-RED": 1})
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    result = fulfilment.create_pick_list(order_ids=[order.pk, other.pk])
    assert [(o.pk, why) for o, why in result.skipped] == [(order.pk, "has a buyer's cancellation request to decide")]
    with pytest.raises(CancellationPending, match="the buyer asked to cancel it"):
        fulfilment.check_packable(order)
    fulfilment.check_packable(other)


def test_warehouse_decides_only_orders_not_packed(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    sync.pull_cancellations(account)
    request = CancellationRequest.objects.get()
    wren, otto = UserFactory(username="wren", role="Warehouse"), UserFactory(username="otto", role="Ops")
    assert services.may_decide(wren, request) and not services.may_decide(otto, request)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PACKED)
    request = CancellationRequest.objects.select_related("order").get()
    assert not services.may_decide(wren, request)
    with pytest.raises(services.CancellationRequestError, match="only the Owner"):
        services.decide(request=request, approve=True, user=wren)


def test_seller_cancellation_reaches_tiktok_with_its_reason(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    connector = connector_for(account)
    push = CancellationPush(order_external_id=order.external_id, reason="out_of_stock", idempotency_key="sc-1")
    outcome = connector.push_cancellation(push)
    again = connector.push_cancellation(push)
    assert outcome.reference and not outcome.already
    assert again.already and again.reference == outcome.reference
    sent = emulator.state.received("tiktok", "seller_cancellation")
    assert [(s["order_id"], s["cancel_reason"]) for s in sent] == [
        (order.external_id, "seller_cancel_reason_out_of_stock")]


def test_the_schedule_pulls_and_sends_decisions_whose_job_was_lost(listed, emulator):
    account = listed["tiktok"]
    order = tiktok_order(emulator, account)
    emulator.state.tiktok.cancellation_desk.open_request(order.external_id)
    assert sync.pull_all_cancellations()["accounts"] == 1
    run_jobs()
    request = CancellationRequest.objects.get()
    services.decide(request=request, approve=True, user=UserFactory(username="olive", role="Owner"))  # job lost
    CancellationRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=3))
    assert sync.pull_all_cancellations()["decisions"] == 1
    run_jobs()
    request.refresh_from_db()
    assert request.status == "approved" and len(emulator.state.received("tiktok", "cancellation_approved")) == 1
