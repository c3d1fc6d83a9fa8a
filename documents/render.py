"""HTML templates to PDF, the InvenTree way: a Django template rendered by WeasyPrint, with the
page size injected as an ``@page`` rule, and a URL fetcher that never leaves the building.

The fetcher (``SafeURLFetcher``) serves exactly three kinds of resource:

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

import logging
import mimetypes
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.safestring import mark_safe

from documents.errors import DocumentError, UnsafeURLError

# WeasyPrint logs every step of every rendering at INFO ("Step 5 - Creating layout - Page 312"),
# from its import on: noise in a worker's log. Quieten it unless the LOGGING setting says otherwise.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

import weasyprint  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

__all__ = [
    "BASE_URL",
    "FONT_FAMILY",
    "MONO_FONT_FAMILY",
    "PAGE_SIZES",
    "PageSize",
    "SafeURLFetcher",
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
# The URL fetcher


def _shown(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def _static_relative_path(url: str) -> str | None:
    """The static file a URL points to (relative to the static root), or None if it is not a
    static URL."""
    static_url = settings.STATIC_URL or "/static/"
    rest = None
    if url.startswith(DOCUMENT_ORIGIN + "/"):
        path = urlsplit(url).path
        prefix = urlsplit(static_url).path if "://" in static_url else static_url
        prefix = "/" + prefix.lstrip("/")
        if path.startswith(prefix):
            rest = path[len(prefix):]
    elif "://" in static_url and url.startswith(static_url):  # static files on a CDN: read them locally
        rest = urlsplit(url).path[len(urlsplit(static_url).path):]
    if rest is None:
        return None
    rest = unquote(rest)
    normal = posixpath.normpath(rest) if rest else ""
    if not rest or "\x00" in rest or "\\" in rest or normal.startswith(("/", "..")) or normal == ".":
        raise UnsafeURLError(f"refused static URL {_shown(url)}: the path leaves the static files")
    return normal


PICTURE_FOLDER = "products/"  # product pictures under MEDIA_ROOT (inventory.images); nothing else of MEDIA_ROOT
PICTURE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _picture_relative_path(url: str) -> str | None:
    """The product picture a document URL points to (``/media/products/x.png``, relative to
    MEDIA_ROOT), None if it is not one; a path that leaves the folder is refused."""
    prefix = DOCUMENT_ORIGIN + "/" + (settings.MEDIA_URL or "/media/").strip("/") + "/" + PICTURE_FOLDER
    if not url.startswith(prefix):
        return None
    rest = unquote(urlsplit(url).path).split("/" + PICTURE_FOLDER, 1)[1]
    if not rest or "/" in rest or "\\" in rest or "\x00" in rest or rest.startswith("."):
        raise UnsafeURLError(f"refused picture URL {_shown(url)}: the path leaves the product pictures")
    return PICTURE_FOLDER + rest


class SafeURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher allowing ``data:`` URIs and the project's static files only.

    Refusals are fatal (``fail_on_errors``): a document with a refused or missing resource is
    not produced at all, rather than printed with a hole in it.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), fail_on_errors=True)
        # Every refusal, kept: WeasyPrint swallows errors inside SVG images (an <image> in an
        # SVG logo), so the renderer checks this list once the PDF is written.
        self.errors: list[DocumentError] = []

    def fetch(self, url, headers=None):
        try:
            return self._fetch(url)
        except DocumentError as exc:
            self.errors.append(exc)
            raise

    def _fetch(self, url):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        relative = _static_relative_path(url)
        if relative is not None:
            return self._static(url, relative)
        picture = _picture_relative_path(url)
        if picture is not None:
            return self._picture(url, picture)
        if url.startswith(DOCUMENT_ORIGIN + "/"):  # a relative URL outside /static/ (/media/..., a page)
            raise UnsafeURLError(f"refused {_shown(url)}: documents may only use the project's static files "
                                 "(/static/...) and data: URIs")
        if scheme == "file":
            raise UnsafeURLError(f"refused {_shown(url)}: documents may not read files by file:// URL; use a "
                                 "static file (/static/...) or a data: URI")
        if scheme in ("http", "https"):
            raise UnsafeURLError(f"refused {_shown(url)}: documents never load anything over the network; use a "
                                 "static file (/static/...) or a data: URI")
        raise UnsafeURLError(f"refused {_shown(url)}: documents may only use the project's static files "
                             "(/static/...) and data: URIs")

    @staticmethod
    def _data(url):
        try:
            response = DataHandler().data_open(Request(url))
        except ValueError as exc:
            raise DocumentError(f"malformed data: URI ({exc})") from None
        return URLFetcherResponse(url, body=response.read(),
                                  headers={"Content-Type": response.headers.get("Content-Type", "text/plain")})

    @staticmethod
    def _static(url, relative):
        found = finders.find(relative)
        path = Path(found) if isinstance(found, str) else None
        if path is None and settings.STATIC_ROOT:
            try:
                candidate = Path(safe_join(str(settings.STATIC_ROOT), relative))
            except Exception:  # SuspiciousFileOperation and the like
                candidate = None
            if candidate is not None and candidate.is_file():
                path = candidate
        if path is None or not path.is_file():
            raise DocumentError(f"static file not found: {relative}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


    @staticmethod
    def _picture(url, relative):
        content_type = PICTURE_TYPES.get(Path(relative).suffix.lower())
        if content_type is None:
            raise UnsafeURLError(f"refused picture {_shown(url)}: only PNG and JPEG product pictures")
        path = Path(settings.MEDIA_ROOT) / relative
        if not path.is_file():
            raise DocumentError(f"product picture not found: {relative}")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


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
