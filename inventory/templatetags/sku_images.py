"""``{% sku_thumb sku %}``: a SKU's thumbnail (its own picture, else its product's) as an <img>, or
nothing. Lists load their SKUs with ``select_related("product")`` (or pass a ``SkuImage`` from
``inventory.images.sku_images``) so the tag runs no query."""

from django import template
from django.utils.html import format_html, format_html_join

from inventory.images import SkuImage, image_of

register = template.Library()


@register.simple_tag
def sku_thumb(sku_or_image, size="s", alt=""):
    """size: "s" (list rows), "m" (the pack screen), "l" (the SKU page: the picture itself)."""
    found = sku_or_image if isinstance(sku_or_image, SkuImage) else image_of(sku_or_image)
    if found is None:
        return ""
    url = found.url if size == "l" else found.thumb_url
    return format_html('<img class="sku-thumb sku-thumb-{}" src="{}" alt="{}" loading="lazy">', size, url, alt)


@register.filter
def sku_picture(sku):
    """The SKU's SkuImage (or None), for templates that show more than the thumbnail."""
    return image_of(sku)


@register.simple_tag
def order_thumbs(order, limit=4):
    """Thumbnails of the distinct SKUs on an order's (prefetched) active lines, at most ``limit``."""
    seen, tags = set(), []
    for line in order.lines.all():
        if line.cancelled or not line.sku_id or line.sku_id in seen:
            continue
        seen.add(line.sku_id)
        tag = sku_thumb(line.sku, "s", line.sku.seller_sku)
        if tag:
            tags.append(tag)
        if len(tags) >= limit:
            break
    return format_html_join("", "{}", ((tag,) for tag in tags))
