"""Shipping: with a valid tracking number a package ships, tracking_uploaded_at is set, the
reservation is consumed through the ledger, the order moves to shipped (once all its units have
shipped) and the tracking number is queued for upload to the channel; a failed upload shows on
the order and is retried."""

import django_rq
import pytest
from django.urls import reverse
from rq import SimpleWorker

from fulfilment import hooks, services
from fulfilment.models import CarrierMapping, Package, TrackingPush
from inventory.models import Reservation, StockLevel, StockMovement
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db


def run_queue(name):
    queue = django_rq.get_queue(name)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def typed(package, number="9400111206206406260787", carrier="usps"):
    return services.set_tracking_number(package=package, tracking_number=number, carrier=carrier)


def test_shipping_consumes_the_reservation_and_moves_the_order(make_order, skus, warehouse_user):
    order = make_order("W-400", {"MUG-01": 2})
    package = typed(services.create_package(order=order))
    level = StockLevel.objects.get(sku=skus["MUG-01"], location__code="C-01")
    assert (level.on_hand, level.reserved) == (20, 2)
    shipped = services.ship_package(package=package, user=warehouse_user)
    order.refresh_from_db()
    level.refresh_from_db()
    assert shipped.status == Package.Status.SHIPPED and shipped.tracking_uploaded_at is not None
    assert order.status == OrderStatus.SHIPPED and order.tracking_uploaded_at == shipped.tracking_uploaded_at
    assert (level.on_hand, level.reserved) == (18, 0)
    assert StockMovement.objects.filter(reference=order.reservation_reference, reason="sale").exists()
    assert not Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()
    push = TrackingPush.objects.get(package=package)
    assert push.status == TrackingPush.Status.PENDING and push.tracking_number == package.tracking_number
    # shipping again changes nothing
    again = services.ship_package(package=package, user=warehouse_user)
    assert again.tracking_uploaded_at == shipped.tracking_uploaded_at


def test_an_order_in_two_packages_ships_with_the_last(make_order, warehouse_user):
    order = make_order("W-401", {"MUG-01": 1, "CAP-BLK": 1})
    lines = {line.sku.seller_sku: line for line in order.lines.all()}
    first = typed(services.create_package(order=order, lines=[(lines["MUG-01"].pk, 1)]))
    second = typed(services.create_package(order=order, lines=[(lines["CAP-BLK"].pk, 1)]),
                   "1Z5R89390357567127", "ups")
    services.ship_package(package=first, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED  # one unit still on the shelf
    services.ship_package(package=second, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_no_shipping_without_a_label_or_with_an_invalid_number(make_order, tiktok_order):
    order = make_order("W-402", {"MUG-01": 1})
    package = services.create_package(order=order)
    with pytest.raises(services.FulfilmentError, match="has no label yet"):
        services.ship_package(package=package)
    Package.objects.filter(pk=package.pk).update(label_source="typed", tracking_number="1Z5R89390357567128",
                                                 carrier="ups", status="labelled")
    with pytest.raises(services.FulfilmentError, match="check digit mismatch for UPS"):
        services.ship_package(package=package)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and not order.tracking_uploaded_at
    # TikTok needs a tracking number even on SellerHub's own label
    tt = tiktok_order({"MUG-01": 1})
    own = services.make_own_label(package=services.create_package(order=tt), courier="Own delivery")
    with pytest.raises(services.FulfilmentError, match="TikTok needs a tracking number"):
        services.ship_package(package=own)


def test_the_tracking_reaches_tiktok_with_the_mapped_provider_id(tiktok_order, tiktok, emu, warehouse_user,
                                                                  django_capture_on_commit_callbacks):
    CarrierMapping.objects.create(account=tiktok, carrier="ups", provider_id="7117859084333745966",
                                  provider_name="UPS")
    order = tiktok_order({"CAP-BLK": 1})
    package = typed(services.create_package(order=order), "1Z5R89390357567127", "ups")
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_package(package=package, user=warehouse_user)
    run_queue("sync")
    uploads = emu.state.received("tiktok", "tracking_upload")
    assert [(u["order_id"], u["tracking_number"], u["shipping_provider_id"]) for u in uploads] == [
        (order.external_id, "1Z5R89390357567127", "7117859084333745966")]
    assert TrackingPush.objects.get(package=package).status == TrackingPush.Status.PUSHED


def test_a_failed_upload_shows_on_the_order_and_is_retried(tiktok_order, tiktok, emu, warehouse_user, wh_client,
                                                            django_capture_on_commit_callbacks):
    order = tiktok_order({"MUG-01": 1})
    package = typed(services.create_package(order=order))
    emu.state.faults.update(server_error=1.0)
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_package(package=package, user=warehouse_user)
    run_queue("sync")
    push = TrackingPush.objects.get(package=package)
    assert push.status == TrackingPush.Status.FAILED and push.retryable
    page = wh_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Upload failed" in page or "Failed" in page
    assert push.last_error[:30] in page
    emu.state.faults.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = wh_client.post(reverse("fulfilment:package_action", args=[package.pk, "push"]))
    assert response.status_code == 302
    run_queue("sync")
    push.refresh_from_db()
    assert push.status == TrackingPush.Status.PUSHED
    assert len(emu.state.received("tiktok", "tracking_upload")) == 1


@pytest.fixture
def wh_client(warehouse_user):
    from django.test import Client

    client = Client()
    client.force_login(warehouse_user)
    return client


def test_ship_through_the_api(make_order, warehouse_user, ops_user, api_client_for):
    order = make_order("W-403", {"TOTE-NAT": 1})
    api = api_client_for(warehouse_user)
    created = api.post("/api/v1/packages", {"order": order.pk, "weight_grams": 300}, format="json")
    assert created.status_code == 201, created.content
    package_id = created.json()["id"]
    bad = api.post(f"/api/v1/packages/{package_id}/tracking", {"tracking_number": "123", "carrier": "fedex"},
                   format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "tracking_number"
    assert "not a valid tracking number" in bad.json()["error"]
    assert api_client_for(ops_user).post(f"/api/v1/packages/{package_id}/ship").status_code == 403
    api.post(f"/api/v1/packages/{package_id}/tracking", {"tracking_number": "986578788855"}, format="json")
    shipped = api.post(f"/api/v1/packages/{package_id}/ship")
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert shipped.json()["tracking_uploaded_at"]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_tracking_queued_hooks_run_once_the_transaction_commits(monkeypatch, django_capture_on_commit_callbacks):
    heard = []
    monkeypatch.setattr(hooks, "_tracking_queued", [lambda pk, on_demand: heard.append((pk, on_demand))])
    with django_capture_on_commit_callbacks(execute=True):
        hooks.tracking_queued(41)
        hooks.tracking_queued(42, on_demand=True)
        assert heard == []  # only once the transaction commits
    assert heard == [(41, False), (42, True)]
