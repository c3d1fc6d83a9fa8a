"""Batch printing: the labels of many packages, whatever their source, in one file to print,
with each package's packing slip right after its label if asked (label, slip, label, slip...).

A label is either bytes (a provider's PDF or ZPL, an uploaded PDF, an earlier rendering) or a
``LabelData`` (SellerHub's own label, rendered here); a slip is bytes or a ``SlipData``. All the
own labels and slips of a batch render in chunks of many documents each, side by side on every
core (``documents/pool.py``), then the pages are interleaved with pypdf in the items' order:
500 packages take seconds, not minutes.

    result = assemble_batch(items, fmt="pdf", with_packing_slips=True, progress=report)
    store(result.content, f"batch-{run_id}.{result.extension}")

Everything is checked before anything is rendered; a bad item stops the batch with a
``BatchError`` listing every bad item, and nothing is produced.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypdf import PdfWriter

from documents.barcodes import code128
from documents.builders import LABEL_BARCODE_WIDTH_MM
from documents.data import LabelData, SlipData
from documents.errors import BarcodeError, BatchError, DocumentError
from documents.merge import add_page, read_pdf
from documents.pool import render_chunked
from documents.render import PAGE_SIZES, get_page_size
from documents.zpl import barcode_field, concat_zpl, is_zpl, label_zpl, packing_slip_zpl

FORMATS = {"pdf": ("application/pdf", "pdf"), "zpl": ("application/zpl", "zpl")}

__all__ = ["BatchItem", "BatchResult", "assemble_batch"]


@dataclass(frozen=True)
class BatchItem:
    """One package of a batch: its label and, optionally, its packing slip."""

    label: bytes | LabelData
    slip: bytes | SlipData | None = None
    reference: str = ""  # how messages name the item, e.g. "order 1001, package 2"


@dataclass(frozen=True)
class BatchResult:
    content: bytes
    fmt: str  # "pdf" or "zpl"
    content_type: str
    extension: str
    package_count: int
    page_count: int  # PDF pages, or ZPL labels (^XA...^XZ)


class _Progress:
    """Calls ``progress(percent, message)`` when the percentage moves, never backwards."""

    def __init__(self, callback):
        self.callback = callback
        self.last = -1

    def __call__(self, percent, message):
        percent = max(0, min(100, int(percent)))
        if self.callback is not None and percent > self.last:
            self.last = percent
            self.callback(percent, message)


def _name(index: int, item) -> str:
    ref = getattr(item, "reference", "")
    return f"item {index} ({ref})" if ref else f"item {index}"


def _check(items, fmt, with_packing_slips):
    problems = []
    readers = {}  # (index, "label"/"slip") -> PdfReader of the given PDF bytes
    for index, item in enumerate(items, start=1):
        name = _name(index, item)
        if not isinstance(item, BatchItem):
            problems.append(f"{name} is a {type(item).__name__}, not a BatchItem")
            continue
        parts = [("label", item.label)]
        if with_packing_slips:
            if item.slip is None:
                problems.append(f"{name}: its packing slip is missing")
            else:
                parts.append(("slip", item.slip))
        for part, value in parts:
            own = LabelData if part == "label" else SlipData
            if isinstance(value, own):
                if part == "label":  # the label's barcode is essential: make sure it can be printed
                    try:
                        if fmt == "zpl":
                            barcode_field(0, value.barcode_value, height=10)
                        else:
                            code128(value.barcode_value, max_width_mm=LABEL_BARCODE_WIDTH_MM)
                    except BarcodeError as exc:
                        problems.append(f"{name}: the label's barcode: {exc}")
                continue
            if not isinstance(value, bytes | bytearray):
                problems.append(f"{name}: the {part} is a {type(value).__name__}, not bytes or {own.__name__}")
            elif fmt == "zpl":
                if not is_zpl(value):
                    kind = "a PDF" if bytes(value[:1024]).find(b"%PDF-") >= 0 else "not ZPL"
                    problems.append(f"{name}: the {part} is {kind}; a ZPL batch needs ZPL (buy or render it as ZPL)")
            else:
                if is_zpl(value):
                    problems.append(f"{name}: the {part} is ZPL; a PDF batch needs a PDF")
                    continue
                try:
                    readers[(index, part)] = read_pdf(value, name=f"the {part}")
                except DocumentError as exc:
                    problems.append(f"{name}: {exc}")
    return problems, readers


def assemble_batch(items: Iterable[BatchItem], *, fmt: str = "pdf", with_packing_slips: bool = False,
                   progress: Callable[[int, str], None] | None = None, fit_to_4x6: bool = True,
                   slip_page_size: str = "4x6") -> BatchResult:
    """Labels (and slips) of many packages as one PDF or one ZPL stream, in the items' order.

    PDF: pages that are not 4x6 are fitted to 4x6 (see ``merge.add_page``) unless
    ``fit_to_4x6`` is off; own packing slips render at ``slip_page_size`` ("4x6" to follow the
    label on a thermal printer, or "letter"/"a4" for a sheet printer with ``fit_to_4x6=False``).
    ZPL: every label and slip must be ZPL bytes or our own dataclasses (rendered as ZPL).
    ``progress(percent, message)`` is called as the work advances.
    """
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise DocumentError(f"unknown batch format {fmt!r}: choose pdf or zpl")
    items = list(items)
    if not items:
        raise DocumentError("the batch has no packages")
    report = _Progress(progress)
    report(0, f"Checking {len(items)} packages")
    problems, readers = _check(items, fmt, with_packing_slips)
    if problems:
        raise BatchError(problems)
    content_type, extension = FORMATS[fmt]
    if fmt == "zpl":
        content, pages = _zpl(items, with_packing_slips, report)
    else:
        content, pages = _pdf(items, with_packing_slips, readers, report, fit_to_4x6, slip_page_size)
    report(100, f"{len(items)} package{'s' if len(items) != 1 else ''} ready to print")
    return BatchResult(content=content, fmt=fmt, content_type=content_type, extension=extension,
                       package_count=len(items), page_count=pages)


def _zpl(items, with_packing_slips, report):
    streams = []
    for index, item in enumerate(items, start=1):
        label = item.label
        streams.append(label_zpl(label) if isinstance(label, LabelData) else bytes(label))
        if with_packing_slips:
            slip = item.slip
            streams.append(packing_slip_zpl(slip) if isinstance(slip, SlipData) else bytes(slip))
        if index % 25 == 0 or index == len(items):
            report(5 + index * 90 // len(items), f"Prepared {index} of {len(items)} labels")
    content = concat_zpl(streams)
    return content, content.upper().count(b"^XA")


def _pages_of(indexes, chunks, name):
    """{item index: (reader, page range)} over the chunks rendered for ``indexes``, in order."""
    pages = []
    for pdf, ranges in chunks:
        reader = read_pdf(pdf, name=name)
        pages.extend((reader, r) for r in ranges)
    return dict(zip(indexes, pages, strict=True))


def _pdf(items, with_packing_slips, readers, report, fit_to_4x6, slip_page_size):
    size = PAGE_SIZES["4x6"]
    get_page_size(slip_page_size)  # a bad size fails before the long work
    own_labels = [i for i, item in enumerate(items) if isinstance(item.label, LabelData)]
    own_slips = [i for i, item in enumerate(items) if with_packing_slips and isinstance(item.slip, SlipData)]

    jobs = []
    if own_labels:
        report(5, f"Rendering {len(own_labels)} SellerHub labels")
        jobs.append(("labels", [items[i].label for i in own_labels], "4x6"))
    if own_slips:
        jobs.append(("slips", [items[i].slip for i in own_slips], slip_page_size))
    # Chunks on every core (documents/pool.py), each a PDF with the page range of each document.
    chunks = render_chunked(jobs, progress=lambda done, total: report(5 + done * 60 // total,
                                                                      f"Rendered {done} of {total} parts"))
    own_label_pages = _pages_of(own_labels, chunks.pop(0), "the rendered labels") if own_labels else {}
    own_slip_pages = _pages_of(own_slips, chunks.pop(0), "the rendered packing slips") if own_slips else {}
    report(65, "Merging")

    writer = PdfWriter()

    def add(reader, indexes, name):
        for page_index in indexes:
            page = reader.pages[page_index]
            try:
                add_page(writer, page, (size.width_pt, size.height_pt) if fit_to_4x6 else None)
            except Exception as exc:  # pypdf raises many kinds on damaged files
                raise BatchError([f"{name}: cannot be merged ({exc})"]) from None

    for index, item in enumerate(items):
        name = _name(index + 1, item)
        if index in own_label_pages:
            add(*own_label_pages[index], name)
        else:
            reader = readers[(index + 1, "label")]
            add(reader, range(len(reader.pages)), f"{name}: the label")
        if with_packing_slips:
            if index in own_slip_pages:
                add(*own_slip_pages[index], name)
            else:
                reader = readers[(index + 1, "slip")]
                add(reader, range(len(reader.pages)), f"{name}: the slip")
        if (index + 1) % 10 == 0 or index + 1 == len(items):
            report(65 + (index + 1) * 30 // len(items), f"Merged {index + 1} of {len(items)} packages")
    report(96, "Writing the PDF")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
