"""Download filenames: every ``Content-Disposition`` header of the project comes from here.

A filename often carries channel data (an order id, a collection or shipment reference), which a
channel can fill with anything: CR/LF (Django refuses such a header: a 500), quotes (a broken
header), slashes. ``safe_filename`` keeps letters, digits and ``. _ -`` (other characters become
``-``, and so do runs of dots); ``content_disposition`` passes the result through Django's
``content_disposition_header``, so the header is always well formed.
"""

from __future__ import annotations

import re

from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r"[^\w.\-]+", re.ASCII)
_DOTS = re.compile(r"\.{2,}")
_RUNS = re.compile(r"-{2,}")
MAX_LENGTH = 150


def safe_filename(name: str, *, default: str = "download") -> str:
    cleaned = _RUNS.sub("-", _DOTS.sub("-", _UNSAFE.sub("-", str(name or "")))).strip(".-")[:MAX_LENGTH]
    return cleaned or default


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """The ``Content-Disposition`` value for ``filename`` (made safe first)."""
    return content_disposition_header(attachment, safe_filename(filename))
