"""Etsy Open API v3 (docs/domain/channels.md#etsy).

Every call sends ``x-api-key: {keystring}:{shared_secret}``; shop calls add the OAuth token as
``Authorization: Bearer {user_id}.{token}``, refreshed (and rotated) at
``/v3/public/oauth/token`` before it expires. Receipts are read by ``min_last_modified`` with
``limit``/``offset``, sorted by receipt id so new receipts only append. Etsy has no SKU search
and no multi-listing stock batch: one inventory PUT per listing (read, edit the quantities,
write the whole inventory back). Tracking is a form-encoded POST.

Listings are keyed (listing id, seller SKU): Etsy issues new product ids on every inventory
write, so the SKU is the stable name of a variant within a listing.

Credentials: ``keystring``, ``shared_secret``, ``access_token``, ``refresh_token``,
``access_token_expires_at`` (Unix time), ``webhook_secret`` (``whsec_...``). The account's
``shop_id`` is Etsy's numeric shop id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import OrderedDict
from typing import Any

from integrations.channels import signing
from integrations.channels.connectors.base import (
    Ambiguous,
    ApiRequest,
    AuthFailed,
    ChannelError,
    Connector,
    Malformed,
    NotConfigured,
    OrderPage,
    PushOutcome,
    Rejected,
    RemoteListing,
    ShipmentOutcome,
    ShipmentPush,
    StockPush,
    WebhookNotice,
    WebhookRejected,
)
from integrations.channels.connectors.errors import webhook_json

APP = "/v3/application"
PAGE_SIZE = 100
MAX_QUANTITY = 999
# Etsy's carrier names for our carrier codes.
CARRIERS = {"usps": "usps", "ups": "ups", "fedex": "fedex", "dhl_express": "dhl", "dhl_ecommerce": "dhl-ecommerce",
            "canada_post": "canada-post", "amazon": "amazon-logistics-us", "ontrac": "ontrac"}
RECEIPT_URL = re.compile(r"/receipts/(\d+)")


def _ts(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


# --- pure request builders -------------------------------------------------------------------


def receipts_request(shop_id: str, *, since: dt.datetime, offset: int) -> ApiRequest:
    return ApiRequest("GET", f"{APP}/shops/{shop_id}/receipts", operation="receipts.list", params=(
        ("min_last_modified", str(int(since.timestamp()))), ("limit", str(PAGE_SIZE)), ("offset", str(offset)),
        ("sort_on", "receipt_id"), ("sort_order", "asc")))


def receipt_request(shop_id: str, receipt_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{APP}/shops/{shop_id}/receipts/{receipt_id}", operation="receipts.get")


def inventory_request(listing_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{APP}/listings/{listing_id}/inventory", operation="inventory.get")


def put_inventory_request(listing_id: str, inventory: dict) -> ApiRequest:
    return ApiRequest("PUT", f"{APP}/listings/{listing_id}/inventory", json=inventory, operation="inventory.put")


def tracking_request(shop_id: str, receipt_id: str, *, code: str, carrier: str) -> ApiRequest:
    return ApiRequest("POST", f"{APP}/shops/{shop_id}/receipts/{receipt_id}/tracking", idempotent=False,
                      form={"tracking_code": code, "carrier_name": carrier, "send_bcc": "true"},
                      operation="receipts.tracking")


def listings_request(shop_id: str, offset: int) -> ApiRequest:
    return ApiRequest("GET", f"{APP}/shops/{shop_id}/listings", operation="listings.list", params=(
        ("state", "active"), ("includes", "Inventory,Images"), ("limit", str(PAGE_SIZE)), ("offset", str(offset))))


def token_request(*, keystring: str, refresh_token: str) -> ApiRequest:
    return ApiRequest("POST", "/v3/public/oauth/token", operation="token.refresh", form={
        "grant_type": "refresh_token", "client_id": keystring, "refresh_token": refresh_token})


# --- pure response mapping -------------------------------------------------------------------


def classify(status: int, data: Any) -> Any:
    if status < 300:
        return data
    error = data.get("error") if isinstance(data, dict) else None
    description = data.get("error_description") if isinstance(data, dict) else None
    text = " ".join(str(p) for p in (error, description) if p) or "refused"
    if status == 401:
        raise AuthFailed(text, status=status, expired=error in ("invalid_token", "expired_token"), code=error)
    if status == 403:
        raise AuthFailed(text, status=status, code=error)
    raise Rejected(text, status=status, code=error)


def max_updated(receipts: list[dict]) -> dt.datetime | None:
    times = [t for t in (_ts(r.get("updated_timestamp")) for r in receipts) if t]
    return max(times) if times else None


def edited_inventory(inventory: dict, quantities: dict[str, int]) -> tuple[dict, set[str]]:
    """The PUT body for a listing's inventory with new quantities per SKU (``""`` = the only
    product of a listing without SKUs); returns (body, SKUs found)."""
    products = [p for p in inventory.get("products") or [] if isinstance(p, dict) and not p.get("is_deleted")]
    if not products:
        raise Malformed("the listing inventory has no products", operation="inventory.get")
    found = set()
    out = []
    for product in products:
        sku = str(product.get("sku") or "")
        key = sku if sku in quantities else ("" if len(products) == 1 and "" in quantities else None)
        offerings = []
        for offering in product.get("offerings") or []:
            if not isinstance(offering, dict) or offering.get("is_deleted"):
                continue
            price = offering.get("price")
            if isinstance(price, dict):
                price = price["amount"] / (price.get("divisor") or 100)
            quantity = offering.get("quantity", 0)
            if key is not None:
                quantity = max(0, min(MAX_QUANTITY, int(quantities[key])))
            offerings.append({"price": float(price), "quantity": int(quantity),
                              "is_enabled": bool(offering.get("is_enabled", True))})
        if key is not None:
            found.add(key)
        out.append({"sku": sku, "offerings": offerings, "property_values": [
            {k: v.get(k) for k in ("property_id", "property_name", "scale_id", "value_ids", "values")}
            for v in product.get("property_values") or [] if isinstance(v, dict)]})
    body = {"products": out}
    for key in ("price_on_property", "quantity_on_property", "sku_on_property"):
        body[key] = list(inventory.get(key) or [])
    if len(out) > 1 and not body["quantity_on_property"]:
        quantities_now = {json.dumps([o["quantity"] for o in p["offerings"]]) for p in out}
        if len(quantities_now) > 1:  # per-variant stock needs the variation property to carry quantity
            props = body["sku_on_property"] or [v["property_id"] for v in out[0]["property_values"]]
            body["quantity_on_property"] = list(props)
    return body, found


def offering_price(product: dict) -> tuple[str, str]:
    """(price as a decimal string, currency) of an inventory product's first live offering."""
    for offering in product.get("offerings") or []:
        price = offering.get("price") if isinstance(offering, dict) and not offering.get("is_deleted") else None
        if isinstance(price, dict) and isinstance(price.get("amount"), int):
            return f"{price['amount'] / (price.get('divisor') or 100):.2f}", str(price.get("currency_code") or "")
        if isinstance(price, (int, float)) and not isinstance(price, bool):
            return f"{price:.2f}", ""
    return "", ""


