"""/api/v1/skus, /api/v1/stock, /api/v1/stock/adjustments, /api/v1/stock/movements."""

import pytest

from inventory import services
from inventory.models import SKU, StockLevel, StockMovement
from inventory.services import StockRequest
from tests.inventory.factories import LocationFactory, make_ean13

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(api_client_for, owner_user):
    return api_client_for(owner_user)


@pytest.fixture
def warehouse_api(api_client_for, warehouse_user):
    return api_client_for(warehouse_user)


def test_sku_crud(owner_api):
    response = owner_api.post("/api/v1/skus", {"sku": "TEE-BLK-M", "name": "Classic tee"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sku"], body["name"], body["on_hand"], body["available"], body["active"]) == (
        "TEE-BLK-M", "Classic tee", 0, 0, True)
    pk = body["id"]
    response = owner_api.post("/api/v1/skus", {"sku": "TEE-BLK-M", "name": "Again"}, format="json")
    assert response.status_code == 400 and "already exists" in response.json()["fields"]["sku"][0]
    response = owner_api.post("/api/v1/skus", {"sku": "X-1", "name": "Bad", "barcode": "4006381333932"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"barcode": ["Barcode 4006381333932 has a wrong check digit (expected 1)."]}
    response = owner_api.patch(f"/api/v1/skus/{pk}", {"barcode": "4006381333931", "product": "Tee",
                                                      "attributes": {"size": "M"}, "reorder_point": 4}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["barcode"], response.json()["product"], response.json()["attributes"]) == (
        "4006381333931", "Tee", {"size": "M"})
    assert owner_api.get(f"/api/v1/skus/{pk}").json()["reorder_point"] == 4
    services.receive(sku=SKU.objects.get(pk=pk), location=LocationFactory(code="MAIN"), quantity=3)
    response = owner_api.delete(f"/api/v1/skus/{pk}")
    assert response.status_code == 409 and "deactivate it instead" in response.json()["error"]
    other = owner_api.post("/api/v1/skus", {"sku": "TMP-1", "name": "Temporary"}, format="json").json()
    assert owner_api.delete(f"/api/v1/skus/{other['id']}").status_code == 204
    assert owner_api.get(f"/api/v1/skus/{other['id']}").status_code == 404


def test_sku_search_and_filters(owner_api, stocked):
    stocked("TEE-BLK-M", 20, reorder_point=5)
    stocked("TEE-WHT-M", 1, reorder_point=5, barcode=make_ean13(9))
    stocked("MUG-01", 0, active=False, reorder_point=5)

    def skus(query):
        response = owner_api.get(f"/api/v1/skus?{query}")
        assert response.status_code == 200, response.json()
        return [row["sku"] for row in response.json()["results"]]

    assert skus("search=tee") == ["TEE-BLK-M", "TEE-WHT-M"]
    assert skus("q=wht") == ["TEE-WHT-M"]
    assert skus(f"barcode={make_ean13(9)}") == ["TEE-WHT-M"]
    assert skus("low_stock=true") == ["MUG-01", "TEE-WHT-M"]
    assert skus("low_stock=true&active=true") == ["TEE-WHT-M"]
    assert skus("active=false") == ["MUG-01"]
    assert skus("location=MAIN") == ["TEE-BLK-M", "TEE-WHT-M"]
    assert skus("ordering=-available") == ["TEE-BLK-M", "TEE-WHT-M", "MUG-01"]


def test_stock_per_location(warehouse_api, stocked, main):
    fbt = LocationFactory(code="FBT-1", kind="fbt")
    tee = stocked("TEE-BLK-M", 5)
    services.receive(sku=tee, location=fbt, quantity=2, reason="fbt_inbound")
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 3)])
    response = warehouse_api.get("/api/v1/stock?sku=TEE-BLK-M")
    assert response.status_code == 200
    rows = {r["location"]: (r["on_hand"], r["reserved"], r["available"], r["location_kind"])
            for r in response.json()["results"]}
    assert rows == {"MAIN": (5, 3, 2, "warehouse"), "FBT-1": (2, 0, 2, "fbt")}
    response = warehouse_api.get("/api/v1/stock?sku=NOPE")
    assert response.status_code == 404 and response.json()["error"] == "Unknown SKU NOPE."


def test_adjustments(owner_api, warehouse_api, stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    response = owner_api.post("/api/v1/stock/adjustments",
                              {"sku": "TEE-BLK-M", "location": "MAIN", "quantity": -2, "reason": "adjustment",
                               "note": "damaged"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["on_hand_change"], body["reason"], body["user"], body["level"]["on_hand"]) == (
        -2, "adjustment", "own", 3)
    response = owner_api.post("/api/v1/stock/adjustments",
                              {"sku": "TEE-BLK-M", "location": "MAIN", "quantity": -9, "reason": "adjustment"},
                              format="json")
    assert response.status_code == 409
    assert response.json()["error"] == ("Cannot remove 9: TEE-BLK-M at MAIN has 3 on hand, 0 reserved for orders.")
    response = owner_api.post("/api/v1/stock/adjustments", {"sku": "TEE-BLK-M", "location": "MAIN", "counted": 10,
                                                            "reason": "count"}, format="json")
    assert response.status_code == 201 and response.json()["on_hand_change"] == 7
    for missing, field in (({"sku": "NOPE", "quantity": 1, "reason": "receipt"}, "sku"),
                           ({"sku": "TEE-BLK-M", "location": "ZZ", "quantity": 1, "reason": "receipt"}, "location")):
        response = owner_api.post("/api/v1/stock/adjustments", missing, format="json")  # names nothing that exists
        assert response.status_code == 404 and response.json()["field"] == field, (missing, response.json())
    for bad, field in (({"sku": "TEE-BLK-M", "quantity": 1, "reason": "reservation"}, "reason"),
                       ({"sku": "TEE-BLK-M", "reason": "receipt"}, "quantity")):
        response = owner_api.post("/api/v1/stock/adjustments", bad, format="json")
        assert response.status_code == 400 and field in response.json()["fields"], (bad, response.json())
    response = warehouse_api.post("/api/v1/stock/adjustments", {"sku": "TEE-BLK-M", "quantity": 1,
                                                                "reason": "receipt"}, format="json")
    assert response.status_code == 403
    assert StockLevel.objects.get(sku=tee, location=main).on_hand == 10


def test_movements(warehouse_api, stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    stocked("MUG-01", 2)
    services.reserve(reference="order:5", requests=[StockRequest("1", tee.pk, 1)])
    response = warehouse_api.get("/api/v1/stock/movements?sku=TEE-BLK-M")
    rows = response.json()["results"]
    assert [(r["reason"], r["on_hand_change"], r["reserved_change"]) for r in rows] == [
        ("reservation", 0, 1), ("receipt", 5, 0)]
    assert warehouse_api.get("/api/v1/stock/movements?reference=order:5").json()["count"] == 1
    assert warehouse_api.get("/api/v1/stock/movements?reason=receipt").json()["count"] == 2
    assert warehouse_api.post("/api/v1/stock/movements", {}).status_code == 403
    assert StockMovement.objects.count() == 3
