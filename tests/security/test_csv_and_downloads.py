"""Hostile data in downloads (acceptance 3): every CSV export neutralises cells beginning with
``=``, ``+``, ``-``, ``@``, tab or CR (a leading ``'``; numbers written as numbers stay numbers);
every download named after a hostile order id answers 200 with a safe filename."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from fulfilment import services
from fulfilment.models import Package
from inventory.models import SKU
from orders.models import Order
from sellerhub import csv_export
from sellerhub.downloads import content_disposition, safe_filename
from tests.fulfilment.conftest import main, make_order, media, skus, woo  # noqa: F401
from tests.metrics.conftest import make_orders  # noqa: F401

pytestmark = pytest.mark.django_db
HOSTILE = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB",
           "\rCR"]
EVIL_ID = 'W-9\r\nSet-Cookie: x=1; "quoted"/../evil'


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(csv_export.FORMULA_STARTS) or re.fullmatch(r"-\d+(\.\d+)?", cell), cell


def test_the_writer_neutralises_text_and_keeps_numbers():
    for value in HOSTILE:
        assert csv_export.safe_cell(value) == "'" + value
    assert csv_export.safe_cell(-3) == -3 and csv_export.safe_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert csv_export.safe_cell("-3") == "'-3"  # text from a channel is text
    assert csv_export.safe_cell("plain = text") == "plain = text" and csv_export.safe_cell(None) == ""


def test_the_sku_export_and_templates_neutralise_formulas(owner_client):
    for i, name in enumerate(HOSTILE):
        SKU.objects.create(seller_sku=f"{'=' if i % 2 else '@'}SKU-{i}", name=name)
    response = owner_client.get("/inventory/export.csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert_no_formula(rows)
    names = {row[1] for row in rows[1:]}
    assert {"'" + value for value in HOSTILE} <= names
    for kind in ("skus", "counts"):
        template = owner_client.get(f"/inventory/import/template/{kind}.csv")
        assert template.status_code == 200
        assert_no_formula(csv_rows(template))


def test_the_at_risk_and_figure_exports_neutralise_formulas(owner_client, request):
    request.getfixturevalue("make_orders")(12)
    for order, value in zip(Order.objects.order_by("pk"), HOSTILE, strict=False):
        Order.objects.filter(pk=order.pk).update(external_id=value)
    paths = ["/metrics/figures/late_dispatch_rate/denominator/?format=csv"]
    paths += [f"/metrics/at-risk/{kind}/?format=csv" for kind in ("due_soon", "late", "unscanned", "undelivered")]
    exported = set()
    for path in paths:
        response = owner_client.get(path)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_rows(response)
        assert_no_formula(rows)
        exported |= {row[0] for row in rows[1:]}
    assert exported & {"'" + value for value in HOSTILE}


def test_download_names_are_safe():
    assert safe_filename(EVIL_ID + ".pdf") == "W-9-Set-Cookie-x-1-quoted-evil.pdf"
    header = content_disposition(EVIL_ID + ".pdf", attachment=False)
    assert header.startswith("inline; filename=") and "\r" not in header and "\n" not in header
    assert header.count('"') == 2
    assert content_disposition("") == 'attachment; filename="download"'


def test_slips_and_labels_of_a_hostile_order_id_answer_200(owner_client, request):
    order = request.getfixturevalue("make_order")(EVIL_ID, {"TEE-BLK-M": 1})
    package = services.create_package(order=order)
    Package.objects.filter(pk=package.pk).update(label_source=Package.LabelSource.TYPED,
                                                 tracking_number="1Z999AA10123456784", carrier="ups")
    paths = [f"/fulfilment/orders/{order.pk}/packing-slip.pdf", f"/fulfilment/packages/{package.pk}/packing-slip.pdf",
             f"/fulfilment/packages/{package.pk}/label.zpl", f"/fulfilment/packages/{package.pk}/label.pdf?download=1"]
    for path in paths:
        response = owner_client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        disposition = response["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2, disposition
        assert re.search(r'filename="[\w.\-]+"$', disposition), disposition
        assert "W-9-Set-Cookie" in disposition
