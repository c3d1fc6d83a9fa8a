"""TikTok Shop Open API 202309 (docs/domain/tiktok-shop.md).

The order channel's connector, built on ``integrations.tiktok.client`` (signing, the
``{code, message, request_id, data}`` envelope and its error codes, token refresh); this module
holds the order, stock, shipment, catalogue and webhook requests and their mapping. The client
is used at call time only (it may still be loading when this module is).

Credentials: ``app_key``, ``app_secret``, ``access_token`` (+ ``access_token_expire_in``,
absolute Unix time), ``refresh_token``, ``shop_cipher``; optional ``warehouse_id`` (stock pushes go
to it) and ``auth_base_url`` (token host, default ``https://auth.tiktok-shops.com``). The
account's ``shop_id`` is TikTok's shop id (webhooks name it).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from integrations.carriers.aliases import carrier_code as code_of
from integrations.channels import signing
from integrations.channels.connectors.base import (
    Ambiguous,
    ApiRequest,
    CancellationOutcome,
    CancellationPush,
    ChannelError,
    Connector,
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
    chunked,
)
from integrations.channels.connectors.errors import webhook_json
from integrations.tiktok import cancellations, client

MAX_QUANTITY = 99998  # the most a SKU's stock can show on TikTok Shop

SEARCH_PAGE_SIZE = 100  # the most a search page may hold
DETAIL_BATCH = 50  # the most ids one order-detail call takes
# Webhook event types that concern an order (docs/domain/tiktok-shop.md#webhooks).
ORDER_EVENTS = {1: "ORDER_STATUS_CHANGE", 3: "RECIPIENT_ADDRESS_UPDATE", 4: "PACKAGE_UPDATE",
                11: "CANCELLATION_STATUS_CHANGE"}
# Webhook event types about the seller's authorisation of the app (data: {message}, and for 7
# {message, expiration_time}); channels.webhook_processing acts on them.
AUTH_EVENTS = {6: "SELLER_DEAUTHORIZATION", 7: "UPCOMING_AUTHORIZATION_EXPIRATION"}
# After-sales notifications about a return (docs/after-sales/returns.md#notifications).
RETURN_EVENTS = {12: "RETURN_STATUS_CHANGE", 64: "AFTERSALE", 65: "RMA", 67: "REFUND_SUCCESS"}


def _whole(order: dict) -> bool:
    """Whether a searched order came whole (status and lines), as the detail call gives it."""
    return bool(order.get("status")) and isinstance(order.get("line_items"), list) and bool(order["line_items"])


def _unix(value: dt.datetime) -> int:
    return int(value.timestamp())


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


# --- pure request builders -------------------------------------------------------------------


def search_orders_request(*, since: dt.datetime, page_token: str = "", page_size: int = SEARCH_PAGE_SIZE) -> ApiRequest:
    params = [("page_size", str(page_size)), ("sort_field", "update_time"), ("sort_order", "ASC")]
    if page_token:
        params.append(("page_token", page_token))
    return ApiRequest("POST", f"/order/{client.API_VERSION}/orders/search", params=tuple(params),
                      json={"update_time_ge": _unix(since)}, operation="orders.search")


def order_detail_request(ids: list[str]) -> ApiRequest:
    if not 1 <= len(ids) <= DETAIL_BATCH:
        raise ValueError(f"order detail takes 1 to {DETAIL_BATCH} ids, got {len(ids)}")
    return ApiRequest("GET", f"/order/{client.API_VERSION}/orders", params=(("ids", ",".join(ids)),),
                      operation="orders.detail")


def inventory_update_request(product_id: str, items: list[StockPush], warehouse_id: str = "") -> ApiRequest:
    skus = []
    for item in items:
        inventory = {"quantity": max(0, min(int(item.quantity), MAX_QUANTITY))}
        if warehouse_id:
            inventory = {"warehouse_id": warehouse_id, **inventory}
        skus.append({"id": item.variant_id, "inventory": [inventory]})
    return ApiRequest("POST", f"/product/{client.API_VERSION}/products/{product_id}/inventory/update",
                      json={"skus": skus}, operation="inventory.update")


def mark_shipped_request(order_id: str, *, tracking_number: str, provider_id: str, line_ids: list[str]) -> ApiRequest:
    body: dict[str, Any] = {"tracking_number": tracking_number, "shipping_provider_id": provider_id}
    if line_ids:
        body["order_line_item_ids"] = line_ids
    return ApiRequest("POST", f"/fulfillment/{client.API_VERSION}/orders/{order_id}/packages", json=body,
                      operation="fulfillment.mark_shipped", idempotent=False)


def ship_package_request(package_id: str, *, tracking_number: str = "", provider_id: str = "") -> ApiRequest:
    body: dict[str, Any] = {}
    if tracking_number:
        body["self_shipment"] = {"tracking_number": tracking_number, "shipping_provider_id": provider_id}
    return ApiRequest("POST", f"/fulfillment/{client.API_VERSION}/packages/{package_id}/ship", json=body,
                      operation="fulfillment.ship_package", idempotent=False)


def shipping_providers_request(delivery_option_id: str) -> ApiRequest:
    path = f"/logistics/{client.API_VERSION}/delivery_options/{delivery_option_id}/shipping_providers"
    return ApiRequest("GET", path, operation="logistics.shipping_providers")


def warehouses_request() -> ApiRequest:
    return ApiRequest("GET", f"/logistics/{client.API_VERSION}/warehouses", operation="logistics.warehouses")


def shops_request() -> ApiRequest:
    return ApiRequest("GET", f"/authorization/{client.API_VERSION}/shops", operation="authorization.shops")


def main_image_url(product: dict) -> str:
    """The first of a product's ``main_images`` (its ``urls``), "" when it has none."""
    for image in product.get("main_images") or []:
        urls = image.get("urls") if isinstance(image, dict) else None
        if isinstance(urls, list) and urls and isinstance(urls[0], str):
            return urls[0]
    return ""


