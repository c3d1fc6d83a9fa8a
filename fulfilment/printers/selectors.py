"""Reads of the printer registry, the stations and the print jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from fulfilment.printers.models import PackingStation, Printer, PrintJob


def printers(*, active_only: bool = False) -> QuerySet[Printer]:
    qs = Printer.objects.all()
    return qs.filter(active=True) if active_only else qs


def station(pk) -> PackingStation | None:
    if not pk:
        return None
    return PackingStation.objects.select_related("label_printer", "document_printer").filter(pk=pk).first()


def stations() -> QuerySet[PackingStation]:
    return PackingStation.objects.select_related("label_printer", "document_printer")


def recent_jobs(*, station: PackingStation | None = None, limit: int = 10) -> list[PrintJob]:
    qs = PrintJob.objects.select_related("printer")
    if station is not None:
        qs = qs.filter(station=station)
    return list(qs[:limit])


def jobs_for(document: str, object_id: int, *, limit: int = 5) -> list[PrintJob]:
    return list(PrintJob.objects.select_related("printer").filter(document=document, object_id=object_id)[:limit])
