"""Acceptance 4 (bad inputs): each listed bad input to the API gets a 4xx JSON answer and changes
nothing; unknown ids in the job dashboard are a 404, not a 500."""

from __future__ import annotations

import pytest

from fulfilment.shipping_rules.models import ShippingRule
from inventory import services as inventory_services
from inventory.models import SKU, Location, StockLevel, StockMovement
from orders.models import Return
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
HUGE_FLOAT = "1e400"
HUGE_INT = "99999999999999999999"

BAD_QUERIES = [
    ("/api/v1/returns/?order=" + HUGE_FLOAT, 400, "order"),
    ("/api/v1/returns/?order=" + HUGE_INT, 400, "order"),
    ("/api/v1/returns/?order=-1", 400, "order"),
    ("/api/v1/returns/?order=1.5", 400, "order"),
    ("/api/v1/returns/?order=abc", 400, "order"),
    ("/api/v1/orders/?account=" + HUGE_FLOAT, 400, "account"),
    ("/api/v1/orders/?account=" + HUGE_INT, 400, "account"),
    ("/api/v1/sync-runs/?account=" + HUGE_INT, 400, "account"),
    ("/api/v1/packages/?order=" + HUGE_INT, 400, "order"),
    ("/api/v1/packages/?order=x", 400, "order"),
    ("/api/v1/metrics/?account=0", 400, "account"),
    ("/api/v1/orders/?page=-1", 400, "page"),
    ("/api/v1/orders/?page=0", 400, "page"),
    ("/api/v1/orders/?page=" + HUGE_INT, 400, "page"),
    ("/api/v1/skus/?page_size=-5", 400, "page_size"),
    ("/api/v1/skus/?page_size=" + HUGE_FLOAT, 400, "page_size"),
    ("/api/v1/skus/?page_size=100000", 400, "page_size"),
    ("/api/v1/stock/movements/?until=1118-10-24T21:35:39%2B23:40", 400, "until"),  # PostgreSQL refuses it
    ("/api/v1/orders/?created_after=0001-01-01T00:00:00Z", 400, "created_after"),
    ("/api/v1/orders/?page=99999", 404, None),  # a page past the end
    ("/api/v1/orders/" + HUGE_INT + "/", 404, None),
    ("/api/v1/returns/" + HUGE_INT + "/", 404, None),
]


@pytest.fixture
def owner_api(api_client_for):
    return api_client_for(UserFactory(role="Owner", username="bad-input-owner"))


@pytest.mark.parametrize(("url", "code", "field"), BAD_QUERIES)
def test_bad_query_values_get_a_4xx_json_answer(owner_api, url, code, field):
    response = owner_api.get(url)
    assert response.status_code == code, response.content[:300]
    body = response.json()
    assert body["status"] == code and body["error"]
    if field:
        assert field in body["fields"]


def test_a_valid_filter_value_still_filters(owner_api):
    assert owner_api.get("/api/v1/returns/?order=1").status_code == 200
    assert owner_api.get("/api/v1/skus/?page_size=500&page=1").status_code == 200


@pytest.fixture
def sku(db):
    sku = SKU.objects.create(seller_sku="TEE-BAD", name="Tee")
    inventory_services.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=5)
    return sku


BAD_BODIES = [
    ("/api/v1/stock/adjustments", {"sku": "TEE-BAD", "location": "MAIN", "quantity": 2**31, "reason": "adjustment"}),
    ("/api/v1/stock/adjustments", {"sku": "TEE-BAD", "location": "MAIN", "quantity": -(2**31), "reason": "adjustment"}),
    ("/api/v1/stock/adjustments", {"sku": "TEE-BAD", "location": "MAIN", "counted": 2**31, "reason": "count"}),
    ("/api/v1/stock/adjustments", {"sku": "TEE-BAD", "location": "MAIN", "quantity": 10**30, "reason": "adjustment"}),
    ("/api/v1/returns/", {"order": 2**63, "reason": "broken"}),
    ("/api/v1/returns/", {"order": 1, "reason": "broken", "lines": [{"line": 1, "quantity": 2**31}]}),
    ("/api/v1/packages/", {"order": 2**63}),
    ("/api/v1/packages/", {"order": 1, "box": 2**63}),
    ("/api/v1/picklists/", {"orders": [2**63]}),
    ("/api/v1/orders/", {"lines": []}),
]


@pytest.mark.parametrize(("url", "body"), BAD_BODIES)
def test_bad_bodies_get_a_400_json_answer_and_change_nothing(owner_api, sku, url, body):
    before = (StockMovement.objects.count(), Return.objects.count(), StockLevel.objects.get(sku=sku).on_hand)
    response = owner_api.post(url, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["status"] == 400 and response.json()["error"]
    assert (StockMovement.objects.count(), Return.objects.count(), StockLevel.objects.get(sku=sku).on_hand) == before


@pytest.mark.parametrize("path", [
    "/ops/jobs/queues/0/no-such-job/",
    "/ops/jobs/queues/0/no-such-job/requeue/",
    "/ops/jobs/queues/99/",
    "/ops/jobs/queues/99/no-such-job/",
])
def test_unknown_ids_in_the_job_dashboard_are_a_404(client, ops_user, uses_rq, path):
    client.force_login(ops_user)
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("body", [[], ["up"], None, "up", 7])
def test_moving_a_shipping_rule_with_a_body_that_is_not_an_object_is_refused(owner_api, body):
    rule = ShippingRule.objects.order_by("position").first()
    before = list(ShippingRule.objects.order_by("position").values_list("pk", "position"))
    response = owner_api.post(f"/api/v1/shipping-rules/{rule.pk}/move/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]
    assert list(ShippingRule.objects.order_by("position").values_list("pk", "position")) == before
