"""Acceptance 3: CSV imports run as jobs with progress; a file with any bad row imports nothing."""

import re

import django_rq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rq import SimpleWorker

from inventory import services
from inventory.models import SKU, ImportFile, Location, StockLevel, StockMovement
from inventory.selectors import reconcile
from tests.inventory.factories import SKUFactory, make_ean13


def csv_text(rows):
    return "\n".join(",".join(str(v) for v in row) for row in rows) + "\n"


def run_worker():
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def upload(client, name, text, kind="skus"):
    return client.post("/inventory/import/", {"kind": kind, "file": SimpleUploadedFile(name, text.encode())})


@pytest.mark.django_db(transaction=True)
def test_ten_thousand_skus_import_as_a_job_with_progress_in_the_page(client, owner_user, uses_rq, monkeypatch):
    from inventory import jobs

    client.force_login(owner_user)
    seen_midway = []
    real_progress = jobs.progress

    def progress_and_look(run_id, percent, message=""):
        real_progress(run_id, percent, message)
        if 40 <= percent <= 60 and not seen_midway:  # what the page shows while the job runs
            seen_midway.append(client.get(f"/jobs/{run_id}/progress").content.decode())

    monkeypatch.setattr(jobs, "progress", progress_and_look)
    rows = [("seller_sku", "name", "barcode", "attributes", "reorder_point", "quantity")]
    rows += [(f"BULK-{n:05d}", f"Bulk item {n}", make_ean13(n), f"size={n % 5}", 3, n % 7) for n in range(10_000)]
    response = upload(client, "catalogue.csv", csv_text(rows))
    assert response.status_code == 302
    detail_url = response["Location"]
    upload_row = ImportFile.objects.get()

    page = client.get(detail_url).content.decode()  # queued: the page polls the job's progress
    assert f'hx-get="/jobs/{upload_row.run_id}/progress"' in page and "Waiting for a worker" in page
    assert 'hx-trigger="every 1s"' in page and "Checking every row" in page

    run_worker()

    midway = seen_midway[0]
    assert 'hx-trigger="every 1s"' in midway and 'data-status="running"' in midway
    assert "of 10,000 rows" in midway and re.search(r'<progress max="100" value="[456]\d"', midway)
    fragment = client.get(f"/jobs/{upload_row.run_id}/progress").content.decode()
    assert "100%" in fragment and "Imported 10,000 rows: 10,000 new SKUs" in fragment
    assert "hx-trigger" not in fragment
    result = client.get(f"{detail_url}result").content.decode()
    assert "Imported 10000 rows" in result and 'data-status="applied"' in result and "hx-trigger" not in result
    assert SKU.objects.count() == 10_000
    assert StockLevel.objects.filter(location__code="MAIN").count() == 10_000
    assert StockMovement.objects.filter(reason="count").count() == 10_000
    assert SKU.objects.get(seller_sku="BULK-00012").attributes == {"size": "2"}
    assert reconcile()[1] == []


@pytest.mark.django_db(transaction=True)
def test_a_file_with_three_bad_rows_imports_nothing_and_reports_them(client, owner_user, uses_rq):
    client.force_login(owner_user)
    rows = [
        ("seller_sku", "name", "barcode", "quantity"),
        ("GOOD-1", "Good one", make_ean13(1), 5),          # row 2
        ("BAD-EAN", "Wrong check digit", "4006381333932", 1),  # row 3: correct is ...931
        ("GOOD-2", "Good two", make_ean13(2), 1),          # row 4
        ("GOOD-1", "Same SKU again", make_ean13(3), 1),    # row 5: duplicate
        ("NEG-1", "Negative", make_ean13(4), -4),          # row 6
    ]
    detail_url = upload(client, "bad.csv", csv_text(rows))["Location"]
    run_worker()
    result = client.get(f"{detail_url}result").content.decode()
    assert "Nothing was imported" in result
    assert 'data-row="3"' in result and "wrong check digit (expected 1)" in result
    assert 'data-row="5"' in result and "duplicate SKU GOOD-1 (also on row 2)" in result
    assert 'data-row="6"' in result and "quantity -4 is negative" in result
    upload_row = ImportFile.objects.get()
    assert [e["row"] for e in upload_row.errors] == [3, 5, 6] and upload_row.status == "rejected"
    assert not SKU.objects.exists() and not StockMovement.objects.exists()
    page = client.get(detail_url).content.decode()
    assert "3 bad rows: nothing was imported" in page


