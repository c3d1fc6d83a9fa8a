"""The URL fetcher of document rendering (``SafeURLFetcher``, see ``documents.render``): ``data:``
URIs, the project's static files and product pictures by path; every other URL is refused. Loaded
with WeasyPrint when the first document is rendered, not when a process starts."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

from documents.errors import DocumentError, UnsafeURLError
from documents.render import DOCUMENT_ORIGIN

# WeasyPrint logs every step of every rendering at INFO ("Step 5 - Creating layout - Page 312"),
# from its import on: noise in a worker's log. Quieten it unless the LOGGING setting says otherwise.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

import weasyprint  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

__all__ = ["FatalURLFetchingError", "SafeURLFetcher", "weasyprint"]


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