def listing_image_url(listing: dict) -> str:
    """The full-size URL of a listing's first picture (lowest ``rank`` of its ``images``), "" if none."""
    images = [i for i in listing.get("images") or [] if isinstance(i, dict)]
    for image in sorted(images, key=lambda i: i.get("rank") if isinstance(i.get("rank"), int) else 1_000_000):
        url = image.get("url_fullxfull") or image.get("url_570xN")
        if isinstance(url, str) and url:
            return url
    return ""


def receipt_id_from(resource_url: str) -> str:
    match = RECEIPT_URL.search(resource_url or "")
    return match.group(1) if match else ""


# --- the connector ---------------------------------------------------------------------------


class EtsyConnector(Connector):
    channel = "etsy"
    default_base_url = "https://api.etsy.com"
    secret_fields = ("shared_secret", "access_token", "refresh_token", "webhook_secret")
    required_fields = ("keystring", "shared_secret", "access_token")
    stock_batch_size = 1  # one inventory PUT per listing
    max_stock_quantity = MAX_QUANTITY

    @property
    def shop_id(self) -> str:
        if not self.account.shop_id:
            raise NotConfigured("the account has no Etsy shop id", operation="shop")
        return self.account.shop_id

    def authorize(self, request):
        self.require("keystring", "shared_secret")
        headers = {"x-api-key": f"{self.credentials['keystring']}:{self.credentials['shared_secret']}"}
        if not request.operation.startswith("token."):
            self.require("access_token")
            headers["Authorization"] = f"Bearer {self.credentials['access_token']}"
        return request.params, headers

    def check(self, request, response, data):
        return classify(response.status_code, data)

    def quota_key(self):
        return (self.channel, self.base_url, self.credentials.get("keystring"))  # Etsy counts per API key

    def after_response(self, response):
        # Etsy counts calls per second: when the second's quota is used up (or down to the calls
        # this connector leaves to others), the next call waits.
        remaining = response.headers.get("x-remaining-this-second", "")
        if remaining.isdigit():
            self.quota_used_up(1.0, int(remaining))

    def can_refresh(self) -> bool:
        return bool(self.credentials.get("refresh_token") and self.credentials.get("keystring"))

    def needs_refresh(self, *, margin: dt.timedelta | None = None) -> bool:
        margin = margin or dt.timedelta(minutes=10)
        expires = self.credentials.get("access_token_expires_at")
        if not expires or not self.can_refresh():
            return False
        return float(expires) - time.time() < margin.total_seconds()

    def refresh_credentials(self) -> dict:
        self.require("keystring", "refresh_token")
        data = self.send(token_request(keystring=self.credentials["keystring"],
                                       refresh_token=self.credentials["refresh_token"])).data
        if not isinstance(data, dict) or not data.get("access_token"):
            raise Malformed("the token answer has no access_token", operation="token.refresh")
        fresh = dict(self.credentials)
        fresh["access_token"] = data["access_token"]
        if data.get("refresh_token"):
            fresh["refresh_token"] = data["refresh_token"]  # Etsy rotates refresh tokens
        fresh["access_token_expires_at"] = int(time.time()) + int(data.get("expires_in") or 3600)
        return fresh

    # --- orders --------------------------------------------------------------------------------
    def iter_order_pages(self, *, since, resume):
        offset = int((resume or {}).get("offset") or 0)
        while True:
            data = self.call(receipts_request(self.shop_id, since=since, offset=offset)).data
            if not isinstance(data, dict) or not isinstance(data.get("results"), list):
                raise Malformed("the receipts answer has no results", operation="receipts.list")
            results = data["results"]
            count = int(data.get("count") or 0)
            next_offset = offset + len(results)
            more = bool(results) and next_offset < count
            yield OrderPage(payloads=results, resume={"offset": next_offset} if more else None,
                            max_updated=max_updated(results))
            if not more:
                return
            offset = next_offset

    def fetch_order_payloads(self, external_ids):
        out = []
        for receipt_id in dict.fromkeys(external_ids):
            try:
                out.append(self.call(receipt_request(self.shop_id, receipt_id)).data)
            except Rejected as exc:
                if exc.status != 404:
                    raise
        return [r for r in out if isinstance(r, dict)]

    # --- stock ---------------------------------------------------------------------------------
    def push_stock(self, items):
        outcomes = []
        by_listing: OrderedDict[str, list[StockPush]] = OrderedDict()
        for item in items:
            if not str(item.product_id).isdigit():
                outcomes.append(PushOutcome(item.listing_id, False, "the listing has no Etsy listing id"))
                continue
            by_listing.setdefault(item.product_id, []).append(item)
        for listing_id, group in by_listing.items():
            quantities = {item.variant_id: item.quantity for item in group}
            try:
                inventory = self.call(inventory_request(listing_id)).data
                body, found = edited_inventory(inventory or {}, quantities)
                if found:
                    self.call(put_inventory_request(listing_id, body))
            except ChannelError as exc:
                self.stop_push_on(exc, outcomes)  # a long wait or refused credentials stop the push
                outcomes.extend(PushOutcome(i.listing_id, False, str(exc), retryable=exc.retryable) for i in group)
                continue
            for item in group:
                if item.variant_id in found:
                    outcomes.append(PushOutcome(item.listing_id, True))
                else:
                    outcomes.append(PushOutcome(item.listing_id, False,
                                                f"Etsy listing {listing_id} has no product with SKU "
                                                f"{item.variant_id or '(none)'}"))
        return outcomes

    # --- shipments -----------------------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> ShipmentOutcome:
        number = shipment.tracking_number.strip()
        carrier = CARRIERS.get(shipment.carrier_code) or (shipment.carrier_name or "other").lower()
        for attempt in range(3):
            receipt = self.call(receipt_request(self.shop_id, shipment.order_external_id)).data or {}
            for entry in receipt.get("shipments") or []:
                if str(entry.get("tracking_code") or "").replace(" ", "") == number.replace(" ", ""):
                    return ShipmentOutcome(reference=str(entry.get("receipt_shipping_id") or ""), already=True)
            try:
                answer = self.call(tracking_request(self.shop_id, shipment.order_external_id, code=number,
                                                    carrier=carrier)).data or {}
            except Ambiguous:
                if attempt == 2:
                    raise
                self.sleep(self.ambiguous_wait)  # let a write still in flight land before looking
                continue
            shipments = [s for s in answer.get("shipments") or [] if s.get("tracking_code") == number]
            return ShipmentOutcome(reference=str(shipments[-1].get("receipt_shipping_id") if shipments else ""))
        raise Ambiguous("the tracking upload could not be confirmed", operation="receipts.tracking")

    # --- catalogue, connection -----------------------------------------------------------------
    def list_listings(self):
        offset = 0
        while True:
            data = self.call(listings_request(self.shop_id, offset)).data or {}
            results = data.get("results") or []
            for listing in results:
                inventory = listing.get("inventory") or {}
                for product in inventory.get("products") or []:
                    if product.get("is_deleted"):
                        continue
                    sku = str(product.get("sku") or "")
                    values = " / ".join(str(v) for pv in product.get("property_values") or []
                                        for v in pv.get("values") or [])
                    title = f"{listing.get('title')} - {values}" if values else str(listing.get("title") or "")
                    quantity = sum(int(o.get("quantity") or 0) for o in product.get("offerings") or []
                                   if o.get("is_enabled") and not o.get("is_deleted"))
                    price, currency = offering_price(product)
                    yield RemoteListing(product_id=str(listing.get("listing_id")), variant_id=sku, channel_sku=sku,
                                        title=title, quantity=quantity, price=price, currency=currency,
                                        image_url=listing_image_url(listing))
            offset += len(results)
            if not results or offset >= int(data.get("count") or 0):
                return

    # Etsy's Open API has no call to cancel or refund a receipt: the seller cancels in Shop Manager and
    # the pull follows the receipt's status (canceled, fully refunded).
    supports_cancellation = False

    def test_connection(self) -> str:
        shop = self.call(ApiRequest("GET", f"{APP}/shops/{self.shop_id}", operation="shops.get")).data or {}
        return f"Connected to the Etsy shop {shop.get('shop_name')} (shop {shop.get('shop_id')})."

    # --- webhooks ------------------------------------------------------------------------------
    @classmethod
    def verify_webhook(cls, account, *, headers, body, url):
        secret = (account.credentials or {}).get("webhook_secret")
        if not secret:
            raise WebhookRejected("the account has no webhook secret to verify with")
        webhook_id = headers.get("webhook-id")
        if not signing.verify_etsy_webhook(secret=secret, webhook_id=webhook_id,
                                           timestamp=headers.get("webhook-timestamp"), body=body,
                                           signature=headers.get("webhook-signature")):
            raise WebhookRejected("webhook-signature does not match (or webhook-timestamp is too old)")
        payload = webhook_json(body)  # a good signature over a bad body: WebhookMalformed (400)
        notice = WebhookNotice(notification_id=str(webhook_id), topic=str(payload.get("event_type") or ""),
                               body=payload)
        receipt = receipt_id_from(str(payload.get("resource_url") or ""))
        if account.shop_id and str(payload.get("shop_id") or "") not in ("", str(account.shop_id)):
            notice.ignore = True
        elif receipt:
            notice.order_ids = [receipt]
        else:
            notice.ignore = True
        return notice

