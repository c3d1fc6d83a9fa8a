"""GET /api/v1/metrics/after-sales: the after-sales figures and the decisions due as JSON, in the
OpenAPI schema, for Owner and Ops only, with clear 4xx errors."""

import datetime as dt

import pytest
from django.utils import timezone

from orders.models import CancellationRequest, Return
from tests.metrics.factories import AccountFactory, OrderFactory, local

pytestmark = pytest.mark.django_db
FIGURES = ["non_buyer_fault_return_rate", "after_sales_response_time", "seller_fault_cancellations_by_reason"]


@pytest.fixture
def march():
    account = AccountFactory()
    late = OrderFactory(account=account, created_at=local("2025-03-05 10:00"))
    CancellationRequest.objects.create(order=late, account=account, external_id="C1", status="auto_approved",
                                       auto_approved=True, requested_at=local("2025-03-05 12:00"),
                                       respond_by=local("2025-03-06 12:00"), decided_at=local("2025-03-06 12:00"))
    returned = OrderFactory(account=account, created_at=local("2025-03-06 10:00"))
    Return.objects.create(order=returned, account=account, external_id="R1", reason="Damaged", seller_fault=True,
                          requested_at=local("2025-03-10 10:00"), respond_by=local("2025-03-12 10:00"),
                          decided_at=local("2025-03-10 16:00"), channel_status="RETURN_OR_REFUND_REQUEST_SUCCESS")
    OrderFactory(account=account, created_at=local("2025-03-07 10:00"), status="cancelled",
                 cancelled_at=local("2025-03-07 11:00"), cancel_initiator="SYSTEM", cancel_reason_code="")
    return account


def test_api_answers_the_after_sales_figures(march, owner_user, ops_user, api_client_for):
    for user in (owner_user, ops_user):
        body = api_client_for(user).get("/api/v1/metrics/after-sales?from=2025-03-01&to=2025-03-31").json()
        assert list(body) == [*FIGURES, "decisions_due"]
        assert body["non_buyer_fault_return_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3,
                                                       "from": "2025-03-01", "to": "2025-03-31"}
        response = body["after_sales_response_time"]
        assert (response["decided"], response["on_time"], response["late"], response["auto_approved"]) == (2, 1, 1, 1)
        assert response["median_hours"] == 15.0 and response["on_time_share"] == 0.5  # (24 h + 6 h) / 2
        reasons = body["seller_fault_cancellations_by_reason"]["reasons"]
        assert reasons["missed_sla"] == {"count": 1, "rate": 1 / 3} and reasons["out_of_stock"]["count"] == 0
        assert body["decisions_due"] == {"cancellation_requests": 0, "returns": 0, "overdue": 0,
                                         "about_to_auto_approve": 0}


def test_api_without_dates_uses_each_figures_default_window(owner_user, api_client_for):
    account = AccountFactory()
    now = timezone.now()
    order = OrderFactory(account=account, created_at=now - dt.timedelta(days=3), status="confirmed")
    CancellationRequest.objects.create(order=order, account=account, external_id="C-due", status="pending",
                                       requested_at=now - dt.timedelta(hours=3), respond_by=now + dt.timedelta(hours=5))
    body = api_client_for(owner_user).get("/api/v1/metrics/after-sales").json()
    returns, cancellations = body["non_buyer_fault_return_rate"], body["seller_fault_cancellations_by_reason"]
    days = [(dt.date.fromisoformat(f["to"]) - dt.date.fromisoformat(f["from"])).days for f in (returns, cancellations)]
    assert days == [60, 30]
    assert body["decisions_due"]["cancellation_requests"] == 1 and body["decisions_due"]["about_to_auto_approve"] == 1


@pytest.mark.parametrize("query,status,field", [
    ("from=2025-02-30", 400, "from"),
    ("channel=ebay", 400, "channel"),
    ("from=2025-03-10&to=2025-03-01", 400, "to"),
    ("account=999999", 404, "account"),
])
def test_api_rejects_bad_input_with_json(owner_user, api_client_for, query, status, field):
    response = api_client_for(owner_user).get(f"/api/v1/metrics/after-sales?{query}")
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and field in body["fields"] and body["error"]


def test_api_is_for_owner_and_ops_only(client, warehouse_user, api_client_for):
    assert client.get("/api/v1/metrics/after-sales").status_code in (401, 403)
    assert api_client_for(warehouse_user).get("/api/v1/metrics/after-sales").status_code == 403


def test_openapi_documents_the_after_sales_figures(owner_user, api_client_for):
    schema = api_client_for(owner_user).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/metrics/after-sales/"]["get"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/AfterSalesReport"}
    assert list(schema["components"]["schemas"]["AfterSalesReport"]["properties"]) == [*FIGURES, "decisions_due"]
    assert {"from", "to", "channel", "account"} <= {p["name"] for p in operation["parameters"]}
    assert "Owner, Ops" in operation["description"]
