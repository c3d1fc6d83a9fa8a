"""Listing pictures the emulated channels serve, as their image hosts would: a small PNG per seller
SKU (a coloured tile), public (no credentials), at ``<service>/images/<sku>.png``. Catalogue
answers carry these URLs in each channel's shape (TikTok ``main_images[].urls``)."""

from __future__ import annotations

import functools
import hashlib
import io
from urllib.parse import quote

from .routing import Request, Response


@functools.lru_cache(maxsize=256)
def png_for(key: str) -> bytes:
    from PIL import Image, ImageDraw  # noqa: PLC0415 -- only when a picture is asked for

    digest = hashlib.sha1(key.encode()).digest()
    picture = Image.new("RGB", (200, 200), (digest[0], digest[1], digest[2]))
    ImageDraw.Draw(picture).rectangle((20, 20, 179, 179), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def image_url(req: Request, key: str) -> str:
    return f"{req.service_base_url}/images/{quote(key, safe='')}.png"


def register(service) -> None:
    """Serve ``GET /images/{key}.png`` on the service (no auth, no injected faults)."""

    def serve(req: Request) -> Response:
        key = req.params["key"]
        if not key.endswith(".png") or len(key) > 100:
            return Response(status=404, body=b"not found", content_type="text/plain")
        return Response(status=200, body=png_for(key[:-4]), content_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})

    service.route("GET", "/images/{key}", serve, auth=False, faultable=False)