def products_search_request(page_token: str = "") -> ApiRequest:
    params = [("page_size", "100")]
    if page_token:
        params.append(("page_token", page_token))
    return ApiRequest("POST", f"/product/{client.API_VERSION}/products/search", params=tuple(params), json={},
                      operation="products.search")


# --- pure response mapping -------------------------------------------------------------------


def inventory_errors(data: Any) -> dict[str, tuple[str, bool]]:
    """{sku id: (error, retryable)} from an inventory update answer's per-SKU errors."""
    out = {}
    for err in (data or {}).get("errors") or []:
        if not isinstance(err, dict):
            continue
        detail = err.get("detail") or {}
        sku_id = str(detail.get("sku_id") or "")
        out[sku_id] = (f"{err.get('message') or 'refused'} (code {err.get('code')})",
                       err.get("code") in (client.INTERNAL, client.RATE_LIMIT))
    return out


def max_update_time(orders: list[dict]) -> dt.datetime | None:
    times = [t for t in (_time(o.get("update_time")) for o in orders if isinstance(o, dict)) if t]
    return max(times) if times else None


def _squash(text: str) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def match_provider(providers: list[dict], *, carrier_code: str, carrier_name: str) -> str:
    """TikTok's shipping provider id for our carrier (by carrier code, then by name)."""
    for provider in providers:
        if carrier_code and code_of(str(provider.get("name") or "")) == carrier_code:
            return str(provider.get("id"))
    wanted = _squash(carrier_name)
    for provider in providers:
        if wanted and _squash(str(provider.get("name") or "")) == wanted:
            return str(provider.get("id"))
    return ""


# --- the connector ---------------------------------------------------------------------------


