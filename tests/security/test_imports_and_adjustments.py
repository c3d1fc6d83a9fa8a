"""Bad input on the inventory pages never 500s (acceptance 4): a UTF-16 or NUL-byte CSV is refused
with a message; whole numbers above their column's range are bad rows with their row number; a
stock adjustment of 2**31 or more is a form error (page) or a 400 JSON (API), with nothing changed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory import services
from inventory.imports import validate_counts, validate_skus
from inventory.models import SKU, ImportFile, Location, StockLevel, StockMovement

pytestmark = pytest.mark.django_db
HUGE = 2**31


@pytest.fixture
def sku(db):
    sku = SKU.objects.create(seller_sku="TEE-1", name="Tee")
    services.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=5)
    return sku


def upload(client, name, raw):
    return client.post("/inventory/import/", {"kind": ImportFile.Kind.SKUS,
                                              "file": SimpleUploadedFile(name, raw, content_type="text/csv")})


def test_a_utf16_or_nul_csv_is_refused_with_a_message(owner_client):
    text = "seller_sku,name\nTEE-1,Tee\n"
    for raw in (text.encode("utf-16"), text.encode("utf-16-le"), b"seller_sku,name\nTEE\x00-1,Tee\n"):
        response = upload(owner_client, "skus.csv", raw)
        assert response.status_code == 400  # the form again, with its error
        assert "save it as &quot;CSV UTF-8&quot;" in response.content.decode()
    assert not ImportFile.objects.exists()


def test_integers_above_the_column_range_are_bad_rows_with_their_number(sku):
    content = (f"seller_sku,name,weight_grams,reorder_point,quantity\nOK-1,Fine,10,1,3\n"
               f"BIG-1,Too heavy,{HUGE},1,\nBIG-2,Huge reorder,1,{10**40},\nBIG-3,Huge stock,1,1,{HUGE}\n")
    ready, errors, total = validate_skus(content)
    assert total == 4 and ready == []
    by_row = {e["row"]: e["error"] for e in errors}
    assert set(by_row) == {3, 4, 5}
    assert "weight grams 2147483648 is above the largest allowed" in by_row[3]
    assert "reorder point" in by_row[4] and "quantity 2147483648 is above" in by_row[5]
    ready, errors, _ = validate_counts(f"seller_sku,counted\nTEE-1,{HUGE}\n")
    assert ready == [] and errors[0]["row"] == 2 and "above the largest allowed" in errors[0]["error"]


def test_an_adjustment_of_2_31_is_a_form_error_and_changes_nothing(owner_client, sku):
    before = StockMovement.objects.count()
    for quantity in (HUGE, -HUGE, 10**30):
        response = owner_client.post("/inventory/adjust/", {"sku": "TEE-1", "location": "MAIN", "quantity": quantity,
                                                            "reason": StockMovement.Reason.ADJUSTMENT})
        assert response.status_code == 400  # the form again, with its error
        assert "Ensure this value is" in response.content.decode()
    assert StockMovement.objects.count() == before
    assert StockLevel.objects.get(sku=sku).on_hand == 5


def test_an_adjustment_of_2_31_over_the_api_is_400_json(api_client_for, owner_user, sku):
    api = api_client_for(owner_user)
    before = StockMovement.objects.count()
    for body in ({"sku": "TEE-1", "quantity": HUGE, "reason": "adjustment"},
                 {"sku": "TEE-1", "quantity": -HUGE, "reason": "adjustment"},
                 {"sku": "TEE-1", "counted": HUGE, "reason": "count"}):
        response = api.post("/api/v1/stock/adjustments", body, format="json")
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/json") and response.json()["error"]
    assert StockMovement.objects.count() == before
    assert StockLevel.objects.get(sku=sku).on_hand == 5


def test_sku_dimensions_above_the_column_range_are_form_errors(owner_client):
    response = owner_client.post("/inventory/skus/new/", {"seller_sku": "NEW-1", "name": "New", "weight_grams": HUGE,
                                                          "reorder_point": 0, "active": "on"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 2147483647" in response.content.decode()
    assert not SKU.objects.filter(seller_sku="NEW-1").exists()
