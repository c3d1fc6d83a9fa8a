"""Etsy Open API v3 (docs/domain/channels.md#etsy), mounted at ``/etsy`` (stands for
``https://api.etsy.com``): ``/etsy/v3/application/...`` and ``/etsy/v3/public/oauth/token``.
``/etsy/oauth/connect`` stands in for ``https://www.etsy.com/oauth/connect`` (auto-consent,
PKCE S256 checked at the token exchange).

Every ``/v3/application`` call needs ``x-api-key: {keystring}:{shared_secret}``; scoped calls
also ``Authorization: Bearer {user_id}.{token}``. Answers carry Etsy's rate-limit headers.
Inventory PUT replaces the whole listing inventory and issues new product and offering ids,
as Etsy does; quantity/sku/price must be equal across products unless the matching
``*_on_property`` names a property.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from collections import deque
from typing import Any
from urllib.parse import urlencode

from integrations.channels import signing

from . import listing_edits, listing_images
from .base import Service
from .routing import ApiError, BadRequest, Request, Response
from .util import random_token

APP = "/v3/application"
PUBLIC_PATHS = {APP + "/openapi-ping"}
TOKEN_TTL = 3600
REFRESH_TTL = 90 * 86400
LIMIT_PER_SECOND = 10
LIMIT_PER_DAY = 10_000
RECEIPT_STATUSES = (
    "paid",
    "completed",
    "open",
    "payment processing",
    "canceled",
    "fully refunded",
    "partially refunded",
)
PROPERTY_IDS = {"Size": 513, "Color": 200}
BUYERS = [
    ("Quinn Harper", "19 Maple Ln", "Madison", "WI", "53703", "US"),
    ("Drew Patel", "88 Ocean Blvd", "San Diego", "CA", "92101", "US"),
    ("Robin Meyer", "4 Kings Rd", "London", "", "SW3 4NB", "GB"),
]


class EtsyService(Service):
    name = "etsy"
    prefix = "/etsy"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        c = self.creds
        now = self.clock.now()
        self._receipt_seq = itertools.count(3100000001)
        self._transaction_seq = itertools.count(4100000001)
        self._shipment_seq = itertools.count(1)
        self._product_seq = itertools.count(20000000001)
        self._offering_seq = itertools.count(30000000001)
        self.access_tokens: dict[str, float] = {c.etsy_access_token: now + TOKEN_TTL}
        self.refresh_tokens: dict[str, float] = {c.etsy_refresh_token: now + REFRESH_TTL}
        self.auth_codes: dict[str, dict[str, Any]] = {}
        self.receipts: dict[int, dict[str, Any]] = {}
        self.listings: dict[int, dict[str, Any]] = {}
        self.inventories: dict[int, dict[str, Any]] = {}
        self.webhook_url: str | None = None
        self._calls: deque[float] = deque()
        self._calls_this_second: deque[float] = deque()
        for group in self.catalogue.groups_for("etsy"):
            listing_id = self.catalogue.ids(group.items[0].sku)["etsy"]["listing_id"]
            first = group.items[0]
            prop = PROPERTY_IDS.get(first.option_name, 513) if group.is_variable else None
            self.listings[listing_id] = {
                "listing_id": listing_id,
                "user_id": c.etsy_user_id,
                "shop_id": c.etsy_shop_id,
                "title": group.name,
                "description": f"{group.name}, made to last.",
                "state": "active",
                "quantity": 0,
                "price": {"amount": first.price_cents, "divisor": 100, "currency_code": "USD"},
                "has_variations": group.is_variable,
                "skus": [i.sku for i in group.items],
                "created_timestamp": int(now) - 90 * 86400,
                "updated_timestamp": int(now) - 90 * 86400,
                "url": f"https://www.etsy.com/listing/{listing_id}",
            }
            products = []
            for item in group.items:
                values = []
                if prop is not None:
                    values = [
                        {
                            "property_id": prop,
                            "property_name": item.option_name,
                            "scale_id": None,
                            "scale_name": None,
                            "value_ids": [int(hashlib.md5(str(item.option).encode()).hexdigest()[:8], 16)],
                            "values": [item.option],
                        }
                    ]
                products.append(
                    {
                        "sku": item.sku,
                        "property_values": values,
                        "offerings": [{"price": item.price_cents / 100, "quantity": item.stock, "is_enabled": True}],
                    }
                )
            self._store_inventory(
                listing_id,
                {
                    "products": products,
                    "price_on_property": [],
                    "quantity_on_property": [prop] if prop else [],
                    "sku_on_property": [prop] if prop else [],
                },
            )

    def _store_inventory(self, listing_id: int, body: dict[str, Any]) -> dict[str, Any]:
        products = []
        for p in body["products"]:
            products.append(
                {
                    "product_id": next(self._product_seq),
                    "sku": p.get("sku") or "",
                    "is_deleted": False,
                    "offerings": [
                        {
                            "offering_id": next(self._offering_seq),
                            "quantity": o["quantity"],
                            "is_enabled": o["is_enabled"],
                            "is_deleted": False,
                            "price": {"amount": round(float(o["price"]) * 100), "divisor": 100, "currency_code": "USD"},
                        }
                        for o in p["offerings"]
                    ],
                    "property_values": [
                        {
                            "property_id": v.get("property_id"),
                            "property_name": v.get("property_name") or "",
                            "scale_id": v.get("scale_id"),
                            "scale_name": v.get("scale_name"),
                            "value_ids": list(v.get("value_ids") or []),
                            "values": list(v.get("values") or []),
                        }
                        for v in p.get("property_values") or []
                    ],
                }
            )
        inventory = {
            "products": products,
            "price_on_property": list(body.get("price_on_property") or []),
            "quantity_on_property": list(body.get("quantity_on_property") or []),
            "sku_on_property": list(body.get("sku_on_property") or []),
            "listing": None,
        }
        self.inventories[listing_id] = inventory
        listing = self.listings[listing_id]
        listing["quantity"] = sum(o["quantity"] for p in products for o in p["offerings"] if o["is_enabled"])
        listing["skus"] = [p["sku"] for p in products]
        listing["updated_timestamp"] = self.now()
        return inventory

    def summary(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for r in self.receipts.values():
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        return {"receipts": len(self.receipts), "by_status": statuses, "listings": len(self.listings)}

    def stock(self, sku: str) -> int | None:
        """Current Etsy quantity of ``sku`` (sum over its enabled offerings)."""
        for inventory in self.inventories.values():
            for p in inventory["products"]:
                if p["sku"] == sku:
                    return sum(o["quantity"] for o in p["offerings"] if o["is_enabled"])
        return None

    # --- errors and headers ------------------------------------------------------------------
    def error(self, status: int, message: str, **extra: Any) -> Response:
        return Response.json({"error": message, **extra}, status=status)

    def rate_limited_response(self) -> Response:
        return self.error(429, f"You have exceeded your quota of: {LIMIT_PER_SECOND} requests per second")

    def finalize(self, req: Request, resp: Response) -> Response:
        if not req.path.startswith(APP) or resp.status == 429:
            return resp
        now = time.time()
        self._calls.append(now)
        while self._calls and self._calls[0] < now - 86400:
            self._calls.popleft()
        self._calls_this_second.append(now)
        while self._calls_this_second[0] < now - 1:
            self._calls_this_second.popleft()
        this_second = len(self._calls_this_second)
        resp.headers.update(
            {
                "x-limit-per-second": str(LIMIT_PER_SECOND),
                "x-remaining-this-second": str(max(0, LIMIT_PER_SECOND - this_second)),
                "x-limit-per-day": str(LIMIT_PER_DAY),
                "x-remaining-today": str(max(0, LIMIT_PER_DAY - len(self._calls))),
            }
        )
        return resp

    # --- auth ----------------------------------------------------------------------------
    def authenticate(self, req: Request) -> None:
        c = self.creds
        key = req.header("x-api-key")
        if not key:
            raise self.fail(401, "Missing x-api-key header.")
        keystring, _, secret = key.partition(":")
        if keystring != c.etsy_keystring:
            raise self.fail(401, "Invalid API key.")
        if secret != c.etsy_shared_secret:
            raise self.fail(401, "Invalid API key: x-api-key must be {keystring}:{shared_secret}.")
        if req.path in PUBLIC_PATHS:
            return
        header = req.header("authorization") or ""
        if not header.lower().startswith("bearer "):
            raise self.fail(401, "Missing OAuth token: send Authorization: Bearer {user_id}.{token}.")
        token = header[7:].strip()
        expires = self.access_tokens.get(token)
        if expires is None or expires <= self.clock.now():
            raise self.fail(401, "invalid_token", error_description="The access token is invalid or expired.")
        shop_id = req.params.get("shop_id")
        if shop_id is not None and shop_id != str(c.etsy_shop_id):
            raise self.fail(403, "The token's user does not own this shop.")

    # --- routes --------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("POST", "/v3/public/oauth/token", self.token, auth=False)
        r("GET", "/oauth/connect", self.connect, auth=False, faultable=False)
        r("GET", APP + "/openapi-ping", self.ping)
        r("GET", APP + "/users/me", self.me)
        r("GET", APP + "/shops/{shop_id}", self.get_shop)
        r("GET", APP + "/shops/{shop_id}/receipts", self.list_receipts)
        r("GET", APP + "/shops/{shop_id}/receipts/{receipt_id}", self.get_receipt)
        r("POST", APP + "/shops/{shop_id}/receipts/{receipt_id}/tracking", self.create_tracking)
        r("GET", APP + "/shops/{shop_id}/listings", self.list_listings)
        r("GET", APP + "/listings/{listing_id}/inventory", self.get_inventory)
        r("PUT", APP + "/listings/{listing_id}/inventory", self.put_inventory)
        listing_edits.register_etsy(self, APP)  # updateListing (title)
        listing_images.register_etsy(self, APP)  # getListingImages and the pictures

    # --- OAuth ---------------------------------------------------------------------------
    def _oauth_error(self, error: str, description: str, status: int = 400) -> ApiError:
        return ApiError(Response.json({"error": error, "error_description": description}, status=status))

    def connect(self, req: Request) -> Response:
        if req.arg("client_id") != self.creds.etsy_keystring:
            raise self._oauth_error("invalid_client", "Unknown client_id.")
        if req.arg("response_type") != "code" or not req.arg("redirect_uri"):
            raise self._oauth_error("invalid_request", "response_type=code and redirect_uri are required.")
        if req.arg("code_challenge_method") != "S256" or not req.arg("code_challenge"):
            raise self._oauth_error("invalid_request", "PKCE with code_challenge_method=S256 is required.")
        code = random_token(self.rng, 40)
        self.auth_codes[code] = {
            "challenge": req.arg("code_challenge"),
            "redirect_uri": req.arg("redirect_uri"),
            "expires": self.clock.now() + 600,
        }
        params = urlencode({"code": code, "state": req.arg("state") or ""})
        redirect = req.arg("redirect_uri")
        sep = "&" if "?" in redirect else "?"
        return Response(status=302, headers={"Location": f"{redirect}{sep}{params}"})

    def _issue_tokens(self) -> dict[str, Any]:
        user = self.creds.etsy_user_id
        access = f"{user}.{random_token(self.rng, 48)}"
        refresh = f"{user}.{random_token(self.rng, 48)}"
        now = self.clock.now()
        self.access_tokens[access] = now + TOKEN_TTL
        self.refresh_tokens[refresh] = now + REFRESH_TTL
        return {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL, "refresh_token": refresh}

    def token(self, req: Request) -> Response:
        if req.content_type == "application/json":
            body = {k: str(v) for k, v in req.json_object().items()}
        else:
            body = req.form()
        grant = body.get("grant_type")
        if body.get("client_id") != self.creds.etsy_keystring:
            raise self._oauth_error("invalid_client", "Unknown client_id.", 401)
        if grant == "refresh_token":
            token = body.get("refresh_token") or ""
            expires = self.refresh_tokens.pop(token, None)  # refresh tokens rotate
            if expires is None or expires <= self.clock.now():
                raise self._oauth_error("invalid_grant", "The refresh token is invalid or expired.")
            self.hub.record(self.name, "token_issued", grant_type=grant)
            return Response.json(self._issue_tokens())
        if grant == "authorization_code":
            code = self.auth_codes.pop(body.get("code") or "", None)
            if code is None or code["expires"] <= self.clock.now():
                raise self._oauth_error("invalid_grant", "The authorization code is invalid or expired.")
            if body.get("redirect_uri") != code["redirect_uri"]:
                raise self._oauth_error("invalid_grant", "redirect_uri does not match the authorization request.")
            verifier = body.get("code_verifier") or ""
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if challenge != code["challenge"]:
                raise self._oauth_error("invalid_grant", "code_verifier does not match the code_challenge.")
            self.hub.record(self.name, "token_issued", grant_type=grant)
            return Response.json(self._issue_tokens())
        raise self._oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")

    def expire_access_tokens(self) -> None:
        now = self.clock.now()
        for token in self.access_tokens:
            self.access_tokens[token] = now - 1

    # --- shop ----------------------------------------------------------------------------
    def ping(self, req: Request) -> Response:
        return Response.json({"application_id": 1234567})

    def me(self, req: Request) -> Response:
        return Response.json({"user_id": self.creds.etsy_user_id, "shop_id": self.creds.etsy_shop_id})

    def get_shop(self, req: Request) -> Response:
        c = self.creds
        return Response.json(
            {
                "shop_id": c.etsy_shop_id,
                "user_id": c.etsy_user_id,
                "shop_name": "SellerHubDemo",
                "currency_code": "USD",
                "listing_active_count": len(self.listings),
                "url": "https://www.etsy.com/shop/SellerHubDemo",
            }
        )

    # --- receipts ------------------------------------------------------------------------
    def generate_order(
        self, *, skus: Any = None, status: str = "paid", at: float | None = None, mix: bool = False
    ) -> int:
        """A new receipt in Etsy's shape; ``status`` one of Etsy's receipt statuses."""
        rng = self.rng
        if mix and rng.random() < 0.05:
            status = "open"
        if status not in RECEIPT_STATUSES:
            raise ValueError(f"unknown Etsy receipt status {status!r}")
        ts = int(at if at is not None else self.clock.now())
        receipt_id = next(self._receipt_seq)
        c = self.creds
        items = self.catalogue.items_for("etsy")
        if skus:
            pairs = skus.items() if isinstance(skus, dict) else [(s, 1) for s in skus]
            picked = [(self.catalogue.item(s), int(q)) for s, q in pairs]
        else:
            chosen = rng.sample(items, k=min(len(items), rng.choice((1, 1, 2))))
            picked = [(i, rng.choice((1, 1, 2))) for i in chosen]
        paid = status not in ("open", "payment processing")
        buyer_user_id = 70000000 + rng.randrange(10**6)
        transactions = []
        subtotal = 0
        for item, qty in picked:
            listing_id = self.catalogue.ids(item.sku)["etsy"]["listing_id"]
            product = next((p for p in self.inventories[listing_id]["products"] if p["sku"] == item.sku), None)
            subtotal += item.price_cents * qty
            transactions.append(
                {
                    "transaction_id": next(self._transaction_seq),
                    "title": self.listings[listing_id]["title"],
                    "description": "",
                    "seller_user_id": c.etsy_user_id,
                    "buyer_user_id": buyer_user_id,
                    "create_timestamp": ts,
                    "created_timestamp": ts,
                    "paid_timestamp": ts if paid else None,
                    "shipped_timestamp": None,
                    "quantity": qty,
                    "listing_image_id": None,
                    "receipt_id": receipt_id,
                    "is_digital": False,
                    "file_data": "",
                    "listing_id": listing_id,
                    "transaction_type": "listing",
                    "product_id": product["product_id"] if product else None,
                    "sku": item.sku,
                    "price": {"amount": item.price_cents, "divisor": 100, "currency_code": "USD"},
                    "shipping_cost": {"amount": 0, "divisor": 100, "currency_code": "USD"},
                    "variations": (
                        [
                            {
                                "property_id": PROPERTY_IDS.get(item.option_name, 513),
                                "value_id": None,
                                "formatted_name": item.option_name,
                                "formatted_value": item.option,
                            }
                        ]
                        if item.option
                        else []
                    ),
                    "product_data": [],
                    "shipping_profile_id": 190000001,
                    "min_processing_days": 1,
                    "max_processing_days": 3,
                    "shipping_method": None,
                    "shipping_upgrade": None,
                    "expected_ship_date": ts + 3 * 86400,
                    "buyer_coupon": 0,
                    "shop_coupon": 0,
                }
            )
        name, street, city, state, zip_code, country = rng.choice(BUYERS)
        shipping = 0 if subtotal >= 3500 else 450
        money = lambda cents: {"amount": cents, "divisor": 100, "currency_code": "USD"}  # noqa: E731
        receipt = {
            "receipt_id": receipt_id,
            "receipt_type": 0,
            "seller_user_id": c.etsy_user_id,
            "seller_email": "seller@example.com",
            "buyer_user_id": buyer_user_id,
            "buyer_email": None,
            "name": name,
            "first_line": street,
            "second_line": None,
            "city": city,
            "state": state,
            "zip": zip_code,
            "status": status,
            "formatted_address": f"{name}\n{street}\n{city}, {state} {zip_code}\n{country}",
            "country_iso": country,
            "payment_method": "cc",
            "payment_email": "",
            "message_from_seller": None,
            "message_from_buyer": None,
            "message_from_payment": None,
            "is_paid": paid,
            "is_shipped": status == "completed",
            "create_timestamp": ts,
            "created_timestamp": ts,
            "update_timestamp": ts,
            "updated_timestamp": ts,
            "is_gift": False,
            "gift_message": "",
            "grandtotal": money(subtotal + shipping),
            "subtotal": money(subtotal),
            "total_price": money(subtotal),
            "total_shipping_cost": money(shipping),
            "total_tax_cost": money(0),
            "total_vat_cost": money(0),
            "discount_amt": money(0),
            "gift_wrap_price": money(0),
            "shipments": [],
            "transactions": transactions,
            "refunds": [],
        }
        self.receipts[receipt_id] = receipt
        self._notify(receipt, "order.paid" if paid else "order.created")
        return receipt_id

    def _touch(self, receipt: dict[str, Any], at: float | None = None) -> int:
        ts = int(at if at is not None else self.clock.now())
        ts = max(ts, receipt["updated_timestamp"])
        receipt["update_timestamp"] = receipt["updated_timestamp"] = ts
        return ts

    def set_status(self, receipt_id: int, status: str, *, at: float | None = None) -> None:
        if status not in RECEIPT_STATUSES:
            raise ValueError(f"unknown Etsy receipt status {status!r}")
        receipt = self._receipt(receipt_id)
        receipt["status"] = status
        receipt["is_paid"] = status not in ("open", "payment processing")
        self._touch(receipt, at)

    def build_webhook(self, receipt_id: int, event_type: str = "order.paid") -> tuple[dict[str, str], bytes]:
        """Headers and body of a signed Etsy notification (scheme from docs/domain/channels.md#etsy-webhooks)."""
        c = self.creds
        body = json.dumps(
            {
                "event_type": event_type,
                "resource_url": f"https://openapi.etsy.com/v3/application/shops/{c.etsy_shop_id}/receipts/{receipt_id}",
                "shop_id": c.etsy_shop_id,
            },
            separators=(",", ":"),
        ).encode()
        webhook_id = f"msg_{random_token(self.rng, 24)}"
        ts = str(self.now())
        sig = signing.etsy_webhook_signature(
            secret=c.etsy_webhook_secret, webhook_id=webhook_id, timestamp=ts, body=body
        )
        return (
            {
                "Content-Type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": ts,
                "webhook-signature": f"v1,{sig}",
            },
            body,
        )

    def _notify(self, receipt: dict[str, Any], event_type: str) -> None:
        if self.webhook_url:
            headers, body = self.build_webhook(receipt["receipt_id"], event_type)
            self.hub.webhooks.emit(self.name, event_type, self.webhook_url, headers, body)

    def _receipt(self, receipt_id: Any) -> dict[str, Any]:
        try:
            receipt = self.receipts.get(int(receipt_id))
        except (TypeError, ValueError):
            receipt = None
        if receipt is None:
            raise self.fail(404, f"Receipt {receipt_id} not found.")
        return receipt

    def _int_param(
        self, req: Request, name: str, default: int | None = None, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        try:
            value = req.int_arg(name, default)
        except BadRequest:
            raise self.fail(400, f"Expected int for '{name}'.") from None
        if value is not None and ((lo is not None and value < lo) or (hi is not None and value > hi)):
            raise self.fail(400, f"Expected int between {lo} and {hi} for '{name}'.")
        return value

    def list_receipts(self, req: Request) -> Response:
        limit = self._int_param(req, "limit", 25, 1, 100)
        offset = self._int_param(req, "offset", 0, 0)
        bounds = {
            n: self._int_param(req, n) for n in ("min_created", "max_created", "min_last_modified", "max_last_modified")
        }
        sort_on = req.arg("sort_on", "created")
        fields = {"created": "created_timestamp", "updated": "updated_timestamp", "receipt_id": "receipt_id"}
        if sort_on not in fields:
            raise self.fail(400, "sort_on must be one of created, updated, receipt_id.")
        sort_order = req.arg("sort_order", "desc")
        if sort_order not in ("asc", "ascending", "desc", "descending", "up", "down"):
            raise self.fail(400, "sort_order must be asc or desc.")
        flags = {}
        for name, field in (("was_paid", "is_paid"), ("was_shipped", "is_shipped")):
            raw = req.arg(name)
            if raw is not None:
                flags[field] = raw.lower() in ("true", "1")
        was_canceled = req.arg("was_canceled")
        was_delivered = req.arg("was_delivered")

        def keep(r: dict[str, Any]) -> bool:
            if bounds["min_created"] is not None and r["created_timestamp"] < bounds["min_created"]:
                return False
            if bounds["max_created"] is not None and r["created_timestamp"] > bounds["max_created"]:
                return False
            if bounds["min_last_modified"] is not None and r["updated_timestamp"] < bounds["min_last_modified"]:
                return False
            if bounds["max_last_modified"] is not None and r["updated_timestamp"] > bounds["max_last_modified"]:
                return False
            if any(r[f] != v for f, v in flags.items()):
                return False
            if was_canceled is not None and (r["status"] == "canceled") != (was_canceled.lower() in ("true", "1")):
                return False
            if was_delivered is not None and was_delivered.lower() in ("true", "1"):
                return False  # the emulator has no delivery events for Etsy
            return True

        field = fields[sort_on]
        results = sorted((r for r in self.receipts.values() if keep(r)), key=lambda r: (r[field], r["receipt_id"]))
        if sort_order in ("desc", "descending", "down"):
            results.reverse()
        return Response.json({"count": len(results), "results": results[offset : offset + limit]})

    def get_receipt(self, req: Request) -> Response:
        return Response.json(self._receipt(req.params["receipt_id"]))

    def create_tracking(self, req: Request) -> Response:
        receipt = self._receipt(req.params["receipt_id"])
        if req.content_type != "application/x-www-form-urlencoded":
            raise self.fail(400, "This endpoint takes an application/x-www-form-urlencoded body.")
        form = req.form()
        code = (form.get("tracking_code") or "").strip()
        carrier = (form.get("carrier_name") or "").strip()
        if receipt["status"] in ("canceled", "fully refunded"):
            raise self.fail(409, f"Receipt {receipt['receipt_id']} is {receipt['status']} and cannot be shipped.")
        total = receipt["grandtotal"]["amount"] / receipt["grandtotal"]["divisor"]
        if (receipt["country_iso"] == "US" and total > 10) and not (code and carrier):
            raise self.fail(400, "tracking_code and carrier_name are required for US orders over $10.")
        if bool(code) != bool(carrier):
            raise self.fail(400, "tracking_code and carrier_name must be sent together.")
        ts = self._touch(receipt)
        shipment = {
            "receipt_shipping_id": next(self._shipment_seq),
            "shipment_notification_timestamp": ts,
            "carrier_name": carrier,
            "tracking_code": code,
        }
        receipt["shipments"].append(shipment)
        receipt["is_shipped"] = True
        receipt["status"] = "completed"
        for t in receipt["transactions"]:
            t["shipped_timestamp"] = t["shipped_timestamp"] or ts
        self.record(
            "tracking_upload",
            receipt_id=receipt["receipt_id"],
            tracking_code=code,
            carrier_name=carrier,
            send_bcc=(form.get("send_bcc") or "").lower() == "true",
            note_to_buyer=form.get("note_to_buyer") or "",
        )
        self._notify(receipt, "order.shipped")
        return Response.json(receipt)

    # --- listings and inventory ------------------------------------------------------------
    def _listing(self, listing_id: Any) -> dict[str, Any]:
        try:
            listing = self.listings.get(int(listing_id))
        except (TypeError, ValueError):
            listing = None
        if listing is None:
            raise self.fail(404, f"Listing {listing_id} not found.")
        return listing

    def _inventory_out(self, listing_id: int) -> dict[str, Any]:
        inv = dict(self.inventories[listing_id])
        inv["listing"] = None
        return inv

    def list_listings(self, req: Request) -> Response:
        limit = self._int_param(req, "limit", 25, 1, 100)
        offset = self._int_param(req, "offset", 0, 0)
        state = req.arg("state", "active")
        includes = [i.strip() for i in (req.arg("includes") or "").split(",") if i.strip()]
        listings = [
            dict(li) for li in sorted(self.listings.values(), key=lambda li: li["listing_id"]) if li["state"] == state
        ]
        if "Inventory" in includes:
            for li in listings:
                li["inventory"] = self._inventory_out(li["listing_id"])
        if "Images" in includes:
            for li in listings:
                li["images"] = listing_images.etsy_images(req, li)
        return Response.json({"count": len(listings), "results": listings[offset : offset + limit]})

    def get_inventory(self, req: Request) -> Response:
        listing = self._listing(req.params["listing_id"])
        return Response.json(self._inventory_out(listing["listing_id"]))

    def put_inventory(self, req: Request) -> Response:
        listing = self._listing(req.params["listing_id"])
        if req.content_type == "application/x-www-form-urlencoded":
            form = req.form()
            try:
                body = {k: json.loads(v) for k, v in form.items()}
            except ValueError:
                raise self.fail(400, "Form fields must hold JSON values.") from None
        else:
            body = req.json_object()
        products = body.get("products")
        if not isinstance(products, list) or not products:
            raise self.fail(400, "products is required and must be a non-empty array.")
        for key in ("price_on_property", "quantity_on_property", "sku_on_property"):
            value = body.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
                raise self.fail(400, f"{key} must be an array of property ids.")
        for index, p in enumerate(products):
            if not isinstance(p, dict) or not isinstance(p.get("offerings"), list) or not p["offerings"]:
                raise self.fail(400, f"products[{index}].offerings is required.")
            props = {v.get("property_id") for v in p.get("property_values") or [] if isinstance(v, dict)}
            for key in ("price_on_property", "quantity_on_property", "sku_on_property"):
                missing = set(body.get(key) or []) - props
                if missing:
                    raise self.fail(400, f"products[{index}] has no property_values for {key} {sorted(missing)}.")
            for o_index, o in enumerate(p["offerings"]):
                where = f"products[{index}].offerings[{o_index}]"
                if not isinstance(o, dict):
                    raise self.fail(400, f"{where} must be an object.")
                price = o.get("price")
                if isinstance(price, bool) or not isinstance(price, (int, float)) or price <= 0:
                    raise self.fail(400, f"{where}.price must be a positive number (amount / divisor).")
                qty = o.get("quantity")
                if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= 999:
                    raise self.fail(400, f"{where}.quantity must be an integer between 0 and 999.")
                if not isinstance(o.get("is_enabled"), bool):
                    raise self.fail(400, f"{where}.is_enabled is required (boolean).")
        if len(products) > 1:
            checks = (
                ("quantity_on_property", lambda p: [o["quantity"] for o in p["offerings"]]),
                ("price_on_property", lambda p: [o["price"] for o in p["offerings"]]),
                ("sku_on_property", lambda p: p.get("sku") or ""),
            )
            for key, value in checks:
                if not body.get(key) and len({json.dumps(value(p)) for p in products}) > 1:
                    raise self.fail(
                        400, f"Values vary between products but {key} is empty: they must be equal across products."
                    )
        before = {
            p["sku"]: sum(o["quantity"] for o in p["offerings"])
            for p in self.inventories[listing["listing_id"]]["products"]
        }
        inventory = self._store_inventory(listing["listing_id"], body)
        for p in inventory["products"]:
            qty = sum(o["quantity"] for o in p["offerings"] if o["is_enabled"])
            self.record(
                "stock_update",
                listing_id=listing["listing_id"],
                sku=p["sku"],
                quantity=qty,
                previous_quantity=before.get(p["sku"]),
            )
        return Response.json(self._inventory_out(listing["listing_id"]))
