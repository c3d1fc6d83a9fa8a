"""The cancellation requests queue and API as each role meets them: Ops reads but never decides;
Warehouse decides only orders not packed yet; the Owner decides any; anonymous users are sent to
log in (pages) or get 401 (API). The queue and the API list run a constant number of queries; a
decision without a reason is refused and changes nothing; the order page shows the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import CancellationRequest, Order, OrderStatus
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory, OrderFactory

pytestmark = pytest.mark.django_db


def make_requests(n, start=0, status=OrderStatus.CONFIRMED):
    account = ChannelAccountFactory(channel=Channel.TIKTOK)
    now = timezone.now()
    orders = [OrderFactory(account=account, external_id=f"CR{start + i:06d}", status=status) for i in range(n)]
    return CancellationRequest.objects.bulk_create([CancellationRequest(
        account=account, order=o, external_id=f"4035{start + i:06d}", reason="No longer needed", requested_at=now,
        respond_by=now + dt.timedelta(hours=3, minutes=i)) for i, o in enumerate(orders)])


def queries(client, url):
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(ctx.captured_queries) > 3
    return len(ctx.captured_queries), response


def test_the_queue_and_the_api_run_a_constant_number_of_queries(owner_client, api_client_for, owner_user):
    make_requests(5)
    small, _ = queries(owner_client, "/orders/cancellation-requests/")
    api_small, _ = queries(api_client_for(owner_user), "/api/v1/cancellation-requests?page_size=200")
    make_requests(60, start=5)
    large, response = queries(owner_client, "/orders/cancellation-requests/")
    api_large, api = queries(api_client_for(owner_user), "/api/v1/cancellation-requests?page_size=200")
    assert (small, api_small) == (large, api_large)
    assert len(response.context["rows"]) == 50 and api.json()["count"] == 65


def test_the_queue_shows_the_deadline_counting_down(owner_client):
    make_requests(1)
    html = owner_client.get("/orders/cancellation-requests/").content.decode()
    assert "data-countdown-for=" in html and "left" in html
    assert 'aria-label="Approve cancellation of order CR000000"' in html
    assert "js/countdown.js" in html


def test_ops_reads_but_never_decides(client, ops_user, api_client_for):
    item = make_requests(1)[0]
    client.force_login(ops_user)
    page = client.get("/orders/cancellation-requests/")
    assert page.status_code == 200 and "Approve cancellation" not in page.content.decode()
    assert "Read only" in page.content.decode()
    assert client.post(f"/orders/cancellation-requests/{item.pk}/decide/", {"action": "approve"}).status_code == 403
    assert client.get(f"/orders/cancellation-requests/{item.pk}/reject/").status_code == 403
    api = api_client_for(ops_user)
    assert api.get("/api/v1/cancellation-requests").status_code == 200
    assert api.post(f"/api/v1/cancellation-requests/{item.pk}/approve", {}, format="json").status_code == 403
    item.refresh_from_db()
    assert item.decision == "" and item.delivery == ""


def test_warehouse_decides_orders_not_packed_only(warehouse_client, warehouse_user, api_client_for):
    open_one = make_requests(1)[0]
    packed = make_requests(1, start=1, status=OrderStatus.PACKED)[0]
    assert warehouse_client.post(f"/orders/cancellation-requests/{packed.pk}/decide/",
                                 {"action": "approve"}).status_code == 403
    api = api_client_for(warehouse_user)
    assert api.post(f"/api/v1/cancellation-requests/{packed.pk}/approve", {}, format="json").status_code == 403
    response = warehouse_client.post(f"/orders/cancellation-requests/{open_one.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302
    open_one.refresh_from_db()
    packed.refresh_from_db()
    assert (open_one.decision, open_one.delivery) == ("approve", "queued") and packed.decision == ""


def test_owner_decides_any_and_bad_input_changes_nothing(owner_client, owner_user, api_client_for):
    packed = make_requests(1, status=OrderStatus.PACKED)[0]
    api = api_client_for(owner_user)
    missing = api.post(f"/api/v1/cancellation-requests/{packed.pk}/reject", {}, format="json")
    assert missing.status_code == 400 and "reject_reason" in missing.content.decode()
    page = owner_client.post(f"/orders/cancellation-requests/{packed.pk}/decide/", {"action": "reject"}, follow=True)
    assert "Choose one of TikTok&#x27;s reasons" in page.content.decode()
    packed.refresh_from_db()
    assert packed.decision == ""
    done = api.post(f"/api/v1/cancellation-requests/{packed.pk}/reject",
                    {"reject_reason": "seller_reject_apply_product_has_been_packed"}, format="json")
    assert done.status_code == 200 and done.json()["decision"] == "reject" and done.json()["delivery"] == "queued"
    again = api.post(f"/api/v1/cancellation-requests/{packed.pk}/approve", {}, format="json")
    assert again.status_code == 409


def test_filters_validate_their_values(owner_user, api_client_for):
    make_requests(2)
    api = api_client_for(owner_user)
    assert api.get("/api/v1/cancellation-requests?status=pending").json()["count"] == 2
    assert api.get("/api/v1/cancellation-requests?status=nonsense").status_code == 400
    assert api.get("/api/v1/cancellation-requests?order=abc").status_code == 400


def test_anonymous_users_are_refused(client):
    from rest_framework.test import APIClient

    item = make_requests(1)[0]
    assert client.get("/orders/cancellation-requests/").status_code == 302
    assert client.post(f"/orders/cancellation-requests/{item.pk}/decide/", {"action": "approve"}).status_code == 302
    assert APIClient().get("/api/v1/cancellation-requests").status_code == 401


def test_the_order_page_shows_the_request_and_the_pack_page_warns(owner_client):
    item = make_requests(1)[0]
    html = owner_client.get(f"/orders/{item.order_id}/").content.decode()
    assert f'data-cancellation-request="{item.external_id}"' in html and "Waiting for the seller" in html
    Order.objects.filter(pk=item.order_id).update(status=OrderStatus.CANCELLED)
    CancellationRequest.objects.filter(pk=item.pk).update(status="auto_approved", auto_approved=True,
                                                          decided_at=timezone.now())
    html = owner_client.get(f"/orders/{item.order_id}/").content.decode()
    assert "Approved by the channel (deadline missed)" in html and "the deadline passed" in html