class TikTokConnector(Connector):
    channel = "tiktok"
    default_base_url = "https://open-api.tiktokglobalshop.com"
    secret_fields = ("app_secret", "access_token", "refresh_token")
    required_fields = ("app_key", "app_secret", "access_token")
    stock_batch_size = 100
    max_stock_quantity = MAX_QUANTITY

    # --- auth (integrations.tiktok.client) ------------------------------------------------------
    def authorize(self, request: ApiRequest):
        if client.is_token_request(request):
            return request.params, {}
        self.require("app_key", "app_secret", "access_token")
        if client.needs_shop_cipher(request) and not self.credentials.get("shop_cipher"):
            raise NotConfigured(f"{self.account.name} has no shop cipher: run Test connection to find it.",
                                operation=request.operation)
        return client.sign(self.credentials, request)

    def check(self, request, response, data):
        return client.classify(response.status_code, data)

    def describe_error(self, data):
        return client.describe_error(data) or super().describe_error(data)

    def can_refresh(self) -> bool:
        return client.can_refresh(self.credentials)

    def needs_refresh(self, *, margin: dt.timedelta | None = None) -> bool:
        return client.needs_refresh(self.credentials, margin=margin)

    def refresh_credentials(self) -> dict:
        self.require("app_key", "app_secret", "refresh_token")
        data = self.send(client.refresh_token_request(auth_base=client.auth_base(self.credentials),
                                                      app_key=self.credentials["app_key"],
                                                      app_secret=self.credentials["app_secret"],
                                                      refresh_token=self.credentials["refresh_token"])).data
        return client.fresh_credentials(self.credentials, data)

    def exchange_auth_code(self, auth_code: str) -> dict:
        """The credentials with the tokens TikTok gives for the seller's authorisation code."""
        self.require("app_key", "app_secret")
        data = self.send(client.token_get_request(auth_base=client.auth_base(self.credentials),
                                                  app_key=self.credentials["app_key"],
                                                  app_secret=self.credentials["app_secret"], auth_code=auth_code)).data
        return client.fresh_credentials(self.credentials, data)

    # --- orders --------------------------------------------------------------------------------
    def iter_order_pages(self, *, since, resume):
        token = (resume or {}).get("page_token", "")
        while True:
            found = self.call(search_orders_request(since=since, page_token=token)).data
            listed = [o for o in found.get("orders") or [] if isinstance(o, dict) and o.get("id")]
            ids = [str(o["id"]) for o in listed]
            skip = set()
            if self.unchanged_filter is not None and ids:
                skip = self.unchanged_filter({str(o["id"]): _time(o.get("update_time")) for o in listed})
            wanted = [o for o in listed if str(o["id"]) not in skip]
            # The search answers whole orders; one without its lines is read by id (detail).
            partial = [str(o["id"]) for o in wanted if not _whole(o)]
            details = {str(o.get("id")): o for o in self.fetch_order_payloads(partial)} if partial else {}
            payloads = [o if _whole(o) else details.get(str(o["id"])) for o in wanted]
            payloads = [o for o in payloads if o is not None]  # an order the detail call no longer knows
            next_token = str(found.get("next_page_token") or "")
            yield OrderPage(payloads=payloads, resume={"page_token": next_token} if next_token else None,
                            max_updated=max_update_time(listed), unchanged=len(skip))
            if not next_token:
                return
            token = next_token

    def fetch_order_payloads(self, external_ids):
        out = []
        for batch in chunked(list(dict.fromkeys(external_ids)), DETAIL_BATCH):
            data = self.call(order_detail_request(batch)).data
            out.extend(o for o in data.get("orders") or [] if isinstance(o, dict))
        return out

    # --- stock ---------------------------------------------------------------------------------
    def push_stock(self, items):
        outcomes = []
        by_product: OrderedDict[str, list[StockPush]] = OrderedDict()
        for item in items:
            if not item.product_id or not item.variant_id:
                outcomes.append(PushOutcome(item.listing_id, False, "the listing has no TikTok product and SKU id"))
                continue
            by_product.setdefault(item.product_id, []).append(item)
        warehouse = str(self.credentials.get("warehouse_id") or "")
        for product_id, group in by_product.items():
            for batch in chunked(group, self.stock_batch_size):
                try:
                    data = self.call(inventory_update_request(product_id, batch, warehouse)).data
                except ChannelError as exc:
                    self.stop_push_on(exc, outcomes)  # a long wait or refused credentials stop the push
                    outcomes.extend(PushOutcome(i.listing_id, False, str(exc), retryable=exc.retryable) for i in batch)
                    continue
                errors = inventory_errors(data)
                for item in batch:
                    error, retryable = errors.get(item.variant_id, ("", False))
                    outcomes.append(PushOutcome(item.listing_id, not error, error, retryable=retryable))
        return outcomes

    # --- shipments -----------------------------------------------------------------------------
    def _order(self, order_id: str) -> dict:
        orders = self.fetch_order_payloads([order_id])
        if not orders:
            raise Rejected(f"TikTok has no order {order_id}", operation="orders.detail")
        return orders[0]

    def push_shipment(self, shipment: ShipmentPush) -> ShipmentOutcome:
        number = shipment.tracking_number.strip()
        for attempt in range(3):
            order = self._order(shipment.order_external_id)
            lines = [li for li in order.get("line_items") or [] if isinstance(li, dict)]
            for line in lines:
                if _squash(line.get("tracking_number") or "") == _squash(number) and number:
                    return ShipmentOutcome(reference=str(line.get("package_id") or ""), already=True)
            if order.get("shipping_type") == "TIKTOK":
                if not shipment.package_external_id:
                    raise Rejected("the order ships with TikTok's label: create the package on TikTok first",
                                   operation="fulfillment")
                request = ship_package_request(shipment.package_external_id)
            else:
                provider = shipment.shipping_provider_id or self._provider_for(order, shipment)
                wanted = {ln.external_id for ln in shipment.lines}
                unshipped = [str(li.get("id")) for li in lines if not li.get("package_id")
                             and str(li.get("display_status") or "").upper() != "CANCELLED"]
                line_ids = [i for i in unshipped if i in wanted] if wanted else []
                if wanted and not line_ids:
                    raise Rejected("every line of this package is already shipped on TikTok with another "
                                   "tracking number", operation="fulfillment")
                if not unshipped:
                    raise Rejected("the order is already shipped on TikTok with another tracking number",
                                   operation="fulfillment")
                if set(line_ids) == set(unshipped):
                    line_ids = []  # the whole rest of the order: TikTok ships every unshipped line
                request = mark_shipped_request(order["id"], tracking_number=number, provider_id=provider,
                                               line_ids=line_ids)
            try:
                data = self.call(request).data
            except Ambiguous:
                if attempt == 2:
                    raise
                self.sleep(self.ambiguous_wait)  # let a write still in flight land before looking
                continue  # look at the order again: the first try may have gone through
            warning = (data.get("warning") or {}).get("message", "") if isinstance(data, dict) else ""
            return ShipmentOutcome(reference=str((data or {}).get("package_id") or shipment.package_external_id),
                                   warning=warning)
        raise Ambiguous("the shipment could not be confirmed", operation="fulfillment")

    def _provider_for(self, order: dict, shipment: ShipmentPush) -> str:
        option = str(order.get("delivery_option_id") or "")
        if not option:
            raise Rejected("the order has no delivery option, so its shipping providers are unknown",
                           operation="logistics")
        providers = self.call(shipping_providers_request(option)).data.get("shipping_providers") or []
        provider = match_provider(providers, carrier_code=shipment.carrier_code, carrier_name=shipment.carrier_name)
        if not provider:
            names = ", ".join(sorted(str(p.get("name")) for p in providers)) or "none"
            raise Rejected(f"TikTok offers no shipping provider for carrier "
                           f"{shipment.carrier_name or shipment.carrier_code or '(none)'} (offered: {names})",
                           operation="logistics")
        return provider

    # --- seller cancellations (integrations.tiktok.cancellations) --------------------------------
    supports_cancellation = True

    def push_cancellation(self, cancellation: CancellationPush) -> CancellationOutcome:
        return cancellations.push_seller_cancellation(self, cancellation)

    # --- catalogue, connection -----------------------------------------------------------------
    def list_listings(self):
        token = ""
        while True:
            data = self.call(products_search_request(token)).data
            for product in data.get("products") or []:
                for sku in product.get("skus") or []:
                    quantity = sum(int(i.get("quantity") or 0) for i in sku.get("inventory") or [])
                    price = sku.get("price") if isinstance(sku.get("price"), dict) else {}
                    yield RemoteListing(product_id=str(product.get("id")), variant_id=str(sku.get("id")),
                                        channel_sku=str(sku.get("seller_sku") or ""),
                                        title=str(product.get("title") or ""), quantity=quantity,
                                        price=str(price.get("sale_price") or ""),
                                        currency=str(price.get("currency") or ""),
                                        image_url=main_image_url(product))
            token = str(data.get("next_page_token") or "")
            if not token:
                return

    def test_connection(self) -> str:
        shops = self.call(shops_request()).data.get("shops") or []
        cipher = self.credentials.get("shop_cipher")
        if not cipher:  # find it: the account's shop id, or the only shop the token may use
            candidates = [s for s in shops if not self.account.shop_id or str(s.get("id")) == self.account.shop_id]
            if len(candidates) == 1:
                cipher = str(candidates[0].get("cipher"))
                self.credentials["shop_cipher"] = cipher
                self.credentials_changed = True
        mine = [s for s in shops if str(s.get("cipher")) == cipher]
        if not mine:
            names = ", ".join(f"{s.get('name')} ({s.get('id')})" for s in shops) or "none"
            raise NotConfigured(f"the token works, but no authorised shop has this shop cipher (shops: {names})",
                                operation="authorization.shops")
        warehouses = self.call(warehouses_request()).data.get("warehouses") or []
        default = next((w for w in warehouses if w.get("is_default")), warehouses[0] if warehouses else None)
        if default and not self.credentials.get("warehouse_id"):
            self.credentials["warehouse_id"] = str(default.get("id"))
            self.credentials_changed = True
        shop = mine[0]
        return f"Connected to {shop.get('name')} (shop {shop.get('id')}, {shop.get('region')})."

    # --- webhooks ------------------------------------------------------------------------------
    @classmethod
    def verify_webhook(cls, account, *, headers: Mapping[str, str], body: bytes, url: str) -> WebhookNotice:
        creds = account.credentials or {}
        if not creds.get("app_key") or not creds.get("app_secret"):
            raise WebhookRejected("the account has no app key and secret to verify with")
        if not signing.verify_tiktok_webhook(app_key=creds["app_key"], app_secret=creds["app_secret"], body=body,
                                             authorization=headers.get("authorization")):
            raise WebhookRejected("the Authorization signature does not match")
        payload = webhook_json(body)  # a good signature over a bad body: WebhookMalformed (400)
        if not isinstance(payload, dict) or not payload.get("tts_notification_id"):
            raise WebhookRejected("the notification has no tts_notification_id")
        kind = payload.get("type")
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        notice = WebhookNotice(notification_id=str(payload["tts_notification_id"]),
                               topic=(ORDER_EVENTS.get(kind) or AUTH_EVENTS.get(kind)
                                      or RETURN_EVENTS.get(kind, f"type {kind}")),
                               body=payload)
        if account.shop_id and str(payload.get("shop_id") or "") not in ("", account.shop_id):
            notice.ignore = True  # signed by our app, but for another shop
        elif kind in AUTH_EVENTS:
            pass  # the inbox hands it to its topic's handler (deauthorised, authorisation expiring)
        elif (kind in ORDER_EVENTS or kind in RETURN_EVENTS) and data.get("order_id"):
            notice.order_ids = [str(data["order_id"])]
        else:
            notice.ignore = True
        return notice
