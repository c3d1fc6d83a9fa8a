"""A document's bytes for a printer: ZPL for a thermal printer, PDF for a CUPS queue. A document
that has no form the printer takes raises ``FulfilmentError`` saying which printer to use."""

from __future__ import annotations

import documents as docs
from fulfilment import printing
from fulfilment.models import Package, PickList, PrintBatch
from fulfilment.printers.models import Printer, PrintJob
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.labels import label_bytes

D = PrintJob.Document


def printer_format(printer: Printer) -> str:
    return "zpl" if printer.kind == Printer.Kind.ZPL else "pdf"


def _package(pk: int) -> Package:
    package = Package.objects.select_related("order__account").filter(pk=pk).first()
    if package is None:
        raise FulfilmentError(f"Package {pk} no longer exists.")
    return package


def document_bytes(printer: Printer, document: str, object_id: int) -> bytes:
    fmt = printer_format(printer)
    if document == D.LABEL:
        return label_bytes(_package(object_id), fmt)[0]
    if document == D.SLIP:
        package = _package(object_id)
        slip = printing.slip_data(package.order, package)
        return docs.packing_slip_zpl(slip) if fmt == "zpl" else docs.render_packing_slip_pdf(slip, page_size="letter")
    if document == D.PICK_LIST:
        if fmt == "zpl":
            raise FulfilmentError("A pick list is a letter-size PDF: send it to a CUPS printer, not a thermal one.")
        pick_list = PickList.objects.filter(pk=object_id).first()
        if pick_list is None:
            raise FulfilmentError(f"Pick list {object_id} no longer exists.")
        return docs.render_pick_list_pdf(printing.pick_list_data(pick_list))
    if document == D.BATCH:
        batch = PrintBatch.objects.filter(pk=object_id).first()
        if batch is None or not batch.file:
            raise FulfilmentError(f"Batch {object_id} has no file yet: wait for it to be made.")
        if batch.fmt != fmt:
            raise FulfilmentError(f"Batch {object_id} is {batch.fmt.upper()}; this printer takes {fmt.upper()}.")
        with batch.file.open("rb") as fh:
            return fh.read()
    raise FulfilmentError(f"Unknown document {document!r}.")
