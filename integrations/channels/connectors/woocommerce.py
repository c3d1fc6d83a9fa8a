"""WooCommerce REST API v3 (docs/domain/channels.md#woocommerce).

The account's API base URL is the store's URL (``https://shop.example.com``); the API lives at
``/wp-json/wc/v3`` below it. Auth is HTTP Basic with the consumer key and secret (or, for
hosts that drop the header, ``consumer_key``/``consumer_secret`` query parameters:
``query_string_auth``). Orders are read by ``modified_after`` (GMT) ordered by id ascending,
page by page (``X-WP-TotalPages``): new orders only ever append to the end, so a page number
stays valid while orders arrive. Stock is set with ``products/batch`` and
``products/{id}/variations/batch`` in chunks of at most 100, reading each item's own error.
Tracking goes to the Shipment Tracking extension when the store has it, else into the order's
meta data and a customer note.

Credentials: ``consumer_key``, ``consumer_secret``, ``webhook_secret`` (the secret given when
creating the webhooks); optional ``query_string_auth``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from integrations.channels import signing
from integrations.channels.connectors.base import (
    Ambiguous,
    ApiRequest,
    AuthFailed,
    CancellationOutcome,
    CancellationPush,
    ChannelError,
    Connector,
    Malformed,
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
    utc,
)
from integrations.channels.connectors.errors import webhook_json
from integrations.channels.connectors.refunds import (
    RemoteRefund,
    cancellation_note,
    woo_cancel_request,
    woo_create_refund_request,
    woo_refund,
    woo_refunds_request,
)

API = "/wp-json/wc/v3"
TRACKING_API = "/wp-json/wc-shipment-tracking/v3"
PAGE_SIZE = 100
BATCH_LIMIT = 100
# Shipment Tracking's provider names for our carrier codes.
PROVIDERS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl_express": "DHL", "dhl_ecommerce": "DHL eCommerce",
             "ontrac": "OnTrac", "amazon": "Amazon Logistics", "canada_post": "Canada Post"}


def gmt(value: str | None) -> dt.datetime | None:
    """A WordPress ``*_gmt`` date (no offset, GMT) as an aware datetime."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", ""))
    except ValueError:
        return None
    return utc(parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed)


