"""Listing pictures in the WooCommerce, Etsy and Square answers of the emulators, in each public
shape, pointing at the service's own picture route (``product_images``: ``<service>/images/<key>.png``,
a tile per seller SKU). URLs depend on the address the request came to, so they are filled in when
an answer is written, never stored:

- WooCommerce: a product's ``images[]`` (``id``, dates, ``src``, ``name``, ``alt``); a variation's
  single ``image`` object of the same shape (a variation has no ``images``);
- Etsy: ``ListingImage`` objects (``listing_image_id``, ``rank``, ``url_75x75`` ... ``url_fullxfull``)
  as the listing's ``images`` when ``includes=Images``, and ``GET /listings/{id}/images``
  (getListingImages: ``{count, results}``), one picture per SKU of the listing, in SKU order;
- Square: ``IMAGE`` catalog objects (``image_data{name, url, caption}``) referenced by
  ``item_data.image_ids`` and, for items with several variations, ``item_variation_data.image_ids``.
  With ``include_related_objects`` the images the returned objects reference come back in
  ``related_objects``, one level deep as Square documents it (a variation's parent item comes
  back, not the item's pictures).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from . import product_images
from .routing import Request, Response


def _number(key: str, digits: int = 9) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:digits], 16) % (10**digits)


# --- WooCommerce -----------------------------------------------------------------------------


def _woo_image(req: Request, obj: dict[str, Any]) -> dict[str, Any]:
    key = str(obj.get("sku") or obj["id"])
    return {
        "id": 700000 + _number(key, 5),
        "date_created": obj.get("date_created"),
        "date_created_gmt": obj.get("date_created_gmt"),
        "date_modified": obj.get("date_created"),
        "date_modified_gmt": obj.get("date_created_gmt"),
        "src": product_images.image_url(req, key),
        "name": f"{key.lower()}.png",
        "alt": str(obj.get("name") or key),
    }


def woo_product(req: Request, product: dict[str, Any]) -> dict[str, Any]:
    """The product as answered: with its picture when it has none of its own."""
    if product.get("images"):
        return product
    return {**product, "images": [_woo_image(req, product)]}


def woo_variation(req: Request, variation: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in variation.items() if k != "images"}
    out["image"] = variation.get("image") or _woo_image(req, variation)
    return out


# --- Etsy ------------------------------------------------------------------------------------


def etsy_images(req: Request, listing: dict[str, Any]) -> list[dict[str, Any]]:
    """The listing's ``ListingImage`` objects, rank 1 first."""
    out = []
    for rank, sku in enumerate(listing.get("skus") or [str(listing["listing_id"])], start=1):
        url = product_images.image_url(req, sku)
        digest = hashlib.sha1(sku.encode()).digest()
        out.append({
            "listing_id": listing["listing_id"],
            "listing_image_id": 4000000000 + _number(f"{listing['listing_id']}:{sku}"),
            "hex_code": digest[:3].hex().upper(),
            "red": digest[0], "green": digest[1], "blue": digest[2],
            "hue": None, "saturation": None, "brightness": None, "is_black_and_white": False,
            "creation_tsz": listing.get("created_timestamp"),
            "created_timestamp": listing.get("created_timestamp"),
            "rank": rank,
            "url_75x75": url, "url_170x135": url, "url_570xN": url, "url_fullxfull": url,
            "full_height": 200, "full_width": 200,
            "alt_text": listing.get("title"),
        })
    return out


def register_etsy(shop, app: str) -> None:
    """``GET {app}/listings/{listing_id}/images`` (getListingImages) and the picture route."""

    def list_images(req: Request) -> Response:
        images = etsy_images(req, shop._listing(req.params["listing_id"]))
        return Response.json({"count": len(images), "results": images})

    shop.route("GET", app + "/listings/{listing_id}/images", list_images)
    product_images.register(shop)


# --- Square ----------------------------------------------------------------------------------


def seed_square(shop) -> None:
    """After the catalogue is seeded: an IMAGE per item (keyed by its first SKU) and, where an item
    has several variations, an IMAGE per variation; the objects reference them by ``image_ids``."""
    shop.image_keys = {}
    for obj in [o for o in shop.objects.values() if o["type"] == "ITEM"]:
        variations = obj["item_data"].get("variations") or []
        skus = [v["item_variation_data"]["sku"] for v in variations]
        obj["item_data"]["image_ids"] = [_square_image(shop, obj, skus[0] if skus else obj["id"])]
        if len(variations) > 1:
            for variation in variations:
                variation["item_variation_data"]["image_ids"] = [
                    _square_image(shop, obj, variation["item_variation_data"]["sku"])]


def _square_image(shop, item: dict[str, Any], key: str) -> str:
    image_id = f"IMG{_number(key, 12):012d}"
    shop.image_keys[image_id] = key
    shop.objects[image_id] = {
        "type": "IMAGE", "id": image_id, "updated_at": item["updated_at"], "created_at": item["created_at"],
        "version": item["version"], "is_deleted": False, "present_at_all_locations": True,
        "image_data": {"name": f"{key}.png", "url": "", "caption": item["item_data"]["name"]},
    }
    return image_id


def square_answer(shop, req: Request, out: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A catalog answer with the pictures its objects reference among ``related_objects`` (when
    related objects were asked for) and every IMAGE object's ``url`` filled in."""
    keys = getattr(shop, "image_keys", {})
    if body.get("include_related_objects"):
        have = {o["id"] for o in out.get("related_objects") or []} | {o["id"] for o in out.get("objects") or []}
        wanted = []
        for obj in out.get("objects") or []:
            data = obj.get("item_data") or obj.get("item_variation_data") or {}
            wanted += [i for i in data.get("image_ids") or [] if i in shop.objects and i not in have]
            have.update(wanted)
        if wanted:
            out["related_objects"] = [*(out.get("related_objects") or []), *(shop.objects[i] for i in wanted)]
    for field in ("objects", "related_objects"):
        if out.get(field):
            out[field] = [_square_filled(req, o, keys) if o.get("type") == "IMAGE" else o for o in out[field]]
    return out


def _square_filled(req: Request, image: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    filled = copy.deepcopy(image)
    key = keys.get(image["id"])
    if key and not filled["image_data"].get("url"):
        filled["image_data"]["url"] = product_images.image_url(req, key)
    return filled
