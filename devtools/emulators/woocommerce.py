"""WooCommerce REST API v3 (docs/domain/channels.md#woocommerce), mounted at ``/woocommerce``.

Configure a connector with the store URL ``{base}/woocommerce``: the API is at
``/wp-json/wc/v3/`` and the Shipment Tracking extension at
``/wp-json/wc-shipment-tracking/v3/`` below it. Auth is Basic (consumer key / secret) or the
``consumer_key`` / ``consumer_secret`` query parameters; the emulator accepts Basic over
plain HTTP (a real store would want OAuth 1.0a there). Dates without offset are in the
site's time zone (``EmulatorConfig.woo_timezone``), ``*_gmt`` in GMT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import math
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from integrations.channels import signing

from . import listing_edits, listing_images, product_images, woocommerce_refunds
from .base import Service
from .routing import ApiError, BadRequest, Request, Response
from .util import parse_iso, wp_datetime

API = "/wp-json/wc/v3"
TRACKING_API = "/wp-json/wc-shipment-tracking/v3"
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
ORDERBY = ("date", "id", "include", "title", "slug")
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")
BACKORDERS = ("no", "notify", "yes")
BATCH_LIMIT = 100
TRACKING_LINKS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1={n}",
    "ups": "https://www.ups.com/track?tracknum={n}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "dhl": "https://www.dhl.com/en/express/tracking.html?AWB={n}",
}
CUSTOMERS = [
    ("Morgan", "Blake", "12 Elm St", "Portland", "OR", "97205"),
    ("Taylor", "Nguyen", "77 Pine Ave", "Denver", "CO", "80202"),
    ("Alex", "Garcia", "5 Harbor Rd", "Miami", "FL", "33131"),
    ("Jamie", "Park", "300 Lake Shore Dr", "Chicago", "IL", "60601"),
]


class WooCommerceService(Service):
    name = "woocommerce"
    prefix = "/woocommerce"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        self.tz = ZoneInfo(self.hub.config.woo_timezone)
        self._order_seq = itertools.count(1001)
        self._line_seq = itertools.count(1)
        self._note_seq = itertools.count(1)
        self._meta_seq = itertools.count(5001)
        self._product_seq = itertools.count(1001)
        self._webhook_seq = itertools.count(1)
        self._delivery_seq = itertools.count(1)
        self.orders: dict[int, dict[str, Any]] = {}
        self._order_times: dict[int, dict[str, float]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.trackings: dict[int, list[dict[str, Any]]] = {}
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[int, dict[str, Any]]] = {}
        woocommerce_refunds.reset(self)
        created = self.now() - 60 * 86400
        for group in self.catalogue.groups_for("woocommerce"):
            first = self.catalogue.ids(group.items[0].sku)["woocommerce"]
            pid = first["product_id"]
            if group.is_variable:
                product = self._product_dict(pid, group.name, group.key, group.items[0].price, created)
                product.update(
                    type="variable",
                    manage_stock=False,
                    stock_quantity=None,
                    attributes=[
                        {
                            "id": 0,
                            "name": group.items[0].option_name,
                            "position": 0,
                            "visible": True,
                            "variation": True,
                            "options": [i.option for i in group.items],
                        }
                    ],
                )
                self.variations[pid] = {}
                for item in group.items:
                    vid = self.catalogue.ids(item.sku)["woocommerce"]["variation_id"]
                    variation = self._product_dict(vid, item.name, item.sku, item.price, created)
                    for key in ("name", "slug", "type", "featured", "categories", "variations", "parent_id"):
                        variation.pop(key, None)
                    variation.update(
                        stock_quantity=item.stock,
                        attributes=[{"id": 0, "name": item.option_name, "option": item.option}],
                        weight=f"{item.weight_oz / 16:.2f}",
                    )
                    self._restatus(variation)
                    self.variations[pid][vid] = variation
                    product["variations"].append(vid)
                self._parent_status(product)
            else:
                item = group.items[0]
                product = self._product_dict(pid, item.name, item.sku, item.price, created)
                product["stock_quantity"] = item.stock
                product["weight"] = f"{item.weight_oz / 16:.2f}"
                self._restatus(product)
            self.products[pid] = product

    def _product_dict(self, pid: int, name: str, sku: str, price: str, ts: float) -> dict[str, Any]:
        slug = name.lower().replace(" - ", "-").replace(" ", "-")
        return {
            "id": pid,
            "name": name,
            "slug": slug,
            "permalink": f"https://shop.example.com/product/{slug}/",
            "date_created": wp_datetime(ts, self.tz),
            "date_created_gmt": wp_datetime(ts),
            "date_modified": wp_datetime(ts, self.tz),
            "date_modified_gmt": wp_datetime(ts),
            "type": "simple",
            "status": "publish",
            "featured": False,
            "description": "",
            "sku": sku,
            "price": price,
            "regular_price": price,
            "sale_price": "",
            "on_sale": False,
            "purchasable": True,
            "virtual": False,
            "downloadable": False,
            "tax_status": "taxable",
            "tax_class": "",
            "manage_stock": True,
            "stock_quantity": 0,
            "stock_status": "instock",
            "backorders": "no",
            "backorders_allowed": False,
            "backordered": False,
            "low_stock_amount": None,
            "weight": "",
            "dimensions": {"length": "", "width": "", "height": ""},
            "shipping_class": "",
            "categories": [],
            "images": [],
            "attributes": [],
            "variations": [],
            "parent_id": 0,
            "meta_data": [],
        }

    @staticmethod
    def _restatus(p: dict[str, Any]) -> None:
        if p.get("manage_stock") and p.get("stock_quantity") is not None:
            if p["stock_quantity"] > 0:
                p["stock_status"] = "instock"
            else:
                p["stock_status"] = "onbackorder" if p["backorders"] != "no" else "outofstock"
        p["backorders_allowed"] = p["backorders"] != "no"

    def _parent_status(self, product: dict[str, Any]) -> None:
        kids = self.variations.get(product["id"], {}).values()
        product["stock_status"] = "instock" if any(v["stock_status"] == "instock" for v in kids) else "outofstock"

    def summary(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for order in self.orders.values():
            statuses[order["status"]] = statuses.get(order["status"], 0) + 1
        return {
            "orders": len(self.orders),
            "by_status": statuses,
            "products": len(self.products),
            "variations": sum(len(v) for v in self.variations.values()),
            "webhooks": len(self.webhooks),
        }

    # --- errors --------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "rest_invalid_param", **extra: Any) -> Response:
        return Response.json({"code": code, "message": message, "data": {"status": status, **extra}}, status=status)

    def rate_limited_response(self) -> Response:
        return self.error(429, "Too many requests.", code="rest_too_many_requests")

    def server_error_response(self) -> Response:
        resp = self.error(500, "<p>There has been a critical error on this website.</p>", code="internal_server_error")
        body = resp.parsed()
        body["additional_errors"] = []
        return Response.json(body, status=500)

    def not_found_response(self, req: Request) -> Response:
        return self.error(404, "No route was found matching the URL and request method.", code="rest_no_route")

    def method_not_allowed_response(self, req: Request, allowed: list[str]) -> Response:
        return self.not_found_response(req)

    def bad_request_response(self, message: str) -> Response:
        if message.startswith("Malformed JSON"):
            return self.error(400, "Invalid JSON body passed.", code="rest_invalid_json")
        return self.error(400, message)

    # --- auth ----------------------------------------------------------------------------
    def authenticate(self, req: Request) -> None:
        key = secret = None
        header = req.header("authorization") or ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            key, _, secret = decoded.partition(":")
        elif req.arg("consumer_key") is not None:
            key, secret = req.arg("consumer_key"), req.arg("consumer_secret")
        if not key:
            verb, what = {
                "GET": ("view", "Sorry, you cannot list resources."),
                "POST": ("create", "Sorry, you are not allowed to create resources."),
                "DELETE": ("delete", "Sorry, you are not allowed to delete this resource."),
            }.get(req.method, ("edit", "Sorry, you are not allowed to edit this resource."))
            raise ApiError(self.error(401, what, code=f"woocommerce_rest_cannot_{verb}"))
        if key != self.creds.woo_consumer_key:
            raise ApiError(self.error(401, "Consumer key is invalid.", code="woocommerce_rest_authentication_error"))
        if secret != self.creds.woo_consumer_secret:
            raise ApiError(self.error(401, "Consumer secret is invalid.", code="woocommerce_rest_authentication_error"))

    # --- routes --------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("GET", API + "/orders", self.list_orders)
        r("GET", API + "/orders/{order_id}", self.get_order)
        for method in ("PUT", "POST", "PATCH"):
            r(method, API + "/orders/{order_id}", self.update_order)
        r("GET", API + "/orders/{order_id}/notes", self.list_notes)
        r("POST", API + "/orders/{order_id}/notes", self.create_note)
        r("GET", API + "/products", self.list_products)
        r("POST", API + "/products/batch", self.batch_products)
        r("GET", API + "/products/{product_id}", self.get_product)
        for method in ("PUT", "POST", "PATCH"):
            r(method, API + "/products/{product_id}", self.update_product)
        r("GET", API + "/products/{product_id}/variations", self.list_variations)
        r("POST", API + "/products/{product_id}/variations/batch", self.batch_variations)
        r("GET", API + "/products/{product_id}/variations/{variation_id}", self.get_variation)
        for method in ("PUT", "POST", "PATCH"):
            r(method, API + "/products/{product_id}/variations/{variation_id}", self.update_variation)
        r("GET", API + "/webhooks", self.list_webhooks)
        r("POST", API + "/webhooks", self.create_webhook)
        r("DELETE", API + "/webhooks/{webhook_id}", self.delete_webhook)
        r("GET", TRACKING_API + "/orders/{order_id}/shipment-trackings", self.list_trackings)
        r("POST", TRACKING_API + "/orders/{order_id}/shipment-trackings", self.create_tracking)
        r(
            "DELETE",
            TRACKING_API + "/orders/{order_id}/shipment-trackings/{tracking_id}",
            self.delete_tracking,
        )
        woocommerce_refunds.install(self)  # refunds and seller cancellations (their own module)
        product_images.register(self)  # the shop's media library (listing pictures)

    # --- paging helpers --------------------------------------------------------------------
    def _paging(self, req: Request) -> tuple[int, int, int]:
        per_page = req.int_arg("per_page", 10)
        if not 1 <= per_page <= 100:
            raise BadRequest("per_page must be between 1 (inclusive) and 100 (inclusive)")
        page = req.int_arg("page", 1)
        if page < 1:
            raise BadRequest("page must be greater than or equal to 1")
        offset = req.int_arg("offset")
        start = offset if offset is not None else (page - 1) * per_page
        if start < 0:
            raise BadRequest("offset must be greater than or equal to 0")
        return page, per_page, start

    def _paged(self, req: Request, items: list[Any], page: int, per_page: int, start: int) -> Response:
        total = len(items)
        pages = math.ceil(total / per_page) if total else 0
        resp = Response.json(items[start : start + per_page])
        resp.headers["X-WP-Total"] = str(total)
        resp.headers["X-WP-TotalPages"] = str(pages)
        links = []
        base = req.service_base_url + req.path

        def link(p: int, rel: str) -> str:
            q = {k: v[0] for k, v in req.query.items() if k not in ("consumer_key", "consumer_secret")}
            q["page"] = str(p)
            return f'<{base}?{urlencode(q)}>; rel="{rel}"'

        if pages:
            if page > 1:
                links.append(link(min(page - 1, pages), "prev"))
            if page < pages:
                links.append(link(page + 1, "next"))
            links.append(link(1, "first"))
            links.append(link(pages, "last"))
            resp.headers["Link"] = ", ".join(links)
        return resp

    def _date_arg(self, req: Request, name: str) -> float | None:
        raw = req.arg(name)
        if not raw:
            return None
        gmt = (req.arg("dates_are_gmt") or "").lower() in ("1", "true")
        try:
            return parse_iso(raw, default_tz=ZoneInfo("UTC") if gmt else self.tz)
        except ValueError:
            raise BadRequest(f"Invalid parameter(s): {name} (Invalid date.)") from None

    # --- orders --------------------------------------------------------------------------
    def _order(self, order_id: str | int) -> dict[str, Any]:
        try:
            order = self.orders.get(int(order_id))
        except (TypeError, ValueError):
            order = None
        if order is None:
            raise ApiError(self.error(404, "Invalid ID.", code="woocommerce_rest_shop_order_invalid_id"))
        return order

    def list_orders(self, req: Request) -> Response:
        page, per_page, start = self._paging(req)
        orderby = req.arg("orderby", "date")
        if orderby not in ORDERBY:
            raise BadRequest(f"Invalid parameter(s): orderby (orderby is not one of {', '.join(ORDERBY)}.)")
        order_dir = (req.arg("order") or "desc").lower()
        if order_dir not in ("asc", "desc"):
            raise BadRequest("Invalid parameter(s): order (order is not one of asc, desc.)")
        statuses = [s for s in (req.arg("status") or "any").split(",") if s]
        for s in statuses:
            if s != "any" and s not in ORDER_STATUSES:
                raise BadRequest(f"Invalid parameter(s): status ({s} is not a valid status.)")
        bounds = {n: self._date_arg(req, n) for n in ("after", "before", "modified_after", "modified_before")}
        include = [int(i) for i in (req.arg("include") or "").split(",") if i.strip().isdigit()]

        def keep(o: dict[str, Any]) -> bool:
            t = self._times[o["id"]]
            if "any" not in statuses and o["status"] not in statuses:
                return False
            if "any" in statuses and o["status"] == "trash":
                return False
            if bounds["after"] is not None and not t["created"] > bounds["after"]:
                return False
            if bounds["before"] is not None and not t["created"] < bounds["before"]:
                return False
            if bounds["modified_after"] is not None and not t["modified"] > bounds["modified_after"]:
                return False
            if bounds["modified_before"] is not None and not t["modified"] < bounds["modified_before"]:
                return False
            return not include or o["id"] in include

        orders = [o for o in self.orders.values() if keep(o)]
        if orderby == "date":
            orders.sort(key=lambda o: (self._times[o["id"]]["created"], o["id"]))
        elif orderby == "include" and include:
            orders.sort(key=lambda o: include.index(o["id"]))
        else:
            orders.sort(key=lambda o: o["id"])
        if order_dir == "desc" and orderby != "include":
            orders.reverse()
        return self._paged(req, orders, page, per_page, start)

    def get_order(self, req: Request) -> Response:
        return Response.json(self._order(req.params["order_id"]))

    @property
    def _times(self) -> dict[int, dict[str, float]]:
        return self._order_times

    def _touch_order(self, order: dict[str, Any], at: float | None = None) -> None:
        ts = at if at is not None else self.clock.now()
        ts = max(ts, self._times[order["id"]]["modified"])
        self._times[order["id"]]["modified"] = ts
        order["date_modified"] = wp_datetime(ts, self.tz)
        order["date_modified_gmt"] = wp_datetime(ts)

    def generate_order(
        self, *, skus: Any = None, status: str = "processing", at: float | None = None, mix: bool = False
    ) -> int:
        """A new order in WooCommerce's shape; ``status`` any WooCommerce order status."""
        rng = self.rng
        if mix:
            roll = rng.random()
            status = "pending" if roll < 0.05 else "on-hold" if roll < 0.10 else status
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown WooCommerce status {status!r}")
        ts = float(at if at is not None else self.clock.now())
        order_id = next(self._order_seq)
        items = self.catalogue.items_for("woocommerce")
        if skus:
            pairs = skus.items() if isinstance(skus, dict) else [(s, 1) for s in skus]
            picked = [(self.catalogue.item(s), int(q)) for s, q in pairs]
        else:
            chosen = rng.sample(items, k=min(len(items), rng.choice((1, 1, 2, 3))))
            picked = [(i, rng.choice((1, 1, 2))) for i in chosen]
        line_items = []
        subtotal = 0
        for item, qty in picked:
            ids = self.catalogue.ids(item.sku)["woocommerce"]
            total = item.price_cents * qty
            subtotal += total
            meta = []
            if ids["variation_id"]:
                meta.append(
                    {
                        "id": next(self._meta_seq),
                        "key": f"pa_{item.option_name.lower()}",
                        "value": (item.option or "").lower(),
                        "display_key": item.option_name,
                        "display_value": item.option,
                    }
                )
            line_items.append(
                {
                    "id": next(self._line_seq),
                    "name": f"{item.name} - {item.option}" if item.option else item.name,
                    "product_id": ids["product_id"],
                    "variation_id": ids["variation_id"],
                    "quantity": qty,
                    "tax_class": "",
                    "subtotal": f"{total / 100:.2f}",
                    "subtotal_tax": "0.00",
                    "total": f"{total / 100:.2f}",
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": meta,
                    "sku": item.sku,
                    "price": item.price_cents / 100,
                    "image": {"id": "", "src": ""},
                    "parent_name": item.name if ids["variation_id"] else None,
                }
            )
        first, last, street, city, state, postcode = rng.choice(CUSTOMERS)
        shipping_total = 0 if subtotal >= 5000 else 500
        address = {
            "first_name": first,
            "last_name": last,
            "company": "",
            "address_1": street,
            "address_2": "",
            "city": city,
            "state": state,
            "postcode": postcode,
            "country": "US",
        }
        paid = status in ("processing", "completed")
        order = {
            "id": order_id,
            "parent_id": 0,
            "number": str(order_id),
            "order_key": f"wc_order_{hashlib.md5(str(order_id).encode()).hexdigest()[:13]}",
            "created_via": "checkout",
            "version": "9.4.2",
            "status": status,
            "currency": "USD",
            "date_created": wp_datetime(ts, self.tz),
            "date_created_gmt": wp_datetime(ts),
            "date_modified": wp_datetime(ts, self.tz),
            "date_modified_gmt": wp_datetime(ts),
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "shipping_total": f"{shipping_total / 100:.2f}",
            "shipping_tax": "0.00",
            "cart_tax": "0.00",
            "total": f"{(subtotal + shipping_total) / 100:.2f}",
            "total_tax": "0.00",
            "prices_include_tax": False,
            "customer_id": 0,
            "customer_ip_address": "203.0.113.10",
            "customer_user_agent": "Mozilla/5.0",
            "customer_note": "",
            "billing": dict(address, email=f"{first.lower()}.{last.lower()}@example.com", phone="555-0100"),
            "shipping": dict(address, phone=""),
            "payment_method": "stripe",
            "payment_method_title": "Credit Card (Stripe)",
            "transaction_id": f"ch_{order_id:08d}",
            "date_paid": wp_datetime(ts, self.tz) if paid else None,
            "date_paid_gmt": wp_datetime(ts) if paid else None,
            "date_completed": wp_datetime(ts, self.tz) if status == "completed" else None,
            "date_completed_gmt": wp_datetime(ts) if status == "completed" else None,
            "cart_hash": "",
            "meta_data": [],
            "line_items": line_items,
            "tax_lines": [],
            "shipping_lines": [
                {
                    "id": next(self._line_seq),
                    "method_title": "Flat rate",
                    "method_id": "flat_rate",
                    "instance_id": "1",
                    "total": f"{shipping_total / 100:.2f}",
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
            ],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
        }
        self.orders[order_id] = order
        self._times[order_id] = {"created": ts, "modified": ts}
        self._emit("order.created", order)
        return order_id

    def set_status(self, order_id: int, status: str, *, at: float | None = None) -> None:
        """Change an order as the shop owner would (no record kept)."""
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown WooCommerce status {status!r}")
        order = self._order(order_id)
        order["status"] = status
        self._touch_order(order, at)
        self._emit("order.updated", order)

    def update_order(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        changes: dict[str, Any] = {}
        if "status" in body:
            if body["status"] not in ORDER_STATUSES:
                raise BadRequest(f"Invalid parameter(s): status (status is not one of {', '.join(ORDER_STATUSES)}.)")
            order["status"] = changes["status"] = body["status"]
            ts = self.clock.now()
            if body["status"] == "completed" and not order["date_completed"]:
                order["date_completed"] = wp_datetime(ts, self.tz)
                order["date_completed_gmt"] = wp_datetime(ts)
        if "meta_data" in body:
            meta = body["meta_data"]
            if not isinstance(meta, list) or not all(isinstance(m, dict) and "key" in m for m in meta):
                raise BadRequest("Invalid parameter(s): meta_data (each item needs a key.)")
            for entry in meta:
                existing = None
                if entry.get("id"):
                    existing = next((m for m in order["meta_data"] if m["id"] == entry["id"]), None)
                if existing is None:
                    existing = next((m for m in order["meta_data"] if m["key"] == entry["key"]), None)
                if existing is None:
                    order["meta_data"].append(
                        {"id": next(self._meta_seq), "key": entry["key"], "value": entry.get("value")}
                    )
                else:
                    existing["value"] = entry.get("value")
            changes["meta_data"] = meta
        if "customer_note" in body:
            order["customer_note"] = changes["customer_note"] = str(body["customer_note"])
        self._touch_order(order)
        self.record("order_update", order_id=order["id"], changes=changes)
        self._emit("order.updated", order)
        return Response.json(order)

    def list_notes(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        return Response.json(list(reversed(self.notes.get(order["id"], []))))

    def create_note(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        note = body.get("note")
        if not isinstance(note, str) or not note.strip():
            raise BadRequest("Missing parameter(s): note")
        ts = self.clock.now()
        entry = {
            "id": next(self._note_seq),
            "author": "system" if not body.get("added_by_user") else "SellerHub",
            "date_created": wp_datetime(ts, self.tz),
            "date_created_gmt": wp_datetime(ts),
            "note": note,
            "customer_note": bool(body.get("customer_note", False)),
        }
        self.notes.setdefault(order["id"], []).append(entry)
        self.record("order_note", order_id=order["id"], note=note, customer_note=entry["customer_note"])
        return Response.json(entry, status=201)

    # --- shipment tracking extension --------------------------------------------------------
    def list_trackings(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        return Response.json(self.trackings.get(order["id"], []))

    def create_tracking(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        number = body.get("tracking_number")
        if not isinstance(number, str) or not number.strip():
            raise ApiError(self.error(400, "Missing parameter(s): tracking_number", code="rest_missing_callback_param"))
        provider = body.get("tracking_provider") or ""
        custom = body.get("custom_tracking_provider") or ""
        if not provider and not custom:
            raise BadRequest("tracking_provider or custom_tracking_provider is required.")
        template = TRACKING_LINKS.get(provider.lower().replace(" ", ""))
        link = body.get("custom_tracking_link") or (template.format(n=number) if template else "")
        date_shipped = str(body.get("date_shipped") or wp_datetime(self.clock.now(), self.tz)[:10])
        entry = {
            "tracking_id": hashlib.md5(f"{order['id']}-{number}-{provider}{custom}".encode()).hexdigest(),
            "tracking_provider": provider or custom,
            "tracking_link": link,
            "tracking_number": number,
            "date_shipped": date_shipped,
        }
        self.trackings.setdefault(order["id"], []).append(entry)
        self._touch_order(order)
        self.record(
            "tracking_upload",
            order_id=order["id"],
            tracking_number=number,
            tracking_provider=provider or custom,
            date_shipped=date_shipped,
            tracking_link=link,
        )
        return Response.json(entry, status=201)

    def delete_tracking(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        entries = self.trackings.get(order["id"], [])
        for entry in entries:
            if entry["tracking_id"] == req.params["tracking_id"]:
                entries.remove(entry)
                return Response.json({"message": "true"})
        raise ApiError(self.error(404, "Invalid tracking ID.", code="woocommerce_shipment_tracking_invalid_id"))

    # --- products and variations --------------------------------------------------------------
    def _product(self, product_id: str | int, status: int = 404) -> dict[str, Any]:
        """WooCommerce answers 404 for an unknown id on read and 400 on update."""
        try:
            product = self.products.get(int(product_id))
        except (TypeError, ValueError):
            product = None
        if product is None:
            raise ApiError(self.error(status, "Invalid ID.", code="woocommerce_rest_product_invalid_id"))
        return product

    def _variation(self, product_id: str | int, variation_id: str | int, status: int = 404) -> dict[str, Any]:
        product = self._product(product_id, status)
        try:
            variation = self.variations.get(product["id"], {}).get(int(variation_id))
        except (TypeError, ValueError):
            variation = None
        if variation is None:
            raise ApiError(self.error(status, "Invalid ID.", code="woocommerce_rest_product_variation_invalid_id"))
        return variation

    def list_products(self, req: Request) -> Response:
        page, per_page, start = self._paging(req)
        products = sorted(self.products.values(), key=lambda p: p["id"])
        skus = [s for s in (req.arg("sku") or "").split(",") if s]
        if skus:
            products = [p for p in products if p["sku"] in skus]
        if req.arg("type"):
            products = [p for p in products if p["type"] == req.arg("type")]
        if req.arg("search"):
            term = req.arg("search").lower()
            products = [p for p in products if term in p["name"].lower()]
        if (req.arg("order") or "desc").lower() == "desc":
            products.reverse()
        products = [listing_images.woo_product(req, p) for p in products]
        return self._paged(req, products, page, per_page, start)

    def get_product(self, req: Request) -> Response:
        return Response.json(listing_images.woo_product(req, self._product(req.params["product_id"])))

    def list_variations(self, req: Request) -> Response:
        product = self._product(req.params["product_id"])
        page, per_page, start = self._paging(req)
        variations = sorted(self.variations.get(product["id"], {}).values(), key=lambda v: v["id"])
        skus = [s for s in (req.arg("sku") or "").split(",") if s]
        if skus:
            variations = [v for v in variations if v["sku"] in skus]
        variations = [listing_images.woo_variation(req, v) for v in variations]
        return self._paged(req, variations, page, per_page, start)

    def get_variation(self, req: Request) -> Response:
        return Response.json(listing_images.woo_variation(
            req, self._variation(req.params["product_id"], req.params["variation_id"])))

    def _apply_stock(
        self, target: dict[str, Any], changes: dict[str, Any], *, product_id: int, variation_id: int
    ) -> dict[str, Any]:
        """Validate then apply the stock fields of ``changes``; raises BadRequest."""
        clean: dict[str, Any] = {}
        if "manage_stock" in changes:
            if not isinstance(changes["manage_stock"], bool):
                raise BadRequest("Invalid parameter(s): manage_stock (manage_stock is not of type boolean.)")
            clean["manage_stock"] = changes["manage_stock"]
        if "stock_quantity" in changes:
            qty = changes["stock_quantity"]
            if isinstance(qty, str) and qty.lstrip("-").isdigit():
                qty = int(qty)
            if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int)):
                raise BadRequest("Invalid parameter(s): stock_quantity (stock_quantity is not of type integer.)")
            clean["stock_quantity"] = qty
        if "stock_status" in changes:
            if changes["stock_status"] not in STOCK_STATUSES:
                raise BadRequest(
                    f"Invalid parameter(s): stock_status (stock_status is not one of {', '.join(STOCK_STATUSES)}.)"
                )
            clean["stock_status"] = changes["stock_status"]
        if "backorders" in changes:
            if changes["backorders"] not in BACKORDERS:
                raise BadRequest(
                    f"Invalid parameter(s): backorders (backorders is not one of {', '.join(BACKORDERS)}.)"
                )
            clean["backorders"] = changes["backorders"]
        for key in ("regular_price", "sale_price", "name"):
            if key in changes and key in target:
                target[key] = str(changes[key])
        listing_edits.woocommerce_edit(self, target, changes, product_id=product_id, variation_id=variation_id)
        target.update(clean)
        self._restatus(target)
        ts = self.clock.now()
        target["date_modified"] = wp_datetime(ts, self.tz)
        target["date_modified_gmt"] = wp_datetime(ts)
        if clean:
            self.record(
                "stock_update",
                product_id=product_id,
                variation_id=variation_id,
                sku=target["sku"],
                changes=clean,
                stock_quantity=target["stock_quantity"],
                stock_status=target["stock_status"],
                manage_stock=target["manage_stock"],
            )
        return target

    def update_product(self, req: Request) -> Response:
        product = self._product(req.params["product_id"], 400)
        self._apply_stock(product, req.json_object(), product_id=product["id"], variation_id=0)
        return Response.json(product)

    def update_variation(self, req: Request) -> Response:
        product = self._product(req.params["product_id"])
        variation = self._variation(product["id"], req.params["variation_id"], 400)
        self._apply_stock(variation, req.json_object(), product_id=product["id"], variation_id=variation["id"])
        self._parent_status(product)
        return Response.json(variation)

    def _batch(self, req: Request, *, parent: dict[str, Any] | None) -> Response:
        body = req.json_object()
        actions = {k: body.get(k) or [] for k in ("create", "update", "delete")}
        for key, items in actions.items():
            if not isinstance(items, list):
                raise BadRequest(f"Invalid parameter(s): {key} ({key} is not of type array.)")
        total = sum(len(v) for v in actions.values())
        if total > BATCH_LIMIT:
            raise ApiError(
                self.error(
                    413,
                    f"Unable to accept more than {BATCH_LIMIT} items for this request.",
                    code="woocommerce_rest_request_entity_too_large",
                )
            )
        failing = self.failing_items(req, total)
        out: dict[str, list[Any]] = {"create": [], "update": [], "delete": []}
        invalid_code = (
            "woocommerce_rest_product_variation_invalid_id" if parent else "woocommerce_rest_product_invalid_id"
        )
        index = 0

        def item_error(item_id: Any, code: str, message: str, status: int = 400) -> dict[str, Any]:
            return {"id": item_id, "error": {"code": code, "message": message, "data": {"status": status}}}

        for action in ("create", "update", "delete"):
            for item in actions[action]:
                position = index
                index += 1
                item_id = item.get("id", 0) if isinstance(item, dict) else item
                if position in failing:
                    out[action].append(
                        item_error(item_id, "internal_server_error", "Emulated partial batch failure.", 500)
                    )
                    continue
                try:
                    out[action].append(self._batch_one(action, item, parent))
                except ApiError as exc:
                    err = exc.response.parsed()
                    out[action].append(item_error(item_id, err["code"], err["message"], err["data"]["status"]))
                except BadRequest as exc:
                    out[action].append(item_error(item_id, "rest_invalid_param", str(exc)))
                except (KeyError, TypeError, ValueError):
                    out[action].append(item_error(item_id, invalid_code, "Invalid ID."))
        if parent:
            self._parent_status(parent)
        return Response.json(out)

    def _batch_one(self, action: str, item: Any, parent: dict[str, Any] | None) -> dict[str, Any]:
        if action == "update":
            if not isinstance(item, dict) or "id" not in item:
                raise BadRequest("Each update item needs an id.")
            if parent:
                target = self._variation(parent["id"], item["id"], 400)
                return self._apply_stock(target, item, product_id=parent["id"], variation_id=target["id"])
            target = self._product(item["id"], 400)
            return self._apply_stock(target, item, product_id=target["id"], variation_id=0)
        if action == "delete":
            if parent:
                target = self._variation(parent["id"], item, 400)
                del self.variations[parent["id"]][target["id"]]
                parent["variations"].remove(target["id"])
            else:
                target = self._product(item, 400)
                del self.products[target["id"]]
            self.record(
                "product_deleted",
                product_id=parent["id"] if parent else target["id"],
                variation_id=target["id"] if parent else 0,
            )
            return target
        # create
        if not isinstance(item, dict):
            raise BadRequest("Each create item must be an object.")
        sku = item.get("sku") or ""
        existing = [p["sku"] for p in self.products.values()] + [
            v["sku"] for vs in self.variations.values() for v in vs.values()
        ]
        if sku and sku in existing:
            raise ApiError(self.error(400, "Invalid or duplicated SKU.", code="product_invalid_sku"))
        new_id = next(self._product_seq)
        target = self._product_dict(
            new_id,
            item.get("name") or sku or f"Product {new_id}",
            sku,
            str(item.get("regular_price") or "0"),
            self.clock.now(),
        )
        if parent:
            for key in ("name", "slug", "type", "featured", "categories", "variations", "parent_id"):
                target.pop(key, None)
            self.variations.setdefault(parent["id"], {})[new_id] = target
            parent["variations"].append(new_id)
        else:
            self.products[new_id] = target
        self._apply_stock(
            target, item, product_id=parent["id"] if parent else new_id, variation_id=new_id if parent else 0
        )
        return target

    def batch_products(self, req: Request) -> Response:
        return self._batch(req, parent=None)

    def batch_variations(self, req: Request) -> Response:
        return self._batch(req, parent=self._product(req.params["product_id"]))

    # --- webhooks ------------------------------------------------------------------------
    def list_webhooks(self, req: Request) -> Response:
        return Response.json(list(self.webhooks.values()))

    def create_webhook(self, req: Request) -> Response:
        body = req.json_object()
        topic = body.get("topic")
        url = body.get("delivery_url")
        if not isinstance(topic, str) or "." not in topic or not isinstance(url, str) or not url:
            raise BadRequest("Missing parameter(s): topic, delivery_url")
        resource, _, event = topic.partition(".")
        ts = self.clock.now()
        hook_id = next(self._webhook_seq)
        hook = {
            "id": hook_id,
            "name": body.get("name") or f"Webhook {hook_id}",
            "status": body.get("status") or "active",
            "topic": topic,
            "resource": resource,
            "event": event,
            "hooks": [f"woocommerce_{topic.replace('.', '_')}"],
            "delivery_url": url,
            "secret": body.get("secret") or "",
            "date_created": wp_datetime(ts, self.tz),
            "date_created_gmt": wp_datetime(ts),
            "date_modified": wp_datetime(ts, self.tz),
            "date_modified_gmt": wp_datetime(ts),
        }
        self.webhooks[hook_id] = hook
        # WooCommerce pings the new endpoint with an unsigned form post
        self.hub.webhooks.emit(
            self.name,
            "ping",
            url,
            {"Content-Type": "application/x-www-form-urlencoded"},
            urlencode({"webhook_id": hook_id}).encode(),
        )
        return Response.json(hook, status=201)

    def delete_webhook(self, req: Request) -> Response:
        try:
            hook = self.webhooks.pop(int(req.params["webhook_id"]))
        except (KeyError, ValueError):
            raise ApiError(self.error(404, "Invalid ID.", code="woocommerce_rest_webhook_invalid_id")) from None
        return Response.json(hook)

    def build_webhook(
        self, topic: str, resource: dict[str, Any], secret: str, hook_id: int = 0
    ) -> tuple[dict[str, str], bytes]:
        """Headers and raw body WooCommerce would post for ``topic`` (e.g. ``order.updated``)."""
        body = json.dumps(resource, separators=(",", ":")).encode()
        resource_name, _, event = topic.partition(".")
        return (
            {
                "Content-Type": "application/json",
                "X-WC-Webhook-Source": f"{self.hub.base_url}{self.prefix}/",
                "X-WC-Webhook-Topic": topic,
                "X-WC-Webhook-Resource": resource_name,
                "X-WC-Webhook-Event": event,
                "X-WC-Webhook-Signature": signing.woocommerce_webhook_signature(secret=secret, body=body),
                "X-WC-Webhook-ID": str(hook_id),
                "X-WC-Webhook-Delivery-ID": str(next(self._delivery_seq)),
            },
            body,
        )

    def _emit(self, topic: str, resource: dict[str, Any]) -> None:
        for hook in self.webhooks.values():
            if hook["topic"] == topic and hook["status"] == "active":
                headers, body = self.build_webhook(topic, resource, hook["secret"], hook["id"])
                self.hub.webhooks.emit(self.name, topic, hook["delivery_url"], headers, body)
