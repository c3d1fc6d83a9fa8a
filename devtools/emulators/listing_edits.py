"""Editing a listing's title and price on the loopback emulators, following the public shapes:

- TikTok Shop: ``POST /product/202309/products/{product_id}/partial_edit`` (``title``,
  ``skus[{id, price{amount, currency}}]``) and ``POST /product/202309/products/{product_id}/prices/update``
  (``skus[{id, price{amount, currency}}]``); answers ``{product_id, skus[{id, seller_sku}]}``;
- Etsy: ``PATCH /v3/application/shops/{shop_id}/listings/{listing_id}`` (updateListing; form or
  JSON ``title``); prices go through the inventory PUT the emulator already has;
- Square: ``POST /v2/catalog/object`` (UpsertCatalogObject: ``idempotency_key``, ``object`` with
  its ``version``; an ITEM carries its variations); a stale version answers ``VERSION_MISMATCH``;
- WooCommerce's product and variation PUTs already take ``name`` and ``regular_price``
  (``woocommerce.py``); they record ``listing_edit`` too.

Every accepted edit is recorded as ``listing_edit`` (what changed), for tests and the demo."""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from .routing import BadRequest, Request, Response
from .util import fingerprint, rfc3339

TITLE_MAX = 255  # TikTok allows 255 characters; Etsy 140 (checked below)


