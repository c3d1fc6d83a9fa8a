"""Editing a listing's title and price on its channel, through each channel's existing connector
(its ``call`` is the one function doing HTTP; everything else here is pure mapping):

- TikTok Shop: ``POST /product/202309/products/{id}/partial_edit`` (title, with the SKU's price
  when both change) or ``POST /product/202309/products/{id}/prices/update`` (price only);
- WooCommerce: ``PUT /products/{id}`` (``name``, ``regular_price``) or, for a variation,
  ``PUT /products/{pid}/variations/{id}`` (``regular_price``; its title is the product's name);
- Etsy: ``PATCH /shops/{shop}/listings/{id}`` (``title``) and, for the price, the listing's
  inventory read, edited and written back (``PUT /listings/{id}/inventory``);
- Square: the item with its variations read (``/v2/catalog/batch-retrieve``), edited and
  written back with ``POST /v2/catalog/object`` (upsert, versions kept).

A title belongs to the product on every channel (all of its variants show it); a price to the
variant."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from integrations.channels.connectors.base import ApiRequest, Connector, Malformed, Rejected
from integrations.channels.connectors.etsy import APP, edited_inventory, inventory_request, put_inventory_request
from integrations.channels.connectors.square import catalog_retrieve_request, idempotency_key
from integrations.channels.connectors.woocommerce import API as WOO_API

TIKTOK_PRODUCT = "/product/202309/products"


@dataclass(frozen=True)
class ListingEditPush:
    """A change of one listing: its external ids, the new title and/or price (None: unchanged)."""

    product_id: str
    variant_id: str
    channel_sku: str = ""
    title: str | None = None
    price: Decimal | None = None
    currency: str = "USD"


@dataclass(frozen=True)
class ListingEditOutcome:
    message: str  # what the channel now shows, in words


def money(price: Decimal) -> str:
    return f"{Decimal(price):.2f}"


# --- TikTok Shop -----------------------------------------------------------------------------


def tiktok_request(edit: ListingEditPush) -> ApiRequest:
    sku_price = ([{"id": edit.variant_id, "price": {"amount": money(edit.price), "currency": edit.currency}}]
                 if edit.price is not None else [])
    if edit.title is not None:
        body: dict = {"title": edit.title}
        if sku_price:
            body["skus"] = sku_price
        return ApiRequest("POST", f"{TIKTOK_PRODUCT}/{edit.product_id}/partial_edit", json=body,
                          operation="products.partial_edit")
    return ApiRequest("POST", f"{TIKTOK_PRODUCT}/{edit.product_id}/prices/update", json={"skus": sku_price},
                      operation="products.prices_update")


# --- WooCommerce -----------------------------------------------------------------------------


def woocommerce_requests(edit: ListingEditPush) -> list[ApiRequest]:
    product = f"{WOO_API}/products/{edit.product_id}"
    if not edit.variant_id:
        body: dict = {}
        if edit.title is not None:
            body["name"] = edit.title
        if edit.price is not None:
            body["regular_price"] = money(edit.price)
        return [ApiRequest("PUT", product, json=body, operation="products.update")]
    out = []
    if edit.price is not None:
        out.append(ApiRequest("PUT", f"{product}/variations/{edit.variant_id}",
                              json={"regular_price": money(edit.price)}, operation="variations.update"))
    if edit.title is not None:
        out.append(ApiRequest("PUT", product, json={"name": edit.title}, operation="products.update"))
    return out


# --- Etsy ------------------------------------------------------------------------------------


def etsy_title_request(shop_id: str, listing_id: str, title: str) -> ApiRequest:
    return ApiRequest("PATCH", f"{APP}/shops/{shop_id}/listings/{listing_id}", form={"title": title},
                      operation="listings.update")


def etsy_priced_inventory(inventory: dict, sku: str, price: Decimal) -> dict:
    """The inventory PUT body with the new price on the offerings of the product with this SKU
    ("" = the only product of a listing without SKUs); prices that now differ between products
    are declared on the variation property, as Etsy requires."""
    body, _found = edited_inventory(inventory, {})
    products = body["products"]
    targets = [p for p in products if p["sku"] == sku] or (products if len(products) == 1 and not sku else [])
    if not targets:
        raise Rejected(f"the Etsy listing has no product with SKU {sku or '(none)'}", operation="inventory.put")
    for product in targets:
        for offering in product["offerings"]:
            offering["price"] = float(money(price))
    if len(products) > 1 and not body["price_on_property"]:
        if len({tuple(o["price"] for o in p["offerings"]) for p in products}) > 1:
            body["price_on_property"] = list(body["sku_on_property"] or
                                             [v["property_id"] for v in products[0]["property_values"]])
    return body


# --- Square ----------------------------------------------------------------------------------


def square_upsert_request(catalog: dict, variation_id: str, edit: ListingEditPush) -> ApiRequest:
    """The upsert of the variation's item (with all its variations, as Square wants) carrying the
    new name and/or price; versions are those read, so a concurrent change is refused, not lost."""
    variation = next((o for o in catalog.get("objects") or [] if o.get("id") == variation_id), None)
    if variation is None:
        raise Rejected(f"Square has no catalog variation {variation_id}", operation="catalog.batch_retrieve")
    item_id = (variation.get("item_variation_data") or {}).get("item_id")
    item = next((o for o in catalog.get("related_objects") or [] if o.get("id") == item_id), None)
    if item is None:
        raise Malformed(f"Square sent no item for variation {variation_id}", operation="catalog.batch_retrieve")
    item = copy.deepcopy(item)
    data = item.setdefault("item_data", {})
    if edit.title is not None:
        data["name"] = edit.title
    if edit.price is not None:
        for var in data.get("variations") or []:
            if var.get("id") == variation_id:
                var_data = var.setdefault("item_variation_data", {})
                var_data["pricing_type"] = "FIXED_PRICING"
                var_data["price_money"] = {"amount": int(Decimal(money(edit.price)) * 100),
                                           "currency": edit.currency or "USD"}
    body = {"idempotency_key": idempotency_key("listing-edit", item_id, item.get("version"), edit.title,
                                               None if edit.price is None else money(edit.price)),
            "object": item}
    return ApiRequest("POST", "/v2/catalog/object", json=body, operation="catalog.upsert")


# --- the one entry point ---------------------------------------------------------------------


def _words(edit: ListingEditPush) -> str:
    parts = []
    if edit.title is not None:
        parts.append(f"title “{edit.title}”")
    if edit.price is not None:
        parts.append(f"price {money(edit.price)} {edit.currency}".rstrip())
    return " and ".join(parts)


def push_listing_edit(connector: Connector, edit: ListingEditPush) -> ListingEditOutcome:
    """Send the edit with the channel's connector; raises its ``ChannelError`` when refused."""
    if edit.title is None and edit.price is None:
        raise Rejected("nothing to change", operation="listing edit")
    channel = connector.channel
    if channel == "tiktok":
        if not edit.product_id or (edit.price is not None and not edit.variant_id):
            raise Rejected("the listing has no TikTok product and SKU id", operation="listing edit")
        connector.call(tiktok_request(edit))
    elif channel == "woocommerce":
        for request in woocommerce_requests(edit):
            connector.call(request)
    elif channel == "etsy":
        if not str(edit.product_id).isdigit():
            raise Rejected("the listing has no Etsy listing id", operation="listing edit")
        if edit.title is not None:
            connector.call(etsy_title_request(connector.shop_id, edit.product_id, edit.title))
        if edit.price is not None:
            inventory = connector.call(inventory_request(edit.product_id)).data or {}
            connector.call(put_inventory_request(edit.product_id,
                                                 etsy_priced_inventory(inventory, edit.variant_id, edit.price)))
    elif channel == "square":
        catalog = connector.call(catalog_retrieve_request([edit.variant_id])).data or {}
        connector.call(square_upsert_request(catalog, edit.variant_id, edit))
    else:
        raise Rejected(f"listing edits are not supported on {channel}", operation="listing edit")
    return ListingEditOutcome(message=f"{_words(edit)} accepted by the channel")
