"""Pick lists: from a selection of confirmed orders or everything due today, grouped by bin and SKU
in walking order with each order's quantity, printable on Letter and A4; picking moves the orders
to picking."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfilment import services
from fulfilment.models import PickList, PickListOrder
from orders import dispatch_windows
from orders.models import Order, OrderStatus
from tests.fulfilment.conftest import A4, LETTER, pdf_pages

pytestmark = pytest.mark.django_db


def test_a_pick_list_walks_the_bins_in_order_with_each_orders_quantity(make_order, warehouse_user):
    a = make_order("W-1", {"MUG-01": 1, "TEE-BLK-M": 2})
    b = make_order("W-2", {"TEE-BLK-M": 1, "CAP-BLK": 1})
    c = make_order("W-3", {"TOTE-NAT": 3})
    result = services.create_pick_list(order_ids=[a.pk, b.pk, c.pk], user=warehouse_user)
    pick_list = result.pick_list
    assert not result.skipped
    from fulfilment import printing

    groups = printing.pick_list_data(pick_list).groups()
    # bins by pick sequence: A-01 (10), A-02 (20), B-01 (30), C-01 (50)
    assert [(g.bin_code, g.sku, g.total) for g in groups] == [
        ("A-01", "CAP-BLK", 1), ("A-02", "TEE-BLK-M", 3), ("B-01", "TOTE-NAT", 3), ("C-01", "MUG-01", 1)]
    assert dict(groups[1].orders) == {"W-1": 2, "W-2": 1}
    for order in (a, b, c):
        order.refresh_from_db()
        assert order.status == OrderStatus.PICKING
        assert order.events.filter(kind="pick_list").exists()


def test_everything_due_today_leaves_out_tomorrows_orders_and_fbt(make_order, warehouse_user, woo):
    # Halfway to the end of the shop's own day, whatever the time of day the test runs at.
    shop_day = next(d for d in dispatch_windows.shop_days().days if woo.pk in d.account_ids)
    today = make_order("W-10", {"MUG-01": 1}, due=(shop_day.end - timezone.now()) / 2)
    overdue = make_order("W-11", {"MUG-01": 1}, due=-dt.timedelta(hours=3))
    later = make_order("W-12", {"MUG-01": 1}, due=dt.timedelta(days=3))
    result = services.create_pick_list(due_today=True, user=warehouse_user)
    on_list = set(result.pick_list.entries.values_list("order__external_id", flat=True))
    assert {today.external_id, overdue.external_id} <= on_list
    assert later.external_id not in on_list


def test_an_order_is_on_one_pick_list_at_a_time_and_ineligible_ones_are_skipped(make_order, warehouse_user):
    a = make_order("W-20", {"MUG-01": 1})
    waiting = make_order("W-21", {"MUG-01": 1}, confirm=False)
    first = services.create_pick_list(order_ids=[a.pk], user=warehouse_user)
    with pytest.raises(services.FulfilmentError, match="W-20 is already on a pick list"):
        services.create_pick_list(order_ids=[a.pk], user=warehouse_user)
    b = make_order("W-22", {"CAP-BLK": 1})
    result = services.create_pick_list(order_ids=[a.pk, b.pk, waiting.pk], user=warehouse_user)
    assert [e.order_id for e in result.pick_list.entries.all()] == [b.pk]
    assert {(o.external_id, why) for o, why in result.skipped} == {
        ("W-20", "is already on a pick list"), ("W-21", "is awaiting confirmation, not confirmed")}
    # cancelling the first list frees its order and takes it back to confirmed
    services.cancel_pick_list(pick_list=first.pick_list, user=warehouse_user)
    a.refresh_from_db()
    assert a.status == OrderStatus.CONFIRMED
    assert not PickListOrder.objects.filter(order=a, active=True).exists()


def test_totes_are_unique_among_live_pick_lists(make_order, warehouse_user):
    a = make_order("W-30", {"MUG-01": 1})
    b = make_order("W-31", {"MUG-01": 1})
    pick_list = services.create_pick_list(order_ids=[a.pk, b.pk], user=warehouse_user).pick_list
    services.set_tote(pick_list=pick_list, order=a, tote="t-07")
    with pytest.raises(services.FulfilmentError, match="Tote T-07 already holds another order"):
        services.set_tote(pick_list=pick_list, order=b, tote="T-07")
    from fulfilment.selectors import find_order_for_scan

    assert find_order_for_scan("T-07") == a


def test_pick_list_pages_and_pdfs(make_order, warehouse_client):
    orders = [make_order(f"W-4{i}", {"TEE-BLK-M": 1, "MUG-01": 1}) for i in range(3)]
    response = warehouse_client.post(reverse("fulfilment:pick_list_create"),
                                     {"order": [o.pk for o in orders], "due_today": "0"})
    pick_list = PickList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fulfilment:pick_list", args=[pick_list.pk])
    page = warehouse_client.get(response["Location"]).content.decode()
    assert "A-02" in page and "C-01" in page and page.index("A-02") < page.index("C-01")
    letter = warehouse_client.get(reverse("fulfilment:pick_list_pdf", args=[pick_list.pk]) + "?size=letter")
    a4 = warehouse_client.get(reverse("fulfilment:pick_list_pdf", args=[pick_list.pk]) + "?size=a4")
    assert letter["Content-Type"] == "application/pdf"
    assert set(pdf_pages(letter.content)) == {LETTER}
    assert set(pdf_pages(a4.content)) == {A4}


def test_pick_list_api(make_order, warehouse_user, ops_user, api_client_for):
    orders = [make_order(f"W-5{i}", {"CAP-BLK": 1}) for i in range(3)]
    api = api_client_for(warehouse_user)
    response = api.post("/api/v1/picklists", {"orders": [o.pk for o in orders]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("PL-") and body["order_count"] == 3 and body["unit_count"] == 3
    barcode = orders[0].lines.first().sku.barcode
    assert body["stops"] == [{"bin": "A-01", "sku": "CAP-BLK", "name": "Item CAP-BLK", "barcode": barcode,
                              "quantity": 3, "orders": [{"number": o.external_id, "quantity": 1} for o in orders]}]
    again = api.post("/api/v1/picklists", {"orders": [orders[0].pk]}, format="json")
    assert again.status_code == 409 and "already on a pick list" in again.json()["error"]
    pdf = api.get(f"/api/v1/picklists/{body['id']}/pdf?size=a4")
    assert pdf.status_code == 200 and set(pdf_pages(pdf.content)) == {A4}
    assert api_client_for(ops_user).post("/api/v1/picklists", {"due_today": True}, format="json").status_code == 403
    assert api_client_for(ops_user).get("/api/v1/picklists").status_code == 200


def test_pick_list_list_api_runs_a_constant_number_of_queries(make_order, warehouse_user, api_client_for,
                                                              django_assert_max_num_queries):
    api = api_client_for(warehouse_user)
    for batch in range(2):
        orders = [make_order(f"Q-{batch}-{i}", {"CAP-BLK": 1}) for i in range(3)]
        services.create_pick_list(order_ids=[o.pk for o in orders], user=warehouse_user)
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/picklists").json()["results"]) == 2
    assert Order.objects.filter(status=OrderStatus.PICKING).count() == 6
    assert timezone.now()