@pytest.mark.django_db(transaction=True)
def test_stock_count_import_sets_on_hand_and_is_idempotent(client, owner_user, uses_rq):
    from inventory.jobs import import_file_job

    main = Location.objects.get(code="MAIN")
    tee = SKUFactory(seller_sku="TEE-BLK-M", barcode=make_ean13(77))
    mug = SKUFactory(seller_sku="MUG-01", barcode="")  # a sequence barcode could be make_ean13(77)
    services.receive(sku=tee, location=main, quantity=10)
    client.force_login(owner_user)
    text = csv_text([("seller_sku", "barcode", "location", "counted"), ("", make_ean13(77), "MAIN", 7),
                     ("MUG-01", "", "", 3)])
    detail_url = upload(client, "counts.csv", text, kind="counts")["Location"]
    run_worker()
    page = client.get(detail_url).content.decode()  # it changes stock: a preview first, then a confirmation
    assert "Waiting for your confirmation" in page and StockLevel.objects.get(sku=tee, location=main).on_hand == 10
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    client.post(f"{detail_url}confirm", {"token": token})
    run_worker()
    assert "Imported 2 stock counts" in client.get(detail_url).content.decode()
    assert StockLevel.objects.get(sku=tee, location=main).on_hand == 7
    assert StockLevel.objects.get(sku=mug, location=main).on_hand == 3
    upload_row = ImportFile.objects.get()
    moves = StockMovement.objects.filter(reason="count").count()
    import_file_job(upload_row.run_id, upload_row.pk, True)  # a retried job does nothing more
    assert StockMovement.objects.filter(reason="count").count() == moves


@pytest.mark.django_db
def test_count_file_errors_are_reported_per_row(owner_user):
    from inventory.imports import validate_counts

    main = Location.objects.get(code="MAIN")
    tee = SKUFactory(seller_sku="TEE-BLK-M")
    services.receive(sku=tee, location=main, quantity=5)
    services.reserve(reference="o", requests=[services.StockRequest("1", tee.pk, 4)])
    text = csv_text([("seller_sku", "location", "counted"), ("NOPE", "MAIN", 1), ("TEE-BLK-M", "MAIN", 2),
                     ("TEE-BLK-M", "ZZZ", "x")])
    ready, errors, total = validate_counts(text)
    assert ready == [] and total == 3
    assert errors == [
        {"row": 2, "sku": "NOPE", "error": "no SKU NOPE"},
        {"row": 3, "sku": "TEE-BLK-M", "error": "counted 2 at MAIN is below the 4 reserved for orders"},
        {"row": 4, "sku": "TEE-BLK-M", "error": "location ZZZ does not exist; counted 'x' is not a whole number"},
    ]


@pytest.mark.django_db
def test_sku_file_updates_existing_skus_and_checks_columns(owner_user):
    from inventory.imports import validate_skus

    SKUFactory(seller_sku="TEE-BLK-M", name="Old name", barcode=make_ean13(5))
    ready, errors, _ = validate_skus(csv_text([("sku", "name", "colour"), ("A", "B", "C")]))
    assert errors == [{"row": 1, "sku": "", "error": "unknown column(s): colour; expected: " + ", ".join(
        ("seller_sku", "name", "barcode", "product", "attributes", "weight_grams", "length_mm", "width_mm",
         "height_mm", "reorder_point", "active", "location", "quantity"))}]
    text = csv_text([("seller_sku", "name", "barcode", "active", "product"),
                     ("TEE-BLK-M", "", "", "no", "Classic tee"), ("NEW-1", "New", make_ean13(5), "", "")])
    ready, errors, _ = validate_skus(text)
    assert errors == [{"row": 3, "sku": "NEW-1", "error": f"barcode {make_ean13(5)} already belongs to SKU TEE-BLK-M"}]
    ready, errors, _ = validate_skus(text.replace(make_ean13(5), make_ean13(6)))
    assert errors == []
    summary = services.import_skus(rows=ready)
    assert summary == {"created": 1, "updated": 1, "counted": 0}
    tee = SKU.objects.get(seller_sku="TEE-BLK-M")
    assert (tee.name, tee.active, tee.product.name) == ("Old name", False, "Classic tee")


def test_upload_form_rejects_a_missing_file(client, owner_user):
    client.force_login(owner_user)
    response = client.post("/inventory/import/", {"kind": "skus"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not ImportFile.objects.exists()
