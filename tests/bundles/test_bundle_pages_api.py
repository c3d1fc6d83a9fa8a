"""Bundles on /api/v1/skus, on the SKU page and under Needs attention, each by role."""

import pytest
from django.urls import reverse

from inventory.bundles import components_of
from inventory.models import SKU
from tests.orders.factories import OrderSKUFactory

pytestmark = pytest.mark.django_db


def test_the_api_reads_and_writes_components(tees, api_client_for, owner_user, warehouse_user,
                                             django_assert_max_num_queries):
    black, white, bundle = tees
    owner = api_client_for(owner_user)
    for n in range(3):  # more bundles: the list still runs a fixed number of queries
        OrderSKUFactory(seller_sku=f"KIT-{n}")
        assert owner.patch(f"/api/v1/skus/{SKU.objects.get(seller_sku=f'KIT-{n}').pk}",
                           {"components": [{"sku": "TEE-BLK-M", "units": n + 1}]}, format="json").status_code == 200
    with django_assert_max_num_queries(8):
        rows = {row["sku"]: row for row in owner.get("/api/v1/skus?page_size=50").json()["results"]}
    assert rows["TT-BUNDLE-TEE2"]["components"] == [{"sku": "TEE-BLK-M", "units": 1}, {"sku": "TEE-WHT-M", "units": 1}]
    assert rows["TT-BUNDLE-TEE2"]["available"] == 3 and rows["KIT-2"]["available"] == 1
    assert rows["TEE-BLK-M"]["components"] == [] and rows["TEE-BLK-M"]["available"] == 5

    created = owner.post("/api/v1/skus", {"sku": "TEE-TRIO", "name": "Three tees",
                                          "components": [{"sku": "TEE-BLK-M", "units": 3}]}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["components"] == [{"sku": "TEE-BLK-M", "units": 3}] and created.json()["available"] == 1

    refused = owner.post("/api/v1/skus", {"sku": "TEE-BAD", "name": "Nested",
                                          "components": [{"sku": "TT-BUNDLE-TEE2", "units": 1}]}, format="json")
    assert refused.status_code == 400 and "itself a bundle" in refused.json()["fields"]["components"][0]
    assert not SKU.objects.filter(seller_sku="TEE-BAD").exists(), "nothing was created"
    denied = api_client_for(warehouse_user).patch(f"/api/v1/skus/{bundle.pk}", {"components": []}, format="json")
    assert denied.status_code == 403
    assert components_of([bundle.pk])[bundle.pk]


def test_the_sku_page_shows_and_sets_components(tees, owner_client, client, warehouse_user):
    black, white, bundle = tees
    page = owner_client.get(reverse("inventory:sku_detail", args=[bundle.pk])).content.decode()
    assert "whole bundles can be sold now" in page and "<strong>3</strong>" in page
    part = owner_client.get(reverse("inventory:sku_detail", args=[black.pk])).content.decode()
    assert "Part of" in part and "TT-BUNDLE-TEE2" in part
    kit = OrderSKUFactory(seller_sku="KIT-A")
    url = reverse("inventory:sku_bundle", args=[kit.pk])
    response = owner_client.post(url, {"components": "TEE-BLK-M x 2\nNOPE-9"}, follow=True)
    assert "There is no SKU NOPE-9" in response.content.decode() and kit.pk not in components_of([kit.pk])
    owner_client.post(url, {"components": "TEE-BLK-M x 2\n1 x TEE-WHT-M"})
    assert components_of([kit.pk])[kit.pk] == sorted([(black.pk, 2), (white.pk, 1)])
    client.force_login(warehouse_user)
    assert client.post(url, {"components": ""}).status_code == 403
    assert components_of([kit.pk])[kit.pk]


def test_only_the_owner_makes_a_bundle_from_a_combined_listing(db, client, warehouse_user):
    client.force_login(warehouse_user)
    response = client.post(reverse("orders:bundle_from_listing"), {"account": 1, "channel_sku": "TT-X"})
    assert response.status_code == 403


def test_the_admin_shows_a_bundles_components(tees, client, ops_user):
    client.force_login(ops_user)
    page = client.get(reverse("admin:inventory_sku_change", args=[tees[2].pk])).content.decode()
    assert "TEE-BLK-M × 1, TEE-WHT-M × 1" in page
