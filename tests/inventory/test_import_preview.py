"""Safe examples and previews: the example import files use SKUs that exist nowhere (the demo
included) and say so; an import that would change existing SKUs or stock stops at a preview (what
changes, what is pushed to which channel) and is applied only by a second POST with its token."""

import csv
import io
import json
import re
from pathlib import Path

import django_rq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from rq import SimpleWorker

from inventory import services
from inventory.models import SKU, ImportFile, Location, StockLevel, StockMovement, StockOutbox
from tests.inventory.factories import ListingFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)
CATALOGUE = Path(__file__).resolve().parents[2] / "devtools" / "demo" / "catalogue.json"


def run_worker():
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def upload(client, text, kind="skus"):
    response = client.post("/inventory/import/", {"kind": kind, "file": SimpleUploadedFile("f.csv", text.encode())})
    assert response.status_code == 302
    return response["Location"]


def example(client, kind):
    response = client.get(f"/inventory/import/template/{kind}.csv")
    assert response.status_code == 200
    return response.content.decode()


def test_the_example_files_use_skus_that_exist_nowhere_and_say_so(client, owner_user, uses_rq):
    demo_skus = {item["sku"] for item in json.loads(CATALOGUE.read_text())["items"]}
    client.force_login(owner_user)
    sku_file, count_file = example(client, "skus"), example(client, "counts")
    example_skus = {row["seller_sku"] for text in (sku_file, count_file) for row in csv.DictReader(io.StringIO(text))}
    assert example_skus and all(s.startswith("EXAMPLE-") for s in example_skus)
    assert not example_skus & demo_skus
    assert "not in your catalogue" in sku_file
    page = client.get("/inventory/import/").content.decode()
    assert "not in your catalogue nor in the demo" in page and "EXAMPLE-MUG-WHT" in page

    # Imported as offered, the example changes nothing that exists: no preview, no push.
    shop = SKUFactory(seller_sku="TEE-BLK-M")
    services.receive(sku=shop, location=Location.objects.get(code="MAIN"), quantity=5)
    ListingFactory(sku=shop)
    pushes = StockOutbox.objects.filter(Q(sku=shop) | Q(listing__sku=shop)).count  # rows about what exists
    before = pushes()
    detail = upload(client, sku_file)
    run_worker()
    assert "Imported 2 rows: 2 new SKUs" in client.get(detail).content.decode()
    assert StockLevel.objects.get(sku=shop).on_hand == 5 and pushes() == before
    detail = upload(client, count_file, kind="counts")  # counts the example SKUs only: a preview of those
    run_worker()
    preview = ImportFile.objects.get(pk=detail.rstrip("/").rsplit("/", 1)[1]).summary["preview"]
    assert {c["sku"] for c in preview["stock_changes"]} == {"EXAMPLE-MUG-WHT", "EXAMPLE-MUG-BLK"}
    assert preview["pushes"] == [] and StockLevel.objects.get(sku=shop).on_hand == 5


def test_a_file_that_changes_stock_shows_a_preview_and_waits_for_the_token(client, owner_user, uses_rq):
    main = Location.objects.get(code="MAIN")
    tee = SKUFactory(seller_sku="TEE-BLK-M", name="Classic tee black M", barcode="")
    services.receive(sku=tee, location=main, quantity=10)
    ListingFactory(sku=tee, account__name="Our Woo store")
    ListingFactory(sku=tee, account__name="Our Etsy shop", account__channel="etsy")
    client.force_login(owner_user)
    text = "seller_sku,name,quantity\nTEE-BLK-M,Classic tee black M (new print),34\nNEW-1,A new thing,\n"
    detail = upload(client, text)
    run_worker()

    page = client.get(detail).content.decode()
    assert "Waiting for your confirmation" in page and "Nothing is imported yet" in page
    assert "Classic tee black M (new print)" in page  # the field that changes, before and after
    assert re.search(r"<td>TEE-BLK-M</td><td>MAIN</td><td class=\"num\">10</td><td class=\"num\">34</td>"
                     r"<td class=\"num\">\+24</td>", page)
    assert "Our Woo store (WooCommerce): new stock for 1 listing" in page
    assert "Our Etsy shop (Etsy): new stock for 1 listing" in page
    assert "It also adds 1 new SKU" in page
    fragment = client.get(f"/jobs/{ImportFile.objects.get().run_id}/progress").content.decode()
    assert "Nothing is imported until you confirm" in fragment and "Succeeded" not in fragment
    tee.refresh_from_db()
    assert tee.name == "Classic tee black M" and StockLevel.objects.get(sku=tee).on_hand == 10
    assert not SKU.objects.filter(seller_sku="NEW-1").exists()

    # A wrong or missing token changes nothing.
    client.post(f"{detail}confirm", {"token": "forged"})
    run_worker()
    assert StockLevel.objects.get(sku=tee).on_hand == 10
    assert "out of date" in client.get(detail).content.decode()

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert client.post(f"{detail}confirm", {"token": token}).status_code == 302
    run_worker()
    assert "Imported 2 rows" in client.get(detail).content.decode()
    tee.refresh_from_db()
    assert tee.name == "Classic tee black M (new print)" and StockLevel.objects.get(sku=tee).on_hand == 34
    # Confirmed twice: the second one is refused, nothing is applied again.
    moves = StockMovement.objects.filter(sku=tee).count()
    again = client.post(f"{detail}confirm", {"token": token}, follow=True).content.decode()
    run_worker()
    assert "not waiting for a confirmation" in again
    assert StockLevel.objects.get(sku=tee).on_hand == 34 and StockMovement.objects.filter(sku=tee).count() == moves


def test_the_confirmation_is_for_the_owner_only(client, warehouse_user, owner_user, uses_rq):
    SKUFactory(seller_sku="TEE-BLK-M", barcode="")
    client.force_login(owner_user)
    detail = upload(client, "seller_sku,name\nTEE-BLK-M,Renamed\n")
    run_worker()
    token = re.search(r'name="token" value="([^"]+)"', client.get(detail).content.decode()).group(1)
    client.force_login(warehouse_user)
    assert client.post(f"{detail}confirm", {"token": token}).status_code == 403
    assert ImportFile.objects.get().status == "preview"
