"""Square Orders, Catalog and Inventory APIs (docs/domain/channels.md#square).

``Authorization: Bearer`` and ``Square-Version`` on every call. Orders are searched at the
account's location by ``updated_at`` (the sort field must match the date filter), cursor by
cursor, for shipment fulfilments only (counter sales and pickups are not SellerHub's to ship).
Square order lines carry no SKU, only the catalog variation id: listings are keyed by variation
id and the SKU is looked up in the catalog (exact match: Square's ``exact_query`` on ``sku`` is
case-insensitive and may match a prefix). Stock is set with ``inventory/changes/batch-create``
(physical counts, at most 100 per call, an idempotency key derived from the body so a retried
call is applied once). Tracking completes the order's shipment fulfilment, sending the order's
current ``version``.

Credentials: ``access_token``, ``location_id`` (else the account's shop id),
``webhook_signature_key`` and ``webhook_url`` (the notification URL exactly as registered).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from typing import Any

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
    NotConfigured,
    OrderPage,
    PushOutcome,
    Rejected,
    RemoteListing,
    ShipmentOutcome,
    ShipmentPush,
    WebhookNotice,
    WebhookRejected,
    chunked,
    utc,
)
from integrations.channels.connectors.errors import webhook_json
from integrations.channels.connectors.refunds import (
    RemoteRefund,
    square_cancel_request,
    square_refund,
    square_refunds_request,
)

SQUARE_VERSION = "2025-08-20"
PAGE_SIZE = 100
BATCH_LIMIT = 100
ORDER_EVENTS = ("order.created", "order.updated", "order.fulfillment.updated")


class VersionMismatch(Rejected):
    """The order changed since it was read: read it again and resend with the new version."""


def rfc3339(value: dt.datetime) -> str:
    value = utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return utc(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return None


def idempotency_key(*parts: Any) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode())
    return "sellerhub-" + digest.hexdigest()[:40]


# --- pure request builders -------------------------------------------------------------------


def search_orders_request(location_id: str, *, since: dt.datetime, cursor: str = "") -> ApiRequest:
    body: dict[str, Any] = {
        "location_ids": [location_id],
        "limit": PAGE_SIZE,
        "query": {
            "filter": {
                "date_time_filter": {"updated_at": {"start_at": rfc3339(since)}},
                "state_filter": {"states": ["OPEN", "COMPLETED", "CANCELED"]},
                "fulfillment_filter": {"fulfillment_types": ["SHIPMENT"]},
            },
            "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
        },
    }
    if cursor:
        body["cursor"] = cursor
    return ApiRequest("POST", "/v2/orders/search", json=body, operation="orders.search")


def batch_retrieve_orders_request(location_id: str, ids: list[str]) -> ApiRequest:
    return ApiRequest("POST", "/v2/orders/batch-retrieve", json={"location_id": location_id, "order_ids": ids},
                      operation="orders.batch_retrieve")


def physical_counts_request(location_id: str, items: list, *, occurred_at: dt.datetime) -> ApiRequest:
    if len(items) > BATCH_LIMIT:
        raise ValueError(f"Square takes at most {BATCH_LIMIT} changes per call")
    changes = [{"type": "PHYSICAL_COUNT", "physical_count": {
        "catalog_object_id": item.variant_id, "location_id": location_id, "state": "IN_STOCK",
        "quantity": str(max(0, int(item.quantity))), "occurred_at": rfc3339(occurred_at)}} for item in items]
    return ApiRequest("POST", "/v2/inventory/changes/batch-create", operation="inventory.batch_create",
                      json={"idempotency_key": idempotency_key("inventory", changes), "changes": changes})


def get_order_request(order_id: str) -> ApiRequest:
    return ApiRequest("GET", f"/v2/orders/{order_id}", operation="orders.get")


def complete_shipment_request(order: dict, fulfillment_uid: str, *, carrier: str, tracking_number: str) -> ApiRequest:
    patch = {"location_id": order.get("location_id"), "version": order.get("version"), "fulfillments": [{
        "uid": fulfillment_uid, "state": "COMPLETED",
        "shipment_details": {"carrier": carrier, "tracking_number": tracking_number}}]}
    return ApiRequest("PUT", f"/v2/orders/{order.get('id')}", operation="orders.update", json={
        "idempotency_key": idempotency_key("ship", order.get("id"), order.get("version"), tracking_number),
        "order": patch})


def catalog_search_request(*, sku: str = "", cursor: str = "") -> ApiRequest:
    body: dict[str, Any] = {"object_types": ["ITEM_VARIATION"], "include_related_objects": True, "limit": 100}
    if sku:
        body["query"] = {"exact_query": {"attribute_name": "sku", "attribute_value": sku}}
    if cursor:
        body["cursor"] = cursor
    return ApiRequest("POST", "/v2/catalog/search", json=body, operation="catalog.search")


def catalog_retrieve_request(ids: list[str]) -> ApiRequest:
    return ApiRequest("POST", "/v2/catalog/batch-retrieve", json={"object_ids": ids, "include_related_objects": True},
                      operation="catalog.batch_retrieve")


def counts_request(location_id: str, variation_ids: list[str]) -> ApiRequest:
    return ApiRequest("POST", "/v2/inventory/counts/batch-retrieve", operation="inventory.counts",
                      json={"catalog_object_ids": variation_ids, "location_ids": [location_id], "states": ["IN_STOCK"]})


# --- pure response mapping -------------------------------------------------------------------


def in_stock_counts(data: dict) -> dict[str, int]:
    """{variation id: units IN_STOCK} from an inventory counts answer (whole units)."""
    out: dict[str, int] = {}
    for count in (data or {}).get("counts") or []:
        if isinstance(count, dict) and count.get("state", "IN_STOCK") == "IN_STOCK":
            try:
                out[str(count.get("catalog_object_id"))] = int(float(count.get("quantity") or 0))
            except (TypeError, ValueError):
                continue
    return out


def classify(status: int, data: Any) -> Any:
    errors = data.get("errors") if isinstance(data, dict) else None
    if status < 300 and not errors:
        return data if data is not None else {}
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    text = f"{first.get('detail') or 'refused'} ({code or status})"
    if status in (401, 403) or first.get("category") == "AUTHENTICATION_ERROR":
        raise AuthFailed(text, status=status, code=code, expired=code == "ACCESS_TOKEN_EXPIRED")
    if code == "VERSION_MISMATCH":
        raise VersionMismatch(text, status=status, code=code)
    raise Rejected(text, status=status, code=code)


def max_updated(orders: list[dict]) -> dt.datetime | None:
    times = [t for t in (parse_time(o.get("updated_at")) for o in orders) if t]
    return max(times) if times else None


def image_urls(objects) -> dict[str, str]:
    """{IMAGE object id: its ``image_data.url``} among catalog objects."""
    return {str(o.get("id")): str((o.get("image_data") or {}).get("url") or "") for o in objects or []
            if isinstance(o, dict) and o.get("type") == "IMAGE" and not o.get("is_deleted")}


def picture_ids(data: dict) -> dict[str, str]:
    """{variation id: the IMAGE id of its picture}: the variation's first ``image_ids``, else its item's."""
    items = {o.get("id"): o for o in data.get("related_objects") or [] if o.get("type") == "ITEM"}
    out = {}
    for obj in data.get("objects") or []:
        var = (obj.get("item_variation_data") or {}) if obj.get("type") == "ITEM_VARIATION" else {}
        item_data = (items.get(var.get("item_id")) or {}).get("item_data") or {}
        ids = var.get("image_ids") or item_data.get("image_ids") or []
        if isinstance(ids, list) and ids:
            out[str(obj.get("id"))] = str(ids[0])
    return out


def missing_image_ids(data: dict) -> list[str]:
    """Picture ids the answer references but does not carry (related objects go one level deep:
    an item's pictures do not come back with its variations)."""
    have = image_urls([*(data.get("objects") or []), *(data.get("related_objects") or [])])
    return sorted({i for i in picture_ids(data).values() if i not in have})


def listings_from_catalog(data: dict, *, sku: str = "", images: dict[str, str] | None = None) -> list[RemoteListing]:
    items = {o.get("id"): o for o in data.get("related_objects") or [] if o.get("type") == "ITEM"}
    urls = {**image_urls([*(data.get("objects") or []), *(data.get("related_objects") or [])]), **(images or {})}
    pictures = picture_ids(data)
    out = []
    for obj in data.get("objects") or []:
        if obj.get("type") != "ITEM_VARIATION" or obj.get("is_deleted"):
            continue
        var = obj.get("item_variation_data") or {}
        if sku and var.get("sku") != sku:
            continue  # exact_query matched case-insensitively or by prefix: keep the exact SKU only
        item = items.get(var.get("item_id")) or {}
        name = (item.get("item_data") or {}).get("name") or ""
        title = f"{name} - {var.get('name')}" if var.get("name") and var.get("name") != "Regular" else name
        money = var.get("price_money") if isinstance(var.get("price_money"), dict) else {}
        price = f"{money['amount'] / 100:.2f}" if isinstance(money.get("amount"), int) else ""
        out.append(RemoteListing(product_id="", variant_id=str(obj.get("id")), channel_sku=str(var.get("sku") or ""),
                                 title=title or str(var.get("name") or ""), price=price,
                                 currency=str(money.get("currency") or ""),
                                 image_url=urls.get(pictures.get(str(obj.get("id")), ""), "")))
    return out


def shipment_fulfillment(order: dict) -> dict | None:
    for fulfillment in order.get("fulfillments") or []:
        if fulfillment.get("type") == "SHIPMENT":
            return fulfillment
    return None


# --- the connector ---------------------------------------------------------------------------


class SquareConnector(Connector):
    channel = "square"
    default_base_url = "https://connect.squareup.com"
    secret_fields = ("access_token", "webhook_signature_key")
    required_fields = ("access_token",)
    stock_batch_size = BATCH_LIMIT

    @property
    def location_id(self) -> str:
        location = self.credentials.get("location_id") or self.account.shop_id
        if not location:
            raise NotConfigured("the account has no Square location id", operation="location")
        return location

    def authorize(self, request):
        self.require("access_token")
        return request.params, {"Authorization": f"Bearer {self.credentials['access_token']}",
                                "Square-Version": self.credentials.get("square_version") or SQUARE_VERSION}

    def check(self, request, response, data):
        return classify(response.status_code, data)

    def describe_error(self, data):
        errors = data.get("errors") if isinstance(data, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return f"{errors[0].get('detail') or errors[0].get('code')} ({errors[0].get('code')})"
        return super().describe_error(data)

    # --- orders --------------------------------------------------------------------------------
    def iter_order_pages(self, *, since, resume):
        cursor = (resume or {}).get("cursor", "")
        while True:
            data = self.call(search_orders_request(self.location_id, since=since, cursor=cursor)).data
            if not isinstance(data, dict):
                raise Malformed("the search answer is not an object", operation="orders.search")
            orders = [o for o in data.get("orders") or [] if isinstance(o, dict)]
            cursor = str(data.get("cursor") or "")
            yield OrderPage(payloads=orders, resume={"cursor": cursor} if cursor else None,
                            max_updated=max_updated(orders))
            if not cursor:
                return

    def fetch_order_payloads(self, external_ids):
        out = []
        for batch in chunked(list(dict.fromkeys(external_ids)), 100):
            data = self.call(batch_retrieve_orders_request(self.location_id, batch)).data
            out.extend(o for o in data.get("orders") or [] if isinstance(o, dict))
        return out

    # --- stock ---------------------------------------------------------------------------------
    def push_stock(self, items):
        outcomes = []
        ready = []
        for item in items:
            if not item.variant_id:
                outcomes.append(PushOutcome(item.listing_id, False, "the listing has no Square variation id"))
            else:
                ready.append(item)
        location = self.location_id
        for batch in chunked(ready, self.stock_batch_size):
            # occurred_at is fixed before the first attempt, so a retry sends the same body
            # (and the same idempotency key): Square applies it once.
            request = physical_counts_request(location, batch, occurred_at=dt.datetime.now(dt.UTC))
            try:
                self.call(request)
            except ChannelError as exc:
                self.stop_push_on(exc, outcomes)  # a long wait or refused credentials stop the push
                outcomes.extend(PushOutcome(i.listing_id, False, str(exc), retryable=exc.retryable) for i in batch)
                continue
            outcomes.extend(PushOutcome(i.listing_id, True) for i in batch)
        return outcomes

    # --- shipments -----------------------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> ShipmentOutcome:
        number = shipment.tracking_number.strip()
        carrier = shipment.carrier_name or shipment.carrier_code.upper()
        for attempt in range(4):
            order = (self.call(get_order_request(shipment.order_external_id)).data or {}).get("order") or {}
            fulfillment = shipment_fulfillment(order)
            if fulfillment is None:
                raise Rejected("the Square order has no shipment fulfilment", operation="orders.update")
            details = fulfillment.get("shipment_details") or {}
            if fulfillment.get("state") == "COMPLETED" and details.get("tracking_number") == number:
                return ShipmentOutcome(reference=str(fulfillment.get("uid")), already=True)
            if order.get("state") in ("COMPLETED", "CANCELED"):
                raise Rejected(f"the Square order is {order.get('state')} and can no longer be updated",
                               operation="orders.update")
            if fulfillment.get("state") in ("COMPLETED", "CANCELED", "FAILED"):
                raise Rejected(f"the shipment fulfilment is already {fulfillment.get('state')}",
                               operation="orders.update")
            try:
                self.call(complete_shipment_request(order, str(fulfillment.get("uid")), carrier=carrier,
                                                    tracking_number=number))
            except (Ambiguous, VersionMismatch):
                if attempt == 3:
                    raise
                self.sleep(self.ambiguous_wait)
                continue  # the version moved (or the answer was lost): read the order again
            return ShipmentOutcome(reference=str(fulfillment.get("uid")))
        raise Ambiguous("the fulfilment update could not be confirmed", operation="orders.update")

    # --- seller cancellations and refunds (integrations/channels/connectors/refunds.py) ---------
    supports_cancellation = True

    def push_cancellation(self, cancellation: CancellationPush) -> CancellationOutcome:
        """The order's state to CANCELED with its current version (read first; read again when it
        moved or the answer was lost), the reason in its metadata, one idempotency key per version."""
        order_id = cancellation.order_external_id
        for attempt in range(4):
            order = (self.call(get_order_request(order_id)).data or {}).get("order") or {}
            if order.get("state") == "CANCELED":
                return CancellationOutcome(reference=order_id, already=True, status="CANCELED")
            if order.get("state") != "OPEN":
                raise Rejected(f"the Square order is {order.get('state') or 'missing'} and can no longer be "
                               f"cancelled", operation="orders.cancel")
            try:
                self.call(square_cancel_request(order, key=cancellation.idempotency_key or order_id,
                                                reason=cancellation.reason, note=cancellation.note))
            except (Ambiguous, VersionMismatch):
                if attempt == 3:
                    raise
                self.sleep(self.ambiguous_wait)
                continue
            return CancellationOutcome(reference=order_id, status="CANCELED")
        raise Ambiguous("the cancellation could not be confirmed", operation="orders.cancel")

    def list_refunds(self, *, since: dt.datetime) -> list[RemoteRefund]:
        """The location's payment refunds created since ``since`` (every page)."""
        out, cursor = [], ""
        while True:
            data = self.call(square_refunds_request(self.location_id, begin_time=rfc3339(since), cursor=cursor)).data
            if not isinstance(data, dict):
                raise Malformed("the refunds answer is not an object", operation="refunds.list")
            out.extend(square_refund(item) for item in data.get("refunds") or [])
            cursor = str(data.get("cursor") or "")
            if not cursor:
                return out

    # --- catalogue, connection -----------------------------------------------------------------
    def list_listings(self):
        cursor = ""
        while True:
            data = self.call(catalog_search_request(cursor=cursor)).data or {}
            missing, images = missing_image_ids(data), {}
            if missing:  # related objects go one level deep: the items' pictures, by id
                images = image_urls((self.call(catalog_retrieve_request(missing)).data or {}).get("objects"))
            listings = listings_from_catalog(data, images=images)
            if listings:  # Square's catalog has no quantities: read the location's counts for the page
                counts = in_stock_counts(self.call(counts_request(
                    self.location_id, [r.variant_id for r in listings])).data or {})
                listings = [replace(r, quantity=counts.get(r.variant_id, 0)) for r in listings]
            yield from listings
            cursor = str(data.get("cursor") or "")
            if not cursor:
                return

    def lookup_variations(self, variation_ids: list[str]) -> list[RemoteListing]:
        out = []
        for batch in chunked(list(dict.fromkeys(variation_ids)), 100):
            out.extend(listings_from_catalog(self.call(catalog_retrieve_request(batch)).data or {}))
        return out

    def find_by_sku(self, sku: str) -> list[RemoteListing]:
        return listings_from_catalog(self.call(catalog_search_request(sku=sku)).data or {}, sku=sku)

    def test_connection(self) -> str:
        locations = (self.call(ApiRequest("GET", "/v2/locations", operation="locations.list")).data or {}).get(
            "locations") or []
        mine = next((loc for loc in locations if loc.get("id") == self.location_id), None)
        if mine is None:
            ids = ", ".join(str(loc.get("id")) for loc in locations) or "none"
            raise NotConfigured(f"the token works, but location {self.location_id} is not one of its locations "
                                f"({ids})", operation="locations.list")
        return f"Connected to Square location {mine.get('name')} ({mine.get('id')})."

    # --- webhooks ------------------------------------------------------------------------------
    @classmethod
    def verify_webhook(cls, account, *, headers, body, url):
        creds = account.credentials or {}
        key = creds.get("webhook_signature_key")
        if not key:
            raise WebhookRejected("the account has no webhook signature key to verify with")
        notification_url = creds.get("webhook_url") or url
        if not signing.verify_square_webhook(signature_key=key, notification_url=notification_url, body=body,
                                             signature=headers.get("x-square-hmacsha256-signature")):
            raise WebhookRejected("x-square-hmacsha256-signature does not match")
        payload = webhook_json(body)  # a good signature over a bad body: WebhookMalformed (400)
        if not isinstance(payload, dict) or not payload.get("event_id"):
            raise WebhookRejected("the notification has no event_id")
        topic = str(payload.get("type") or "")
        notice = WebhookNotice(notification_id=str(payload["event_id"]), topic=topic, body=payload)
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        if topic in ORDER_EVENTS and data.get("id"):
            notice.order_ids = [str(data["id"])]
        else:
            notice.ignore = True
        return notice