def _amount(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadRequest("price.amount must be a decimal string.") from None
    if not amount.is_finite() or amount <= 0:
        raise BadRequest("price.amount must be greater than 0.")
    return f"{amount:.2f}"


# --- TikTok Shop -----------------------------------------------------------------------------


def register_tiktok(shop) -> None:
    from .tiktok import E_PRODUCT_NOT_FOUND, E_SKU_NOT_FOUND  # noqa: PLC0415 -- tiktok.py imports this module

    def product_of(req: Request) -> dict[str, Any]:
        product = shop.products.get(req.params["product_id"])
        if product is None:
            raise shop.business_error(E_PRODUCT_NOT_FOUND, "Product does not exist.")
        return product

    def prices(product: dict[str, Any], skus: Any) -> list[tuple[dict[str, Any], dict[str, str]]]:
        if not isinstance(skus, list) or not skus:
            raise BadRequest("skus is required.")
        by_id = {s["id"]: s for s in product["skus"]}
        out = []
        for entry in skus:
            sku = by_id.get(str(entry.get("id", ""))) if isinstance(entry, dict) else None
            if sku is None:
                raise shop.business_error(E_SKU_NOT_FOUND, "SKU does not belong to this product.")
            price = entry.get("price")
            if not isinstance(price, dict) or "amount" not in price:
                raise BadRequest("skus[].price.amount is required.")
            out.append((sku, {"amount": _amount(price["amount"]), "currency": str(price.get("currency") or "USD")}))
        return out

    def answer(product: dict[str, Any]) -> Response:
        product["update_time"] = shop.now()
        return shop.ok({"product_id": product["id"],
                        "skus": [{"id": s["id"], "seller_sku": s["seller_sku"]} for s in product["skus"]]})

    def apply_prices(product, changes, operation):
        for sku, price in changes:
            sku["price"] = {**sku.get("price", {}), "currency": price["currency"], "sale_price": price["amount"],
                            "tax_exclusive_price": price["amount"]}
            shop.record("listing_edit", operation=operation, product_id=product["id"], sku_id=sku["id"],
                        seller_sku=sku["seller_sku"], price=price["amount"])

    def partial_edit(req: Request) -> Response:
        product = product_of(req)
        body = req.json_object()
        title = body.get("title")
        if title is not None and (not isinstance(title, str) or not 1 <= len(title.strip()) <= TITLE_MAX):
            raise BadRequest(f"title must be 1 to {TITLE_MAX} characters.")
        changes = prices(product, body["skus"]) if "skus" in body else []
        if title is not None:
            product["title"] = title.strip()
            shop.record("listing_edit", operation="partial_edit", product_id=product["id"], title=product["title"])
        apply_prices(product, changes, "partial_edit")
        return answer(product)

    def update_prices(req: Request) -> Response:
        product = product_of(req)
        apply_prices(product, prices(product, req.json_object().get("skus")), "prices_update")
        return answer(product)

    shop.route("POST", "/product/202309/products/{product_id}/partial_edit", partial_edit)
    shop.route("POST", "/product/202309/products/{product_id}/prices/update", update_prices)


# --- Etsy ------------------------------------------------------------------------------------


def register_etsy(service, app: str) -> None:
    def update_listing(req: Request) -> Response:
        if str(req.params["shop_id"]) != str(service.creds.etsy_shop_id):
            raise service.fail(403, "The token does not belong to this shop.")
        listing = service._listing(req.params["listing_id"])
        if req.content_type == "application/x-www-form-urlencoded":
            body: dict[str, Any] = dict(req.form())
        else:
            body = req.json_object()
        title = body.get("title")
        if title is not None:
            if not isinstance(title, str) or not 1 <= len(title.strip()) <= 140:
                raise service.fail(400, "title must be 1 to 140 characters.")
            listing["title"] = title.strip()
            service.record("listing_edit", operation="update_listing", listing_id=listing["listing_id"],
                           title=listing["title"])
        listing["updated_timestamp"] = int(service.now())
        return Response.json(listing)

    service.route("PATCH", app + "/shops/{shop_id}/listings/{listing_id}", update_listing)


# --- Square ----------------------------------------------------------------------------------


def register_square(service) -> None:
    def upsert(req: Request) -> Response:
        body = req.json_object()
        slot, replay = service._idempotent("catalog.upsert", req, body, required=True)
        if replay is not None:
            return replay
        obj = body.get("object")
        if not isinstance(obj, dict) or obj.get("type") not in ("ITEM", "ITEM_VARIATION"):
            raise service.invalid("object must be an ITEM or ITEM_VARIATION.", field="object")
        current = service.objects.get(obj.get("id"))
        if current is None or current["type"] != obj["type"]:
            raise service.invalid(f"Object `{obj.get('id')}` not found.", code="NOT_FOUND", status=404)
        if obj.get("version") != current["version"]:
            raise service.invalid("Object version does not match latest database version.", code="VERSION_MISMATCH")
        incoming = [obj] if obj["type"] == "ITEM_VARIATION" else [
            v for v in (obj.get("item_data") or {}).get("variations") or [] if isinstance(v, dict)]
        for var in incoming:
            stored = service.objects.get(var.get("id"))
            if stored is None or stored["type"] != "ITEM_VARIATION":
                raise service.invalid(f"Variation `{var.get('id')}` not found.", code="NOT_FOUND", status=404)
            if var.get("version") != stored["version"]:
                raise service.invalid("Object version does not match latest database version.",
                                      code="VERSION_MISMATCH")
            money = (var.get("item_variation_data") or {}).get("price_money") or {}
            if not isinstance(money.get("amount"), int) or money["amount"] < 0:
                raise service.invalid("price_money.amount must be a non-negative integer.", field="price_money")
        stamp = rfc3339(service.now())
        version = max(o["version"] for o in service.objects.values()) + 1
        if obj["type"] == "ITEM":
            name = (obj.get("item_data") or {}).get("name")
            if not isinstance(name, str) or not name.strip():
                raise service.invalid("item_data.name is required.", field="item_data.name")
            if name != current["item_data"]["name"]:
                service.record("listing_edit", operation="catalog_upsert", object_id=current["id"], name=name)
            current["item_data"]["name"] = name
            current["version"], current["updated_at"] = version, stamp
        for var in incoming:
            stored = service.objects[var["id"]]
            money = var["item_variation_data"]["price_money"]
            if money != stored["item_variation_data"].get("price_money"):
                service.record("listing_edit", operation="catalog_upsert", object_id=stored["id"],
                               sku=stored["item_variation_data"].get("sku"), price=f"{money['amount'] / 100:.2f}")
            stored["item_variation_data"]["price_money"] = dict(money)
            stored["item_variation_data"]["pricing_type"] = "FIXED_PRICING"
            stored["version"], stored["updated_at"] = version, stamp
        result = service.objects[obj["id"]]
        resp = Response.json({"catalog_object": copy.deepcopy(result), "id_mappings": []})
        service.idempotency[slot] = (fingerprint([req.path, body]), resp)
        return resp

    service.route("POST", "/v2/catalog/object", upsert)


def woocommerce_edit(service, target: dict[str, Any], changes: dict[str, Any], **ids: Any) -> None:
    """Record a WooCommerce product/variation PUT that changed its name or regular price."""
    changed = {k: str(changes[k]) for k in ("name", "regular_price") if k in changes and k in target}
    if "regular_price" in changed:
        target["price"] = changed["regular_price"]
    if changed:
        service.record("listing_edit", operation="product_update", sku=target.get("sku"), **ids, **changed)
