"""Writes of the printer registry: printers saved (checked), packing stations and their printers,
and print jobs: queued (the job on the ``documents`` queue starts after commit) and run (the
document rendered and sent outside any transaction, the result stored)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fulfilment.printers import render, transport
from fulfilment.printers.models import PackingStation, Printer, PrintJob
from fulfilment.services.errors import FulfilmentError
from sellerhub.jobs import enqueue_job

PRINT_JOB = "fulfilment.printers.jobs.print_job"
K = Printer.Kind


def _clean_printer(*, name: str, kind: str, host: str, port: int | None, queue: str) -> tuple:
    name, host, queue = (name or "").strip(), (host or "").strip(), (queue or "").strip()
    if not name:
        raise FulfilmentError("Give the printer a name.", field="name")
    if kind not in K.values:
        raise FulfilmentError("Choose ZPL, CUPS or browser.", field="kind")
    port = port or 9100
    if kind == K.ZPL:
        if not host:
            raise FulfilmentError("A ZPL printer needs its address (host name or IP).", field="host")
        if not 1 <= int(port) <= 65535:
            raise FulfilmentError("The port is a number from 1 to 65535 (usually 9100).", field="port")
    if kind == K.CUPS and not queue:
        raise FulfilmentError("A CUPS printer needs its queue name (as lpstat -p lists it).", field="queue")
    if queue and not all((c.isascii() and c.isalnum()) or c in "-_.@" for c in queue):
        raise FulfilmentError("A CUPS queue name has letters, digits, - _ . and @ only.", field="queue")
    return name, host, int(port), queue


def save_printer(*, printer: Printer | None = None, name: str, kind: str, host: str = "", port: int | None = 9100,
                 queue: str = "", active: bool = True, user=None) -> Printer:
    """Create or change a printer."""
    name, host, port, queue = _clean_printer(name=name, kind=kind, host=host, port=port, queue=queue)
    with transaction.atomic():
        if Printer.objects.filter(name__iexact=name).exclude(pk=printer.pk if printer else None).exists():
            raise FulfilmentError(f"There is already a printer called {name}.", field="name")
        target = Printer.objects.select_for_update(of=("self",)).get(pk=printer.pk) if printer else Printer()
        target.name, target.kind, target.host, target.port, target.queue, target.active = (
            name, kind, host if kind == K.ZPL else "", port, queue if kind == K.CUPS else "", active)
        target.save()
        return target


def save_station(*, station: PackingStation | None = None, name: str, label_printer: Printer | None,
                 document_printer: Printer | None, user=None) -> PackingStation:
    """Create or change a packing station and the printers it uses."""
    name = (name or "").strip()
    if not name:
        raise FulfilmentError("Name the station (e.g. Bench 1).", field="name")
    for printer, field in ((label_printer, "label_printer"), (document_printer, "document_printer")):
        if printer is not None and not printer.active:
            raise FulfilmentError(f"Printer {printer.name} is switched off; choose another.", field=field)
    with transaction.atomic():
        target = (PackingStation.objects.select_for_update(of=("self",)).get(pk=station.pk) if station
                  else PackingStation())
        target.name, target.label_printer, target.document_printer = name[:80], label_printer, document_printer
        target.save()
        return target


def queue_print(*, printer: Printer, document: str, object_id: int, title: str,
                station: PackingStation | None = None, user=None) -> PrintJob:
    """Queue a document for a ZPL or CUPS printer (the browser prints itself: nothing to queue)."""
    if printer.kind == K.BROWSER:
        raise FulfilmentError(f"{printer.name} prints from the browser: open the document and print it.")
    if not printer.active:
        raise FulfilmentError(f"Printer {printer.name} is switched off.")
    if document not in PrintJob.Document.values:
        raise FulfilmentError(f"Unknown document {document!r}.")
    with transaction.atomic():
        job = PrintJob.objects.create(printer=printer, station=station, document=document, object_id=object_id,
                                      title=title[:200], created_by=user if user and user.is_authenticated else None)
        enqueue_job(kind="Print", func=PRINT_JOB, args=[job.pk], queue="documents", user=user,
                    message=f"Waiting to print {title[:100]}")
    return job


def run_print_job(*, job_id: int) -> PrintJob:
    """Render the document and send it to the printer (no transaction is open meanwhile); the
    job records sent, or failed with why. Running a sent job again sends nothing."""
    job = PrintJob.objects.select_related("printer").get(pk=job_id)
    if job.status == PrintJob.Status.SENT:
        return job
    printer, size = job.printer, 0
    try:
        data = render.document_bytes(printer, job.document, job.object_id)
        size = len(data)
        if printer.kind == K.ZPL:
            transport.send_raw(printer.host, printer.port, data)
        elif printer.kind == K.CUPS:
            transport.send_cups(printer.queue, data, title=job.title)
        else:
            raise FulfilmentError(f"{printer.name} prints from the browser.")
    except (FulfilmentError, transport.PrinterUnreachable) as exc:
        status, detail = PrintJob.Status.FAILED, str(exc)
    else:
        status, detail = PrintJob.Status.SENT, f"{size} bytes sent to {printer.name} ({printer.where})."
    PrintJob.objects.filter(pk=job.pk).update(status=status, detail=detail[:2000], size=size,
                                              finished_at=timezone.now())
    job.refresh_from_db()
    return job
