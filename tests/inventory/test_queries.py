"""Acceptance 5: list pages and list endpoints run the same number of queries for 10 and 500 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import SKU, Location, Product
from tests.inventory.factories import BinFactory, LocationFactory, make_ean13

pytestmark = pytest.mark.django_db

PAGES = ["/inventory/?per_page=500&status=all", "/inventory/?per_page=500&q=LIST", "/inventory/?per_page=500&low=on",
         "/inventory/?per_page=500&location=MAIN", "/inventory/low-stock/", "/inventory/export.csv"]
ENDPOINTS = ["/api/v1/skus?page_size=500", "/api/v1/skus?page_size=500&low_stock=true&search=LIST",
             "/api/v1/stock?page_size=500", "/api/v1/stock/movements?page_size=500", "/api/v1/locations?page_size=500"]


def add_skus(start, stop, user):
    """SKUs with a product, stock in MAIN and in a bin (two ledger rows each), all below reorder point."""
    product = Product.objects.get_or_create(name="Listed product")[0]
    main, bin_a = Location.objects.get(code="MAIN"), Location.objects.get(code="A-01")
    rows = [{"seller_sku": f"LIST-{n:04d}", "product": product.name, "location_id": main.pk, "quantity": 3,
             "fields": {"name": f"Listed {n}", "barcode": make_ean13(n), "reorder_point": 100}}
            for n in range(start, stop)]
    services.import_skus(rows=rows, user=user)
    services.apply_counts(counts=[(sku_id, bin_a.pk, 2) for sku_id in SKU.objects.filter(
        seller_sku__in=[r["seller_sku"] for r in rows]).values_list("pk", flat=True)], user=user)


def count_queries(client, url, rows):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    if not url.startswith("/api/v1/locations"):  # every row is on the one page
        assert body.count(b"LIST-") >= rows, (url, body.count(b"LIST-"))
    return len(ctx.captured_queries)


def test_list_pages_and_endpoints_run_constant_queries(client, owner_user, api_client_for):
    BinFactory(code="A-01")
    for n in range(8):
        LocationFactory(code=f"WH{n}")
    client.force_login(owner_user)
    api = api_client_for(owner_user)
    add_skus(0, 10, owner_user)
    small = {url: count_queries(client, url, 10) for url in PAGES}
    small.update({url: count_queries(api, url, 10) for url in ENDPOINTS})
    add_skus(10, 500, owner_user)
    for n in range(8, 400):
        LocationFactory(code=f"WH{n}")
    large = {url: count_queries(client, url, 500) for url in PAGES}
    large.update({url: count_queries(api, url, 500) for url in ENDPOINTS})
    assert large == small
    assert max(small.values()) <= 12, small
