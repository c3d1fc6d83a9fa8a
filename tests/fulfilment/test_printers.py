"""Printers: a label sent to a ZPL printer over raw TCP arrives as ZPL with the tracking number; a
CUPS queue without lp fails with a clear reason; a printer that does not answer fails saying so;
the result (sent, failed, why) shows on the station's page; the Owner manages printers on their
page and over the API, others only read."""

import django_rq
import pytest
from django.urls import reverse
from rq import SimpleWorker

from fulfilment import services
from fulfilment.printers import services as printers
from fulfilment.printers import transport
from fulfilment.printers.models import PackingStation, Printer, PrintJob
from tests.fulfilment.printer_support import LoopbackPrinter

pytestmark = pytest.mark.django_db


@pytest.fixture
def zebra_port():
    printer = LoopbackPrinter()
    yield printer
    printer.stop()


@pytest.fixture
def labelled(make_order, warehouse_user):
    order = make_order("W-900", {"TEE-BLK-M": 1})
    package = services.create_package(order=order, user=warehouse_user)
    return services.make_own_label(package=package, courier="UPS", tracking_number="1Z5R89390357567127",
                                   user=warehouse_user)


def work(queue="documents"):
    q = django_rq.get_queue(queue)
    SimpleWorker([q], connection=q.connection).work(burst=True)


def test_a_label_reaches_a_zpl_printer_over_raw_tcp(labelled, zebra_port, warehouse_user, uses_rq,
                                                    django_capture_on_commit_callbacks):
    zebra = printers.save_printer(name="Zebra 1", kind="zpl", host="127.0.0.1", port=zebra_port.port)
    with django_capture_on_commit_callbacks(execute=True):
        job = printers.queue_print(printer=zebra, document="label", object_id=labelled.pk, title="Label",
                                   user=warehouse_user)
    assert job.status == PrintJob.Status.QUEUED
    work()
    job.refresh_from_db()
    assert job.status == PrintJob.Status.SENT and "sent to Zebra 1" in job.detail
    [zpl] = zebra_port.documents(1)
    assert zpl.startswith(b"^XA") and b"1Z5R89390357567127" in zpl


def test_cups_without_lp_fails_with_a_clear_reason(labelled, monkeypatch):
    monkeypatch.setattr(transport.shutil, "which", lambda name: None)
    office = printers.save_printer(name="Office laser", kind="cups", queue="Office_Laser")
    job = PrintJob.objects.create(printer=office, document="slip", object_id=labelled.pk, title="Slip")
    done = printers.run_print_job(job_id=job.pk)
    assert done.status == PrintJob.Status.FAILED
    assert "lp command is not installed" in done.detail


def test_cups_sends_the_pdf_to_lp(labelled, monkeypatch):
    calls = []

    class Done:
        returncode, stdout, stderr = 0, b"request id is Office-1", b""

    monkeypatch.setattr(transport.shutil, "which", lambda name: "/usr/bin/lp")
    monkeypatch.setattr(transport.subprocess, "run", lambda args, **kw: calls.append((args, kw["input"])) or Done())
    office = printers.save_printer(name="Office laser", kind="cups", queue="Office_Laser")
    job = PrintJob.objects.create(printer=office, document="slip", object_id=labelled.pk, title="Slip")
    assert printers.run_print_job(job_id=job.pk).status == PrintJob.Status.SENT
    [(args, data)] = calls
    assert args[:3] == ["/usr/bin/lp", "-d", "Office_Laser"] and data.startswith(b"%PDF")


def test_a_printer_that_does_not_answer_fails_and_the_station_page_says_why(labelled, client, warehouse_user):
    port = LoopbackPrinter()
    port.stop()  # nothing listens there any more
    zebra = printers.save_printer(name="Zebra 2", kind="zpl", host="127.0.0.1", port=port.port)
    station = printers.save_station(name="Bench 1", label_printer=zebra, document_printer=None)
    job = PrintJob.objects.create(printer=zebra, station=station, document="label", object_id=labelled.pk,
                                  title="Label of W-900")
    assert printers.run_print_job(job_id=job.pk).status == PrintJob.Status.FAILED
    client.force_login(warehouse_user)
    response = client.post(reverse("fulfilment:station"), {"action": "use", "station": station.pk})
    assert response.status_code == 302
    page = client.get(reverse("fulfilment:station")).content.decode()
    assert "This browser is station Bench 1" in page
    assert "Failed" in page and "did not answer" in page


def test_bad_printers_are_refused_with_the_field():
    with pytest.raises(services.FulfilmentError) as exc:
        printers.save_printer(name="Zebra", kind="zpl", host="")
    assert exc.value.field == "host"
    with pytest.raises(services.FulfilmentError) as exc:
        printers.save_printer(name="Laser", kind="cups", queue="bad queue; rm")
    assert exc.value.field == "queue"


def test_the_owner_manages_printers_the_warehouse_reads(owner_client, api_client_for, warehouse_user, owner_user):
    response = owner_client.post(reverse("fulfilment:printers"), {"name": "Zebra", "kind": "zpl",
                                                                  "host": "10.0.0.9", "port": 9100, "active": "on"})
    assert response.status_code == 302
    assert Printer.objects.get(name="Zebra").where == "10.0.0.9:9100"
    bad = owner_client.post(reverse("fulfilment:printers"), {"name": "Laser", "kind": "cups", "queue": ""})
    assert bad.status_code == 400 and "needs its queue name" in bad.content.decode()
    reader = api_client_for(warehouse_user)
    assert [p["name"] for p in reader.get("/api/v1/printers").json()["results"]] == ["Zebra"]
    assert reader.post("/api/v1/printers", {"name": "X", "kind": "browser"}, format="json").status_code == 403
    owner = api_client_for(owner_user)
    created = owner.post("/api/v1/printers", {"name": "Desk", "kind": "browser"}, format="json")
    assert created.status_code == 201, created.content
    changed = owner.patch(f"/api/v1/printers/{created.json()['id']}", {"kind": "zpl"}, format="json")
    assert changed.status_code == 400 and changed.json()["field"] == "host"
    ok = owner.patch(f"/api/v1/printers/{created.json()['id']}", {"kind": "zpl", "host": "10.0.0.8"}, format="json")
    assert ok.status_code == 200 and ok.json()["port"] == 9100
    assert PackingStation.objects.count() == 0


def test_print_buttons_send_to_the_station_printer_or_open_the_pdf(labelled, warehouse_client, zebra_port):
    url = reverse("fulfilment:print", args=["label", labelled.pk])
    page = reverse("fulfilment:package", args=[labelled.pk])
    html = warehouse_client.get(page).content.decode()
    assert "Print on this station's label printer <kbd>Alt+T</kbd>" in html and 'accesskey="s"' in html
    no_station = warehouse_client.post(url, {"next": page})
    assert no_station["Location"] == reverse("fulfilment:package_label", args=[labelled.pk, "pdf"])
    zebra = printers.save_printer(name="Zebra", kind="zpl", host="127.0.0.1", port=zebra_port.port)
    station = printers.save_station(name="Bench 2", label_printer=zebra, document_printer=None)
    warehouse_client.post(reverse("fulfilment:station"), {"action": "use", "station": station.pk})
    sent = warehouse_client.post(url, {"next": page})
    assert sent["Location"] == page
    job = PrintJob.objects.get(document="label", object_id=labelled.pk)
    assert job.printer == zebra and job.station == station and job.status == PrintJob.Status.QUEUED
    assert "queued for Zebra" in warehouse_client.get(page).content.decode()
