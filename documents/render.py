"""HTML templates to PDF, the InvenTree way: a Django template rendered by WeasyPrint, with the
page size injected as an ``@page`` rule, and a URL fetcher that never leaves the building.

The fetcher (``documents.fetcher.SafeURLFetcher``, loaded with WeasyPrint on the first document)
serves exactly three kinds of resource:

- ``data:`` URIs (inline images, the usual way to embed a logo or a picture);
- the project's own static files, by path: ``{% static "img/x.png" %}`` (``/static/img/x.png``)
  is read through Django's staticfiles finders (or ``STATIC_ROOT``), never over HTTP;
- product pictures, by path (``/media/products/sku-3-ab12.png``), read from ``MEDIA_ROOT/products/``
  and nothing else of ``MEDIA_ROOT`` (labels live there too).

Everything else stops the rendering with an ``UnsafeURLError`` saying what was refused and
why: ``file://`` (a template or an address field must never read the server's files),
``http(s)://`` (documents are built by workers that must not call out, and a label must not
depend on somebody else's server), and any other scheme.

Fonts are the system's, through fontconfig: DejaVu Sans where installed (Debian's
``fonts-dejavu-core``), then Liberation Sans, Noto Sans, any sans-serif.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from documents.errors import DocumentError

if TYPE_CHECKING:
    import weasyprint

__all__ = [
    "BASE_URL",
    "FONT_FAMILY",
    "MONO_FONT_FAMILY",
    "PAGE_SIZES",
    "PageSize",
    "get_page_size",
    "html_to_pdf",
    "render_html",
    "render_pages",
    "render_pdf",
]

# Relative URLs in documents resolve against this origin, which can never be reached (the
# .invalid top-level domain is reserved by RFC 2606): the fetcher maps its /static/ paths to
# files and refuses the rest. No request ever leaves the process.
DOCUMENT_ORIGIN = "https://documents.sellerhub.invalid"
BASE_URL = DOCUMENT_ORIGIN + "/"

FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", "Noto Sans", "Helvetica", "Arial", sans-serif'
MONO_FONT_FAMILY = '"DejaVu Sans Mono", "Liberation Mono", "Noto Sans Mono", "Courier New", monospace'


@dataclass(frozen=True)
class PageSize:
    name: str  # "4x6", "letter", "a4"
    label: str  # for people: "4×6 in"
    css: str  # the @page size value
    width_pt: float
    height_pt: float
    margin: str  # default page margin

    @property
    def width_mm(self) -> float:
        return self.width_pt * 25.4 / 72

    @property
    def height_mm(self) -> float:
        return self.height_pt * 25.4 / 72


PAGE_SIZES: dict[str, PageSize] = {
    "4x6": PageSize("4x6", "4×6 in", "4in 6in", 288.0, 432.0, "0.15in"),
    "letter": PageSize("letter", "Letter", "letter", 612.0, 792.0, "0.5in"),
    "a4": PageSize("a4", "A4", "A4", 595.28, 841.89, "12mm"),
}


def get_page_size(name: str | PageSize) -> PageSize:
    if isinstance(name, PageSize):
        return name
    key = str(name or "").strip().lower().replace("×", "x").replace(" ", "")
    try:
        return PAGE_SIZES[key]
    except KeyError:
        raise DocumentError(f"unknown page size {name!r}: choose one of {', '.join(PAGE_SIZES)}") from None


def page_css(size: PageSize, margin: str | None = None) -> str:
    return f"@page {{ size: {size.css}; margin: {size.margin if margin is None else margin}; }}"


# ---------------------------------------------------------------------------------------------
# Rendering


def render_html(template_name: str, context: dict, *, page_size: str | PageSize, margin: str | None = None) -> str:
    """The template rendered to HTML, with ``page_css`` (the @page rule), ``page`` (the
    PageSize) and the font stacks added to the context."""
    size = get_page_size(page_size)
    full = {
        **context,
        "page": size,
        "page_css": mark_safe(page_css(size, margin)),  # built here from our own constants
        "font_family": mark_safe(FONT_FAMILY),
        "mono_font_family": mark_safe(MONO_FONT_FAMILY),
    }
    return render_to_string(template_name, full)


def _write(html: str) -> tuple[weasyprint.Document, bytes]:
    """Render and write the PDF through a fresh SafeURLFetcher; any refused resource, even one
    WeasyPrint would have skipped with a warning, stops it with that refusal."""
    from documents.fetcher import (  # noqa: PLC0415 -- WeasyPrint loads with the first document, not each process
        FatalURLFetchingError,
        SafeURLFetcher,
        weasyprint,
    )

    fetcher = SafeURLFetcher()
    try:
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        pdf = document.write_pdf()
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, DocumentError):
            raise cause from None
        raise DocumentError(f"{exc}: {cause}") from None
    if fetcher.errors:
        raise fetcher.errors[0]
    return document, pdf


def html_to_pdf(html: str) -> bytes:
    """HTML (with its own @page rule) to PDF bytes, through the safe fetcher."""
    return _write(html)[1]


def render_pdf(template_name: str, context: dict, *, page_size: str | PageSize, margin: str | None = None) -> bytes:
    """Render a Django template to PDF at ``page_size`` ("4x6", "letter" or "a4")."""
    return html_to_pdf(render_html(template_name, context, page_size=page_size, margin=margin))


def render_pages(template_name: str, context: dict, *, page_size: str | PageSize, count: int,
                 margin: str | None = None) -> tuple[bytes, list[range]]:
    """Render a template holding ``count`` documents (each starting at an element with
    ``id="doc-<i>"``) in one pass, and say which pages belong to each: ``ranges[i]`` are the
    page indexes of document ``i``."""
    document, pdf = _write(render_html(template_name, context, page_size=page_size, margin=margin))
    starts = [None] * count
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("doc-"):
                number = int(anchor[4:])
                if 0 <= number < count and starts[number] is None:
                    starts[number] = index
    missing = [i for i, start in enumerate(starts) if start is None]
    if missing:  # pragma: no cover - a template bug
        raise DocumentError(f"{template_name}: documents {missing[:5]} have no doc-<i> anchor")
    ends = [*starts[1:], len(document.pages)]
    return pdf, [range(start, end) for start, end in zip(starts, ends, strict=True)]


def css_string(text: str):
    """``text`` as a CSS string literal, safe inside a <style> element (for ``content:``)."""
    out = []
    for char in str(text):
        if char in '"\\<>&' or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe('"' + "".join(out) + '"')
