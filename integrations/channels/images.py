"""Downloading a listing's picture from the channel's image host (TikTok's CDN, the WooCommerce
shop, Etsy's or Square's image hosts), for ``Connector.fetch_image``: a plain GET without the
account's credentials, with limits. Outside ``DEBUG`` the URL must be https (or on a host of
``CHANNEL_API_EXTRA_HOSTS``, e.g. the loopback emulator in tests); redirects are not followed; the
answer must say it is an image and be at most ``max_bytes``. What the bytes really are is checked
by ``inventory.images`` before anything is stored."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from integrations.channels import hosts
from integrations.channels.connectors.errors import Rejected, Unavailable

MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")


class ImageRefused(Rejected):
    """The picture's URL or answer is not one SellerHub downloads."""


def check_url(url: str) -> None:
    try:
        parts = urlsplit(url or "")
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    except ValueError:
        scheme, host = "", ""
    if scheme not in ("http", "https") or not host:
        raise ImageRefused(f"not a picture URL: {url[:120]!r}", operation="image")
    if hosts.enforced() and scheme != "https" and host not in hosts.extra_hosts():
        raise ImageRefused(f"picture URLs must be https: {url[:120]}", operation="image")


def fetch_image(url: str, *, session: requests.Session, max_bytes: int = MAX_BYTES,
                timeout: tuple[float, float] = (5.0, 20.0)) -> bytes:
    """The picture's bytes; ``ImageRefused`` (too large, not an image, refused URL) or
    ``Unavailable`` (the host did not answer well; worth another try later)."""
    check_url(url)
    try:
        with session.get(url, stream=True, timeout=timeout, allow_redirects=False,
                         headers={"Accept": ", ".join(IMAGE_TYPES)}) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise Unavailable(f"the image host answered {response.status_code}", operation="image")
            if response.status_code != 200:
                raise ImageRefused(f"the image host answered {response.status_code} for {url[:120]}",
                                   operation="image")
            kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind not in IMAGE_TYPES:
                raise ImageRefused(f"not a picture ({kind or 'no content type'}): {url[:120]}", operation="image")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ImageRefused(f"the picture is larger than {max_bytes // (1024 * 1024)} MB", operation="image")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise ImageRefused(f"the picture is larger than {max_bytes // (1024 * 1024)} MB",
                                       operation="image")
            return bytes(body)
    except requests.RequestException as exc:
        raise Unavailable(f"could not download the picture: {type(exc).__name__}", operation="image") from None
