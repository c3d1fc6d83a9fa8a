"""Demo pictures: every demo SKU (and product) without one gets a small generated PNG, a tile in
the SKU's colour with its initials, stored in MEDIA_ROOT through the same service an upload uses.
Runs after every loader that makes SKUs (it is last in LOADERS); safe to run again."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

from inventory.models import SKU, Product
from inventory.services import images as image_services

SIZE = 256
COLOURS = {
    "black": "#222222", "white": "#f4f4f0", "sand": "#d8c7a0", "navy": "#1f2f57", "olive": "#6b7440",
    "speckled": "#c9c3b8", "midnight": "#18214a", "sage": "#9caf88", "clay": "#b86b4b", "natural": "#e8dcc0",
    "striped": "#5a7fa8", "khaki": "#b5a67a", "forest": "#2f5d3a", "cedar": "#8a5a3b", "fig": "#6e3b5c",
    "sea salt": "#9cc3d5", "trail": "#7c8b4f", "ocean": "#2c6e9b",
}


def _colour(sku: SKU) -> str:
    attributes = sku.attributes if isinstance(sku.attributes, dict) else {}
    for value in attributes.values():
        found = COLOURS.get(str(value).lower())
        if found:
            return found
    digest = hashlib.sha1(sku.seller_sku.encode()).hexdigest()
    return f"#{digest[:6]}"


def _initials(text: str) -> str:
    words = [w for w in text.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:3]).upper() or "?"


def _font(size: int):
    for name in ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def tile(*, colour: str, text: str, caption: str = "") -> bytes:
    """A square PNG: ``colour`` with ``text`` large in the middle and a small caption below."""
    picture = Image.new("RGB", (SIZE, SIZE), colour)
    draw = ImageDraw.Draw(picture)
    red, green, blue = picture.getpixel((0, 0))
    ink = "#111111" if (red * 299 + green * 587 + blue * 114) / 1000 > 150 else "#ffffff"
    draw.rectangle((6, 6, SIZE - 7, SIZE - 7), outline=ink, width=3)
    draw.text((SIZE / 2, SIZE / 2 - 10), text, fill=ink, font=_font(84), anchor="mm")
    if caption:
        draw.text((SIZE / 2, SIZE - 34), caption[:18], fill=ink, font=_font(22), anchor="mm")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def load(*, users):
    owner = users.get("owner")
    for product in Product.objects.filter(image=""):
        image_services.set_product_image(product=product, data=tile(colour="#d9dde3", text=_initials(product.name),
                                                                    caption=product.name), user=owner)
    for sku in SKU.objects.filter(image="").order_by("pk"):
        image_services.set_sku_image(sku=sku, data=tile(colour=_colour(sku), text=_initials(sku.name or sku.seller_sku),
                                                        caption=sku.seller_sku), user=owner, only_if_empty=True)
