"""A seller's cancellation in SellerHub reaches the channel over real HTTP (the loopback
emulators) with its reason; a channel failure shows on the order, and a retry cancels once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from channels import jobs
from channels.cancellation_push import JOB_KIND, push_cancellation, push_cancellation_job, sweep
from devtools.emulators import etsy_refunds, square_refunds, woocommerce_refunds
from integrations.channels.connectors import CONNECTORS
from orders import services
from orders.models import Order, SellerCancellation
from sellerhub.models import JobRun

pytestmark = pytest.mark.django_db

State = SellerCancellation.State


def pulled_order(account, emulator, channel: str) -> Order:
    emulator.state.generate_orders(channel, 1, skus=["TEE-BLK-M"])
    jobs.pull_orders(account)
    return Order.objects.filter(account=account).latest("pk")


def cancellations(emulator, channel: str) -> list[dict]:
    if channel == "tiktok":  # TikTok's POST /return_refund/202309/cancellations
        return [dict(r, reason=r["cancel_reason"]) for r in emulator.state.received("tiktok", "seller_cancellation")]
    return emulator.state.received(channel, "cancellation")


def channel_state(emulator, channel: str, order: Order) -> str:
    if channel == "woocommerce":
        return emulator.state.woocommerce.orders[int(order.external_id)]["status"]
    if channel == "tiktok":
        return emulator.state.tiktok.orders[order.external_id]["status"]
    return emulator.state.square.orders[order.external_id]["state"]


# The reason each channel is told for "out_of_stock" / "pricing_error".
REASONS = {"tiktok": {"out_of_stock": "seller_cancel_reason_out_of_stock",
                      "pricing_error": "seller_cancel_reason_wrong_price"}}


def told(channel: str, reason: str) -> str:
    return REASONS.get(channel, {}).get(reason, reason)


def cancel(order, owner_user, reason_code="out_of_stock", note="the last one was damaged"):
    return services.cancel_order(order=order, reason=note, reason_code=reason_code, user=owner_user)


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "square"])
def test_a_seller_cancellation_reaches_the_channel_with_its_reason(listed, emulator, owner_user, channel,
                                                                   django_capture_on_commit_callbacks):
    order = pulled_order(listed[channel], emulator, channel)
    cancelled = cancel(order, owner_user)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason_code == "out_of_stock"
    assert cancelled.cancel_reason == "Out of stock: the last one was damaged"
    row = SellerCancellation.objects.get(order=order)
    assert row.state == State.QUEUED and row.reason == "out_of_stock"

    result = push_cancellation(row.pk)
    assert not result.get("failed"), result
    sent = cancellations(emulator, channel)
    assert len(sent) == 1 and sent[0]["reason"] == told(channel, "out_of_stock")
    assert channel_state(emulator, channel, order) in ("cancelled", "CANCELED", "CANCELLED")
    if channel == "woocommerce":
        notes = emulator.state.received("woocommerce", "order_note")
        assert any("Out of stock" in n["note"] and "damaged" in n["note"] for n in notes)
    elif channel == "square":
        assert sent[0]["note"] == "the last one was damaged" and sent[0]["idempotency_key"]
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1 and row.channel_reference
    timeline = list(order.events.values_list("message", flat=True))
    assert any("cancelled the order" in m for m in timeline), timeline

    assert push_cancellation(row.pk)["already"] is True
    assert len(cancellations(emulator, channel)) == 1, "sending again changes nothing on the channel"


def fail_next_cancellation(emulator, channel: str) -> None:
    if channel == "tiktok":  # the shared fault switch: every call on the cancellation paths answers 500
        emulator.state.faults.update(script=["500"] * 4, services=["tiktok"], paths=["/cancellations"])
        return
    module = woocommerce_refunds if channel == "woocommerce" else square_refunds
    module.fail_next_cancellation(getattr(emulator.state, channel), status=400,
                                  message="The order is locked by another process.")


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "square"])
def test_a_channel_failure_shows_on_the_order_and_a_retry_cancels_once(listed, emulator, owner_user, channel,
                                                                       owner_client, settings):
    settings.CHANNEL_SYNC_MAX_ATTEMPTS = 2
    order = pulled_order(listed[channel], emulator, channel)
    fail_next_cancellation(emulator, channel)
    cancel(order, owner_user, reason_code="pricing_error", note="")
    row = SellerCancellation.objects.get(order=order)
    result = push_cancellation(row.pk)
    assert result["failed"]
    row.refresh_from_db()
    assert row.state == State.FAILED and row.last_error
    assert cancellations(emulator, channel) == []
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert "did not cancel the order" in page and 'value="retry_cancellation"' in page
    if channel != "tiktok":
        assert "locked by another process" in page
    emulator.state.faults.clear()

    response = owner_client.post(f"/orders/{order.pk}/cancellation/retry/", follow=True)
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.state == State.QUEUED
    assert not push_cancellation(row.pk).get("failed")
    assert push_cancellation(row.pk).get("already")
    sent = cancellations(emulator, channel)
    assert len(sent) == 1 and sent[0]["reason"] == told(channel, "pricing_error")
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 2


def test_a_failure_after_the_channel_applied_it_does_not_cancel_twice(listed, emulator, owner_user):
    """Square: the first answer is lost (5xx on every try); the retry reads the order first."""
    order = pulled_order(listed["square"], emulator, "square")
    cancel(order, owner_user, reason_code="buyer_requested")
    row = SellerCancellation.objects.get(order=order)
    emulator.state.square.cancel(order.external_id)  # the cancellation landed on Square meanwhile
    assert push_cancellation(row.pk)["already"] is True
    row.refresh_from_db()
    assert row.state == State.SENT and cancellations(emulator, "square") == []


def test_etsy_has_no_cancellation_call_and_the_page_says_what_to_do(listed, emulator, owner_user, owner_client):
    assert CONNECTORS["etsy"].supports_cancellation is False
    order = pulled_order(listed["etsy"], emulator, "etsy")
    cancel(order, owner_user, reason_code="unable_to_deliver")
    row = SellerCancellation.objects.get(order=order)
    assert row.state == State.NOT_SUPPORTED
    assert push_cancellation(row.pk)["already"] is True
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert "Cancel order" in page and "Shop Manager" in page
    # The seller follows the steps on Etsy; SellerHub follows the receipt on the next pull.
    etsy_refunds.cancel_receipt(emulator.state.etsy, int(order.external_id), reason="Out of stock")
    jobs.pull_orders(listed["etsy"])
    order.refresh_from_db()
    assert order.status == "cancelled" and order.channel_status == "canceled"


def test_a_receipt_refunded_on_etsy_is_followed(listed, emulator):
    order = pulled_order(listed["etsy"], emulator, "etsy")
    etsy_refunds.refund_receipt(emulator.state.etsy, int(order.external_id), reason="Damaged")
    jobs.pull_orders(listed["etsy"])
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancel_reason == "Fully refunded on Etsy"
    assert not SellerCancellation.objects.filter(order=order).exists(), "nothing to send back to Etsy"


def test_the_order_page_cancel_needs_a_reason_from_the_list(listed, emulator, owner_client):
    order = pulled_order(listed["woocommerce"], emulator, "woocommerce")
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'name="reason_code"' in page and "The buyer asked to cancel" in page
    refused = owner_client.post(f"/orders/{order.pk}/action/", {"action": "cancel", "reason": "no stock"},
                                follow=True).content.decode()
    assert "Choose why you cancel from the list" in refused
    order.refresh_from_db()
    assert order.status != "cancelled" and not SellerCancellation.objects.filter(order=order).exists()
    owner_client.post(f"/orders/{order.pk}/action/", {"action": "cancel", "reason_code": "out_of_stock",
                                                      "reason": ""})
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancel_reason_code == "out_of_stock"
    assert SellerCancellation.objects.get(order=order).state == State.QUEUED


def test_the_api_cancel_takes_the_reason_and_retries(listed, emulator, owner_user, api_client_for, ops_user):
    order = pulled_order(listed["square"], emulator, "square")
    api = api_client_for(owner_user)
    bad = api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason_code": "bored"}, format="json")
    assert bad.status_code == 400 and "not a cancellation reason" in bad.json()["error"]
    square_refunds.fail_next_cancellation(emulator.state.square, status=400, message="Order is locked.")
    done = api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason_code": "out_of_stock"}, format="json")
    assert done.status_code == 200 and done.json()["cancel_reason_code"] == "out_of_stock"
    row = SellerCancellation.objects.get(order=order)
    push_cancellation(row.pk)
    assert api_client_for(ops_user).post(f"/api/v1/orders/{order.pk}/retry-cancellation").status_code == 403
    detail = api.get(f"/api/v1/orders/{order.pk}").json()
    assert detail["seller_cancellation"]["state"] == "failed"
    retried = api.post(f"/api/v1/orders/{order.pk}/retry-cancellation")
    assert retried.status_code == 200 and retried.json()["state"] == "queued"
    assert api.post(f"/api/v1/orders/{order.pk}/retry-cancellation").status_code == 409
    push_cancellation(row.pk)
    assert len(cancellations(emulator, "square")) == 1


def test_a_lost_job_is_sent_by_the_sweep(listed, emulator, owner_user):
    order = pulled_order(listed["woocommerce"], emulator, "woocommerce")
    cancel(order, owner_user)
    row = SellerCancellation.objects.get(order=order)
    assert sweep(now=timezone.now())["cancellations"] == 0
    assert sweep(now=timezone.now() + dt.timedelta(minutes=3))["cancellations"] == 1
    row.refresh_from_db()
    assert row.state == State.QUEUED, "the sweep queues the job; the row stays queued until it is sent"


def test_tiktok_cancellations_get_their_reason_code(listed, emulator):
    """An order that arrives cancelled, and one TikTok cancels after SellerHub has it."""
    shop = emulator.state.tiktok
    first, second = shop_orders = [emulator.state.generate_orders("tiktok", 1, skus=["TEE-BLK-M"])[0]
                                   for _ in range(2)]
    shop.cancel(first, initiator="SYSTEM", reason="Package not shipped in time")
    jobs.pull_orders(listed["tiktok"])
    arrived = Order.objects.get(account=listed["tiktok"], external_id=first)
    assert arrived.status == "cancelled" and arrived.cancel_reason_code == "missed_sla"
    emulator.state.clock.advance(60)
    shop.cancel(second, initiator="BUYER", reason="No longer needed")
    jobs.pull_orders(listed["tiktok"])
    later = Order.objects.get(account=listed["tiktok"], external_id=second)
    assert later.status == "cancelled" and later.cancel_reason_code == "buyer_request"
    assert not SellerCancellation.objects.filter(order__external_id__in=shop_orders).exists()


def test_the_hook_queues_a_tracked_job_whose_record_tells_the_truth(listed, emulator, owner_user, ops_user, client,
                                                                     django_capture_on_commit_callbacks):
    order = pulled_order(listed["woocommerce"], emulator, "woocommerce")
    with django_capture_on_commit_callbacks(execute=True):
        cancel(order, owner_user)
    row = SellerCancellation.objects.get(order=order)
    run = JobRun.objects.get(kind=JOB_KIND)
    woocommerce_refunds.fail_next_cancellation(emulator.state.woocommerce, status=400, message="Order is locked.")
    with pytest.raises(RuntimeError):
        push_cancellation_job(run.pk, row.pk)
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "Order is locked" in run.message
    client.force_login(ops_user)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Order is locked" in page and 'value="retry_cancellation"' not in page, "Ops reads, only the Owner retries"
