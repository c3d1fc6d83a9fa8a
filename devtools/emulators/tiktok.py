"""TikTok Shop Open API 202309 (docs/domain/tiktok-shop.md).

Mounted at ``/tiktok`` (stands for ``https://open-api.tiktokglobalshop.com``) and, for the
token endpoints, ``/tiktok-auth`` (stands for ``https://auth.tiktok-shops.com``). Requests
are signed over the API path *without* the ``/tiktok`` prefix, exactly as against the real
host. Every call checks ``app_key``, ``sign``, ``timestamp`` (±5 min of wall time),
``x-tts-access-token`` and, for shop APIs, ``shop_cipher``.

Error codes: gateway codes follow Partner Center's common errors (36009004 invalid or
missing credentials/parameters, 106001 bad signature, 105002 expired token, 36009002 rate
limit, 36009003 internal, 36009009 unknown path). 21011044 (on hold) and 21011049 (72 h
window) are from the docs; the other business codes below are the emulator's own choice
and are returned with HTTP 200, as TikTok does for business errors.

FBT and logistics notifications go to the address registered for their event type (PUT
/event/202309/webhooks): PACKAGE_UPDATE (4) when a package ships or its carrier collects it,
INBOUND_FBT_ORDER_STATUS_CHANGE (21), FBT_INVENTORY_UPDATE (24) and INVENTORY_STATUS_CHANGE (27).
Steering helpers for tests and the demo: ``create_inbound_order``, ``receive_inbound``,
``set_inbound_status``, ``set_fbt_stock``, ``collect_package``, ``inventory_alert``, and
``build_notification`` / ``build_inventory_alert`` (signed, not sent: post them yourself).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from integrations.channels import signing

from . import (
    documents,
    listing_edits,
    product_images,
    tiktok_authorization,
    tiktok_cancellations,
    tiktok_returns,
    tracking,
)
from .base import Service
from .routing import ApiError, BadRequest, Request, Response
from .util import (
    add_business_days_end,
    decode_token,
    encode_token,
    fingerprint,
    is_business_day,
    random_token,
)

STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
SHIPPABLE = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")
FBS, FBT = "FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK"

# Gateway errors (Partner Center common errors).
E_PARAM = 36009004
E_SIGN = 106001
E_TOKEN_EXPIRED = 105002
E_RATE = 36009002
E_INTERNAL = 36009003
E_PATH = 36009009
E_METHOD = 36009010
E_CIPHER = 106013
E_AUTH_CODE = 36004004
# Business errors from docs/domain/tiktok-shop.md.
E_ON_HOLD = 21011044
E_UPDATE_WINDOW = 21011049
# Business errors chosen by the emulator (the docs do not give these codes).
E_ORDER_NOT_FOUND = 21011001
E_ORDER_STATUS = 21011003
E_FBT_ORDER = 21011010
E_LABEL_FLOW = 21011012
E_PROVIDER = 21011013
E_LINE_ITEMS = 21011014
E_PACKAGE_NOT_FOUND = 21011020
E_PACKAGE_SHIPPED = 21011021
E_PICKUP_SLOT = 21011022
E_DOC_TYPE = 21011023
E_PRODUCT_NOT_FOUND = 12019005
E_SKU_NOT_FOUND = 12019006
E_QUANTITY = 12019007
E_WAREHOUSE = 12019008

SHIPPING_PROVIDERS = {
    "7117858858072016686": "USPS",
    "7117859084333745966": "UPS",
    "7129736293356094251": "FedEx",
    "7212608507307099946": "DHL eCommerce",
    "7254084300678530858": "OnTrac",
}
PROVIDER_BY_NAME = {name: pid for pid, name in SHIPPING_PROVIDERS.items()}
WAREHOUSE_ID = "7068517275539719942"
FBT_WAREHOUSE_ID = "7400000000000000001"
DELIVERY_OPTION_ID = "7091146663229654785"
SHIPPING_SERVICE_ID = "7208502187360519982"
DOC_TYPES = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP", "SHIPPING_LABEL_PICTURE")
DOC_TTL = 24 * 3600
TOKEN_TTL = 7 * 24 * 3600
REFRESH_TTL = 365 * 24 * 3600
AUTH_CODE_TTL = 30 * 60
SCOPES = ["seller.order.info", "seller.fulfillment.basic", "seller.product.basic", "seller.logistics"]

ADDRESSES = [
    ("Avery Jones", "2250 Mission St", "San Francisco", "CA", "California", "94110"),
    ("Jordan Lee", "41 Wythe Ave", "Brooklyn", "NY", "New York", "11249"),
    ("Sam Rivera", "1600 Guadalupe St", "Austin", "TX", "Texas", "78701"),
    ("Casey Smith", "800 Boylston St", "Boston", "MA", "Massachusetts", "02199"),
    ("Riley Chen", "400 Broad St", "Seattle", "WA", "Washington", "98109"),
]


class TikTokService(Service):
    name = "tiktok"
    prefix = "/tiktok"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        now = self.now()
        c = self.creds
        self.tz = ZoneInfo(self.hub.config.shop_timezone)
        self._order_seq = itertools.count(576600000000000001)
        self._line_seq = itertools.count(577000000000000001)
        self._package_seq = itertools.count(1152000000000000001)
        self._notification_seq = itertools.count(7380000000000000001)
        self._request_seq = itertools.count(1)
        self.orders: dict[str, dict[str, Any]] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        if getattr(self, "returns_desk", None) is not None:
            self.returns_desk.stop_schedule()
        self.returns_desk = tiktok_returns.ReturnDesk(self)
        self.auth_codes: dict[str, float] = {c.tiktok_auth_code: now + AUTH_CODE_TTL}
        self.access_tokens: dict[str, float] = {c.tiktok_access_token: now + TOKEN_TTL}
        self.refresh_tokens: dict[str, float] = {c.tiktok_refresh_token: now + REFRESH_TTL}
        self.products: dict[str, dict[str, Any]] = {}
        self.skus: dict[str, dict[str, Any]] = {}
        for group in self.catalogue.groups_for("tiktok"):
            ids = self.catalogue.ids(group.items[0].sku)["tiktok"]
            product = {
                "id": ids["product_id"],
                "title": group.name,
                "status": "ACTIVATE",
                "sales_regions": ["US"],
                "create_time": now - 30 * 86400,
                "update_time": now - 30 * 86400,
                "skus": [],
            }
            for item in group.items:
                sku = {
                    "id": self.catalogue.ids(item.sku)["tiktok"]["sku_id"],
                    "seller_sku": item.sku,
                    "price": {"currency": "USD", "sale_price": item.price, "tax_exclusive_price": item.price},
                    "inventory": [{"warehouse_id": WAREHOUSE_ID, "quantity": item.stock}],
                    "sales_attributes": (
                        [{"name": item.option_name, "value_name": item.option}] if item.option else []
                    ),
                }
                product["skus"].append(sku)
                self.skus[sku["id"]] = {"product": product, "sku": sku, "item": item}
            self.products[product["id"]] = product
        self.fbt_goods: dict[str, dict[str, Any]] = {}
        for index, item in enumerate(self.catalogue.items_for("tiktok")):
            goods_id = str(7500000000000000001 + index)
            ids = self.catalogue.ids(item.sku)["tiktok"]
            self.fbt_goods[goods_id] = {
                "goods": {
                    "id": goods_id,
                    "name": f"{item.name} {item.option or ''}".strip(),
                    "reference_code": item.sku,
                    "skus": [{"id": ids["sku_id"], "product_id": ids["product_id"]}],
                },
                "fbt_warehouse_id": FBT_WAREHOUSE_ID,
                "on_hand_detail": {"total": 40, "available": 34, "reserved": 4, "unfulfillable": 2},
            }
        self.inbound_orders: dict[str, dict[str, Any]] = {
            "IBR7500000000000001": {
                "id": "IBR7500000000000001",
                "status": "RECEIVING",
                "fbt_warehouse_id": FBT_WAREHOUSE_ID,
                "planned_goods": [{"goods_id": g, "quantity": 24} for g in list(self.fbt_goods)[:2]],
                "create_time": now - 5 * 86400,
                "update_time": now - 86400,
            }
        }
        self._inbound_seq = itertools.count(7500000000000000002)
        self._batch_seq = itertools.count(1)
        for inbound in self.inbound_orders.values():
            self._complete_inbound_shape(inbound)
        tiktok_cancellations.attach(self)

    def summary(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for order in self.orders.values():
            statuses[order["status"]] = statuses.get(order["status"], 0) + 1
        return {
            "orders": len(self.orders),
            "by_status": statuses,
            "packages": len(self.packages),
            "products": len(self.products),
            "webhooks": sorted(self.webhooks),
        }

    # --- envelope and errors -------------------------------------------------------------
    def request_id(self) -> str:
        return f"{self.now():010d}{next(self._request_seq):010d}EMU"

    def ok(self, data: Any) -> Response:
        return Response.json({"code": 0, "message": "Success", "request_id": self.request_id(), "data": data})

    def error(self, status: int, message: str, code: int = E_PARAM, **extra: Any) -> Response:
        return Response.json(
            {"code": code, "message": message, "request_id": self.request_id(), "data": extra or {}},
            status=status,
        )

    def business_error(self, code: int, message: str, **data: Any) -> ApiError:
        return ApiError(self.error(200, message, code=code, **data))

    def rate_limited_response(self) -> Response:
        return self.error(429, "Too many requests. Please retry later.", code=E_RATE)

    def server_error_response(self) -> Response:
        return self.error(500, "Internal error. Please retry later.", code=E_INTERNAL)

    def not_found_response(self, req: Request) -> Response:
        return self.error(404, f"Invalid path. {req.path} does not match any API.", code=E_PATH)

    def method_not_allowed_response(self, req: Request, allowed: list[str]) -> Response:
        return self.error(405, f"Method {req.method} is not supported for {req.path}.", code=E_METHOD)

    def bad_request_response(self, message: str) -> Response:
        return self.error(400, f"Invalid request parameters. {message}", code=E_PARAM)

    def finalize(self, req: Request, resp: Response) -> Response:
        resp.headers.setdefault("x-tt-logid", self.request_id())
        return resp

    # --- auth ----------------------------------------------------------------------------
    def authenticate(self, req: Request) -> None:
        c = self.creds
        if req.arg("app_key") != c.tiktok_app_key:
            raise ApiError(self.error(400, "Invalid credentials. Invalid `app_key` query parameter."))
        if not req.arg("sign"):
            raise ApiError(
                self.error(
                    400,
                    "Missing credentials. The request does not include a required signature in the query.",
                )
            )
        ts = req.arg("timestamp") or ""
        if not ts.lstrip("-").isdigit():
            raise ApiError(self.error(400, "Invalid timestamp. The `timestamp` query parameter is required."))
        if int(ts) < 0:
            raise ApiError(
                self.error(
                    400, "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0."
                )
            )
        if self.hub.config.tiktok_check_timestamp:
            skew = int(ts) - time.time()
            if skew < -300:
                raise ApiError(
                    self.error(
                        400,
                        "Invalid timestamp. The value of the `timestamp` query parameter must not be "
                        "earlier than 5 minutes before the current time.",
                    )
                )
            if skew > 300:
                raise ApiError(
                    self.error(
                        400,
                        "Invalid timestamp. The value of the `timestamp` query parameter must not be "
                        "later than 5 minutes after the current time.",
                    )
                )
        if not signing.verify_tiktok_request(
            app_secret=c.tiktok_app_secret,
            path=req.path,
            query=req.query,
            body=req.body,
            content_type=req.header("content-type"),
        ):
            raise ApiError(self.error(401, "Invalid credentials. The signature is invalid.", code=E_SIGN))
        token = req.header("x-tts-access-token")
        expires = self.access_tokens.get(token or "")
        if expires is None:
            raise ApiError(self.error(401, "Invalid credentials. The `x-tts-access-token` header is invalid."))
        if expires <= self.clock.now():
            raise ApiError(self.error(401, "Expired credentials. The access token has expired.", code=E_TOKEN_EXPIRED))
        cipher = req.arg("shop_cipher")
        if req.path.startswith("/authorization/"):
            if cipher:
                raise ApiError(
                    self.error(
                        400,
                        "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.",
                    )
                )
        elif not cipher:
            raise ApiError(
                self.error(400, "Invalid shop_cipher. The `shop_cipher` query parameter is required.", code=E_CIPHER)
            )
        elif cipher != c.tiktok_shop_cipher:
            raise ApiError(
                self.error(400, "Invalid shop_cipher. The shop is not authorized for this token.", code=E_CIPHER)
            )

    # --- token store (used by TikTokAuthService) ------------------------------------------
    def issue_auth_code(self) -> str:
        """A fresh one-use authorization code (valid 30 minutes)."""
        code = "TTP_" + random_token(self.rng, 32)
        self.auth_codes[code] = self.clock.now() + AUTH_CODE_TTL
        return code

    def issue_tokens(self) -> dict[str, Any]:
        now = self.clock.now()
        access = "TTP_" + random_token(self.rng, 40)
        refresh = "TTP_" + random_token(self.rng, 40)
        self.access_tokens[access] = now + TOKEN_TTL
        self.refresh_tokens[refresh] = now + REFRESH_TTL
        c = self.creds
        return {
            "access_token": access,
            "access_token_expire_in": int(now + TOKEN_TTL),
            "refresh_token": refresh,
            "refresh_token_expire_in": int(now + REFRESH_TTL),
            "open_id": c.tiktok_open_id,
            "seller_name": c.tiktok_seller_name,
            "seller_base_region": c.tiktok_shop_region,
            "user_type": 0,
            "granted_scopes": list(SCOPES),
        }

    def expire_access_tokens(self) -> None:
        """Make every access token expired now (tests of the refresh path)."""
        now = self.clock.now()
        for token in self.access_tokens:
            self.access_tokens[token] = now - 1

    # --- routes --------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("GET", "/authorization/202309/shops", self.get_shops)
        r("POST", "/order/202309/orders/search", self.search_orders)
        r("GET", "/order/202309/orders", self.get_orders)
        r("GET", "/logistics/202309/warehouses", self.get_warehouses)
        r("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options", self.get_delivery_options)
        r(
            "GET",
            "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers",
            self.get_shipping_providers,
        )
        r("POST", "/fulfillment/202309/orders/{order_id}/packages", self.mark_shipped)
        r("POST", "/fulfillment/202309/orders/{order_id}/shipping_info/update", self.update_shipping_info)
        r("POST", "/fulfillment/202309/orders/{order_id}/shipping_services/query", self.query_shipping_services)
        r("GET", "/fulfillment/202309/orders/{order_id}/tracking", self.get_tracking)
        r("POST", "/fulfillment/202309/packages", self.create_package)
        r("POST", "/fulfillment/202309/packages/ship", self.batch_ship_packages)
        r("GET", "/fulfillment/202309/packages/{package_id}", self.get_package)
        r("POST", "/fulfillment/202309/packages/{package_id}/ship", self.ship_package)
        r("GET", "/fulfillment/202309/packages/{package_id}/handover_time_slots", self.handover_time_slots)
        r("GET", "/fulfillment/202309/packages/{package_id}/shipping_documents", self.shipping_documents)
        r("POST", "/product/202309/products/search", self.search_products)
        r("GET", "/product/202309/products/{product_id}", self.get_product)
        product_images.register(self)  # the product pictures' CDN
        r("POST", "/product/202309/products/{product_id}/inventory/update", self.update_inventory)
        r("POST", "/product/202309/inventory/search", self.search_inventory)
        r("GET", "/event/202309/webhooks", self.get_webhooks)
        r("PUT", "/event/202309/webhooks", self.put_webhook)
        r("DELETE", "/event/202309/webhooks", self.delete_webhook)
        r("GET", "/fbt/202408/warehouses", self.fbt_warehouses)
        r("POST", "/fbt/202408/inventory/search", self.fbt_inventory)
        r("POST", "/fbt/202409/goods/search", self.fbt_goods_search)
        r("GET", "/fbt/202409/inbound_orders", self.fbt_inbound_orders)
        r("GET", "/_files/{token}", self.download_document, auth=False, faultable=False)
        tiktok_cancellations.register_routes(self)
        tiktok_returns.register_routes(self)
        tiktok_authorization.register_routes(self)  # types 6 and 7, sent on request
        listing_edits.register_tiktok(self)  # title and price edits

    # --- authorization -------------------------------------------------------------------
    def get_shops(self, req: Request) -> Response:
        c = self.creds
        return self.ok(
            {
                "shops": [
                    {
                        "id": c.tiktok_shop_id,
                        "name": c.tiktok_shop_name,
                        "region": c.tiktok_shop_region,
                        "seller_type": "LOCAL",
                        "cipher": c.tiktok_shop_cipher,
                        "code": "USLCEMU001",
                    }
                ]
            }
        )

    # --- orders --------------------------------------------------------------------------
    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise self.business_error(E_ORDER_NOT_FOUND, f"Order {order_id} does not exist.")
        return order

    def search_orders(self, req: Request) -> Response:
        page_size = req.int_arg("page_size")
        if page_size is None or not 1 <= page_size <= 100:
            raise BadRequest("page_size is required and must be between 1 and 100.")
        sort_field = req.arg("sort_field", "create_time")
        if sort_field not in ("create_time", "update_time"):
            raise BadRequest("sort_field must be create_time or update_time.")
        sort_order = (req.arg("sort_order") or "DESC").upper()
        if sort_order not in ("ASC", "DESC"):
            raise BadRequest("sort_order must be ASC or DESC.")
        body = req.json_object()
        known = {
            "order_status",
            "create_time_ge",
            "create_time_lt",
            "update_time_ge",
            "update_time_lt",
            "shipping_type",
            "is_buyer_request_cancel",
            "buyer_user_id",
            "warehouse_ids",
        }
        unknown = set(body) - known
        if unknown:
            raise BadRequest(f"Unknown body field(s): {', '.join(sorted(unknown))}.")
        status = body.get("order_status")
        if status is not None and status not in STATUSES:
            raise BadRequest(f"order_status must be one of {', '.join(STATUSES)}.")
        bounds = {}
        for key in ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt"):
            if key in body:
                if isinstance(body[key], bool) or not isinstance(body[key], int):
                    raise BadRequest(f"{key} must be a Unix timestamp in seconds.")
                bounds[key] = body[key]

        def matches(o: dict[str, Any]) -> bool:
            if status and o["status"] != status:
                return False
            for key, value in bounds.items():
                field, op = key.rsplit("_", 1)
                if op == "ge" and not o[field] >= value:
                    return False
                if op == "lt" and not o[field] < value:
                    return False
            if body.get("shipping_type") and o["shipping_type"] != body["shipping_type"]:
                return False
            if "is_buyer_request_cancel" in body and o["is_buyer_request_cancel"] != bool(
                body["is_buyer_request_cancel"]
            ):
                return False
            if body.get("buyer_user_id") and o["user_id"] != body["buyer_user_id"]:
                return False
            if body.get("warehouse_ids") and o["warehouse_id"] not in body["warehouse_ids"]:
                return False
            return True

        sign = 1 if sort_order == "ASC" else -1

        def key(o: dict[str, Any]) -> list[int]:
            return [sign * o[sort_field], sign * int(o["id"])]

        matching = sorted((o for o in self.orders.values() if matches(o)), key=key)
        query_fp = fingerprint([body, sort_field, sort_order])
        after = None
        token = req.arg("page_token")
        if token:
            try:
                data = decode_token(token)
            except ValueError:
                raise BadRequest("page_token is invalid.") from None
            if data.get("q") != query_fp:
                raise BadRequest("page_token does not belong to this query.")
            after = data.get("k")
        page = [o for o in matching if after is None or key(o) > after][:page_size]
        remaining = [o for o in matching if after is None or key(o) > after]
        next_token = ""
        if len(remaining) > page_size:
            next_token = encode_token({"q": query_fp, "k": key(page[-1])})
        return self.ok({"orders": page, "next_page_token": next_token, "total_count": len(matching)})

    def get_orders(self, req: Request) -> Response:
        raw = req.arg("ids") or ""
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if not ids:
            raise BadRequest("ids is required.")
        if len(ids) > 50:
            raise BadRequest("ids must not contain more than 50 order IDs.")
        return self.ok({"orders": [self.orders[i] for i in ids if i in self.orders]})

    # --- order generation and lifecycle ----------------------------------------------------
    def _pick_lines(self, skus: Any) -> list[tuple[Any, int]]:
        items = self.catalogue.items_for("tiktok")
        if skus:
            pairs = skus.items() if isinstance(skus, dict) else [(s, 1) for s in skus]
            return [(self.catalogue.item(s), int(q)) for s, q in pairs]
        chosen = self.rng.sample(items, k=min(len(items), self.rng.choice((1, 1, 2))))
        return [(item, self.rng.choice((1, 1, 2))) for item in chosen]

    def generate_order(
        self,
        *,
        skus: Any = None,
        status: str = "AWAITING_SHIPMENT",
        fulfillment_type: str = FBS,
        shipping_type: str | None = None,
        is_sample_order: bool = False,
        order_type: str = "NORMAL",
        at: float | None = None,
        mix: bool = False,
    ) -> str:
        """A new order as TikTok returns it. ``status`` may be any 202309 status: shipped
        states get a package and tracking, later ones their timestamps."""
        rng = self.rng
        if mix:
            roll = rng.random()
            if roll < 0.10:
                fulfillment_type = FBT
            elif roll < 0.30:
                shipping_type = "TIKTOK"
            is_sample_order = rng.random() < 0.02
            roll = rng.random()
            status = "ON_HOLD" if roll < 0.05 else "UNPAID" if roll < 0.08 else status
        if status not in STATUSES:
            raise ValueError(f"unknown TikTok status {status!r}")
        if fulfillment_type not in (FBS, FBT):
            raise ValueError("fulfillment_type must be FULFILLMENT_BY_SELLER or FULFILLMENT_BY_TIKTOK")
        if shipping_type is None:
            shipping_type = "TIKTOK" if fulfillment_type == FBT else "SELLER"
        now = int(at if at is not None else self.clock.now())
        created = now - 60
        paid = 0 if status == "UNPAID" else now - 30
        order_id = str(next(self._order_seq))
        lines = []
        subtotal = 0
        picked = self._pick_lines(skus)
        if status == "PARTIALLY_SHIPPING" and sum(q for _, q in picked) < 2:
            picked = [(picked[0][0], 2)]
        for item, qty in picked:
            ids = self.catalogue.ids(item.sku)["tiktok"]
            for _ in range(qty):
                subtotal += item.price_cents
                lines.append(
                    {
                        "id": str(next(self._line_seq)),
                        "sku_id": ids["sku_id"],
                        "product_id": ids["product_id"],
                        "product_name": item.name,
                        "sku_name": item.option or "Default",
                        "seller_sku": item.sku,
                        "sku_image": f"https://p16-oec-va.ibyteimg.com/emu/{item.sku}.jpeg",
                        "sku_type": "NORMAL",
                        "original_price": item.price,
                        "sale_price": item.price,
                        "platform_discount": "0",
                        "seller_discount": "0",
                        "currency": "USD",
                        "display_status": status,
                        "package_status": "TO_FULFILL",
                        "package_id": "",
                        "tracking_number": "",
                        "shipping_provider_id": "",
                        "shipping_provider_name": "",
                        "is_gift": False,
                        "cancel_user": "",
                        "cancel_reason": "",
                    }
                )
        name, street, city, state_code, state_name, zip_code = rng.choice(ADDRESSES)
        first, last = name.split(" ", 1)
        shipping_fee = 0 if subtotal >= 3500 else 599
        address = {
            "name": name,
            "first_name": first,
            "last_name": last,
            "phone_number": "(+1)213*****50",
            "address_line1": street,
            "address_line2": "",
            "address_line3": "",
            "address_line4": "",
            "address_detail": street,
            "full_address": f"{street}, {city}, {state_name}, {zip_code}, United States",
            "postal_code": zip_code,
            "region_code": "US",
            "district_info": [
                {"address_level": "L0", "address_level_name": "Country", "address_name": "United States"},
                {"address_level": "L1", "address_level_name": "State", "address_name": state_name},
                {"address_level": "L3", "address_level_name": "City", "address_name": city},
            ],
        }
        money = lambda cents: f"{cents / 100:.2f}"  # noqa: E731
        order: dict[str, Any] = {
            "id": order_id,
            "status": "AWAITING_SHIPMENT" if status not in ("UNPAID", "ON_HOLD") else status,
            "create_time": created,
            "update_time": now,
            "user_id": str(7494000000000000000 + rng.randrange(10**6)),
            "buyer_email": f"v2{random_token(rng, 12)}@scs.tiktokw.us",
            "buyer_message": "",
            "seller_note": "",
            "recipient_address": {} if status == "ON_HOLD" else address,
            "payment": {
                "currency": "USD",
                "sub_total": money(subtotal),
                "shipping_fee": money(shipping_fee),
                "seller_discount": "0",
                "platform_discount": "0",
                "original_total_product_price": money(subtotal),
                "original_shipping_fee": money(shipping_fee),
                "tax": "0",
                "total_amount": money(subtotal + shipping_fee),
            },
            "payment_method_name": "Card",
            "packages": [],
            "line_items": lines,
            "fulfillment_type": fulfillment_type,
            "shipping_type": shipping_type,
            "delivery_type": "HOME_DELIVERY",
            "delivery_option_id": DELIVERY_OPTION_ID,
            "delivery_option_name": "Standard shipping",
            "warehouse_id": FBT_WAREHOUSE_ID if fulfillment_type == FBT else WAREHOUSE_ID,
            "tracking_number": "",
            "shipping_provider": "",
            "shipping_provider_id": "",
            "is_sample_order": bool(is_sample_order),
            "is_on_hold_order": status == "ON_HOLD",
            "is_buyer_request_cancel": False,
            "is_cod": False,
            "is_replacement_order": False,
            "order_type": order_type,
            "fast_delivery_program": "",
            "split_or_combine_tag": "",
            "has_updated_recipient_address": False,
        }
        if paid:
            order["paid_time"] = paid
            self._set_slas(order, paid)
        self.orders[order_id] = order
        target = status
        if target in ("AWAITING_COLLECTION", "PARTIALLY_SHIPPING", "IN_TRANSIT", "DELIVERED", "COMPLETED"):
            items = order["line_items"]
            ship_lines = items[: max(1, len(items) // 2)] if target == "PARTIALLY_SHIPPING" else items
            self.ship(order_id, line_item_ids=[li["id"] for li in ship_lines], at=now)
            if target in ("IN_TRANSIT", "DELIVERED", "COMPLETED"):
                self.collect(order_id, at=now)
            if target in ("DELIVERED", "COMPLETED"):
                self.deliver(order_id, at=now)
            if target == "COMPLETED":
                self.complete(order_id, at=now)
        elif target == "CANCELLED":
            self.cancel(order_id, initiator="BUYER", reason="No longer needed", at=now)
        else:
            self._notify(order)
        return order_id

    def _set_slas(self, order: dict[str, Any], paid: int) -> None:
        tz = self.tz
        order["rts_sla_time"] = add_business_days_end(paid, 2, tz)
        order["tts_sla_time"] = add_business_days_end(paid, 3, tz)
        order["shipping_due_time"] = add_business_days_end(paid, 7, tz)
        order["cancel_order_sla_time"] = order["shipping_due_time"]
        order["collection_due_time"] = add_business_days_end(paid, 9, tz)
        order["delivery_sla_time"] = add_business_days_end(paid, 6, tz)
        order["delivery_due_time"] = add_business_days_end(paid, 20, tz)

    def _touch(self, order: dict[str, Any], at: float | None, status: str | None = None) -> int:
        ts = int(at if at is not None else self.clock.now())
        order["update_time"] = max(order["update_time"], ts)
        if status:
            order["status"] = status
            for line in order["line_items"]:
                if line["display_status"] != "CANCELLED":
                    line["display_status"] = status
        return ts

    def _notify(self, order: dict[str, Any]) -> None:
        hook = self.webhooks.get("ORDER_STATUS_CHANGE")
        if hook:
            headers, body = self.build_webhook(order["id"])
            self.hub.webhooks.emit(self.name, "ORDER_STATUS_CHANGE", hook["address"], headers, body)

    def build_webhook(self, order_id: str, type_: int = 1) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed ORDER_STATUS_CHANGE notification for ``order_id``
        (post them to a webhook view in tests)."""
        order = self._order(order_id)
        payload = {
            "type": type_,
            "tts_notification_id": str(next(self._notification_seq)),
            "shop_id": self.creds.tiktok_shop_id,
            "timestamp": self.now(),
            "data": {
                "order_id": order["id"],
                "order_status": order["status"],
                "is_on_hold_order": order["is_on_hold_order"],
                "update_time": order["update_time"],
            },
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        sig = signing.tiktok_webhook_signature(
            app_key=self.creds.tiktok_app_key, app_secret=self.creds.tiktok_app_secret, body=body
        )
        return {"Authorization": sig, "Content-Type": "application/json"}, body

    def pay(self, order_id: str, *, at: float | None = None, hold: bool = False) -> None:
        order = self._order(order_id)
        ts = self._touch(order, at, "ON_HOLD" if hold else "AWAITING_SHIPMENT")
        order["paid_time"] = ts
        order["is_on_hold_order"] = hold
        self._set_slas(order, ts)
        self._notify(order)

    def release_hold(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        self._touch(order, at, "AWAITING_SHIPMENT")
        order["is_on_hold_order"] = False
        if not order["recipient_address"]:
            name, street, city, _, state_name, zip_code = ADDRESSES[int(order_id) % len(ADDRESSES)]
            order["recipient_address"] = {
                "name": name,
                "phone_number": "(+1)213*****50",
                "address_line1": street,
                "address_line2": "",
                "full_address": f"{street}, {city}, {state_name}, {zip_code}, United States",
                "postal_code": zip_code,
                "region_code": "US",
            }
        self._notify(order)

    def request_cancel(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        self._touch(order, at)
        order["is_buyer_request_cancel"] = True
        self._notify(order)

    def ship(
        self,
        order_id: str,
        *,
        tracking_number: str | None = None,
        provider_id: str | None = None,
        line_item_ids: list[str] | None = None,
        at: float | None = None,
    ) -> str:
        """Ship lines of an order as the seller would (no record kept); returns the package id."""
        order = self._order(order_id)
        provider_id = provider_id or PROVIDER_BY_NAME["USPS"]
        tracking_number = tracking_number or tracking.generate(SHIPPING_PROVIDERS[provider_id], self.rng)
        lines = [li for li in order["line_items"] if not li["package_id"]]
        if line_item_ids is not None:
            lines = [li for li in lines if li["id"] in set(line_item_ids)]
        return self._create_shipped_package(order, lines, tracking_number, provider_id, at)

    def _create_shipped_package(
        self,
        order: dict[str, Any],
        lines: list[dict[str, Any]],
        tracking_number: str,
        provider_id: str,
        at: float | None,
        package_id: str | None = None,
    ) -> str:
        ts = int(at if at is not None else self.clock.now())
        package_id = package_id or str(next(self._package_seq))
        provider_name = SHIPPING_PROVIDERS.get(provider_id, "")
        for line in lines:
            line.update(
                package_id=package_id,
                tracking_number=tracking_number,
                shipping_provider_id=provider_id,
                shipping_provider_name=provider_name,
                package_status="PROCESSING",
                rts_time=ts,
            )
        package = self.packages.setdefault(
            package_id,
            {"id": package_id, "order_id": order["id"], "create_time": ts, "handover_method": "DROP_OFF"},
        )
        package.update(
            line_item_ids=[li["id"] for li in order["line_items"] if li["package_id"] == package_id],
            tracking_number=tracking_number,
            shipping_provider_id=provider_id,
            status="PROCESSING",
            shipped=True,
            update_time=ts,
        )
        if {"id": package_id} not in order["packages"]:
            order["packages"].append({"id": package_id})
        order["tracking_number"] = tracking_number
        order["shipping_provider"] = provider_name
        order["shipping_provider_id"] = provider_id
        order.setdefault("rts_time", ts)
        order["is_buyer_request_cancel"] = False  # shipping auto-rejects a pending buyer cancel
        self.cancellation_desk.reject_on_ship(order["id"], at=ts)
        unshipped = [li for li in order["line_items"] if not li["package_id"]]
        self._touch(order, ts, "PARTIALLY_SHIPPING" if unshipped else "AWAITING_COLLECTION")
        for line in order["line_items"]:
            if line["package_id"]:
                line["display_status"] = "AWAITING_COLLECTION"
        self._notify(order)
        return package_id

    def collect(self, order_id: str, *, at: float | None = None) -> None:
        """The carrier's first scan: IN_TRANSIT and ``collection_time``."""
        order = self._order(order_id)
        ts = self._touch(order, at, "IN_TRANSIT")
        order.setdefault("collection_time", ts)
        self._set_package_status(order, "FULFILLING")
        self._notify(order)

    def deliver(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        ts = self._touch(order, at, "DELIVERED")
        order.setdefault("delivery_time", ts)
        self._set_package_status(order, "COMPLETED")
        self._notify(order)

    def complete(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        self._touch(order, at, "COMPLETED")
        self._notify(order)

    def cancel(self, order_id: str, *, initiator: str = "BUYER", reason: str = "", at: float | None = None) -> None:
        if initiator not in ("SELLER", "BUYER", "SYSTEM"):
            raise ValueError("initiator must be SELLER, BUYER or SYSTEM")
        order = self._order(order_id)
        ts = self._touch(order, at, "CANCELLED")
        order["cancel_time"] = ts
        order["cancellation_initiator"] = initiator
        order["cancel_reason"] = reason
        for line in order["line_items"]:
            line.update(cancel_user=initiator, cancel_reason=reason, package_status="CANCELLED")
        self._notify(order)

    def _set_package_status(self, order: dict[str, Any], status: str) -> None:
        for line in order["line_items"]:
            if line["package_id"]:
                line["package_status"] = status
                self.packages[line["package_id"]]["status"] = status
        self._notify_packages(order, {li["package_id"] for li in order["line_items"] if li["package_id"]})

    # --- logistics -----------------------------------------------------------------------
    def get_warehouses(self, req: Request) -> Response:
        return self.ok(
            {
                "warehouses": [
                    {
                        "id": WAREHOUSE_ID,
                        "name": "Main warehouse",
                        "effect_status": "ENABLED",
                        "type": "SALES_WAREHOUSE",
                        "sub_type": "DOMESTIC_WAREHOUSE",
                        "is_default": True,
                        "address": {
                            "region": "United States",
                            "state": "California",
                            "city": "Los Angeles",
                            "address_line1": "1200 S Figueroa St",
                            "postal_code": "90015",
                            "region_code": "US",
                        },
                    }
                ]
            }
        )

    def get_delivery_options(self, req: Request) -> Response:
        if req.params["warehouse_id"] != WAREHOUSE_ID:
            raise self.business_error(E_WAREHOUSE, "Warehouse does not exist.")
        return self.ok(
            {
                "delivery_options": [
                    {
                        "id": DELIVERY_OPTION_ID,
                        "name": "Standard shipping",
                        "type": "STANDARD",
                        "description": "Seller ships with their own carrier",
                    }
                ]
            }
        )

    def get_shipping_providers(self, req: Request) -> Response:
        if req.params["delivery_option_id"] != DELIVERY_OPTION_ID:
            raise self.business_error(E_PROVIDER, "Delivery option does not exist.")
        return self.ok({"shipping_providers": [{"id": pid, "name": name} for pid, name in SHIPPING_PROVIDERS.items()]})

    # --- fulfilment: seller shipping -------------------------------------------------------
    def _check_shippable(self, order: dict[str, Any], *, tiktok_label: bool) -> None:
        if order["status"] == "ON_HOLD":
            raise self.business_error(E_ON_HOLD, "The order is on hold and cannot be shipped yet.")
        if order["status"] not in SHIPPABLE:
            raise self.business_error(
                E_ORDER_STATUS, f"The order status {order['status']} does not allow this operation."
            )
        if order["fulfillment_type"] == FBT:
            raise self.business_error(E_FBT_ORDER, "Orders fulfilled by TikTok cannot be shipped by the seller.")
        if tiktok_label and order["shipping_type"] != "TIKTOK":
            raise self.business_error(E_LABEL_FLOW, "This order ships with the seller's own label.")
        if not tiktok_label and order["shipping_type"] == "TIKTOK":
            raise self.business_error(
                E_LABEL_FLOW, "This order ships with a TikTok label: create a package and ship it."
            )

    @staticmethod
    def _required_str(body: dict[str, Any], key: str) -> str:
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"{key} is required.")
        return value.strip()

    def mark_shipped(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        tracking_number = self._required_str(body, "tracking_number")
        provider_id = self._required_str(body, "shipping_provider_id")
        self._check_shippable(order, tiktok_label=False)
        if provider_id not in SHIPPING_PROVIDERS:
            raise self.business_error(E_PROVIDER, "The shipping provider is invalid.")
        unshipped = {li["id"]: li for li in order["line_items"] if not li["package_id"]}
        wanted = body.get("order_line_item_ids")
        if wanted:
            if not isinstance(wanted, list) or any(i not in unshipped for i in wanted):
                raise self.business_error(
                    E_LINE_ITEMS, "order_line_item_ids contains items that do not exist or are already shipped."
                )
            lines = [unshipped[i] for i in wanted]
        else:
            lines = list(unshipped.values())
        if not lines:
            raise self.business_error(E_LINE_ITEMS, "Every line item of this order is already shipped.")
        package_id = self._create_shipped_package(order, lines, tracking_number, provider_id, None)
        self.record(
            "tracking_upload",
            via="mark_package_as_shipped",
            order_id=order["id"],
            package_id=package_id,
            tracking_number=tracking_number,
            shipping_provider_id=provider_id,
            shipping_provider_name=SHIPPING_PROVIDERS[provider_id],
            line_item_ids=[li["id"] for li in lines],
        )
        data: dict[str, Any] = {
            "order_id": order["id"],
            "order_line_item_ids": [li["id"] for li in lines],
            "package_id": package_id,
        }
        carrier = tracking.detect(tracking_number)
        if carrier and carrier != SHIPPING_PROVIDERS[provider_id]:
            data["warning"] = {
                "message": f"The tracking number looks like {carrier}, not {SHIPPING_PROVIDERS[provider_id]}."
            }
        return self.ok(data)

    def update_shipping_info(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        tracking_number = self._required_str(body, "tracking_number")
        provider_id = self._required_str(body, "shipping_provider_id")
        if provider_id not in SHIPPING_PROVIDERS:
            raise self.business_error(E_PROVIDER, "The shipping provider is invalid.")
        if not order["packages"] or "rts_time" not in order:
            raise self.business_error(E_ORDER_STATUS, "The order has not been shipped yet.")
        if self.clock.now() - order["rts_time"] > 72 * 3600:
            raise self.business_error(
                E_UPDATE_WINDOW, "Shipping information can only be updated within 72 hours of shipping."
            )
        package_id = order["packages"][-1]["id"]
        for line in order["line_items"]:
            if line["package_id"] == package_id:
                line.update(
                    tracking_number=tracking_number,
                    shipping_provider_id=provider_id,
                    shipping_provider_name=SHIPPING_PROVIDERS[provider_id],
                )
        self.packages[package_id].update(tracking_number=tracking_number, shipping_provider_id=provider_id)
        order["tracking_number"] = tracking_number
        order["shipping_provider_id"] = provider_id
        order["shipping_provider"] = SHIPPING_PROVIDERS[provider_id]
        self._touch(order, None)
        self.record(
            "tracking_update",
            order_id=order["id"],
            package_id=package_id,
            tracking_number=tracking_number,
            shipping_provider_id=provider_id,
        )
        return self.ok({})

    def get_tracking(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        events = []
        for key, text in (
            ("rts_time", "Shipping label created"),
            ("collection_time", "Package picked up by carrier"),
            ("delivery_time", "Package delivered"),
        ):
            if order.get(key):
                events.append({"description": text, "update_time_millis": order[key] * 1000})
        return self.ok({"tracking": list(reversed(events))})

    # --- fulfilment: TikTok labels and collection ------------------------------------------
    def query_shipping_services(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        self._check_shippable(order, tiktok_label=True)
        return self.ok(
            {
                "order_id": order["id"],
                "order_line_id": body.get("order_line_item_ids")
                or [li["id"] for li in order["line_items"] if not li["package_id"]],
                "weight": body.get("weight") or {"value": "1", "unit": "POUND"},
                "dimension": body.get("dimension") or {"length": "10", "width": "8", "height": "4", "unit": "INCH"},
                "shipping_services": [
                    {
                        "id": SHIPPING_SERVICE_ID,
                        "name": "USPS Ground Advantage",
                        "price": "4.50",
                        "currency": "USD",
                        "earliest_delivery_days": 2,
                        "latest_delivery_days": 5,
                        "is_default": True,
                        "shipping_provider_id": PROVIDER_BY_NAME["USPS"],
                        "shipping_provider_name": "USPS",
                    }
                ],
            }
        )

    def create_package(self, req: Request) -> Response:
        body = req.json_object()
        order = self._order(self._required_str(body, "order_id"))
        self._check_shippable(order, tiktok_label=True)
        unshipped = {li["id"]: li for li in order["line_items"] if not li["package_id"]}
        wanted = body.get("order_line_item_ids") or list(unshipped)
        if any(i not in unshipped for i in wanted):
            raise self.business_error(E_LINE_ITEMS, "order_line_item_ids contains unknown or packed items.")
        package_id = str(next(self._package_seq))
        provider_id = PROVIDER_BY_NAME["USPS"]
        number = tracking.generate("USPS", self.rng)
        ts = self.now()
        for line_id in wanted:
            unshipped[line_id].update(
                package_id=package_id,
                tracking_number=number,
                shipping_provider_id=provider_id,
                shipping_provider_name="USPS",
                package_status="TO_FULFILL",
            )
        self.packages[package_id] = {
            "id": package_id,
            "order_id": order["id"],
            "line_item_ids": list(wanted),
            "tracking_number": number,
            "shipping_provider_id": provider_id,
            "status": "TO_FULFILL",
            "shipped": False,
            "create_time": ts,
            "update_time": ts,
            "weight": body.get("weight"),
            "dimension": body.get("dimension"),
            # US label allocation ignores the requested shipping_service_id
            "shipping_service_id": SHIPPING_SERVICE_ID,
        }
        order["packages"].append({"id": package_id})
        self._touch(order, ts)
        self.record("package_created", order_id=order["id"], package_id=package_id, tracking_number=number)
        return self.ok(
            {
                "package_id": package_id,
                "order_id": order["id"],
                "order_line_item_ids": list(wanted),
                "weight": body.get("weight") or {"value": "1", "unit": "POUND"},
                "dimension": body.get("dimension") or {"length": "10", "width": "8", "height": "4", "unit": "INCH"},
                "shipping_service_info": {
                    "id": SHIPPING_SERVICE_ID,
                    "name": "USPS Ground Advantage",
                    "price": "4.50",
                    "currency": "USD",
                    "earliest_delivery_days": 2,
                    "latest_delivery_days": 5,
                    "shipping_provider_id": provider_id,
                    "shipping_provider_name": "USPS",
                },
                "create_time": ts,
            }
        )

    def _package(self, package_id: str) -> dict[str, Any]:
        package = self.packages.get(package_id)
        if package is None:
            raise self.business_error(E_PACKAGE_NOT_FOUND, f"Package {package_id} does not exist.")
        return package

    def get_package(self, req: Request) -> Response:
        package = self._package(req.params["package_id"])
        order = self.orders[package["order_id"]]
        lines = [li for li in order["line_items"] if li["id"] in package["line_item_ids"]]
        skus: dict[str, dict[str, Any]] = {}
        for li in lines:
            entry = skus.setdefault(li["sku_id"], {"id": li["sku_id"], "name": li["sku_name"], "quantity": 0})
            entry["quantity"] += 1
        return self.ok(
            {
                "package_id": package["id"],
                "package_status": package["status"],
                "order_line_item_ids": package["line_item_ids"],
                "orders": [{"id": order["id"], "skus": list(skus.values())}],
                "tracking_number": package.get("tracking_number", ""),
                "shipping_provider_id": package.get("shipping_provider_id", ""),
                "shipping_provider_name": SHIPPING_PROVIDERS.get(package.get("shipping_provider_id", ""), ""),
                "handover_method": package.get("handover_method", ""),
                "pickup_slot": package.get("pickup_slot"),
                "create_time": package["create_time"],
                "update_time": package["update_time"],
            }
        )

    def _pickup_slots(self) -> list[dict[str, Any]]:
        slots = []
        day = dt.datetime.fromtimestamp(self.clock.now(), self.tz).date()
        while len(slots) < 6:
            day += dt.timedelta(days=1)
            if not is_business_day(day):
                continue
            for start_h, end_h in ((9, 12), (13, 17)):
                start = dt.datetime.combine(day, dt.time(start_h), tzinfo=self.tz)
                end = dt.datetime.combine(day, dt.time(end_h), tzinfo=self.tz)
                slots.append(
                    {"start_time": int(start.timestamp()), "end_time": int(end.timestamp()), "avaliable": True}
                )
        return slots

    def handover_time_slots(self, req: Request) -> Response:
        self._package(req.params["package_id"])
        return self.ok(
            {
                "can_pickup": True,
                "can_drop_off": True,
                "can_van_collection": False,
                "drop_off_point_url": "https://tools.usps.com/find-location.htm",
                "pickup_slots": self._pickup_slots(),
            }
        )

    def _ship_one(self, package_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        package = self._package(package_id)
        if package.get("shipped"):
            raise self.business_error(E_PACKAGE_SHIPPED, f"Package {package_id} is already shipped.")
        order = self.orders[package["order_id"]]
        method = spec.get("handover_method")
        if method not in (None, "PICKUP", "DROP_OFF"):
            raise BadRequest("handover_method must be PICKUP or DROP_OFF.")
        slot = spec.get("pickup_slot")
        if method == "PICKUP":
            offered = {(s["start_time"], s["end_time"]) for s in self._pickup_slots()}
            if not isinstance(slot, dict) or (slot.get("start_time"), slot.get("end_time")) not in offered:
                raise self.business_error(E_PICKUP_SLOT, "pickup_slot is not one of the offered handover time slots.")
        self_shipment = spec.get("self_shipment")
        if order["status"] == "ON_HOLD":
            raise self.business_error(E_ON_HOLD, "The order is on hold and cannot be shipped yet.")
        if order["status"] not in SHIPPABLE:
            raise self.business_error(E_ORDER_STATUS, f"The order status {order['status']} does not allow shipping.")
        tracking_number = package.get("tracking_number")
        provider_id = package.get("shipping_provider_id")
        if self_shipment:
            if not isinstance(self_shipment, dict):
                raise BadRequest("self_shipment must be an object.")
            tracking_number = self._required_str(self_shipment, "tracking_number")
            provider_id = self._required_str(self_shipment, "shipping_provider_id")
            if provider_id not in SHIPPING_PROVIDERS:
                raise self.business_error(E_PROVIDER, "The shipping provider is invalid.")
        elif order["shipping_type"] == "SELLER" and not tracking_number:
            raise BadRequest("self_shipment is required for packages shipped with the seller's label.")
        lines = [li for li in order["line_items"] if li["id"] in package["line_item_ids"]]
        package["handover_method"] = method or "DROP_OFF"
        package["pickup_slot"] = slot if method == "PICKUP" else None
        self._create_shipped_package(order, lines, tracking_number, provider_id, None, package_id=package_id)
        self._notify_packages(order, {package_id})
        entry = self.record(
            "ship_package",
            order_id=order["id"],
            package_id=package_id,
            handover_method=package["handover_method"],
            pickup_slot=package["pickup_slot"],
            tracking_number=tracking_number,
            shipping_provider_id=provider_id,
        )
        if self_shipment:
            self.record(
                "tracking_upload",
                via="ship_package",
                order_id=order["id"],
                package_id=package_id,
                tracking_number=tracking_number,
                shipping_provider_id=provider_id,
                shipping_provider_name=SHIPPING_PROVIDERS[provider_id],
                line_item_ids=package["line_item_ids"],
            )
        return entry

    def ship_package(self, req: Request) -> Response:
        self._ship_one(req.params["package_id"], req.json_object())
        return self.ok({})

    def batch_ship_packages(self, req: Request) -> Response:
        packages = req.json_object().get("packages")
        if not isinstance(packages, list) or not packages:
            raise BadRequest("packages is required.")
        failing = self.failing_items(req, len(packages))
        errors = []
        for index, spec in enumerate(packages):
            package_id = str(spec.get("id", "")) if isinstance(spec, dict) else ""
            if index in failing:
                errors.append(
                    {
                        "code": E_INTERNAL,
                        "message": "Internal error. Please retry.",
                        "detail": {"package_id": package_id},
                    }
                )
                continue
            try:
                if not package_id:
                    raise BadRequest("id is required.")
                self._ship_one(package_id, spec)
            except ApiError as exc:
                err = exc.response.parsed()
                errors.append({"code": err["code"], "message": err["message"], "detail": {"package_id": package_id}})
            except BadRequest as exc:
                errors.append({"code": E_PARAM, "message": str(exc), "detail": {"package_id": package_id}})
        return self.ok({"errors": errors} if errors else {})

    def shipping_documents(self, req: Request) -> Response:
        package = self._package(req.params["package_id"])
        doc_type = req.arg("document_type")
        if doc_type not in DOC_TYPES:
            raise BadRequest(f"document_type must be one of {', '.join(DOC_TYPES)}.")
        size = req.arg("document_size") or "A6"
        if size not in ("A6", "A5"):
            raise BadRequest("document_size must be A6 or A5.")
        order = self.orders[package["order_id"]]
        if doc_type != "PACKING_SLIP" and order["shipping_type"] != "TIKTOK":
            raise self.business_error(E_DOC_TYPE, "Shipping labels are only provided for TikTok-label packages.")
        token = random_token(self.rng, 32)
        expires = int(self.clock.now() + DOC_TTL)
        self.documents[token] = {
            "package_id": package["id"],
            "document_type": doc_type,
            "document_size": size,
            "expires": expires,
        }
        query = urlencode({"expires": expires})
        return self.ok({"doc_url": f"{req.service_base_url}/_files/{token}?{query}"})

    def download_document(self, req: Request) -> Response:
        doc = self.documents.get(req.params["token"])
        if doc is None:
            return Response.raw(b"Not Found", "text/plain", status=404)
        if self.clock.now() > doc["expires"]:
            return Response.raw(b"Request has expired", "text/plain", status=403)
        package = self.packages[doc["package_id"]]
        order = self.orders[package["order_id"]]
        lines = [
            f"TikTok Shop {doc['document_type'].replace('_', ' ').title()}",
            f"Order {order['id']}",
            f"Package {package['id']}",
            f"Ship to: {order['recipient_address'].get('name', '')}",
            order["recipient_address"].get("full_address", ""),
        ]
        if doc["document_type"] == "SHIPPING_LABEL_PICTURE":
            return Response.raw(documents.label_png(package["tracking_number"]), "image/png")
        pdf = documents.label_pdf(package["tracking_number"], lines, page=doc["document_size"])
        return Response.raw(pdf, "application/pdf")

    # --- products and inventory -------------------------------------------------------------
    def _committed(self, sku_id: str) -> int:
        return sum(
            1
            for o in self.orders.values()
            if o["status"] in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "ON_HOLD") and o["fulfillment_type"] == FBS
            for li in o["line_items"]
            if li["sku_id"] == sku_id and not li["package_id"]
        )

    def search_products(self, req: Request) -> Response:
        page_size = req.int_arg("page_size")
        if page_size is None or not 1 <= page_size <= 100:
            raise BadRequest("page_size is required and must be between 1 and 100.")
        body = req.json_object()
        products = sorted(self.products.values(), key=lambda p: p["id"])
        if body.get("status"):
            products = [p for p in products if p["status"] == body["status"]]
        if body.get("seller_skus"):
            wanted = set(body["seller_skus"])
            products = [p for p in products if any(s["seller_sku"] in wanted for s in p["skus"])]
        offset = 0
        if req.arg("page_token"):
            try:
                offset = int(decode_token(req.arg("page_token"))["o"])
            except (ValueError, KeyError, TypeError):
                raise BadRequest("page_token is invalid.") from None
        page = products[offset : offset + page_size]
        more = offset + page_size < len(products)
        return self.ok(
            {
                "products": [self._with_images(req, p) for p in page],
                "next_page_token": encode_token({"o": offset + page_size}) if more else "",
                "total_count": len(products),
            }
        )

    def get_product(self, req: Request) -> Response:
        product = self.products.get(req.params["product_id"])
        if product is None:
            raise self.business_error(E_PRODUCT_NOT_FOUND, "Product does not exist.")
        return self.ok(self._with_images(req, product))

    @staticmethod
    def _with_images(req: Request, product: dict[str, Any]) -> dict[str, Any]:
        """The product with its ``main_images`` (one per SKU's group, on this emulator's CDN)."""
        key = product["skus"][0]["seller_sku"] if product.get("skus") else product["id"]
        url = product_images.image_url(req, key)
        image = {"uri": f"tos-maliva-i-{product['id']}", "height": 200, "width": 200, "urls": [url],
                 "thumb_urls": [url]}
        return {**product, "main_images": [image]}

    def update_inventory(self, req: Request) -> Response:
        product = self.products.get(req.params["product_id"])
        if product is None:
            raise self.business_error(E_PRODUCT_NOT_FOUND, "Product does not exist.")
        skus = req.json_object().get("skus")
        if not isinstance(skus, list) or not skus:
            raise BadRequest("skus is required.")
        failing = self.failing_items(req, len(skus))
        by_id = {s["id"]: s for s in product["skus"]}
        errors = []
        for index, entry in enumerate(skus):
            sku_id = str(entry.get("id", "")) if isinstance(entry, dict) else ""

            def fail(code: int, message: str, sku_id: str = sku_id) -> None:
                errors.append({"code": code, "message": message, "detail": {"sku_id": sku_id, "extra_errors": []}})

            if index in failing:
                fail(E_INTERNAL, "Internal error. Please retry.")
                continue
            sku = by_id.get(sku_id)
            if sku is None:
                fail(E_SKU_NOT_FOUND, f"SKU {sku_id} does not belong to product {product['id']}.")
                continue
            inventory = entry.get("inventory")
            if not isinstance(inventory, list) or not inventory:
                fail(E_QUANTITY, "inventory is required.")
                continue
            bad = None
            for inv in inventory:
                qty = inv.get("quantity") if isinstance(inv, dict) else None
                wh = (inv.get("warehouse_id") if isinstance(inv, dict) else None) or WAREHOUSE_ID
                if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty < 99999:
                    bad = (E_QUANTITY, "quantity must be an integer between 0 and 99998.")
                elif wh != WAREHOUSE_ID:
                    bad = (E_WAREHOUSE, f"Warehouse {wh} is not a warehouse of this shop.")
            if bad:
                fail(*bad)
                continue
            for inv in inventory:
                wh = inv.get("warehouse_id") or WAREHOUSE_ID
                sku["inventory"] = [{"warehouse_id": wh, "quantity": inv["quantity"]}]
                self.record(
                    "stock_update",
                    product_id=product["id"],
                    sku_id=sku_id,
                    seller_sku=sku["seller_sku"],
                    warehouse_id=wh,
                    quantity=inv["quantity"],
                )
        product["update_time"] = self.now()
        return self.ok({"errors": errors} if errors else {})

    def search_inventory(self, req: Request) -> Response:
        body = req.json_object()
        sku_ids = body.get("sku_ids") or []
        product_ids = body.get("product_ids") or []
        if not sku_ids and not product_ids:
            raise BadRequest("Either sku_ids or product_ids is required.")
        if len(sku_ids) > 600 or len(product_ids) > 100:
            raise BadRequest("At most 600 sku_ids or 100 product_ids.")
        out = []
        for product in sorted(self.products.values(), key=lambda p: p["id"]):
            if sku_ids:
                skus = [s for s in product["skus"] if s["id"] in sku_ids]
            elif product["id"] in product_ids:
                skus = product["skus"]
            else:
                skus = []
            if not skus:
                continue
            entries = []
            for sku in skus:
                available = sum(i["quantity"] for i in sku["inventory"])
                committed = self._committed(sku["id"])
                entries.append(
                    {
                        "id": sku["id"],
                        "seller_sku": sku["seller_sku"],
                        "total_available_quantity": available,
                        "total_committed_quantity": committed,
                        "warehouse_inventory": [
                            {
                                "warehouse_id": i["warehouse_id"],
                                "available_quantity": i["quantity"],
                                "committed_quantity": committed,
                            }
                            for i in sku["inventory"]
                        ],
                        "total_available_inventory_distribution": {
                            "in_shop_inventory": {"quantity": available},
                            "campaign_inventory": [],
                            "creator_inventory": [],
                        },
                    }
                )
            out.append({"product_id": product["id"], "skus": entries})
        return self.ok({"inventory": out})

    # --- webhooks ------------------------------------------------------------------------
    def get_webhooks(self, req: Request) -> Response:
        return self.ok({"webhooks": list(self.webhooks.values())})

    def put_webhook(self, req: Request) -> Response:
        body = req.json_object()
        address = self._required_str(body, "address")
        event_type = self._required_str(body, "event_type")
        now = self.now()
        existing = self.webhooks.get(event_type, {"create_time": now})
        self.webhooks[event_type] = {
            "address": address,
            "event_type": event_type,
            "create_time": existing["create_time"],
            "update_time": now,
        }
        return self.ok({})

    def delete_webhook(self, req: Request) -> Response:
        event_type = self._required_str(req.json_object(), "event_type")
        self.webhooks.pop(event_type, None)
        return self.ok({})

    # --- Fulfilled by TikTok ---------------------------------------------------------------
    def fbt_warehouses(self, req: Request) -> Response:
        return self.ok(
            {
                "warehouses": [
                    {
                        "id": FBT_WAREHOUSE_ID,
                        "name": "FBT Pennsylvania",
                        "address": {"region_code": "US", "state": "Pennsylvania", "city": "Allentown"},
                    }
                ]
            }
        )

    def fbt_inventory(self, req: Request) -> Response:
        body = req.json_object()
        warehouses = body.get("fbt_warehouse_ids") or []
        goods_ids = body.get("goods_ids") or []
        sku_ids = body.get("sku_ids") or []
        out = []
        for goods_id, entry in self.fbt_goods.items():
            if warehouses and entry["fbt_warehouse_id"] not in warehouses:
                continue
            if goods_ids and goods_id not in goods_ids:
                continue
            if sku_ids and not any(s["id"] in sku_ids for s in entry["goods"]["skus"]):
                continue
            row = copy.deepcopy(entry)
            row["in_transit_quantity"] = self._inbound_in_transit(goods_id)
            out.append(row)
        return self.ok({"inventory": out, "total_count": len(out), "next_page_token": ""})

    def _inbound_in_transit(self, goods_id: str) -> int:
        units = 0
        for inbound in self.inbound_orders.values():
            if inbound["status"] in ("RECEIVED", "CANCELLED"):
                continue
            planned = sum(p["quantity"] for p in inbound["planned_goods"] if p["goods_id"] == goods_id)
            got = sum(b["total_quantity"] for b in inbound.get("received_batches", []) if b["goods_id"] == goods_id)
            units += max(planned - got, 0)
        return units

    def fbt_goods_search(self, req: Request) -> Response:
        body = req.json_object()
        codes = body.get("reference_codes") or []
        goods = [e["goods"] for e in self.fbt_goods.values() if not codes or e["goods"]["reference_code"] in codes]
        return self.ok({"goods": goods, "total_count": len(goods), "next_page_token": ""})

    def fbt_inbound_orders(self, req: Request) -> Response:
        ids = [i for i in (req.arg("ids") or "").split(",") if i]
        if not ids:
            raise BadRequest("ids is required.")
        return self.ok({"inbound_orders": [self.inbound_orders[i] for i in ids if i in self.inbound_orders]})

    # --- FBT and logistics notifications (types 4, 21, 24, 27) ------------------------------
    # Event types as registered with PUT /event/202309/webhooks; each may have its own address.
    NOTIFICATION_EVENTS = {
        4: "PACKAGE_UPDATE",
        21: "INBOUND_FBT_ORDER_STATUS_CHANGE",
        24: "FBT_INVENTORY_UPDATE",
        27: "INVENTORY_STATUS_CHANGE",
    }

    def build_notification(self, type_: int, data: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed notification of any type. FBT notifications (21-24)
        name the seller (``seller_open_id``), the others the shop (``shop_id``)."""
        payload: dict[str, Any] = {"type": type_, "tts_notification_id": str(next(self._notification_seq))}
        if 21 <= type_ <= 24:
            payload["seller_open_id"] = self.creds.tiktok_open_id
        else:
            payload["shop_id"] = self.creds.tiktok_shop_id
        payload["timestamp"] = self.now()
        payload["data"] = data
        body = json.dumps(payload, separators=(",", ":")).encode()
        sig = signing.tiktok_webhook_signature(
            app_key=self.creds.tiktok_app_key, app_secret=self.creds.tiktok_app_secret, body=body
        )
        return {"Authorization": sig, "Content-Type": "application/json"}, body

    def _emit(self, type_: int, data: dict[str, Any]) -> tuple[dict[str, str], bytes] | None:
        """Send a notification to the address registered for its event type (if any)."""
        event = self.NOTIFICATION_EVENTS[type_]
        hook = self.webhooks.get(event)
        if not hook:
            return None
        headers, body = self.build_notification(type_, data)
        self.hub.webhooks.emit(self.name, event, hook["address"], headers, body)
        return headers, body

    def _notify_packages(self, order: dict[str, Any], package_ids: set[str]) -> None:
        if not package_ids or not self.webhooks.get("PACKAGE_UPDATE"):
            return
        self._emit(
            4,
            {
                "sc_type": "PACKAGE_STATUS_CHANGE",
                "role_type": "ROLE_SYSTEM",
                "package_list": [{"package_id": pid, "order_id_list": [order["id"]]} for pid in sorted(package_ids)],
                "update_time": order["update_time"],
            },
        )

    def collect_package(self, package_id: str, *, at: float | None = None) -> None:
        """The carrier collected a shipped package (its order goes IN_TRANSIT)."""
        with self.hub.lock:
            package = self._package(package_id)
            if not package.get("shipped"):
                raise ValueError(f"package {package_id} is not shipped yet")
            self.collect(package["order_id"], at=at)

    # --- FBT inbound orders and stock (steering, for tests and the demo) ---------------------
    def _goods_for(self, key: str) -> str:
        """A goods id from a goods id, a reference code (seller SKU) or a TikTok SKU id."""
        if key in self.fbt_goods:
            return key
        for goods_id, entry in self.fbt_goods.items():
            goods = entry["goods"]
            if goods["reference_code"] == key or any(s["id"] == key for s in goods["skus"]):
                return goods_id
        raise KeyError(f"no FBT goods {key!r}")

    def _complete_inbound_shape(self, inbound: dict[str, Any]) -> None:
        """Fill in the fields of an inbound order as GET /fbt/202409/inbound_orders returns it."""
        inbound.setdefault("type", "NORMAL")
        inbound.setdefault("received_batches", [])
        inbound.setdefault("order_operation_logs", [{"order_status": inbound["status"],
                                                     "operate_time": inbound["update_time"]}])
        inbound.setdefault("carriers", [])
        inbound.setdefault(
            "warehouse",
            {"fbt_warehouse_id": inbound["fbt_warehouse_id"], "warehouse_ids": [], "name": "FBT Pennsylvania",
             "type": "FBT"},
        )
        for planned in inbound["planned_goods"]:
            goods = self.fbt_goods.get(planned["goods_id"], {}).get("goods", {})
            planned.setdefault("id", planned["goods_id"])
            planned.setdefault("reference_code", goods.get("reference_code", ""))
            planned.setdefault("name", goods.get("name", ""))
            planned.setdefault("sku_ids", [s["id"] for s in goods.get("skus", [])])

    def create_inbound_order(self, goods: dict[str, int], *, status: str = "TO_BE_RECEIVED",
                             at: float | None = None) -> str:
        """An inbound order as the seller creates it in Seller Center (TikTok has no API for
        it): ``goods`` maps goods ids, seller SKUs or TikTok SKU ids to planned quantities."""
        with self.hub.lock:
            ts = int(at if at is not None else self.clock.now())
            ibr = f"IBR{next(self._inbound_seq)}"
            planned = [{"goods_id": self._goods_for(k), "quantity": int(q)} for k, q in goods.items()]
            self.inbound_orders[ibr] = {"id": ibr, "status": status, "fbt_warehouse_id": FBT_WAREHOUSE_ID,
                                        "planned_goods": planned, "create_time": ts, "update_time": ts,
                                        "ship_time": 0}
            self._complete_inbound_shape(self.inbound_orders[ibr])
            self.record("inbound_order_created", inbound_order_id=ibr, planned=planned)
            return ibr

    def set_inbound_status(self, ibr: str, status: str, *, at: float | None = None) -> None:
        """Move an inbound order to ``status`` and send notification 21 (if registered)."""
        if status not in ("TO_BE_RECEIVED", "ARRIVE_HUB", "RECEIVING", "PARTIALLY_RECEIVED", "RECEIVED",
                          "CANCELLED"):
            raise ValueError(f"unknown inbound order status {status!r}")
        with self.hub.lock:
            inbound = self.inbound_orders[ibr]
            ts = int(at if at is not None else self.clock.now())
            inbound["status"] = status
            inbound["update_time"] = ts
            if status == "ARRIVE_HUB":
                inbound["actual_arrive_time"] = ts
            inbound["order_operation_logs"].append({"order_status": status, "operate_time": ts})
            self._emit(21, {"inbound_order_id": ibr, "order_status": status, "update_time": ts})

    def receive_inbound(self, ibr: str, received: dict[str, int], *, defective: dict[str, int] | None = None,
                        status: str | None = None, at: float | None = None) -> None:
        """TikTok's warehouse receives units of an inbound order (a received batch per goods);
        its FBT stock grows, and the order becomes PARTIALLY_RECEIVED or RECEIVED (or
        ``status``), with notification 21."""
        defective = defective or {}
        with self.hub.lock:
            inbound = self.inbound_orders[ibr]
            for key in set(received) | set(defective):
                goods_id = self._goods_for(key)
                normal, bad = int(received.get(key, 0)), int(defective.get(key, 0))
                entry = self.fbt_goods[goods_id]
                inbound["received_batches"].append(
                    {"id": f"BATCH{next(self._batch_seq):08d}", "goods_id": goods_id, "normal_quantity": normal,
                     "defective_quantity": bad, "total_quantity": normal + bad,
                     "product_ids": [s["product_id"] for s in entry["goods"]["skus"]],
                     "sku_ids": [s["id"] for s in entry["goods"]["skus"]]})
                detail = entry["on_hand_detail"]
                detail["total"] += normal + bad
                detail["available"] += normal
                detail["unfulfillable"] += bad
                self._emit_fbt_stock(goods_id)
            if status is None:
                got: dict[str, int] = {}
                for batch in inbound["received_batches"]:
                    got[batch["goods_id"]] = got.get(batch["goods_id"], 0) + batch["total_quantity"]
                complete = all(got.get(p["goods_id"], 0) >= p["quantity"] for p in inbound["planned_goods"])
                status = "RECEIVED" if complete else "PARTIALLY_RECEIVED"
            self.record("inbound_received", inbound_order_id=ibr, received=dict(received), defective=dict(defective))
        self.set_inbound_status(ibr, status, at=at)

    def set_fbt_stock(self, key: str, *, total: int, available: int, reserved: int = 0,
                      unfulfillable: int = 0) -> None:
        """Set TikTok's FBT figures of one goods (by goods id, seller SKU or TikTok SKU id)."""
        with self.hub.lock:
            entry = self.fbt_goods[self._goods_for(key)]
            entry["on_hand_detail"] = {"total": total, "available": available, "reserved": reserved,
                                       "unfulfillable": unfulfillable}
            self._emit_fbt_stock(entry["goods"]["id"])

    def _emit_fbt_stock(self, goods_id: str) -> None:
        """FBT_INVENTORY_UPDATE (type 24) for one goods, if registered."""
        if not self.webhooks.get("FBT_INVENTORY_UPDATE"):
            return
        entry = self.fbt_goods[goods_id]
        detail = entry["on_hand_detail"]
        self._emit(24, {
            "goods_id": goods_id,
            "sku_id": entry["goods"]["skus"][0]["id"] if entry["goods"]["skus"] else "",
            "fbt_warehouse_inventory": [{"fbt_warehouse_id": entry["fbt_warehouse_id"], "on_hand_detail": {
                "total_quantity": detail["total"], "reserved_quantity": detail["reserved"],
                "available_quantity": detail["available"]}}],
            "update_time": self.now(),
        })

    def build_inventory_alert(self, seller_sku: str, *, status: str = "LOW_STOCK", alert_type: str = "REALTIME",
                              lead_days: int | None = None, threshold: int | None = None,
                              available: int = 3) -> tuple[dict[str, str], bytes]:
        """A signed INVENTORY_STATUS_CHANGE (type 27) notification for one SKU (not sent: post it
        yourself, e.g. twice)."""
        ids = self.catalogue.ids(seller_sku)["tiktok"]
        reason: dict[str, Any] = {"alert_type": alert_type}
        if alert_type == "PREDICTION":
            reason["lead_days"] = 21 if lead_days is None else lead_days
        else:
            reason["low_stock_threshold"] = 5 if threshold is None else threshold
        data = {
            "product_id": ids["product_id"],
            "sku_id": ids["sku_id"],
            "trigger_reason": reason,
            "current_inventory_status": status,
            "inventory_distribution": {"total_quantity": available + 2, "available_quantity": available,
                                       "creator_reserved_quantity": 0, "campaign_reserved_quantity": 0,
                                       "committed_quantity": 2},
            "update_time": self.now(),
        }
        return self.build_notification(27, data)

    def inventory_alert(self, seller_sku: str, **kwargs: Any) -> tuple[dict[str, str], bytes] | None:
        """Send an INVENTORY_STATUS_CHANGE notification (if registered); returns what was sent."""
        with self.hub.lock:
            hook = self.webhooks.get("INVENTORY_STATUS_CHANGE")
            if not hook:
                return None
            headers, body = self.build_inventory_alert(seller_sku, **kwargs)
            self.hub.webhooks.emit(self.name, "INVENTORY_STATUS_CHANGE", hook["address"], headers, body)
            return headers, body


class TikTokAuthService(Service):
    """``https://auth.tiktok-shops.com`` token endpoints and a stand-in authorize page."""

    name = "tiktok_auth"
    prefix = "/tiktok-auth"

    @property
    def shop(self) -> TikTokService:
        return self.hub.tiktok

    def error(self, status: int, message: str, code: int = E_PARAM, **extra: Any) -> Response:
        return self.shop.error(status, message, code=code, **extra)

    def rate_limited_response(self) -> Response:
        return self.shop.rate_limited_response()

    def server_error_response(self) -> Response:
        return self.shop.server_error_response()

    def not_found_response(self, req: Request) -> Response:
        return self.shop.not_found_response(req)

    def register_routes(self) -> None:
        self.route("GET", "/api/v2/token/get", self.token_get, auth=False)
        self.route("GET", "/api/v2/token/refresh", self.token_refresh, auth=False)
        self.route("GET", "/open/authorize", self.authorize, auth=False, faultable=False)

    def _check_app(self, req: Request) -> None:
        c = self.creds
        if req.arg("app_key") != c.tiktok_app_key or req.arg("app_secret") != c.tiktok_app_secret:
            raise ApiError(self.error(200, "Invalid app_key or app_secret.", code=E_AUTH_CODE))

    def token_get(self, req: Request) -> Response:
        self._check_app(req)
        if req.arg("grant_type") != "authorized_code":
            raise ApiError(self.error(200, "grant_type must be authorized_code.", code=E_AUTH_CODE))
        code = req.arg("auth_code") or ""
        expires = self.shop.auth_codes.pop(code, None)  # one use
        if expires is None or expires < self.clock.now():
            raise ApiError(self.error(200, "auth_code is invalid, expired or already used.", code=E_AUTH_CODE))
        self.hub.record(self.name, "token_issued", grant_type="authorized_code")
        return self.shop.ok(self.shop.issue_tokens())

    def token_refresh(self, req: Request) -> Response:
        self._check_app(req)
        if req.arg("grant_type") != "refresh_token":
            raise ApiError(self.error(200, "grant_type must be refresh_token.", code=E_AUTH_CODE))
        token = req.arg("refresh_token") or ""
        expires = self.shop.refresh_tokens.get(token)
        if expires is None or expires < self.clock.now():
            raise ApiError(self.error(200, "refresh_token is invalid or expired.", code=E_AUTH_CODE))
        self.hub.record(self.name, "token_issued", grant_type="refresh_token")
        return self.shop.ok(self.shop.issue_tokens())

    def authorize(self, req: Request) -> Response:
        """Seller consent, auto-approved: redirects to the configured redirect URI with
        ``code`` and ``state``, or shows them as JSON when none is configured."""
        code = self.shop.issue_auth_code()
        params = {"code": code, "state": req.arg("state") or ""}
        redirect = self.creds.tiktok_redirect_uri
        if redirect:
            sep = "&" if "?" in redirect else "?"
            return Response(status=302, headers={"Location": f"{redirect}{sep}{urlencode(params)}"})
        return Response.json(params)
