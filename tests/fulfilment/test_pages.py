"""The fulfilment pages render for their roles, list pages and APIs run a constant number of
queries, the dispatch board sorts today's work by deadline and the dashboard shows its counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfilment import selectors, services
from fulfilment.models import BoxPreset, CarrierMapping
from orders.models import OrderStatus
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_packages(make_order, n, prefix):
    packages = []
    for i in range(n):
        package = services.create_package(order=make_order(f"{prefix}-{i}", {"MUG-01": 1, "CAP-BLK": 1}))
        packages.append(services.set_tracking_number(package=package, tracking_number="986578788855"))
    return packages


def test_every_page_renders_for_the_warehouse(make_order, warehouse_client, box):
    order = make_order("P-1", {"MUG-01": 1})
    pick_list = services.create_pick_list(order_ids=[order.pk]).pick_list
    package = services.create_package(order=make_order("P-2", {"CAP-BLK": 1}))
    batch = services.create_print_batch(package_ids=[package.pk])
    for url in (reverse("fulfilment:index"), reverse("fulfilment:pick_pack"),
                reverse("fulfilment:pick_list", args=[pick_list.pk]), reverse("fulfilment:pack"),
                reverse("fulfilment:pack_order", args=[order.pk]), reverse("fulfilment:packages"),
                reverse("fulfilment:package", args=[package.pk]), reverse("fulfilment:batches"),
                reverse("fulfilment:batch", args=[batch.pk]), reverse("fulfilment:boxes")):
        response = warehouse_client.get(url)
        assert response.status_code == 200, url
    assert warehouse_client.get(reverse("fulfilment:carriers")).status_code == 403  # the owner's


def test_the_owner_maps_carriers_and_edits_boxes(owner_client, woo):
    response = owner_client.post(reverse("fulfilment:carriers"), {"account": woo.pk, "carrier": "UPS",
                                                                   "provider_id": "ups-ground", "provider_name": "UPS"})
    assert response.status_code == 302
    mapping = CarrierMapping.objects.get(account=woo)
    assert (mapping.carrier, mapping.provider_id) == ("ups", "ups-ground")
    assert selectors.provider_for(woo.pk, carrier="ups") == mapping
    owner_client.post(reverse("fulfilment:carriers"), {"account": woo.pk, "carrier": "ups", "provider_id": ""})
    assert not CarrierMapping.objects.exists()
    page = owner_client.get(reverse("fulfilment:carriers")).content.decode()
    assert "Label provider" in page and "not configured" in page
    created = owner_client.post(reverse("fulfilment:boxes"), {"name": "Medium", "length_mm": 300, "width_mm": 250,
                                                              "height_mm": 150, "tare_grams": 260, "position": 1,
                                                              "active": "on"})
    assert created.status_code == 302 and BoxPreset.objects.get(name="Medium").tare_grams == 260
    clash = owner_client.post(reverse("fulfilment:boxes"), {"name": "medium", "length_mm": 1, "width_mm": 1,
                                                            "height_mm": 1, "tare_grams": 0, "position": 0})
    assert clash.status_code == 400


def test_the_warehouse_may_not_edit_boxes(warehouse_client):
    response = warehouse_client.post(reverse("fulfilment:boxes"), {"name": "X", "length_mm": 1, "width_mm": 1,
                                                                    "height_mm": 1, "tare_grams": 0})
    assert response.status_code == 403


def test_packages_page_and_api_run_a_constant_number_of_queries(make_order, warehouse_client, warehouse_user,
                                                                api_client_for, django_assert_num_queries):
    make_packages(make_order, 2, "C")
    api = api_client_for(warehouse_user)

    def count(fn):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    page = count(lambda: warehouse_client.get(reverse("fulfilment:packages") + "?status="))
    listing = count(lambda: api.get("/api/v1/packages"))
    board = count(lambda: warehouse_client.get(reverse("fulfilment:index")))
    batches = count(lambda: warehouse_client.get(reverse("fulfilment:batches")))
    make_packages(make_order, 6, "D")
    assert count(lambda: warehouse_client.get(reverse("fulfilment:packages") + "?status=")) == page
    assert count(lambda: api.get("/api/v1/packages")) == listing
    assert count(lambda: warehouse_client.get(reverse("fulfilment:index"))) == board
    assert count(lambda: warehouse_client.get(reverse("fulfilment:batches"))) == batches
    body = api.get("/api/v1/packages?status=labelled").json()
    assert body["count"] == 8 and body["results"][0]["label"]["pdf"].endswith("/label/pdf")


def test_the_dispatch_board_and_its_dashboard_panel(make_order, client):
    now = timezone.now()
    make_order("D-late", {"MUG-01": 1}, due=-dt.timedelta(hours=1))
    make_order("D-soon", {"MUG-01": 1}, due=dt.timedelta(hours=2))
    board = selectors.dispatch_board(now)
    assert [o.external_id for o in board.overdue] == ["D-late"]
    assert [o.external_id for o in board.soon] == ["D-soon"]
    counts = selectors.dispatch_counts(now)
    assert (counts["overdue"], counts["soon"]) == (1, 1) and counts["next_due"] is not None
    owner = UserFactory(role="Owner")
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "Dispatch" in page and "Due within 4 hours" in page
    board_page = client.get(reverse("fulfilment:index")).content.decode()
    assert 'data-deadline="' in board_page and "D-late" in board_page


def test_a_package_cancelled_frees_its_items_and_unpacks_the_order(make_order, skus, warehouse_user):
    order = make_order("X-1", {"MUG-01": 1})
    session = services.start_packing(order=order, user=warehouse_user)
    services.scan_item(session=session, code=skus["MUG-01"].barcode, user=warehouse_user)
    package = services.finish_packing(session=session, weight_grams=500, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED
    with pytest.raises(services.FulfilmentError, match="Say why"):
        services.cancel_package(package=package, reason="")
    services.cancel_package(package=package, reason="box crushed", user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKING
    again = services.create_package(order=order)
    assert again.lines.get().quantity == 1
