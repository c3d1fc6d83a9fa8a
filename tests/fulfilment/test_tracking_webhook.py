"""Carrier scans (acceptance 3): EasyPost's signed ``tracker.updated`` webhooks. A bad signature is
refused and changes nothing; a good one sets the first scan (dispatched_at) and the delivery
time, once, even when delivered twice; the order's timeline shows the scans."""

import datetime as dt
import json

import django_rq
import pytest
from django.urls import reverse
from django.utils import timezone
from rq import SimpleWorker

from fulfilment import services
from fulfilment.models import Package, TrackingEvent
from integrations.channels import signing
from orders.models import OrderEvent, OrderStatus
from sellerhub.models import WebhookEvent
from tests.fulfilment.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db
URL = "/webhooks/easypost/"


@pytest.fixture
def shipped(make_order, easypost, warehouse_user):
    """A WooCommerce order shipped with a label bought through EasyPost."""
    order = make_order("W-500", {"MUG-01": 1})
    package = services.create_package(order=order)
    quote = services.quote_rates(package=package)
    package = services.buy_label(package=package, rate_id=quote.rates[0].id)
    return services.ship_package(package=package, user=warehouse_user)


def event(emu, package, status, at, *, message=None):
    """The emulator's carrier scan and its signed tracker.updated event (headers, body)."""
    tracker = emu.state.easypost.advance_tracker(package.tracking_number, status, at=at.timestamp(), message=message)
    return emu.state.easypost.build_webhook("tracker.updated", tracker, WEBHOOK_SECRET, {"status": "pre_transit"})


def post(client, headers, body):
    return client.post(URL, data=body, content_type="application/json",
                       **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"})


def test_a_bad_signature_is_refused_and_changes_nothing(client, shipped, easypost):
    scanned_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    headers, body = event(easypost, shipped, "in_transit", scanned_at)
    for bad in ({**headers, "X-Hmac-Signature": "hmac-sha256-hex=" + "0" * 64},
                {k: v for k, v in headers.items() if k != "X-Hmac-Signature"},
                {**headers, "X-Hmac-Signature": signing.easypost_webhook_signature(secret="other", body=body)}):
        assert post(client, bad, body).status_code == 401
    tampered = body.replace(b"in_transit", b"delivered")
    assert post(client, headers, tampered).status_code == 401
    shipped.refresh_from_db()
    order = shipped.order
    order.refresh_from_db()
    assert shipped.first_scan_at is None and order.dispatched_at is None and order.status == OrderStatus.SHIPPED
    assert not WebhookEvent.objects.filter(source="easypost").exists() and not TrackingEvent.objects.exists()


def test_a_good_event_sets_first_scan_and_delivery_once(client, shipped, easypost, warehouse_user):
    order = shipped.order
    scanned_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=30)
    headers, body = event(easypost, shipped, "in_transit", scanned_at, message="Arrived at USPS facility")
    answer = post(client, headers, body)
    assert answer.status_code == 200 and answer.json()["status"] == "processed"
    shipped.refresh_from_db()
    order.refresh_from_db()
    assert shipped.first_scan_at == scanned_at and shipped.status == Package.Status.IN_TRANSIT
    assert order.dispatched_at == scanned_at and order.status == OrderStatus.IN_TRANSIT
    # the same delivery again: a duplicate, nothing more
    again = post(client, headers, body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"

    delivered_at = scanned_at + dt.timedelta(hours=20)
    headers2, body2 = event(easypost, shipped, "delivered", delivered_at)
    assert post(client, headers2, body2).json()["status"] == "processed"
    assert post(client, headers2, body2).json()["status"] == "duplicate"
    # the carrier sends "delivered" a second time (a new event id, a later scan): times stay
    headers3, body3 = event(easypost, shipped, "delivered", delivered_at + dt.timedelta(hours=5))
    assert post(client, headers3, body3).json()["status"] == "processed"
    shipped.refresh_from_db()
    order.refresh_from_db()
    assert shipped.delivered_at == delivered_at and order.delivered_at == delivered_at
    assert order.dispatched_at == scanned_at and order.status == OrderStatus.DELIVERED
    assert WebhookEvent.objects.filter(source="easypost").count() == 3
    # the timeline shows each scan once
    scans = list(OrderEvent.objects.filter(order=order, kind="carrier_scan").values_list("message", flat=True))
    assert len(scans) == 4  # label created, in transit, delivered, delivered again
    assert any("Arrived at USPS facility" in s for s in scans)
    client.force_login(warehouse_user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Arrived at USPS facility" in page and "First carrier scan" in page


def test_tiktok_reports_its_own_scans_so_only_the_package_is_filled(client, tiktok_order, easypost, tiktok):
    order = tiktok_order({"CAP-BLK": 1})
    package = services.set_tracking_number(package=services.create_package(order=order),
                                           tracking_number="9400111206206406260787")
    services.ship_package(package=package)
    scanned_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    headers, body = event(easypost, package, "in_transit", scanned_at)
    assert post(client, headers, body).json()["status"] == "processed"
    package.refresh_from_db()
    order.refresh_from_db()
    assert package.first_scan_at == scanned_at
    assert order.dispatched_at is None and order.status == OrderStatus.SHIPPED  # TikTok's collection_time decides


def test_an_event_for_no_package_is_kept_and_ignored(client, easypost):
    body = json.dumps({"id": "evt_1", "description": "tracker.updated", "result": {
        "object": "Tracker", "id": "trk_x", "tracking_code": "9400111206206406260787", "status": "in_transit",
        "tracking_details": []}}).encode()
    headers = {"X-Hmac-Signature": signing.easypost_webhook_signature(secret=WEBHOOK_SECRET, body=body)}
    answer = post(client, headers, body)
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert "no package has tracking number" in answer.json()["message"]


def test_shipping_a_typed_number_starts_a_tracker(make_order, easypost, django_capture_on_commit_callbacks,
                                                  uses_rq):
    order = make_order("W-501", {"MUG-01": 1})
    package = services.set_tracking_number(package=services.create_package(order=order),
                                           tracking_number="1Z5R89390357567127")
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_package(package=package)
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    package.refresh_from_db()
    assert package.provider_tracker_id.startswith("trk_")
    assert [r["tracking_code"] for r in easypost.state.received("easypost", "tracker_created")] == [
        "1Z5R89390357567127"]


@pytest.mark.django_db(transaction=True)
def test_the_emulator_delivers_signed_events_to_the_registered_webhook(live_server, shipped, easypost, client,
                                                                       owner_user):
    client.force_login(owner_user)
    url = live_server.url + "/webhooks/easypost/"
    response = client.post(reverse("fulfilment:carriers"), {"action": "webhook", "url": url})
    assert response.status_code == 302
    assert [h["url"] for h in easypost.state.easypost.webhooks.values()] == [url]
    easypost.state.easypost.advance_tracker(shipped.tracking_number, "in_transit", message="Departed facility")
    easypost.state.easypost.advance_tracker(shipped.tracking_number, "delivered")
    assert easypost.state.webhooks.flush(timeout=10)
    assert [d.status for d in easypost.state.webhooks.deliveries] == [200, 200]
    shipped.refresh_from_db()
    order = shipped.order
    order.refresh_from_db()
    assert shipped.first_scan_at and shipped.delivered_at and order.status == OrderStatus.DELIVERED
    assert order.dispatched_at == shipped.first_scan_at
