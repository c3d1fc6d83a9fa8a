"""Square Orders, Catalog, Inventory and Webhook Subscriptions APIs (docs/domain/channels.md#square),
mounted at ``/square`` (stands for ``https://connect.squareup.com``).

Auth: ``Authorization: Bearer <token>``; ``Square-Version`` optional but must look like a
date when sent. Orders carry no SKU (``catalog_object_id`` is the variation id). Catalog
``exact_query`` on ``sku`` matches case-insensitively and by prefix, as docs/domain/channels.md#square-catalog warns,
so connectors must filter ``item_variation_data.sku`` exactly. Inventory batch-create is
all-or-nothing and idempotent per ``idempotency_key`` (same key and body: the first answer
again, nothing re-applied; same key, other body: ``IDEMPOTENCY_KEY_REUSED``). Order updates
need the current ``version``. Empty lists are left out of answers, as Square does.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.channels import signing

from . import listing_edits, listing_images, product_images, square_refunds
from .base import Service
from .routing import ApiError, Request, Response
from .util import decode_token, encode_token, fingerprint, parse_iso, rfc3339, square_like_id

ORDER_STATES = ("OPEN", "COMPLETED", "CANCELED", "DRAFT")
FULFILLMENT_STATES = ("PROPOSED", "RESERVED", "PREPARED", "COMPLETED", "CANCELED", "FAILED")
FULFILLMENT_TYPES = ("PICKUP", "SHIPMENT", "DELIVERY")
SORT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "CLOSED_AT": "closed_at"}
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
RECIPIENTS = [
    ("Harper Quinn", "harper@example.com", "+15555550101", "500 Market St", "San Francisco", "CA", "94105"),
    ("Logan Reyes", "logan@example.com", "+15555550102", "22 Elm Ave", "Austin", "TX", "78704"),
    ("Emerson Ito", "emerson@example.com", "+15555550103", "9 Beacon St", "Boston", "MA", "02108"),
]


class SquareService(Service):
    name = "square"
    prefix = "/square"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        now = self.clock.now()
        c = self.creds
        self._event_seq = itertools.count(1)
        self._change_seq = itertools.count(1)
        square_refunds.reset(self)
        self.locations = {
            c.square_location_id: {
                "id": c.square_location_id,
                "name": "Main warehouse",
                "status": "ACTIVE",
                "type": "PHYSICAL",
                "merchant_id": c.square_merchant_id,
                "country": "US",
                "currency": "USD",
                "timezone": "America/Los_Angeles",
                "address": {
                    "address_line_1": "1200 S Figueroa St",
                    "locality": "Los Angeles",
                    "administrative_district_level_1": "CA",
                    "postal_code": "90015",
                    "country": "US",
                },
                "capabilities": ["CREDIT_CARD_PROCESSING"],
                "created_at": rfc3339(now - 365 * 86400),
            }
        }
        self.orders: dict[str, dict[str, Any]] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.counts: dict[tuple[str, str], dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, Response]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.versions_seen: set[str] = set()
        stamp = rfc3339(now - 90 * 86400)
        for group in self.catalogue.groups_for("square"):
            item_id = self.catalogue.ids(group.items[0].sku)["square"]["item_id"]
            variations = []
            for ordinal, item in enumerate(group.items, start=1):
                vid = self.catalogue.ids(item.sku)["square"]["variation_id"]
                variation = {
                    "type": "ITEM_VARIATION",
                    "id": vid,
                    "updated_at": stamp,
                    "created_at": stamp,
                    "version": 1700000000000 + ordinal,
                    "is_deleted": False,
                    "present_at_all_locations": True,
                    "item_variation_data": {
                        "item_id": item_id,
                        "name": item.option or "Regular",
                        "sku": item.sku,
                        "ordinal": ordinal,
                        "pricing_type": "FIXED_PRICING",
                        "price_money": {"amount": item.price_cents, "currency": "USD"},
                        "track_inventory": True,
                        "sellable": True,
                        "stockable": True,
                    },
                }
                variations.append(variation)
                self.objects[vid] = variation
                self.counts[(vid, c.square_location_id)] = {
                    "quantity": Decimal(item.stock),
                    "calculated_at": stamp,
                }
            self.objects[item_id] = {
                "type": "ITEM",
                "id": item_id,
                "updated_at": stamp,
                "created_at": stamp,
                "version": 1700000000000,
                "is_deleted": False,
                "present_at_all_locations": True,
                "item_data": {"name": group.name, "product_type": "REGULAR", "variations": variations},
            }
        listing_images.seed_square(self)  # IMAGE objects, referenced by image_ids

    def summary(self) -> dict[str, Any]:
        states: dict[str, int] = {}
        for order in self.orders.values():
            states[order["state"]] = states.get(order["state"], 0) + 1
        return {
            "orders": len(self.orders),
            "by_state": states,
            "catalog_objects": len(self.objects),
            "idempotency_keys": len(self.idempotency),
            "subscriptions": len(self.subscriptions),
        }

    def stock(self, sku: str, location_id: str | None = None) -> str | None:
        """Current IN_STOCK count of ``sku`` as Square's decimal string."""
        vid = self.catalogue.ids(sku)["square"]["variation_id"]
        count = self.counts.get((vid, location_id or self.creds.square_location_id))
        return None if count is None else _decimal_str(count["quantity"])

    # --- errors --------------------------------------------------------------------------
    def error(
        self,
        status: int,
        message: str,
        code: str = "BAD_REQUEST",
        category: str = "INVALID_REQUEST_ERROR",
        field: str | None = None,
    ) -> Response:
        err: dict[str, Any] = {"category": category, "code": code, "detail": message}
        if field:
            err["field"] = field
        return Response.json({"errors": [err]}, status=status)

    def rate_limited_response(self) -> Response:
        return self.error(429, "Rate limit exceeded.", code="RATE_LIMITED", category="RATE_LIMIT_ERROR")

    def server_error_response(self) -> Response:
        return self.error(500, "An internal error occurred.", code="INTERNAL_SERVER_ERROR", category="API_ERROR")

    def not_found_response(self, req: Request) -> Response:
        return self.error(404, f"Resource not found: {req.method} {req.path}.", code="NOT_FOUND")

    def bad_request_response(self, message: str) -> Response:
        code = "INVALID_JSON" if message.startswith("Malformed JSON") else "INVALID_VALUE"
        return self.error(400, message, code=code)

    def invalid(
        self, message: str, code: str = "INVALID_VALUE", field: str | None = None, status: int = 400
    ) -> ApiError:
        return ApiError(self.error(status, message, code=code, field=field))

    # --- auth ----------------------------------------------------------------------------
    def authenticate(self, req: Request) -> None:
        header = req.header("authorization") or ""
        if not header.startswith("Bearer ") or header[7:].strip() != self.creds.square_access_token:
            raise ApiError(
                self.error(
                    401,
                    "This request could not be authorized.",
                    code="UNAUTHORIZED",
                    category="AUTHENTICATION_ERROR",
                )
            )
        version = req.header("square-version")
        if version is not None:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version.strip()):
                raise self.invalid(
                    "Square-Version must be a date like 2025-08-20.", code="INVALID_SQUARE_VERSION_FORMAT"
                )
            self.versions_seen.add(version.strip())

    # --- routes --------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("GET", "/v2/locations", self.list_locations)
        r("POST", "/v2/orders/search", self.search_orders)
        r("POST", "/v2/orders/batch-retrieve", self.batch_retrieve_orders)
        r("GET", "/v2/orders/{order_id}", self.get_order)
        r("PUT", "/v2/orders/{order_id}", self.update_order)
        r("POST", "/v2/catalog/search", self.search_catalog)
        r("POST", "/v2/catalog/batch-retrieve", self.batch_retrieve_catalog)
        listing_edits.register_square(self)  # UpsertCatalogObject (title and price)
        product_images.register(self)  # the catalog pictures' host
        r("POST", "/v2/inventory/changes/batch-create", self.batch_create_changes)
        r("POST", "/v2/inventory/counts/batch-retrieve", self.batch_retrieve_counts)
        r("GET", "/v2/webhooks/subscriptions", self.list_subscriptions)
        r("POST", "/v2/webhooks/subscriptions", self.create_subscription)
        square_refunds.install(self)  # refunds and seller cancellations (their own module)

    def list_locations(self, req: Request) -> Response:
        return Response.json({"locations": list(self.locations.values())})

    # --- orders --------------------------------------------------------------------------
    def _new_id(self, n: int = 27) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def generate_order(
        self,
        *,
        skus: Any = None,
        state: str = "OPEN",
        fulfillment_type: str | None = "SHIPMENT",
        at: float | None = None,
        mix: bool = False,
    ) -> str:
        """A new order in Square's shape. ``fulfillment_type=None`` gives a counter sale
        without fulfilments; ``mix=True`` mixes in pickups and completed counter sales."""
        rng = self.rng
        if mix:
            roll = rng.random()
            if roll < 0.15:
                fulfillment_type = "PICKUP"
            elif roll < 0.25:
                fulfillment_type, state = None, "COMPLETED"
        if state not in ORDER_STATES:
            raise ValueError(f"unknown Square order state {state!r}")
        if fulfillment_type is not None and fulfillment_type not in FULFILLMENT_TYPES:
            raise ValueError(f"unknown Square fulfillment type {fulfillment_type!r}")
        ts = float(at if at is not None else self.clock.now())
        stamp = rfc3339(ts)
        items = self.catalogue.items_for("square")
        if skus:
            pairs = skus.items() if isinstance(skus, dict) else [(s, 1) for s in skus]
            picked = [(self.catalogue.item(s), int(q)) for s, q in pairs]
        else:
            chosen = rng.sample(items, k=min(len(items), rng.choice((1, 1, 2))))
            picked = [(i, rng.choice((1, 1, 2))) for i in chosen]
        line_items = []
        total = 0
        for item, qty in picked:
            vid = self.catalogue.ids(item.sku)["square"]["variation_id"]
            money = item.price_cents * qty
            total += money
            line_items.append(
                {
                    "uid": self._new_id(22),
                    "catalog_object_id": vid,
                    "catalog_version": self.objects[vid]["version"],
                    "quantity": str(qty),
                    "name": item.name,
                    "variation_name": item.option or "Regular",
                    "item_type": "ITEM",
                    "base_price_money": {"amount": item.price_cents, "currency": "USD"},
                    "variation_total_price_money": {"amount": money, "currency": "USD"},
                    "gross_sales_money": {"amount": money, "currency": "USD"},
                    "total_tax_money": {"amount": 0, "currency": "USD"},
                    "total_discount_money": {"amount": 0, "currency": "USD"},
                    "total_money": {"amount": money, "currency": "USD"},
                }
            )
        money = lambda amount: {"amount": amount, "currency": "USD"}  # noqa: E731
        order: dict[str, Any] = {
            "id": self._new_id(),
            "location_id": self.creds.square_location_id,
            "reference_id": f"WEB-{len(self.orders) + 1:06d}",
            "source": {"name": "Square Online"},
            "line_items": line_items,
            "net_amounts": {
                "total_money": money(total),
                "tax_money": money(0),
                "discount_money": money(0),
                "tip_money": money(0),
                "service_charge_money": money(0),
            },
            "created_at": stamp,
            "updated_at": stamp,
            "state": state,
            "version": 1,
            "total_money": money(total),
            "total_tax_money": money(0),
            "total_discount_money": money(0),
            "total_tip_money": money(0),
            "total_service_charge_money": money(0),
        }
        if state in ("COMPLETED", "CANCELED"):
            order["closed_at"] = stamp
        if fulfillment_type:
            name, email, phone, street, city, region, postcode = rng.choice(RECIPIENTS)
            fulfillment: dict[str, Any] = {"uid": self._new_id(22), "type": fulfillment_type, "state": "PROPOSED"}
            if fulfillment_type == "PICKUP":
                fulfillment["pickup_details"] = {
                    "recipient": {"display_name": name, "email_address": email, "phone_number": phone},
                    "schedule_type": "ASAP",
                    "placed_at": stamp,
                }
            else:
                fulfillment["shipment_details"] = {
                    "recipient": {
                        "display_name": name,
                        "email_address": email,
                        "phone_number": phone,
                        "address": {
                            "address_line_1": street,
                            "locality": city,
                            "administrative_district_level_1": region,
                            "postal_code": postcode,
                            "country": "US",
                        },
                    },
                    "placed_at": stamp,
                }
            order["fulfillments"] = [fulfillment]
        self.orders[order["id"]] = order
        self._emit_order("order.created", order)
        return order["id"]

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise self.invalid(f"Order {order_id} not found.", code="NOT_FOUND", status=404)
        return order

    def get_order(self, req: Request) -> Response:
        return Response.json({"order": self._order(req.params["order_id"])})

    def batch_retrieve_orders(self, req: Request) -> Response:
        ids = req.json_object().get("order_ids")
        if not isinstance(ids, list) or not ids:
            raise self.invalid("order_ids is required.", code="MISSING_REQUIRED_PARAMETER", field="order_ids")
        found = [self.orders[i] for i in ids if i in self.orders]
        return Response.json({"orders": found} if found else {})

    def search_orders(self, req: Request) -> Response:
        body = req.json_object()
        locations = body.get("location_ids")
        if not isinstance(locations, list) or not locations:
            raise self.invalid("location_ids is required.", code="MISSING_REQUIRED_PARAMETER", field="location_ids")
        if len(locations) > 10:
            raise self.invalid("At most 10 location_ids.", code="ARRAY_LENGTH_TOO_LONG", field="location_ids")
        for loc in locations:
            if loc not in self.locations:
                raise self.invalid(f"Location {loc} not found.", code="NOT_FOUND", field="location_ids", status=404)
        limit = body.get("limit", 500)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise self.invalid("limit must be between 1 and 1000.", field="limit")
        query = body.get("query") or {}
        filt = query.get("filter") or {}
        sort = query.get("sort") or {}
        sort_field = sort.get("sort_field", "CREATED_AT")
        if sort_field not in SORT_FIELDS:
            raise self.invalid(
                "sort_field must be CREATED_AT, UPDATED_AT or CLOSED_AT.",
                code="INVALID_ENUM_VALUE",
                field="query.sort.sort_field",
            )
        sort_order = sort.get("sort_order", "DESC")
        if sort_order not in ("ASC", "DESC"):
            raise self.invalid(
                "sort_order must be ASC or DESC.", code="INVALID_ENUM_VALUE", field="query.sort.sort_order"
            )
        dtf = filt.get("date_time_filter") or {}
        if len(dtf) > 1:
            raise self.invalid(
                "Only one of created_at, updated_at, closed_at may be filtered.", field="query.filter.date_time_filter"
            )
        time_range = None
        if dtf:
            ((field_name, time_range),) = dtf.items()
            if field_name.upper() not in SORT_FIELDS:
                raise self.invalid(
                    f"Unknown date_time_filter field {field_name}.", field="query.filter.date_time_filter"
                )
            if field_name.upper() != sort_field:
                raise self.invalid(
                    f"The sort_field must be {field_name.upper()} when filtering on {field_name}.",
                    field="query.sort.sort_field",
                )
        key_field = SORT_FIELDS[sort_field]
        try:
            start = parse_iso(time_range["start_at"]) if time_range and time_range.get("start_at") else None
            end = parse_iso(time_range["end_at"]) if time_range and time_range.get("end_at") else None
        except (ValueError, TypeError, AttributeError):
            raise self.invalid(
                "start_at/end_at must be RFC 3339 timestamps.", field="query.filter.date_time_filter"
            ) from None
        states = (filt.get("state_filter") or {}).get("states")
        ftypes = (filt.get("fulfillment_filter") or {}).get("fulfillment_types")
        fstates = (filt.get("fulfillment_filter") or {}).get("fulfillment_states")

        def keep(o: dict[str, Any]) -> bool:
            if o["location_id"] not in locations:
                return False
            if states and o["state"] not in states:
                return False
            if ftypes and not any(f["type"] in ftypes for f in o.get("fulfillments", [])):
                return False
            if fstates and not any(f["state"] in fstates for f in o.get("fulfillments", [])):
                return False
            if key_field not in o:
                return False
            t = parse_iso(o[key_field])
            if start is not None and t < start:
                return False
            if end is not None and t >= end:
                return False
            return True

        sign = 1 if sort_order == "ASC" else -1

        def key(o: dict[str, Any]) -> list[Any]:
            # any consistent total order works for keyset paging; ties break on the id
            return [sign * parse_iso(o[key_field]), o["id"]]

        matching = sorted((o for o in self.orders.values() if keep(o)), key=key)
        query_fp = fingerprint([locations, query])
        after = None
        if body.get("cursor"):
            try:
                data = decode_token(body["cursor"])
            except ValueError:
                raise self.invalid("The cursor is invalid.", field="cursor") from None
            if data.get("q") != query_fp:
                raise self.invalid(
                    "The cursor does not match this query: resend the same query with it.", field="cursor"
                )
            after = data.get("k")
        rest = [o for o in matching if after is None or key(o) > after]
        page = rest[:limit]
        out: dict[str, Any] = {}
        if page:
            if body.get("return_entries"):
                out["order_entries"] = [
                    {"order_id": o["id"], "version": o["version"], "location_id": o["location_id"]} for o in page
                ]
            else:
                out["orders"] = page
        if len(rest) > limit:
            out["cursor"] = encode_token({"q": query_fp, "k": key(page[-1])})
        return Response.json(out)

    def _idempotent(self, scope: str, req: Request, body: dict[str, Any], required: bool):
        """Return a stored Response for a replay, or None; raises on key misuse."""
        key = body.get("idempotency_key")
        if key is None or key == "":
            if required:
                raise self.invalid(
                    "idempotency_key is required.", code="MISSING_REQUIRED_PARAMETER", field="idempotency_key"
                )
            return None, None
        if not isinstance(key, str) or len(key) > 128:
            raise self.invalid("idempotency_key must be a string of at most 128 characters.", field="idempotency_key")
        digest = fingerprint([req.path, body])
        stored = self.idempotency.get((scope, key))
        if stored is not None:
            if stored[0] != digest:
                raise self.invalid(
                    "The idempotency key was already used with a different request.",
                    code="IDEMPOTENCY_KEY_REUSED",
                    field="idempotency_key",
                )
            self.record("idempotent_replay", scope=scope, idempotency_key=key)
            return (scope, key), Response(status=stored[1].status, body=stored[1].body, headers=dict(stored[1].headers))
        return (scope, key), None

    def update_order(self, req: Request) -> Response:
        order = self._order(req.params["order_id"])
        body = req.json_object()
        slot, replay = self._idempotent("orders.update", req, body, required=False)
        if replay is not None:
            return replay
        patch = body.get("order")
        if not isinstance(patch, dict):
            raise self.invalid("order is required.", code="MISSING_REQUIRED_PARAMETER", field="order")
        version = patch.get("version")
        if version is None:
            raise self.invalid(
                "order.version is required to update an order.",
                code="MISSING_REQUIRED_PARAMETER",
                field="order.version",
            )
        if version != order["version"]:
            raise self.invalid(
                f"The order version {version} does not match the current version {order['version']}.",
                code="VERSION_MISMATCH",
                field="order.version",
            )
        if patch.get("location_id") not in (None, order["location_id"]):
            raise self.invalid("location_id does not match the order.", field="order.location_id")
        if order["state"] in ("COMPLETED", "CANCELED"):
            raise self.invalid(f"A {order['state']} order cannot be updated.", code="BAD_REQUEST")
        changes: list[dict[str, Any]] = []
        fulfillments = order.setdefault("fulfillments", [])
        for index, fpatch in enumerate(patch.get("fulfillments") or []):
            where = f"order.fulfillments[{index}]"
            if not isinstance(fpatch, dict):
                raise self.invalid("Each fulfillment must be an object.", field=where)
            if fpatch.get("state") is not None and fpatch["state"] not in FULFILLMENT_STATES:
                raise self.invalid(
                    f"Unknown fulfillment state {fpatch['state']}.", code="INVALID_ENUM_VALUE", field=f"{where}.state"
                )
            current = (
                next((f for f in fulfillments if f["uid"] == fpatch.get("uid")), None) if fpatch.get("uid") else None
            )
            if fpatch.get("uid") and current is None:
                raise self.invalid(
                    f"Fulfillment {fpatch['uid']} not found on this order.", code="NOT_FOUND", field=f"{where}.uid"
                )
            if (
                current is not None
                and current["state"] in ("COMPLETED", "CANCELED", "FAILED")
                and fpatch.get("state") not in (None, current["state"])
            ):
                raise self.invalid(f"A {current['state']} fulfillment cannot change state.", field=f"{where}.state")
            changes.append({"current": current, "patch": fpatch})
        if patch.get("state") is not None and patch["state"] not in ORDER_STATES:
            raise self.invalid(f"Unknown order state {patch['state']}.", code="INVALID_ENUM_VALUE", field="order.state")
        # all checks passed: apply
        ts = self.clock.now()
        stamp = rfc3339(ts)
        updates = []
        for change in changes:
            current, fpatch = change["current"], change["patch"]
            if current is None:
                current = {"uid": self._new_id(22), "type": fpatch.get("type", "SHIPMENT"), "state": "PROPOSED"}
                fulfillments.append(current)
            old_state = current["state"]
            if fpatch.get("state"):
                current["state"] = fpatch["state"]
            details = fpatch.get("shipment_details")
            if isinstance(details, dict):
                current.setdefault("shipment_details", {}).update(details)
                if current["state"] == "COMPLETED" and "shipped_at" not in current["shipment_details"]:
                    current["shipment_details"]["shipped_at"] = stamp
            sd = current.get("shipment_details", {})
            updates.append({"fulfillment_uid": current["uid"], "old_state": old_state, "new_state": current["state"]})
            self.record(
                "fulfillment_update",
                order_id=order["id"],
                fulfillment_uid=current["uid"],
                old_state=old_state,
                new_state=current["state"],
                carrier=sd.get("carrier"),
                tracking_number=sd.get("tracking_number"),
                tracking_url=sd.get("tracking_url"),
                idempotency_key=body.get("idempotency_key"),
            )
        for key in ("reference_id",):
            if key in patch:
                order[key] = patch[key]
        for path in body.get("fields_to_clear") or []:
            if "." not in path and path not in ("id", "version", "location_id", "state"):
                order.pop(path, None)
        if patch.get("state"):
            order["state"] = patch["state"]
            if patch["state"] in ("COMPLETED", "CANCELED"):
                order["closed_at"] = stamp
        order["version"] += 1
        order["updated_at"] = stamp
        if not order["fulfillments"]:
            order.pop("fulfillments")
        resp = Response.json({"order": order})
        if slot is not None:
            self.idempotency[slot] = (fingerprint([req.path, body]), resp)
        self._emit_order("order.updated", order)
        if updates:
            self._emit_order("order.fulfillment.updated", order, updates)
        return resp

    def complete(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        stamp = rfc3339(at if at is not None else self.clock.now())
        order.update(state="COMPLETED", closed_at=stamp, updated_at=stamp, version=order["version"] + 1)

    def cancel(self, order_id: str, *, at: float | None = None) -> None:
        order = self._order(order_id)
        stamp = rfc3339(at if at is not None else self.clock.now())
        order.update(state="CANCELED", closed_at=stamp, updated_at=stamp, version=order["version"] + 1)

    # --- catalog -------------------------------------------------------------------------
    def search_catalog(self, req: Request) -> Response:
        body = req.json_object()
        types = body.get("object_types") or ["ITEM", "ITEM_VARIATION"]
        limit = body.get("limit", 100)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise self.invalid("limit must be between 1 and 1000.", field="limit")
        query = body.get("query") or {}
        objects = [
            o
            for o in self.objects.values()
            if o["type"] in types and (body.get("include_deleted_objects") or not o["is_deleted"])
        ]
        if body.get("begin_time"):
            try:
                begin = parse_iso(body["begin_time"])
            except (ValueError, TypeError):
                raise self.invalid("begin_time must be RFC 3339.", field="begin_time") from None
            objects = [o for o in objects if parse_iso(o["updated_at"]) >= begin]

        def attr(o: dict[str, Any], name: str) -> str:
            data = o.get("item_variation_data") or o.get("item_data") or {}
            return str(data.get(name) or "")

        if "exact_query" in query:
            q = query["exact_query"] or {}
            name, value = q.get("attribute_name"), str(q.get("attribute_value") or "").lower()
            if name == "sku":  # case-insensitive and partial, as docs/domain/channels.md#square-catalog warns
                objects = [o for o in objects if attr(o, "sku").lower().startswith(value)]
            else:
                objects = [o for o in objects if attr(o, name).lower() == value]
        elif "prefix_query" in query:
            q = query["prefix_query"] or {}
            prefix = str(q.get("attribute_prefix") or "").lower()
            objects = [o for o in objects if attr(o, q.get("attribute_name") or "name").lower().startswith(prefix)]
        elif "text_query" in query:
            words = [w.lower() for w in (query["text_query"] or {}).get("keywords") or []]
            objects = [o for o in objects if all(w in (attr(o, "name") + " " + attr(o, "sku")).lower() for w in words)]
        objects.sort(key=lambda o: o["id"])
        offset = 0
        fp = fingerprint([types, query, body.get("begin_time")])
        if body.get("cursor"):
            try:
                data = decode_token(body["cursor"])
                assert data.get("q") == fp
                offset = int(data["o"])
            except (ValueError, KeyError, AssertionError):
                raise self.invalid("The cursor is invalid.", field="cursor") from None
        page = objects[offset : offset + limit]
        out: dict[str, Any] = {"latest_time": rfc3339(self.clock.now())}
        if page:
            out["objects"] = page
        if body.get("include_related_objects"):
            related_ids = {o["item_variation_data"]["item_id"] for o in page if o["type"] == "ITEM_VARIATION"}
            related = [self.objects[i] for i in sorted(related_ids) if i in self.objects]
            if related:
                out["related_objects"] = related
        if offset + limit < len(objects):
            out["cursor"] = encode_token({"q": fp, "o": offset + limit})
        return Response.json(listing_images.square_answer(self, req, out, body))

    def batch_retrieve_catalog(self, req: Request) -> Response:
        body = req.json_object()
        ids = body.get("object_ids")
        if not isinstance(ids, list) or not ids:
            raise self.invalid("object_ids is required.", code="MISSING_REQUIRED_PARAMETER", field="object_ids")
        found = [self.objects[i] for i in ids if i in self.objects]
        out: dict[str, Any] = {"objects": found} if found else {}
        if body.get("include_related_objects"):
            related_ids = {o["item_variation_data"]["item_id"] for o in found if o["type"] == "ITEM_VARIATION"}
            if related_ids:
                out["related_objects"] = [self.objects[i] for i in sorted(related_ids)]
        return Response.json(listing_images.square_answer(self, req, out, body))

    # --- inventory -----------------------------------------------------------------------
    def _count_out(self, vid: str, location_id: str) -> dict[str, Any]:
        count = self.counts[(vid, location_id)]
        return {
            "catalog_object_id": vid,
            "catalog_object_type": "ITEM_VARIATION",
            "state": "IN_STOCK",
            "location_id": location_id,
            "quantity": _decimal_str(count["quantity"]),
            "calculated_at": count["calculated_at"],
        }

    def batch_create_changes(self, req: Request) -> Response:
        body = req.json_object()
        slot, replay = self._idempotent("inventory.batch-create", req, body, required=True)
        if replay is not None:
            return replay
        changes = body.get("changes")
        if not isinstance(changes, list) or not changes:
            raise self.invalid("changes is required.", code="MISSING_REQUIRED_PARAMETER", field="changes")
        if len(changes) > 100:
            raise self.invalid("At most 100 changes per request.", code="ARRAY_LENGTH_TOO_LONG", field="changes")
        now = self.clock.now()
        planned: list[tuple[str, str, str, Decimal, dict[str, Any], str]] = []
        for index, change in enumerate(changes):
            where = f"changes[{index}]"
            kind = change.get("type") if isinstance(change, dict) else None
            if kind not in ("PHYSICAL_COUNT", "ADJUSTMENT"):
                raise self.invalid(
                    "type must be PHYSICAL_COUNT or ADJUSTMENT.", code="INVALID_ENUM_VALUE", field=f"{where}.type"
                )
            obj_key = "physical_count" if kind == "PHYSICAL_COUNT" else "adjustment"
            data = change.get(obj_key)
            where = f"{where}.{obj_key}"
            if not isinstance(data, dict):
                raise self.invalid(f"{obj_key} is required for {kind}.", code="MISSING_REQUIRED_PARAMETER", field=where)
            vid = data.get("catalog_object_id")
            if vid not in self.objects or self.objects[vid]["type"] != "ITEM_VARIATION":
                raise self.invalid(f"Unknown catalog_object_id {vid}.", field=f"{where}.catalog_object_id")
            loc = data.get("location_id")
            if loc not in self.locations:
                raise self.invalid(f"Unknown location_id {loc}.", field=f"{where}.location_id")
            raw_qty = data.get("quantity")
            if not isinstance(raw_qty, str) or not DECIMAL.match(raw_qty):
                raise self.invalid('quantity must be a decimal string such as "7".', field=f"{where}.quantity")
            try:
                qty = Decimal(raw_qty)
            except InvalidOperation:
                raise self.invalid("quantity must be a decimal string.", field=f"{where}.quantity") from None
            try:
                occurred = parse_iso(data.get("occurred_at") or "")
            except (ValueError, TypeError):
                raise self.invalid("occurred_at must be an RFC 3339 timestamp.", field=f"{where}.occurred_at") from None
            if occurred > now + 60:
                raise self.invalid("occurred_at must not be in the future.", field=f"{where}.occurred_at")
            if kind == "PHYSICAL_COUNT":
                if data.get("state") != "IN_STOCK":
                    raise self.invalid("The emulator tracks IN_STOCK counts only.", field=f"{where}.state")
                if qty < 0:
                    raise self.invalid("A physical count cannot be negative.", field=f"{where}.quantity")
                if occurred < now - 86400:
                    raise self.invalid(
                        "occurred_at of a physical count must be within the last 24 hours.",
                        field=f"{where}.occurred_at",
                    )
                planned.append((kind, vid, loc, qty, data, "set"))
            else:
                frm, to = data.get("from_state"), data.get("to_state")
                if qty <= 0:
                    raise self.invalid("An adjustment quantity must be positive.", field=f"{where}.quantity")
                if to == "IN_STOCK" and frm != "IN_STOCK":
                    planned.append((kind, vid, loc, qty, data, "add"))
                elif frm == "IN_STOCK" and to != "IN_STOCK":
                    planned.append((kind, vid, loc, qty, data, "sub"))
                else:
                    raise self.invalid("from_state/to_state must move stock into or out of IN_STOCK.", field=where)
        stamp = rfc3339(now)
        touched: list[tuple[str, str]] = []
        out_changes = []
        for kind, vid, loc, qty, data, op in planned:
            count = self.counts.setdefault((vid, loc), {"quantity": Decimal(0), "calculated_at": stamp})
            before = count["quantity"]
            count["quantity"] = qty if op == "set" else before + qty if op == "add" else before - qty
            count["calculated_at"] = stamp
            if (vid, loc) not in touched:
                touched.append((vid, loc))
            obj_key = "physical_count" if kind == "PHYSICAL_COUNT" else "adjustment"
            out_changes.append(
                {"type": kind, obj_key: dict(data, id=f"EMUCHG{next(self._change_seq):010d}", created_at=stamp)}
            )
            self.record(
                "inventory_change",
                idempotency_key=body["idempotency_key"],
                type=kind,
                catalog_object_id=vid,
                sku=self.objects[vid]["item_variation_data"]["sku"],
                location_id=loc,
                quantity=_decimal_str(count["quantity"]),
                previous_quantity=_decimal_str(before),
            )
        resp = Response.json({"counts": [self._count_out(v, loc) for v, loc in touched], "changes": out_changes})
        self.idempotency[slot] = (fingerprint([req.path, body]), resp)
        for vid, loc in touched:
            self._emit_inventory(vid, loc)
        return resp

    def batch_retrieve_counts(self, req: Request) -> Response:
        body = req.json_object()
        ids = body.get("catalog_object_ids")
        locs = body.get("location_ids")
        limit = body.get("limit", 1000)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise self.invalid("limit must be between 1 and 1000.", field="limit")
        counts = [
            self._count_out(vid, loc)
            for (vid, loc) in sorted(self.counts)
            if (not ids or vid in ids) and (not locs or loc in locs)
        ]
        if body.get("updated_after"):
            after = parse_iso(body["updated_after"])
            counts = [c for c in counts if parse_iso(c["calculated_at"]) > after]
        offset = 0
        fp = fingerprint([ids, locs, body.get("updated_after")])
        if body.get("cursor"):
            try:
                data = decode_token(body["cursor"])
                assert data.get("q") == fp
                offset = int(data["o"])
            except (ValueError, KeyError, AssertionError):
                raise self.invalid("The cursor is invalid.", field="cursor") from None
        page = counts[offset : offset + limit]
        out: dict[str, Any] = {"counts": page} if page else {}
        if offset + limit < len(counts):
            out["cursor"] = encode_token({"q": fp, "o": offset + limit})
        return Response.json(out)

    # --- webhooks ------------------------------------------------------------------------
    def list_subscriptions(self, req: Request) -> Response:
        subs = list(self.subscriptions.values())
        return Response.json({"subscriptions": subs} if subs else {})

    def create_subscription(self, req: Request) -> Response:
        body = req.json_object()
        slot, replay = self._idempotent("webhooks.create", req, body, required=False)
        if replay is not None:
            return replay
        sub = body.get("subscription")
        if not isinstance(sub, dict) or not sub.get("notification_url") or not sub.get("event_types"):
            raise self.invalid(
                "subscription.notification_url and event_types are required.",
                code="MISSING_REQUIRED_PARAMETER",
                field="subscription",
            )
        stamp = rfc3339(self.clock.now())
        sub_id = "wbhk_" + square_like_id("subscription", len(self.subscriptions), length=32).lower()
        stored = {
            "id": sub_id,
            "name": sub.get("name") or "SellerHub",
            "enabled": sub.get("enabled", True),
            "event_types": list(sub["event_types"]),
            "notification_url": sub["notification_url"],
            "api_version": sub.get("api_version") or "2025-08-20",
            "signature_key": square_like_id("signature", sub_id, length=22),
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.subscriptions[sub_id] = stored
        resp = Response.json({"subscription": stored})
        if slot is not None:
            self.idempotency[slot] = (fingerprint([req.path, body]), resp)
        return resp

    def build_webhook(
        self, event_type: str, data: dict[str, Any], signature_key: str, notification_url: str
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of a signed Square notification."""
        payload = {
            "merchant_id": self.creds.square_merchant_id,
            "type": event_type,
            "event_id": square_like_id("event", next(self._event_seq), length=36).lower(),
            "created_at": rfc3339(self.clock.now()),
            "data": data,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        sig = signing.square_webhook_signature(
            signature_key=signature_key, notification_url=notification_url, body=body
        )
        return {"Content-Type": "application/json", "x-square-hmacsha256-signature": sig}, body

    def _deliver(self, event_type: str, data: dict[str, Any]) -> None:
        for sub in self.subscriptions.values():
            if sub["enabled"] and event_type in sub["event_types"]:
                headers, body = self.build_webhook(event_type, data, sub["signature_key"], sub["notification_url"])
                self.hub.webhooks.emit(self.name, event_type, sub["notification_url"], headers, body)

    def _emit_order(self, event_type: str, order: dict[str, Any], updates: list[dict[str, Any]] | None = None) -> None:
        if not self.subscriptions:
            return
        inner = {
            "order_id": order["id"],
            "version": order["version"],
            "location_id": order["location_id"],
            "state": order["state"],
            "created_at": order["created_at"],
            "updated_at": order["updated_at"],
        }
        if updates is not None:
            inner["fulfillment_update"] = updates
        key = {"order.created": "order_created", "order.updated": "order_updated"}.get(
            event_type, "order_fulfillment_updated"
        )
        self._deliver(event_type, {"type": "order", "id": order["id"], "object": {key: inner}})

    def _emit_inventory(self, vid: str, loc: str) -> None:
        if self.subscriptions:
            self._deliver(
                "inventory.count.updated",
                {"type": "inventory", "id": vid, "object": {"inventory_counts": [self._count_out(vid, loc)]}},
            )


def _decimal_str(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != 0 else "0"
    return text