def wp_gmt(value: dt.datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S")


# --- pure request builders -------------------------------------------------------------------


def orders_request(*, since: dt.datetime, page: int) -> ApiRequest:
    # modified_after is strict (>) at second precision: one second earlier keeps orders that
    # changed within the cursor's own second.
    after = wp_gmt(since - dt.timedelta(seconds=1))
    return ApiRequest("GET", f"{API}/orders", operation="orders.list", params=(
        ("modified_after", after), ("dates_are_gmt", "true"), ("status", "any"), ("orderby", "id"),
        ("order", "asc"), ("per_page", str(PAGE_SIZE)), ("page", str(page))))


def orders_by_id_request(ids: list[str]) -> ApiRequest:
    return ApiRequest("GET", f"{API}/orders", operation="orders.include", params=(
        ("include", ",".join(ids)), ("status", "any"), ("per_page", str(PAGE_SIZE)), ("orderby", "id"),
        ("order", "asc")))


def stock_batch_request(items: list[StockPush], parent_id: str = "") -> ApiRequest:
    if len(items) > BATCH_LIMIT:
        raise ValueError(f"a WooCommerce batch takes at most {BATCH_LIMIT} items")
    update = [{"id": int(item.variant_id if parent_id else item.product_id), "manage_stock": True,
               "stock_quantity": max(0, int(item.quantity))} for item in items]
    path = f"{API}/products/{parent_id}/variations/batch" if parent_id else f"{API}/products/batch"
    return ApiRequest("POST", path, json={"update": update}, operation="products.batch")


def trackings_request(order_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{TRACKING_API}/orders/{order_id}/shipment-trackings", operation="tracking.list",
                      ok_statuses=(404,))


def create_tracking_request(order_id: str, *, number: str, provider: str, shipped: dt.date) -> ApiRequest:
    return ApiRequest("POST", f"{TRACKING_API}/orders/{order_id}/shipment-trackings", operation="tracking.create",
                      idempotent=False, json={"tracking_provider": provider, "tracking_number": number,
                                              "date_shipped": shipped.isoformat()})


def update_order_request(order_id: str, body: dict) -> ApiRequest:
    return ApiRequest("PUT", f"{API}/orders/{order_id}", json=body, operation="orders.update")


def order_note_request(order_id: str, note: str, *, customer_note: bool = True) -> ApiRequest:
    return ApiRequest("POST", f"{API}/orders/{order_id}/notes", json={"note": note, "customer_note": customer_note},
                      operation="orders.note", idempotent=False)


def products_request(page: int) -> ApiRequest:
    return ApiRequest("GET", f"{API}/products", operation="products.list",
                      params=(("per_page", str(PAGE_SIZE)), ("page", str(page)), ("orderby", "id"), ("order", "asc")))


def variations_request(product_id: str, page: int) -> ApiRequest:
    return ApiRequest("GET", f"{API}/products/{product_id}/variations", operation="variations.list",
                      params=(("per_page", str(PAGE_SIZE)), ("page", str(page))))


# --- pure response mapping -------------------------------------------------------------------


def classify(status: int, data: Any) -> Any:
    if status < 300:
        return data
    code = data.get("code") if isinstance(data, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    text = f"{message or 'refused'}" + (f" ({code})" if code else "")
    if status == 401 or (code or "").startswith("woocommerce_rest_authentication"):
        raise AuthFailed(text, status=status, code=code)
    raise Rejected(text, status=status, code=code)


def total_pages(headers: Mapping[str, str]) -> int:
    try:
        return int(headers.get("X-WP-TotalPages") or 0)
    except ValueError:
        raise Malformed("X-WP-TotalPages is not a number") from None


def batch_errors(data: Any) -> dict[str, tuple[str, bool]]:
    """{item id: (error, retryable)} for the failed items of a batch answer (an item whose
    error carries a 5xx status may pass on a retry)."""
    if not isinstance(data, dict) or not isinstance(data.get("update"), list):
        raise Malformed("the batch answer has no update list")
    errors = {}
    for entry in data["update"]:
        if isinstance(entry, dict) and isinstance(entry.get("error"), dict):
            err = entry["error"]
            status = (err.get("data") or {}).get("status") if isinstance(err.get("data"), dict) else None
            retryable = isinstance(status, int) and status >= 500
            errors[str(entry.get("id"))] = (f"{err.get('message') or 'refused'} ({err.get('code')})", retryable)
    return errors


def image_src(obj: dict, parent: dict | None = None) -> str:
    """A listing's picture: a variation's ``image.src``, else its product's first ``images[].src``."""
    image = obj.get("image")
    if isinstance(image, dict) and isinstance(image.get("src"), str) and image["src"]:
        return image["src"]
    for image in obj.get("images") or (parent or {}).get("images") or []:
        if isinstance(image, dict) and isinstance(image.get("src"), str) and image["src"]:
            return image["src"]
    return ""


def max_modified(orders: list[dict]) -> dt.datetime | None:
    times = [t for t in (gmt(o.get("date_modified_gmt")) for o in orders) if t]
    return max(times) if times else None


# --- the connector ---------------------------------------------------------------------------


class WooCommerceConnector(Connector):
    channel = "woocommerce"
    default_base_url = ""
    secret_fields = ("consumer_secret", "webhook_secret")
    required_fields = ("consumer_key", "consumer_secret")
    stock_batch_size = BATCH_LIMIT

    def authorize(self, request):
        self.require("consumer_key", "consumer_secret")
        if not self.base_url:
            raise Rejected("the account has no store URL", operation=request.operation)
        key, secret = self.credentials["consumer_key"], self.credentials["consumer_secret"]
        if self.credentials.get("query_string_auth"):
            return (*request.params, ("consumer_key", key), ("consumer_secret", secret)), {}
        token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
        return request.params, {"Authorization": f"Basic {token}"}

    def check(self, request, response, data):
        return classify(response.status_code, data)

    def describe_error(self, data):
        if isinstance(data, dict) and data.get("message"):
            return f"{data['message']} ({data.get('code')})"
        return super().describe_error(data)

    # --- orders --------------------------------------------------------------------------------
    def iter_order_pages(self, *, since, resume):
        page = int((resume or {}).get("page") or 1)
        while True:
            answer = self.call(orders_request(since=since, page=page))
            orders = answer.data if isinstance(answer.data, list) else None
            if orders is None:
                raise Malformed("the orders answer is not a list", operation="orders.list")
            pages = total_pages(answer.headers)
            more = page < pages
            yield OrderPage(payloads=orders, resume={"page": page + 1} if more else None,
                            max_updated=max_modified(orders))
            if not more:
                return
            page += 1

    def fetch_order_payloads(self, external_ids):
        out = []
        for batch in chunked([i for i in dict.fromkeys(external_ids) if str(i).isdigit()], PAGE_SIZE):
            data = self.call(orders_by_id_request(batch)).data
            out.extend(o for o in data or [] if isinstance(o, dict))
        return out

    # --- stock ---------------------------------------------------------------------------------
    def push_stock(self, items):
        outcomes = []
        groups: OrderedDict[str, list[StockPush]] = OrderedDict()
        for item in items:
            if not str(item.product_id).isdigit() or (item.variant_id and not str(item.variant_id).isdigit()):
                outcomes.append(PushOutcome(item.listing_id, False, "the listing has no WooCommerce product id"))
                continue
            groups.setdefault(item.product_id if item.variant_id else "", []).append(item)
        for parent, group in groups.items():
            for batch in chunked(group, self.stock_batch_size):
                try:
                    errors = batch_errors(self.call(stock_batch_request(batch, parent)).data)
                except ChannelError as exc:
                    self.stop_push_on(exc, outcomes)  # a long wait or refused credentials stop the push
                    outcomes.extend(PushOutcome(i.listing_id, False, str(exc), retryable=exc.retryable) for i in batch)
                    continue
                for item in batch:
                    error, retryable = errors.get(str(item.variant_id if parent else item.product_id), ("", False))
                    outcomes.append(PushOutcome(item.listing_id, not error, error, retryable=retryable))
        return outcomes

    # --- shipments -----------------------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> ShipmentOutcome:
        order_id = shipment.order_external_id
        number = shipment.tracking_number.strip()
        provider = PROVIDERS.get(shipment.carrier_code) or shipment.carrier_name or shipment.carrier_code.upper()
        shipped = (shipment.shipped_at or dt.datetime.now(dt.UTC)).date()
        outcome = None
        for attempt in range(3):
            existing = self.call(trackings_request(order_id))
            if existing.status == 404:  # no Shipment Tracking extension: the order's meta data and a note
                outcome = self._push_core(shipment, provider)
                break
            for entry in existing.data or []:
                if str(entry.get("tracking_number") or "").replace(" ", "") == number.replace(" ", ""):
                    outcome = ShipmentOutcome(reference=str(entry.get("tracking_id") or ""), already=True)
                    break
            if outcome:
                break
            try:
                created = self.call(create_tracking_request(order_id, number=number, provider=provider,
                                                            shipped=shipped)).data
            except Ambiguous:
                if attempt == 2:
                    raise
                self.sleep(self.ambiguous_wait)  # let a write still in flight land before looking
                continue
            outcome = ShipmentOutcome(reference=str((created or {}).get("tracking_id") or ""))
            break
        if outcome is None:
            raise Ambiguous("the tracking upload could not be confirmed", operation="tracking.create")
        if shipment.all_lines_shipped:
            self.call(update_order_request(order_id, {"status": "completed"}))
        return outcome

    def _push_core(self, shipment: ShipmentPush, provider: str) -> ShipmentOutcome:
        order_id = shipment.order_external_id
        order = self.fetch_order_payloads([order_id])
        meta = {m.get("key"): m.get("value") for m in (order[0].get("meta_data") if order else []) or []}
        if str(meta.get("_tracking_number") or "") == shipment.tracking_number:
            return ShipmentOutcome(reference=shipment.tracking_number, already=True)
        body: dict[str, Any] = {"meta_data": [{"key": "_tracking_number", "value": shipment.tracking_number},
                                              {"key": "_tracking_provider", "value": provider}]}
        if shipment.all_lines_shipped:
            body["status"] = "completed"
        self.call(update_order_request(order_id, body))
        try:
            self.call(order_note_request(order_id, f"Shipped with {provider}, tracking number "
                                                   f"{shipment.tracking_number}."))
        except Ambiguous:
            pass  # the note is a courtesy; the tracking number is stored
        return ShipmentOutcome(reference=shipment.tracking_number)

    # --- seller cancellations and refunds (integrations/channels/connectors/refunds.py) ---------
    supports_cancellation = True

    def push_cancellation(self, cancellation: CancellationPush) -> CancellationOutcome:
        """The order's status to "cancelled" (WooCommerce cancels whole orders), the reason in its
        meta data and a private order note; an order already cancelled or refunded is left alone."""
        order_id = cancellation.order_external_id
        found = self.fetch_order_payloads([order_id])
        if not found:
            raise Rejected(f"order {order_id} is not in the store", operation="orders.cancel")
        status = str(found[0].get("status") or "")
        if status in ("cancelled", "refunded", "trash"):
            return CancellationOutcome(reference=order_id, already=True, status=status)
        if status == "completed":
            raise Rejected(f"order {order_id} is completed in the store; refund it instead", operation="orders.cancel")
        self.call(woo_cancel_request(order_id, cancellation.reason))
        try:
            self.call(order_note_request(order_id, cancellation_note(cancellation.reason, cancellation.note),
                                         customer_note=False))
        except ChannelError:
            pass  # the note is a courtesy; the order is cancelled and its meta data carries the reason
        return CancellationOutcome(reference=order_id, status="cancelled")

    def list_refunds(self, order_external_id: str, *, currency: str = "USD") -> list[RemoteRefund]:
        data = self.call(woo_refunds_request(order_external_id)).data
        if not isinstance(data, list):
            raise Malformed("the refunds answer is not a list", operation="refunds.list")
        return [woo_refund(order_external_id, item, currency) for item in data]

    def create_refund(self, order_external_id: str, *, amount, reason: str, api_refund: bool = False,
                      line_items: list[dict] | None = None, known: set[str] | None = None,
                      currency: str = "USD") -> RemoteRefund:
        """Create a refund; after a lost answer, read the order's refunds back and take the new one
        with this amount and reason (``known``: the refund ids SellerHub already had) instead of
        creating a second."""
        request = woo_create_refund_request(order_external_id, amount=amount, reason=reason, api_refund=api_refund,
                                            line_items=line_items)
        try:
            return woo_refund(order_external_id, self.call(request).data, currency)
        except Ambiguous:
            self.sleep(self.ambiguous_wait)
            for refund in self.list_refunds(order_external_id, currency=currency):
                if refund.external_id not in (known or set()) and refund.amount == amount and refund.reason == reason:
                    return refund
            raise

    # --- catalogue, connection -----------------------------------------------------------------
    def list_listings(self):
        page = 1
        while True:
            answer = self.call(products_request(page))
            for product in answer.data or []:
                if product.get("type") == "variable":
                    yield from self._variations(product)
                else:
                    yield RemoteListing(product_id=str(product.get("id")), variant_id="",
                                        channel_sku=str(product.get("sku") or ""), title=str(product.get("name") or ""),
                                        quantity=product.get("stock_quantity"),
                                        price=str(product.get("regular_price") or product.get("price") or ""),
                                        image_url=image_src(product))
            if page >= total_pages(answer.headers):
                return
            page += 1

    def _variations(self, product):
        page = 1
        while True:
            answer = self.call(variations_request(str(product.get("id")), page))
            for variation in answer.data or []:
                options = " / ".join(str(a.get("option")) for a in variation.get("attributes") or [] if a.get("option"))
                title = f"{product.get('name')} - {options}" if options else str(product.get("name") or "")
                yield RemoteListing(product_id=str(product.get("id")), variant_id=str(variation.get("id")),
                                    channel_sku=str(variation.get("sku") or ""), title=title,
                                    quantity=variation.get("stock_quantity"),
                                    price=str(variation.get("regular_price") or variation.get("price") or ""),
                                    image_url=image_src(variation, product))
            if page >= total_pages(answer.headers):
                return
            page += 1

    def test_connection(self) -> str:
        answer = self.call(ApiRequest("GET", f"{API}/orders", params=(("per_page", "1"),), operation="orders.list"))
        return f"Connected to the store at {self.base_url} ({answer.headers.get('X-WP-Total', '?')} orders)."

    # --- webhooks ------------------------------------------------------------------------------
    @classmethod
    def verify_webhook(cls, account, *, headers, body, url):
        creds = account.credentials or {}
        signature = headers.get("x-wc-webhook-signature")
        if signature is None and (headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
            # WooCommerce pings a new webhook with an unsigned form post "webhook_id=<id>" and
            # disables it unless it gets a 200: answer it, but act on nothing.
            fields = parse_qs(body.decode("utf-8", "replace"))
            if list(fields) == ["webhook_id"] and fields["webhook_id"][0].isdigit():
                return WebhookNotice(notification_id="", topic="ping", ignore=True)
        secret = creds.get("webhook_secret")
        if not secret:
            raise WebhookRejected("the account has no webhook secret to verify with")
        if not signing.verify_woocommerce_webhook(secret=secret, body=body, signature=signature):
            raise WebhookRejected("X-WC-Webhook-Signature does not match")
        payload = webhook_json(body)  # a good signature over a bad body: WebhookMalformed (400)
        delivery = headers.get("x-wc-webhook-delivery-id") or hashlib.sha256(body).hexdigest()[:40]
        topic = headers.get("x-wc-webhook-topic") or ""
        notice = WebhookNotice(notification_id=str(delivery), topic=topic, body=payload)
        if topic.startswith("order.") and isinstance(payload, dict) and payload.get("id"):
            notice.order_ids = [str(payload["id"])]
            if topic != "order.deleted" and "line_items" in payload:
                notice.payloads = [payload]
        else:
            notice.ignore = True
        return notice
