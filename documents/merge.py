"""Merging PDFs with pypdf: provider labels (EasyPost, an uploaded PDF, SellerHub's own...) of
any source into one file to print.

``merge_pdfs(pdfs)`` keeps every page as it is, in order. ``merge_pdfs(pdfs, page_size="4x6")``
also makes every page 4x6 for a thermal printer:

- a page already 4x6 (within 1 pt) is copied untouched, so the usual case costs nothing;
- a 6x4 (landscape) page is turned a quarter to portrait, at full size;
- any other size (a Letter page with the label in it, an A6 label...) is turned to portrait if
  it is landscape, then scaled to fit 4x6 and centred. Shrinking a Letter page to 4x6 halves its
  bars: buy labels as 4x6 PDF (EasyPost ``label_size: "4x6"``) rather than rely on this.

A page's /Rotate is taken into account, and so is its crop box (what viewers and printers show).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import RectangleObject

from documents.errors import DocumentError
from documents.render import get_page_size

SIZE_TOLERANCE_PT = 1.0

__all__ = ["add_page", "merge_pdfs", "page_sizes", "read_pdf"]


def read_pdf(data: bytes, *, name: str = "the PDF") -> PdfReader:
    """Open PDF bytes, with a clear error if they are not a usable PDF."""
    if not isinstance(data, bytes | bytearray):
        raise DocumentError(f"{name} is not PDF data (got {type(data).__name__})")
    if b"%PDF-" not in bytes(data[:1024]):
        raise DocumentError(f"{name} is not a PDF (it starts with {bytes(data[:8])!r})")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name} is password protected")
        count = len(reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{name} is damaged and cannot be read ({exc})") from None
    if not count:
        raise DocumentError(f"{name} has no pages")
    return reader


def _visible_size(page: PageObject) -> tuple[float, float]:
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    if page.rotation % 180 == 90:
        width, height = height, width
    return width, height


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page as shown (crop box, rotation applied)."""
    return [_visible_size(page) for page in read_pdf(data).pages]


def add_page(writer: PdfWriter, page: PageObject, size: tuple[float, float] | None = None) -> PageObject:
    """Append ``page`` to ``writer``; with ``size`` (width, height in points, portrait), make the
    copy that size unless it already is (within 1 pt). Returns the writer's page.

    pypdf 7 transforms only pages that belong to a writer, so the page is added first and its
    copy transformed: /Rotate moved into the content, a landscape page turned a quarter, then
    scaled to fit and centred on the new media box.
    """
    copy = writer.add_page(page)
    if size is None:
        return copy
    width, height = size
    w, h = _visible_size(copy)
    if abs(w - width) <= SIZE_TOLERANCE_PT and abs(h - height) <= SIZE_TOLERANCE_PT:
        return copy
    if copy.rotation % 360:
        copy.transfer_rotation_to_content()
    box = copy.cropbox
    w, h = float(box.width), float(box.height)
    transform = Transformation().translate(-float(box.left), -float(box.bottom))
    if (w > h) != (width > height):  # landscape onto portrait (or the other way): a quarter turn
        transform = transform.rotate(90).translate(h, 0)
        w, h = h, w
    scale = min(width / w, height / h)
    if abs(scale - 1) > 1e-3:
        transform = transform.scale(scale, scale)
    transform = transform.translate((width - w * scale) / 2, (height - h * scale) / 2)
    copy.add_transformation(transform)
    target = RectangleObject([0, 0, width, height])
    copy.mediabox = target
    copy.cropbox = target
    copy.trimbox = target
    copy.bleedbox = target
    copy.artbox = target
    return copy


def merge_pdfs(pdfs: Iterable[bytes], *, page_size: str | None = None,
               progress: Callable[[int, str], None] | None = None) -> bytes:
    """One PDF of all the pages of ``pdfs``, in order; with ``page_size="4x6"`` every page is
    made 4x6 (see the module's docstring). Nothing is produced if any input is unusable: the
    error names every bad one."""
    pdfs = list(pdfs)
    if not pdfs:
        raise DocumentError("there are no PDFs to merge")
    readers, problems = [], []
    for index, data in enumerate(pdfs, start=1):
        try:
            readers.append(read_pdf(data, name=f"PDF {index}"))
        except DocumentError as exc:
            problems.append(str(exc))
    if problems:
        raise DocumentError("; ".join(problems))
    target = get_page_size(page_size) if page_size else None
    writer = PdfWriter()
    step = max(1, len(readers) // 50)
    for index, reader in enumerate(readers, start=1):
        try:
            for page in reader.pages:
                add_page(writer, page, (target.width_pt, target.height_pt) if target else None)
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise DocumentError(f"PDF {index} is damaged and cannot be merged ({exc})") from None
        if progress and (index % step == 0 or index == len(readers)):
            progress(int(index * 95 / len(readers)), f"Merged {index} of {len(readers)} PDFs")
    out = io.BytesIO()
    writer.write(out)
    if progress:
        progress(100, f"Merged {len(readers)} PDFs into {len(writer.pages)} pages")
    return out.getvalue()
