"""Product images: checking a picture by its content, making the stored picture and its thumbnail,
where they live (``MEDIA_ROOT/products/``), and which picture each SKU shows.

A picture is accepted by what Pillow finds in its bytes, never by its name or the type the browser
or a channel claims: PNG, JPEG, WebP or GIF, at most ``MAX_BYTES``, at most ``MAX_SIDE`` pixels a
side and ``MAX_PIXELS`` in all (Pillow's decompression-bomb guard is lowered to that). What is
stored is re-encoded by Pillow (PNG when the picture has transparency, else JPEG), at most
``STORED_SIDE`` pixels a side, so nothing of the upload but its pixels is kept (no metadata, no
trailing bytes). The thumbnail fits in ``THUMB_SIDE`` pixels.

Reads: a SKU shows its own picture, else its product's (``image_of``; ``sku_images`` for a list in
one query). Writes are in ``inventory.services.images``.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from inventory.models import SKU

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
MIN_SIDE = 16
MAX_PIXELS = 25_000_000
STORED_SIDE = 1200
THUMB_SIDE = 160
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF", "MPO": "JPEG"}
FOLDER = "products"


class ImageRejected(ValueError):
    """The file is not a picture SellerHub keeps (the message says why, and what would do)."""


@dataclass(frozen=True)
class PreparedImage:
    """A checked picture, re-encoded: the stored picture and its thumbnail, with their extension."""

    image: bytes
    thumb: bytes
    extension: str  # "png" or "jpg"
    width: int
    height: int


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def prepare(data: bytes, *, name: str = "the file") -> PreparedImage:
    """Check ``data`` is a picture within the limits and make the stored picture and thumbnail;
    ``ImageRejected`` otherwise."""
    if not data:
        raise ImageRejected(f"{name} is empty; choose a PNG, JPEG, WebP or GIF picture.")
    if len(data) > MAX_BYTES:
        raise ImageRejected(f"{name} is {_mb(len(data))}; a picture may be at most {_mb(MAX_BYTES)}.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in FORMATS:
                raise ImageRejected(f"{name} is a {kind or 'file'} picture; use PNG, JPEG, WebP or GIF.")
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageRejected(f"{name} is {width}×{height} pixels; at most {MAX_SIDE} pixels a side "
                                    f"({MAX_PIXELS // 1_000_000} megapixels in all).")
            if width < MIN_SIDE or height < MIN_SIDE:
                raise ImageRejected(f"{name} is {width}×{height} pixels; a picture needs at least "
                                    f"{MIN_SIDE} pixels a side.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as source:
            source.seek(0)  # the first frame of an animation
            picture = ImageOps.exif_transpose(source)
            picture.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError,
            EOFError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            raise ImageRejected(f"{name} has too many pixels to open safely.") from None
        raise ImageRejected(f"{name} is not a picture SellerHub can read (PNG, JPEG, WebP or GIF).") from None
    alpha = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    picture = picture.convert("RGBA" if alpha else "RGB")
    extension, encode = ("png", {"format": "PNG", "optimize": True}) if alpha else (
        "jpg", {"format": "JPEG", "quality": 85, "optimize": True})
    stored = picture.copy()
    stored.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return PreparedImage(image=_encode(stored, encode), thumb=_encode(thumb, encode), extension=extension,
                         width=stored.width, height=stored.height)


def _encode(picture: Image.Image, options: dict) -> bytes:
    out = io.BytesIO()
    picture.save(out, **options)
    return out.getvalue()


def store(prepared: PreparedImage, *, prefix: str) -> tuple[str, str]:
    """Save the picture and its thumbnail under MEDIA_ROOT/products/ with a fresh name each time
    (a replaced picture never shows from a cache); returns their storage names."""
    stem = f"{FOLDER}/{prefix}-{secrets.token_hex(6)}"
    image = default_storage.save(f"{stem}.{prepared.extension}", ContentFile(prepared.image))
    thumb = default_storage.save(f"{stem}-thumb.{prepared.extension}", ContentFile(prepared.thumb))
    return image, thumb


def delete_files(*names: str) -> None:
    """Remove stored pictures (after the change that dropped them is committed)."""
    for name in names:
        if name and name.startswith(f"{FOLDER}/"):
            default_storage.delete(name)


def read_stored(name: str) -> bytes | None:
    """A stored picture's bytes (documents embed thumbnails from local storage), None if missing."""
    if not name or not name.startswith(f"{FOLDER}/") or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


# ---------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class SkuImage:
    """The picture a SKU shows: its own, or its product's (``from_product``)."""

    name: str  # storage names, relative to MEDIA_ROOT
    thumb_name: str
    from_product: bool = False

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    @property
    def thumb_url(self) -> str:
        return default_storage.url(self.thumb_name or self.name)


def _pick(own: str, own_thumb: str, product: str, product_thumb: str) -> SkuImage | None:
    if own:
        return SkuImage(name=own, thumb_name=own_thumb or own)
    if product:
        return SkuImage(name=product, thumb_name=product_thumb or product, from_product=True)
    return None


def image_of(sku) -> SkuImage | None:
    """The picture of a SKU object (load it with ``select_related("product")`` in lists)."""
    if sku is None:
        return None
    product = sku.product if sku.product_id else None
    return _pick(sku.image.name or "", sku.image_thumb.name or "",
                 (product.image.name or "") if product else "", (product.image_thumb.name or "") if product else "")


def sku_images(sku_ids: Iterable[int]) -> dict[int, SkuImage]:
    """{sku id: its picture} for the SKUs that have one (theirs or their product's), in one query."""
    ids = {pk for pk in sku_ids if pk}
    if not ids:
        return {}
    rows = SKU.objects.filter(pk__in=ids).values_list("pk", "image", "image_thumb", "product__image",
                                                      "product__image_thumb")
    out = {}
    for pk, own, own_thumb, product, product_thumb in rows:
        found = _pick(own or "", own_thumb or "", product or "", product_thumb or "")
        if found is not None:
            out[pk] = found
    return out
