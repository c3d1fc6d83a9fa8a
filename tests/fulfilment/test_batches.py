"""Batch printing: up to 500 packages merged into one 4x6 PDF (or one ZPL stream), labels of any
source, a packing slip after each label if asked; a job on the documents queue with progress;
the file stays downloadable; printing the batch again buys nothing twice and makes no new
packages."""

import django_rq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rq import SimpleWorker

import documents as docs
from fulfilment import services
from fulfilment.models import Package, PrintBatch
from sellerhub.models import JobRun
from tests.fulfilment.conftest import FOUR_BY_SIX, barcodes, pdf_pages

pytestmark = pytest.mark.django_db
# The batch job is queued after the transaction commits (sellerhub.jobs.enqueue_job); tests that run
# it use real transactions.
jobs_db = pytest.mark.django_db(transaction=True)


def work():
    queue = django_rq.get_queue("documents")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def uploaded_label(number="986578788855"):
    return docs.render_label_pdf(docs.LabelData(
        ship_from=docs.Address(name="Elsewhere", street1="1 Road", city="Town", state="CA", postal_code="90001"),
        ship_to=docs.Address(name="Buyer", street1="2 Road", city="Town", state="CA", postal_code="90002"),
        order_number="X", carrier="fedex", tracking_number=number))


@pytest.fixture
def mixed(make_order, easypost):
    """Three orders: one with an EasyPost label, one with an uploaded PDF, one with no package yet."""
    bought = services.create_package(order=make_order("B-1", {"MUG-01": 1}))
    services.buy_label(package=bought, rate_id=services.quote_rates(package=bought).rates[0].id)
    uploaded = services.create_package(order=make_order("B-2", {"CAP-BLK": 2}))
    services.upload_label(package=uploaded, content=uploaded_label())
    bare = make_order("B-3", {"TEE-BLK-M": 1})
    return [bought.order, uploaded.order, bare]


@jobs_db
def test_a_batch_merges_every_source_with_slips_and_reprints_without_buying(
        mixed, easypost, warehouse_client, uses_rq):
    response = warehouse_client.post(reverse("fulfilment:batches"), {
        "order": [o.pk for o in mixed], "fmt": "pdf", "with_slips": "on", "label_policy": "buy_cheapest",
        "own_carrier": ""})
    batch = PrintBatch.objects.get()
    assert response["Location"] == reverse("fulfilment:batch", args=[batch.pk])
    assert batch.run.queue == "documents"
    progress = warehouse_client.get(reverse("fulfilment:batch_progress", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in progress  # polls while waiting
    work()
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.DONE, (batch.message, batch.problems)
    assert batch.run.status == JobRun.Status.SUCCEEDED and batch.run.progress == 100
    packages = list(Package.objects.filter(order__in=mixed).order_by("order__external_id"))
    assert len(packages) == 3 and all(p.has_label for p in packages)
    assert len(easypost.state.received("easypost", "label_purchase")) == 2  # B-1 before, B-3 in the batch
    pdf = warehouse_client.get(reverse("fulfilment:batch_file", args=[batch.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    sizes = pdf_pages(b"".join(pdf.streaming_content))
    assert len(sizes) >= 6 and set(sizes) == {FOUR_BY_SIX}
    content = batch.file.open("rb").read()
    numbers = [barcodes(content, page) for page in range(len(sizes))]
    label_pages = [n for n in numbers if any(code in {p.tracking_number for p in packages} for code in n)]
    assert len(label_pages) == 3
    # the progress fragment now links the file and stops polling
    done = warehouse_client.get(reverse("fulfilment:batch_progress", args=[batch.pk])).content.decode()
    assert "every 1s" not in done and reverse("fulfilment:batch_file", args=[batch.pk]) in done

    warehouse_client.post(reverse("fulfilment:batch_reprint", args=[batch.pk]))
    work()
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.DONE and batch.print_count == 2
    assert Package.objects.filter(order__in=mixed).count() == 3
    assert len(easypost.state.received("easypost", "label_purchase")) == 2
    # a new batch of the same orders makes nothing new either
    services.create_print_batch(order_ids=[o.pk for o in mixed], label_policy="buy_cheapest")
    work()
    assert Package.objects.filter(order__in=mixed).count() == 3
    assert len(easypost.state.received("easypost", "label_purchase")) == 2


@jobs_db
def test_a_zpl_batch_leaves_out_pdf_labels_and_says_so(make_order, uses_rq):
    own = services.create_package(order=make_order("Z-1", {"MUG-01": 1}))
    services.make_own_label(package=own, courier="Metro Couriers")
    typed = services.set_tracking_number(package=services.create_package(order=make_order("Z-2", {"CAP-BLK": 1})),
                                         tracking_number="1Z5R89390357567127")
    uploaded = services.create_package(order=make_order("Z-3", {"TOTE-NAT": 1}))
    services.upload_label(package=uploaded, content=uploaded_label())
    batch = services.create_print_batch(package_ids=[own.pk, typed.pk, uploaded.pk], fmt="zpl", with_slips=True)
    work()
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.PARTIAL and batch.package_count == 2
    assert batch.problems == [f"order Z-3, package {uploaded.pk}: its label is a PDF; print it in a PDF batch"]
    stream = batch.file.open("rb").read()
    assert stream.count(b"^XA") == batch.page_count >= 4  # two labels, each followed by its slip
    assert b"1Z5R89390357567127" in stream and own.reference.encode() in stream


@jobs_db
def test_a_batch_with_nothing_printable_fails_with_the_reasons(make_order, uses_rq,
                                                               ):
    order = make_order("N-1", {"MUG-01": 1})
    batch = services.create_print_batch(order_ids=[order.pk], label_policy="existing")
    work()
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.FAILED and not batch.file
    assert "no label yet" in batch.message
    assert batch.run.status == JobRun.Status.FAILED


def test_a_batch_holds_at_most_500_packages(warehouse_user):
    with pytest.raises(services.FulfilmentError, match="at most 500 packages"):
        services.create_print_batch(order_ids=range(1, 502), user=warehouse_user)


def test_upload_form_field_is_labelled(warehouse_client, make_order):
    package = services.create_package(order=make_order("U-1", {"MUG-01": 1}))
    page = warehouse_client.get(reverse("fulfilment:package", args=[package.pk])).content.decode()
    assert '<label for="id_file">Label PDF</label>' in page
    assert SimpleUploadedFile
