"""/api/v1/orders and /api/v1/returns: manual orders, confirm (acceptance 2), cancel, filters,
permissions."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory.models import Reservation, StockLevel, StockMovement
from orders import services
from orders.models import Order, OrderStatus
from sellerhub.models import Channel, ChannelAccount
from tests.orders.conftest import level
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory

S = OrderStatus


@pytest.fixture
def owner_api(api_client_for, owner_user):
    return api_client_for(owner_user)


@pytest.fixture
def warehouse_api(api_client_for, warehouse_user):
    return api_client_for(warehouse_user)


def test_a_manual_order_needs_only_its_lines(owner_api, stocked):
    stocked("TEE-BLK-M", 5)
    response = owner_api.post("/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M", "quantity": 1}]}, format="json")
    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get(pk=body["id"])
    assert body["status"] == S.AWAITING_CONFIRMATION and order.account.channel == Channel.MANUAL
    assert ChannelAccount.objects.filter(channel=Channel.MANUAL).count() == 1
    assert body["lines"][0]["sku"] == "TEE-BLK-M" and body["lines"][0]["quantity"] == 1
    assert body["attention_reason"] == "address_problem", "no address: fine to confirm, needed before shipping"
    assert body["dispatch_due_at"] is not None


def test_acceptance_2_short_stock_is_refused_naming_the_sku_and_nothing_is_reserved(owner_api, stocked):
    sku = stocked("TEE-BLK-M", 2)
    created = owner_api.post("/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M", "quantity": 3}]}, format="json")
    assert created.status_code == 201
    movements = StockMovement.objects.count()

    response = owner_api.post(f"/api/v1/orders/{created.json()['id']}/confirm")
    assert response.status_code == 409
    body = response.json()
    assert "TEE-BLK-M" in body["error"] and body["reason"] == "short_stock"
    assert body["short_lines"] == [{"sku": "TEE-BLK-M", "sku_id": sku.pk, "requested": 3, "available": 2,
                                    "lines": [Order.objects.get().lines.get().pk]}]
    assert level(sku) == (2, 0)
    assert not Reservation.objects.exists() and StockMovement.objects.count() == movements
    assert Order.objects.get().status == S.AWAITING_CONFIRMATION


def test_confirm_reserves_once(owner_api, stocked):
    sku = stocked("TEE-BLK-M", 5)
    order_id = owner_api.post("/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M", "quantity": 3}]},
                              format="json").json()["id"]
    first = owner_api.post(f"/api/v1/orders/{order_id}/confirm")
    assert first.status_code == 200 and first.json()["status"] == S.CONFIRMED
    assert first.json()["already_confirmed"] is False
    assert level(sku) == (5, 3)
    again = owner_api.post(f"/api/v1/orders/{order_id}/confirm")
    assert again.status_code == 200 and again.json()["already_confirmed"] is True
    assert level(sku) == (5, 3) and Reservation.objects.count() == 1


def test_a_manual_order_with_unknown_skus_is_refused_and_creates_nothing(owner_api, stocked):
    stocked("TEE-BLK-M", 5)
    response = owner_api.post("/api/v1/orders", {"lines": [{"sku": "NOPE-1", "quantity": 1},
                                                           {"sku": "TEE-BLK-M", "quantity": 1}]}, format="json")
    assert response.status_code == 404  # well formed, names a SKU that is not there
    assert response.json()["fields"] == {"lines[0]": ["Unknown SKU 'NOPE-1'."]}
    assert not Order.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({}, "lines"), ({"lines": []}, "lines"), ({"lines": [{"sku": "X", "quantity": 0}]}, "lines"),
    ({"lines": [{"sku": "X"}], "paid_at": "tomorrow"}, "paid_at"),
    ({"lines": [{"sku": "X"}], "address": {"country": "USA"}}, "address"),
])
def test_bad_manual_orders_get_400(owner_api, db, body, field):
    response = owner_api.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]


def test_posting_the_same_external_id_again_returns_the_order(owner_api, stocked):
    stocked("TEE-BLK-M", 5)
    body = {"lines": [{"sku": "TEE-BLK-M", "quantity": 1}], "external_id": "PHONE-17"}
    first = owner_api.post("/api/v1/orders", body, format="json")
    again = owner_api.post("/api/v1/orders", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Order.objects.count() == 1
    other = owner_api.post("/api/v1/orders", {**body, "lines": [{"sku": "TEE-BLK-M", "quantity": 2}]}, format="json")
    assert other.status_code == 400 and "already exists" in other.json()["fields"]["external_id"][0]


def test_full_manual_order_with_buyer_and_address(owner_api, stocked):
    stocked("MUG-01", 5)
    response = owner_api.post("/api/v1/orders", {
        "lines": [{"sku": "MUG-01", "quantity": 2, "unit_price": "18.00"}],
        "buyer": {"name": "Maya Patel", "email": "maya@example.com"},
        "address": {"name": "Maya Patel", "street1": "1823 Larkin St", "city": "San Francisco", "state": "CA",
                    "postal_code": "94109", "country": "us"},
        "shipping_total": "4.95"}, format="json")
    body = response.json()
    assert response.status_code == 201 and body["attention_reason"] == ""
    assert body["shipping_address"]["country"] == "US" and body["total"] == "40.95"


def test_cancel_needs_a_reason_and_releases_stock(owner_api, stocked):
    sku = stocked("TEE-BLK-M", 5)
    order_id = owner_api.post("/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M", "quantity": 2}]},
                              format="json").json()["id"]
    owner_api.post(f"/api/v1/orders/{order_id}/confirm")
    assert level(sku) == (5, 2)
    missing = owner_api.post(f"/api/v1/orders/{order_id}/cancel", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    done = owner_api.post(f"/api/v1/orders/{order_id}/cancel", {"reason": "Buyer called to cancel"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == S.CANCELLED
    assert done.json()["cancel_initiator"] == "SELLER" and done.json()["cancel_reason"] == "Buyer called to cancel"
    assert level(sku) == (5, 0)


def test_a_shipped_order_cannot_be_cancelled(owner_api, db):
    order = OrderFactory(status=S.SHIPPED)
    response = owner_api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "too late"}, format="json")
    assert response.status_code == 409 and "can't be cancelled" in response.json()["error"]
    assert not order.events.exists()


def test_roles(warehouse_api, api_client_for, ops_user, stocked):
    stocked("TEE-BLK-M", 5)
    order = OrderFactory(status=S.CONFIRMED)
    OrderLineFactory(order=order)
    assert warehouse_api.get("/api/v1/orders").status_code == 200
    assert warehouse_api.post(f"/api/v1/orders/{order.pk}/confirm").status_code == 403
    assert warehouse_api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "x"}).status_code == 403
    assert warehouse_api.post("/api/v1/orders", {"lines": [{"sku": "TEE-BLK-M"}]}, format="json").status_code == 403
    picked = warehouse_api.post(f"/api/v1/orders/{order.pk}/send-to-picking")
    assert picked.status_code == 200 and picked.json()["status"] == S.PICKING
    ops = api_client_for(ops_user)
    assert ops.get(f"/api/v1/orders/{order.pk}").status_code == 200
    assert ops.post(f"/api/v1/orders/{order.pk}/hold", {"reason": "x"}).status_code == 403


def test_list_filters(owner_api, db):
    now = timezone.now()
    tiktok = OrderFactory(status=S.CONFIRMED, external_id="TT-1", dispatch_due_at=now - dt.timedelta(hours=2))
    woo_account = ChannelAccountFactory(channel=Channel.WOOCOMMERCE)
    OrderFactory(account=woo_account, status=S.DELIVERED, external_id="WC-9", buyer_name="Lena Fischer")
    held = OrderFactory(status=S.ON_HOLD, attention_reason="on_hold", external_id="TT-2")
    OrderLineFactory(order=held, channel_sku="GLOW-1", sku=None)

    def ids(query):
        response = owner_api.get(f"/api/v1/orders?{query}")
        assert response.status_code == 200, response.json()
        return sorted(o["external_id"] for o in response.json()["results"])

    assert ids("channel=woocommerce") == ["WC-9"]
    assert ids("status=to_ship") == ["TT-1", "TT-2"]
    assert ids("status=delivered,on_hold") == ["TT-2", "WC-9"]
    assert ids("due=overdue") == ["TT-1"]
    assert ids("attention=any") == ["TT-2"]
    assert ids("q=lena") == ["WC-9"]
    assert ids("q=GLOW") == ["TT-2"]
    assert ids(f"account={woo_account.pk}") == ["WC-9"]
    bad = owner_api.get("/api/v1/orders?status=lost")
    assert bad.status_code == 400 and "Unknown status 'lost'" in bad.json()["fields"]["status"][0]
    detail = owner_api.get(f"/api/v1/orders/{tiktok.pk}").json()
    assert detail["external_id"] == "TT-1" and "events" in detail and "shipping_address" in detail


def test_returns_api_flow(owner_api, warehouse_api, stocked, main):
    sku = stocked("TEE-BLK-M", 5)
    order = OrderFactory(status=S.DELIVERED, total=48)
    line = OrderLineFactory(order=order, sku=sku, quantity=2)
    created = owner_api.post("/api/v1/returns", {"order": order.pk, "reason": "Too small", "refund_amount": "24.00",
                                                 "lines": [{"line": line.pk, "quantity": 1}]}, format="json")
    assert created.status_code == 201, created.json()
    ret = created.json()
    assert ret["status"] == "requested" and ret["lines"] == [{"line": line.pk, "sku": "TEE-BLK-M", "quantity": 1}]
    assert warehouse_api.post(f"/api/v1/returns/{ret['id']}/restock", {"location": "MAIN"}).status_code == 409
    assert warehouse_api.post(f"/api/v1/returns/{ret['id']}/receive").json()["status"] == "received"
    inspected = warehouse_api.post(f"/api/v1/returns/{ret['id']}/inspect", {"note": "unworn"})
    assert inspected.json()["status"] == "inspected"
    assert warehouse_api.post(f"/api/v1/returns/{ret['id']}/write-off", {"note": "x"}).status_code == 403
    done = warehouse_api.post(f"/api/v1/returns/{ret['id']}/restock", {"location": "MAIN"})
    assert done.status_code == 200 and done.json()["restock_location"] == "MAIN"
    assert level(sku) == (6, 0)
    assert owner_api.get("/api/v1/returns?status=restocked").json()["count"] == 1
    too_many = owner_api.post("/api/v1/returns", {"order": order.pk, "reason": "again",
                                                  "lines": [{"line": line.pk, "quantity": 2}]}, format="json")
    assert too_many.status_code == 409 and "only 1 can be" in too_many.json()["error"]


def test_returns_only_for_shipped_orders(owner_api, db):
    order = OrderFactory(status=S.CONFIRMED)
    OrderLineFactory(order=order)
    response = owner_api.post("/api/v1/returns", {"order": order.pk, "reason": "x"}, format="json")
    assert response.status_code == 409 and "only shipped orders can be returned" in response.json()["error"]


def test_stock_is_not_touched_by_reading(owner_api, stocked):
    stocked("TEE-BLK-M", 5)
    services.create_manual_order(lines=[{"sku": "TEE-BLK-M", "quantity": 1}])
    before = list(StockLevel.objects.values_list("on_hand", "reserved"))
    owner_api.get("/api/v1/orders")
    assert list(StockLevel.objects.values_list("on_hand", "reserved")) == before
