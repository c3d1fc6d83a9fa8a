"""/api/v1/suppliers and /api/v1/purchase-orders (+ send, cancel, receive): the Owner's orders,
the warehouse's receiving, 4xx bodies that say what is wrong and change nothing."""

import pytest
from django.core import mail

from inventory.models import StockMovement
from inventory.purchasing_models import PurchaseOrder, Supplier, SupplierSKU
from tests.inventory.factories import SKUFactory


@pytest.fixture
def catalogue(db):
    return SKUFactory(seller_sku="TEE-BLK-M", barcode="4006381333931"), SKUFactory(seller_sku="MUG-01")


@pytest.fixture
def owner_api(api_client_for, owner_user):
    return api_client_for(owner_user)


@pytest.fixture
def warehouse_api(api_client_for, warehouse_user):
    return api_client_for(warehouse_user)


def test_supplier_and_order_round_trip(owner_api, warehouse_api, catalogue, main):
    tee, mug = catalogue
    body = {"name": "Northbound Mills", "email": "orders@northbound.example", "lead_time_days": 12,
            "minimum_order_value": "200.00", "currency": "usd",
            "skus": [{"sku": "TEE-BLK-M", "unit_cost": "3.20", "pack_size": 10, "preferred": True}]}
    response = owner_api.post("/api/v1/suppliers", body, format="json")
    assert response.status_code == 201, response.json()
    supplier = response.json()
    assert supplier["currency"] == "USD" and supplier["skus"][0]["sku"] == "TEE-BLK-M"

    order = owner_api.post("/api/v1/purchase-orders", {"supplier": supplier["id"], "lines": [
        {"sku": "TEE-BLK-M", "quantity": 10}, {"sku": "MUG-01", "quantity": 2, "unit_cost": "5"}]}, format="json")
    assert order.status_code == 201, order.json()
    po = order.json()
    assert po["status"] == "draft" and po["deliver_to"] == "MAIN"
    assert {line["sku"]: line["unit_cost"] for line in po["lines"]} == {"TEE-BLK-M": "3.2000", "MUG-01": "5.0000"}

    refused = warehouse_api.post(f"/api/v1/purchase-orders/{po['id']}/receive", {"code": tee.barcode}, format="json")
    assert refused.status_code == 409 and "still a draft" in refused.json()["error"]

    sent = owner_api.post(f"/api/v1/purchase-orders/{po['id']}/send")
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and len(mail.outbox) == 1

    scan = warehouse_api.post(f"/api/v1/purchase-orders/{po['id']}/receive", {"code": tee.barcode, "quantity": 4},
                              format="json")
    assert scan.status_code == 201, scan.json()
    assert scan.json()["status"] == "partly_received"
    assert scan.json()["line"]["quantity_received"] == 4 and scan.json()["line"]["outstanding"] == 6
    assert StockMovement.objects.get(pk=scan.json()["movement_id"]).reference == f"po:{po['number']}"

    listed = owner_api.get("/api/v1/purchase-orders", {"status": "partly_received"}).json()
    assert [row["number"] for row in listed["results"]] == [po["number"]]


def test_bad_input_is_a_clear_4xx_and_changes_nothing(owner_api, warehouse_api, catalogue, main):
    tee, _mug = catalogue
    supplier = Supplier.objects.create(name="Kiln & Co")
    cases = [
        ("/api/v1/suppliers", {"name": "X", "currency": "dollars"}, 400, "currency"),
        ("/api/v1/suppliers", {"name": "X", "skus": [{"sku": "NOPE", "unit_cost": "1"}]}, 404, "NOPE"),
        ("/api/v1/suppliers", {"name": "X", "lead_time_days": -1}, 400, "lead_time_days"),
        ("/api/v1/purchase-orders", {"supplier": supplier.pk, "lines": []}, 400, "lines"),
        ("/api/v1/purchase-orders", {"supplier": supplier.pk, "lines": [{"sku": "NOPE", "quantity": 1}]}, 404, "NOPE"),
        ("/api/v1/purchase-orders", {"supplier": supplier.pk, "lines": [{"sku": "MUG-01", "quantity": 0}]}, 400,
         "quantity"),
        ("/api/v1/purchase-orders", {"supplier": 99999, "lines": [{"sku": "MUG-01", "quantity": 1}]}, 404, "supplier"),
        ("/api/v1/purchase-orders", {"supplier": supplier.pk, "deliver_to": "NOPE",
                                     "lines": [{"sku": "MUG-01", "quantity": 1}]}, 404, "NOPE"),
    ]
    for url, body, code, word in cases:
        response = owner_api.post(url, body, format="json")
        assert response.status_code == code, (body, response.json())
        assert word in str(response.json()), (body, response.json())
    assert Supplier.objects.count() == 1 and not PurchaseOrder.objects.exists()

    po = owner_api.post("/api/v1/purchase-orders", {"supplier": supplier.pk, "lines": [
        {"sku": "TEE-BLK-M", "quantity": 3}]}, format="json").json()
    no_email = owner_api.post(f"/api/v1/purchase-orders/{po['id']}/send")
    assert no_email.status_code == 409 and "has no email address" in no_email.json()["error"]
    PurchaseOrder.objects.filter(pk=po["id"]).update(status="sent")
    receive = f"/api/v1/purchase-orders/{po['id']}/receive"
    assert warehouse_api.post(receive, {"code": "NOPE"}, format="json").status_code == 404
    assert warehouse_api.post(receive, {"code": "MUG-01"}, format="json").status_code == 409  # not on the order
    assert warehouse_api.post(receive, {"code": "TEE-BLK-M", "quantity": 0}, format="json").status_code == 400
    assert warehouse_api.post(receive, {"code": "TEE-BLK-M", "location": "NOPE"}, format="json").status_code == 404
    assert warehouse_api.post(receive, "not json", content_type="application/json").status_code == 400
    assert owner_api.patch(f"/api/v1/purchase-orders/{po['id']}", {"lines": [{"sku": "MUG-01", "quantity": 1}]},
                           format="json").status_code == 409  # sent: no longer a draft
    assert not StockMovement.objects.filter(reference__startswith="po:").exists()


def test_api_roles(api_client_for, warehouse_user, ops_user, owner_user, catalogue, main):
    supplier = Supplier.objects.create(name="Kiln & Co", email="k@kiln.example")
    SupplierSKU.objects.create(supplier=supplier, sku=catalogue[0], unit_cost=1)
    owner = api_client_for(owner_user)
    po = owner.post("/api/v1/purchase-orders", {"supplier": supplier.pk, "lines": [
        {"sku": "TEE-BLK-M", "quantity": 3}]}, format="json").json()
    PurchaseOrder.objects.filter(pk=po["id"]).update(status="sent")
    warehouse, ops = api_client_for(warehouse_user), api_client_for(ops_user)
    for api in (warehouse, ops):
        assert api.get("/api/v1/suppliers").status_code == 403
        assert api.get("/api/v1/purchase-orders").status_code == 403
        assert api.post("/api/v1/suppliers", {"name": "Y"}, format="json").status_code == 403
        assert api.post(f"/api/v1/purchase-orders/{po['id']}/cancel").status_code == 403
    assert ops.post(f"/api/v1/purchase-orders/{po['id']}/receive", {"code": "TEE-BLK-M"},
                    format="json").status_code == 403
    assert owner.post(f"/api/v1/purchase-orders/{po['id']}/receive", {"code": "TEE-BLK-M"},
                      format="json").status_code == 201
    assert owner.delete(f"/api/v1/suppliers/{supplier.pk}").status_code == 409
