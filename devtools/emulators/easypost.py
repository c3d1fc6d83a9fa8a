"""EasyPost API v2 basics (docs/domain/labels.md): addresses, shipments with rates, buying a rate, label
format conversion, refunds, trackers and webhooks; scan forms and pickups in
``easypost_handover.py``.

Mounted at ``/easypost``; point the official client at ``{base}/easypost/v2``
(``EasyPostClient(key, api_base=...)``). The key is accepted as Basic username (empty
password) or Bearer. Test and production keys see separate objects, like EasyPost's modes.
Bought labels get carrier-valid tracking numbers; the label files (PNG by default, PDF,
ZPL, EPL2) are served under ``/easypost/files/`` with a Code 128 barcode of the number.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from integrations.channels import signing

from . import documents, tracking
from .base import Service
from .easypost_handover import HandoverMixin
from .routing import ApiError, Request, Response
from .util import rfc3339

RATE_TABLE = [  # carrier, service, base, per-ounce, days
    ("USPS", "GroundAdvantage", 4.50, 0.15, 3),
    ("USPS", "Priority", 8.20, 0.20, 2),
    ("USPS", "Express", 28.75, 0.30, 1),
    ("UPS", "Ground", 9.10, 0.18, 3),
    ("UPS", "NextDayAir", 32.40, 0.40, 1),
    ("FedEx", "FEDEX_GROUND", 9.35, 0.17, 3),
    ("FedEx", "FEDEX_2_DAY", 19.80, 0.25, 2),
]
CARRIER_ACCOUNTS = {"USPS": "ca_usps_emulator", "UPS": "ca_ups_emulator", "FedEx": "ca_fedex_emulator"}
LABEL_TYPES = {"PNG": "image/png", "PDF": "application/pdf", "ZPL": "application/zpl", "EPL2": "application/epl2"}
REFUND_WINDOW_DAYS = {"USPS": 30, "UPS": 90, "FedEx": 90}
TRACKER_STATUSES = (
    "unknown",
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "available_for_pickup",
    "return_to_sender",
    "failure",
    "cancelled",
    "error",
)
TEST_CODES = {
    "EZ1000000001": "pre_transit",
    "EZ2000000002": "in_transit",
    "EZ3000000003": "out_for_delivery",
    "EZ4000000004": "delivered",
    "EZ5000000005": "return_to_sender",
    "EZ6000000006": "failure",
    "EZ7000000007": "unknown",
}
ADDRESS_FIELDS = ("name", "company", "street1", "street2", "city", "state", "zip", "country", "phone", "email")


class EasyPostService(HandoverMixin, Service):
    name = "easypost"
    prefix = "/easypost"

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.webhook_secrets: dict[str, str] = {}
        self.label_dates: dict[str, float] = {}

    def summary(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for obj in self.objects.values():
            kinds[obj["object"]] = kinds.get(obj["object"], 0) + 1
        return {"objects": kinds, "webhooks": len(self.webhooks)}

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{self.rng.getrandbits(128):032x}"

    def _stamp(self) -> str:
        return rfc3339(self.clock.now(), millis=False)

    # --- errors --------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "BAD_REQUEST", errors: list[Any] | None = None) -> Response:
        return Response.json({"error": {"code": code, "message": message, "errors": errors or []}}, status=status)

    def missing(self, field: str) -> ApiError:
        return ApiError(
            self.error(
                422,
                "Missing required parameter.",
                code="PARAMETER.REQUIRED",
                errors=[{"field": field, "message": "cannot be blank"}],
            )
        )

    def rate_limited_response(self) -> Response:
        return self.error(429, "You have exceeded the rate limit.", code="RATE_LIMITED")

    def server_error_response(self) -> Response:
        return self.error(500, "Something went wrong on our end.", code="INTERNAL_SERVER_ERROR")

    def not_found_response(self, req: Request) -> Response:
        return self.error(404, "The requested resource could not be found.", code="NOT_FOUND")

    def bad_request_response(self, message: str) -> Response:
        return self.error(422, message, code="PARAMETER.INVALID")

    # --- auth ----------------------------------------------------------------------------
    def _mode(self, req: Request) -> str:
        return req.context.get("mode", "test")

    def authenticate(self, req: Request) -> None:
        header = req.header("authorization") or ""
        key = ""
        if header.lower().startswith("bearer "):
            key = header[7:].strip()
        elif header.lower().startswith("basic "):
            try:
                key = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        modes = {self.creds.easypost_test_key: "test", self.creds.easypost_production_key: "production"}
        if key not in modes:
            raise ApiError(
                self.error(
                    401,
                    "The API key provided is missing or invalid." if key else "An API key is required.",
                    code="APIKEY.INACTIVE" if key else "APIKEY.REQUIRED",
                )
            )
        req.context["mode"] = modes[key]

    def _get(self, req: Request, obj_id: str, kind: str) -> dict[str, Any]:
        obj = self.objects.get(obj_id)
        if obj is None or obj["object"] != kind or obj["mode"] != self._mode(req):
            raise ApiError(self.not_found_response(req))
        return obj

    # --- routes --------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("POST", "/v2/addresses", self.create_address)
        r("GET", "/v2/addresses/{object_id}", self.get_address)
        r("POST", "/v2/shipments", self.create_shipment)
        r("GET", "/v2/shipments", self.list_shipments)
        r("GET", "/v2/shipments/{object_id}", self.get_shipment)
        r("POST", "/v2/shipments/{object_id}/buy", self.buy)
        r("GET", "/v2/shipments/{object_id}/label", self.convert_label)
        r("POST", "/v2/shipments/{object_id}/refund", self.refund)
        r("POST", "/v2/trackers", self.create_tracker)
        r("GET", "/v2/trackers", self.list_trackers)
        r("GET", "/v2/trackers/{object_id}", self.get_tracker)
        r("POST", "/v2/webhooks", self.create_webhook)
        r("GET", "/v2/webhooks", self.list_webhooks)
        r("PATCH", "/v2/webhooks/{object_id}", self.update_webhook)
        r("PUT", "/v2/webhooks/{object_id}", self.update_webhook)
        r("DELETE", "/v2/webhooks/{object_id}", self.delete_webhook)
        r("GET", "/files/postage_label/{filename}", self.download_label, auth=False, faultable=False)
        self.register_handover_routes()

    # --- addresses and parcels -------------------------------------------------------------
    def _address(self, req: Request, data: Any, field: str) -> dict[str, Any]:
        if isinstance(data, str):
            data = {"id": data}
        if not isinstance(data, dict) or not data:
            raise self.missing(field)
        if data.get("id"):
            return self._get(req, data["id"], "Address")
        for required in ("street1", "city", "state", "zip"):
            if not data.get(required):
                raise self.missing(f"{field}.{required}")
        stamp = self._stamp()
        address = {
            "id": self._id("adr"),
            "object": "Address",
            "mode": self._mode(req),
            **{k: data.get(k) for k in ADDRESS_FIELDS},
            "residential": data.get("residential"),
            "created_at": stamp,
            "updated_at": stamp,
            "verifications": {},
        }
        address["country"] = address["country"] or "US"
        self.objects[address["id"]] = address
        return address

    def create_address(self, req: Request) -> Response:
        body = req.json_object()
        address = self._address(req, body.get("address"), "address")
        if body.get("verify") or body.get("verify_strict"):
            ok = bool(address.get("street1")) and len(str(address.get("zip") or "")) >= 5
            if not ok and body.get("verify_strict"):
                raise ApiError(self.error(422, "Unable to verify address.", code="ADDRESS.VERIFY.FAILURE"))
            address["verifications"] = {
                "delivery": {"success": ok, "errors": [], "details": {"time_zone": "America/Los_Angeles"}},
                "zip4": {"success": ok, "errors": [], "details": None},
            }
        return Response.json(address, status=201)

    def get_address(self, req: Request) -> Response:
        return Response.json(self._get(req, req.params["object_id"], "Address"))

    def _parcel(self, req: Request, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            data = {"id": data}
        if not isinstance(data, dict) or not data:
            raise self.missing("shipment.parcel")
        if data.get("id"):
            return self._get(req, data["id"], "Parcel")
        weight = data.get("weight")
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            raise self.missing("shipment.parcel.weight") from None
        if weight <= 0:
            raise ApiError(
                self.error(
                    422,
                    "Invalid parcel weight.",
                    code="PARAMETER.INVALID",
                    errors=[{"field": "shipment.parcel.weight", "message": "must be greater than 0"}],
                )
            )
        stamp = self._stamp()
        parcel = {
            "id": self._id("prcl"),
            "object": "Parcel",
            "mode": self._mode(req),
            "length": data.get("length"),
            "width": data.get("width"),
            "height": data.get("height"),
            "predefined_package": data.get("predefined_package"),
            "weight": weight,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.objects[parcel["id"]] = parcel
        return parcel

    # --- shipments -----------------------------------------------------------------------
    def create_shipment(self, req: Request) -> Response:
        body = req.json_object()
        data = body.get("shipment")
        if not isinstance(data, dict) or not data:
            raise self.missing("shipment")
        options = dict(data.get("options") or {})
        label_format = str(options.get("label_format") or "PNG").upper()
        if label_format not in LABEL_TYPES:
            raise ApiError(
                self.error(
                    422,
                    "Invalid label_format.",
                    code="PARAMETER.INVALID",
                    errors=[
                        {"field": "shipment.options.label_format", "message": "must be one of PNG, PDF, ZPL, EPL2"}
                    ],
                )
            )
        to_address = self._address(req, data.get("to_address"), "shipment.to_address")
        from_address = self._address(req, data.get("from_address"), "shipment.from_address")
        parcel = self._parcel(req, data.get("parcel"))
        accounts = data.get("carrier_accounts") or []
        account_ids = [a["id"] if isinstance(a, dict) else a for a in accounts]
        carriers = [c for c, acc in CARRIER_ACCOUNTS.items() if not account_ids or acc in account_ids]
        stamp = self._stamp()
        shipment_id = self._id("shp")
        rates = []
        for carrier, service, base, per_oz, days in RATE_TABLE:
            if carrier not in carriers:
                continue
            price = f"{base + per_oz * parcel['weight']:.2f}"
            rates.append(
                {
                    "id": self._id("rate"),
                    "object": "Rate",
                    "mode": self._mode(req),
                    "service": service,
                    "carrier": carrier,
                    "rate": price,
                    "currency": "USD",
                    "retail_rate": f"{float(price) * 1.15:.2f}",
                    "retail_currency": "USD",
                    "list_rate": f"{float(price) * 1.05:.2f}",
                    "list_currency": "USD",
                    "billing_type": "easypost",
                    "delivery_days": days,
                    "delivery_date": None,
                    "delivery_date_guaranteed": False,
                    "est_delivery_days": days,
                    "shipment_id": shipment_id,
                    "carrier_account_id": CARRIER_ACCOUNTS[carrier],
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        options.setdefault("currency", "USD")
        options["label_format"] = label_format
        shipment = {
            "id": shipment_id,
            "object": "Shipment",
            "mode": self._mode(req),
            "reference": data.get("reference"),
            "status": "unknown",
            "tracking_code": None,
            "to_address": to_address,
            "from_address": from_address,
            "return_address": from_address,
            "buyer_address": to_address,
            "parcel": parcel,
            "options": options,
            "customs_info": None,
            "rates": rates,
            "selected_rate": None,
            "postage_label": None,
            "tracker": None,
            "fees": [],
            "messages": [],
            "forms": [],
            "insurance": None,
            "is_return": bool(data.get("is_return", False)),
            "refund_status": None,
            "scan_form": None,
            "batch_id": None,
            "batch_status": None,
            "batch_message": None,
            "usps_zone": 4,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.objects[shipment_id] = shipment
        return Response.json(shipment, status=201)

    def list_shipments(self, req: Request) -> Response:
        page_size = min(req.int_arg("page_size", 20) or 20, 100)
        shipments = sorted(
            (o for o in self.objects.values() if o["object"] == "Shipment" and o["mode"] == self._mode(req)),
            key=lambda s: s["id"],
            reverse=True,
        )
        before = req.arg("before_id")
        if before:
            shipments = [s for s in shipments if s["id"] < before]
        if req.arg("purchased") is not None:
            want = req.arg("purchased").lower() == "true"
            shipments = [s for s in shipments if (s["postage_label"] is not None) == want]
        return Response.json({"shipments": shipments[:page_size], "has_more": len(shipments) > page_size})

    def get_shipment(self, req: Request) -> Response:
        return Response.json(self._get(req, req.params["object_id"], "Shipment"))

    def _label_url(self, req: Request, shipment_id: str, fmt: str) -> str:
        return f"{req.service_base_url}/files/postage_label/{shipment_id}.{fmt.lower()}"

    def buy(self, req: Request) -> Response:
        shipment = self._get(req, req.params["object_id"], "Shipment")
        body = req.json_object()
        rate_ref = body.get("rate")
        rate_id = rate_ref.get("id") if isinstance(rate_ref, dict) else rate_ref
        if not rate_id:
            raise self.missing("rate")
        if shipment["postage_label"] is not None:
            raise ApiError(self.error(422, "Postage already exists for this shipment.", code="SHIPMENT.POSTAGE.EXISTS"))
        rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
        if rate is None:
            raise ApiError(
                self.error(422, "The rate does not belong to this shipment.", code="SHIPMENT.RATE.NOT_FOUND")
            )
        stamp = self._stamp()
        number = tracking.generate(rate["carrier"], self.rng)
        fmt = shipment["options"]["label_format"]
        label = {
            "object": "PostageLabel",
            "id": self._id("pl"),
            "created_at": stamp,
            "updated_at": stamp,
            "date_advance": 0,
            "integrated_form": "none",
            "label_date": shipment["options"].get("label_date") or stamp,
            "label_resolution": 300,
            "label_size": shipment["options"].get("label_size") or "4x6",
            "label_type": "default",
            "label_file_type": LABEL_TYPES[fmt],
            "label_url": self._label_url(req, shipment["id"], fmt),
            "label_pdf_url": self._label_url(req, shipment["id"], "PDF") if fmt == "PDF" else None,
            "label_zpl_url": self._label_url(req, shipment["id"], "ZPL") if fmt == "ZPL" else None,
            "label_epl2_url": self._label_url(req, shipment["id"], "EPL2") if fmt == "EPL2" else None,
            "label_file": None,
        }
        tracker = self._new_tracker(req, number, rate["carrier"], shipment_id=shipment["id"])
        fees = [
            {"object": "Fee", "type": "LabelFee", "amount": "0.00000", "charged": True, "refunded": False},
            {
                "object": "Fee",
                "type": "PostageFee",
                "amount": f"{float(rate['rate']):.5f}",
                "charged": True,
                "refunded": False,
            },
        ]
        insurance = body.get("insurance")
        if insurance:
            fees.append(
                {
                    "object": "Fee",
                    "type": "InsuranceFee",
                    "amount": f"{float(insurance) * 0.01:.5f}",
                    "charged": True,
                    "refunded": False,
                }
            )
        shipment.update(
            tracking_code=number,
            selected_rate=rate,
            postage_label=label,
            tracker=tracker,
            fees=fees,
            insurance=str(insurance) if insurance else None,
            updated_at=stamp,
        )
        self.label_dates[shipment["id"]] = self.clock.now()
        self.record(
            "label_purchase",
            shipment_id=shipment["id"],
            mode=shipment["mode"],
            reference=shipment["reference"],
            carrier=rate["carrier"],
            rate_service=rate["service"],
            rate=rate["rate"],
            tracking_code=number,
            label_url=label["label_url"],
        )
        return Response.json(shipment)

    def convert_label(self, req: Request) -> Response:
        shipment = self._get(req, req.params["object_id"], "Shipment")
        fmt = (req.arg("file_format") or "").upper()
        if fmt not in ("PDF", "ZPL", "EPL2"):
            raise self.missing("file_format")
        label = shipment["postage_label"]
        if label is None:
            raise ApiError(self.error(422, "The shipment has no postage label yet.", code="SHIPMENT.POSTAGE.REQUIRED"))
        if label["label_file_type"] != LABEL_TYPES["PNG"] and label["label_file_type"] != LABEL_TYPES[fmt]:
            raise ApiError(
                self.error(422, "Only PNG labels can be converted.", code="SHIPMENT.LABEL.CONVERSION_FAILED")
            )
        label[f"label_{fmt.lower()}_url"] = self._label_url(req, shipment["id"], fmt)
        label["updated_at"] = self._stamp()
        return Response.json(shipment)

    def refund(self, req: Request) -> Response:
        shipment = self._get(req, req.params["object_id"], "Shipment")
        if shipment["postage_label"] is None:
            raise ApiError(self.error(422, "Only purchased shipments can be refunded.", code="SHIPMENT.REFUND.INVALID"))
        if shipment["refund_status"] is None:
            carrier = shipment["selected_rate"]["carrier"]
            age_days = (self.clock.now() - self.label_dates[shipment["id"]]) / 86400
            if age_days > REFUND_WINDOW_DAYS.get(carrier, 30):
                shipment["refund_status"] = "rejected"
            else:
                shipment["refund_status"] = "submitted"
            shipment["updated_at"] = self._stamp()
            self.record(
                "refund",
                shipment_id=shipment["id"],
                tracking_code=shipment["tracking_code"],
                refund_status=shipment["refund_status"],
            )
        return Response.json(shipment)

    def settle_refund(self, shipment_id: str, status: str = "refunded") -> None:
        """Move a submitted refund on (``refunded`` or ``rejected``)."""
        self.objects[shipment_id]["refund_status"] = status

    def download_label(self, req: Request) -> Response:
        shipment_id, _, ext = req.params["filename"].rpartition(".")
        shipment = self.objects.get(shipment_id)
        if shipment is None or shipment["object"] != "Shipment" or shipment["postage_label"] is None:
            return Response.raw(b"Not Found", "text/plain", status=404)
        fmt = ext.upper()
        number = shipment["tracking_code"]
        to = shipment["to_address"]
        frm = shipment["from_address"]
        rate = shipment["selected_rate"]
        lines = [
            f"FROM: {frm.get('name') or frm.get('company') or ''}",
            f"{frm['street1']}, {frm['city']} {frm['state']} {frm['zip']}",
            "",
            f"SHIP TO: {to.get('name') or to.get('company') or ''}",
            f"{to['street1']} {to.get('street2') or ''}".strip(),
            f"{to['city']} {to['state']} {to['zip']} {to.get('country') or 'US'}",
            "",
            f"{rate['carrier']} {rate['service']}",
            f"Ref: {shipment.get('reference') or shipment['id']}",
        ]
        if fmt == "PDF":
            return Response.raw(documents.label_pdf(number, lines, page="4x6"), "application/pdf")
        if fmt == "PNG":
            return Response.raw(documents.label_png(number), "image/png")
        if fmt == "ZPL":
            return Response.raw(documents.label_zpl(number, lines), "application/zpl")
        if fmt == "EPL2":
            return Response.raw(documents.label_epl2(number, lines), "application/epl2")
        return Response.raw(b"Not Found", "text/plain", status=404)

    # --- trackers ------------------------------------------------------------------------
    def _detail(
        self,
        status: str,
        message: str,
        at: float,
        carrier: str,
        city: str | None = None,
        state: str | None = None,
        zip_code: str | None = None,
    ) -> dict[str, Any]:
        return {
            "object": "TrackingDetail",
            "message": message,
            "description": message,
            "status": status,
            "status_detail": {
                "pre_transit": "label_created",
                "in_transit": "arrived_at_facility",
                "out_for_delivery": "out_for_delivery",
                "delivered": "arrived_at_destination",
                "return_to_sender": "return",
                "failure": "delivery_exception",
            }.get(status, "unknown"),
            "datetime": rfc3339(at, millis=False),
            "source": carrier,
            "carrier_code": "",
            "tracking_location": {
                "object": "TrackingLocation",
                "city": city,
                "state": state,
                "country": "US",
                "zip": zip_code,
            },
        }

    def _new_tracker(
        self, req: Request | None, code: str, carrier: str | None, shipment_id: str | None = None, mode: str = "test"
    ) -> dict[str, Any]:
        now = self.clock.now()
        stamp = rfc3339(now, millis=False)
        mode = self._mode(req) if req is not None else mode
        carrier = carrier or tracking.detect(code) or "USPS"
        status = "pre_transit" if shipment_id else "unknown"
        details = []
        if shipment_id:
            details.append(
                self._detail("pre_transit", f"Shipping label created, {carrier} awaiting item", now, carrier)
            )
        if code in TEST_CODES:
            status = TEST_CODES[code]
            path = ["pre_transit", "in_transit", "out_for_delivery", "delivered"]
            steps = path[: path.index(status) + 1] if status in path else ["pre_transit", "in_transit", status]
            details = [
                self._detail(
                    s,
                    s.replace("_", " ").capitalize(),
                    now - (len(steps) - i) * 86400,
                    carrier,
                    "Orlando",
                    "FL",
                    "32809",
                )
                for i, s in enumerate(steps)
                if s != "unknown"
            ]
        tracker = {
            "id": self._id("trk"),
            "object": "Tracker",
            "mode": mode,
            "tracking_code": code,
            "status": status,
            "status_detail": details[-1]["status_detail"] if details else "unknown",
            "signed_by": None,
            "weight": None,
            "est_delivery_date": rfc3339(now + 3 * 86400, millis=False),
            "shipment_id": shipment_id,
            "carrier": carrier,
            "tracking_details": details,
            "carrier_detail": {
                "object": "CarrierDetail",
                "service": None,
                "container_type": None,
                "est_delivery_date_local": None,
                "est_delivery_time_local": None,
                "origin_location": None,
                "destination_location": None,
                "initial_delivery_attempt": None,
            },
            "public_url": f"https://track.easypost.com/djE6dHJrXz{code}",
            "fees": [],
            "finalized": status in ("delivered", "return_to_sender", "failure", "cancelled"),
            "is_return": False,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.objects[tracker["id"]] = tracker
        return tracker

    def _find_tracker(self, code: str, mode: str) -> dict[str, Any] | None:
        for obj in self.objects.values():
            if obj["object"] == "Tracker" and obj["tracking_code"] == code and obj["mode"] == mode:
                return obj
        return None

    def create_tracker(self, req: Request) -> Response:
        data = req.json_object().get("tracker")
        if not isinstance(data, dict) or not data.get("tracking_code"):
            raise self.missing("tracker.tracking_code")
        code = str(data["tracking_code"]).strip()
        existing = self._find_tracker(code, self._mode(req))
        if existing is None:
            existing = self._new_tracker(req, code, data.get("carrier"))
            self.record("tracker_created", tracking_code=code, carrier=existing["carrier"])
        return Response.json(existing)

    def list_trackers(self, req: Request) -> Response:
        trackers = [o for o in self.objects.values() if o["object"] == "Tracker" and o["mode"] == self._mode(req)]
        if req.arg("tracking_code"):
            trackers = [t for t in trackers if t["tracking_code"] == req.arg("tracking_code")]
        page_size = min(req.int_arg("page_size", 20) or 20, 100)
        return Response.json({"trackers": trackers[:page_size], "has_more": len(trackers) > page_size})

    def get_tracker(self, req: Request) -> Response:
        return Response.json(self._get(req, req.params["object_id"], "Tracker"))

    def advance_tracker(
        self,
        tracking_code: str,
        status: str,
        *,
        at: float | None = None,
        message: str | None = None,
        city: str = "Los Angeles",
        state: str = "CA",
        zip_code: str = "90015",
        mode: str = "test",
    ) -> dict[str, Any]:
        """Add a carrier scan to a tracker (creating it if needed) and send ``tracker.updated``
        to registered webhooks. Returns the tracker."""
        if status not in TRACKER_STATUSES:
            raise ValueError(f"unknown tracker status {status!r}")
        tracker = self._find_tracker(tracking_code, mode) or self._new_tracker(None, tracking_code, None, mode=mode)
        previous = tracker["status"]
        ts = at if at is not None else self.clock.now()
        detail = self._detail(
            status, message or status.replace("_", " ").capitalize(), ts, tracker["carrier"], city, state, zip_code
        )
        tracker["tracking_details"].append(detail)
        tracker.update(
            status=status,
            status_detail=detail["status_detail"],
            updated_at=rfc3339(self.clock.now(), millis=False),
            finalized=status in ("delivered", "return_to_sender", "failure", "cancelled"),
        )
        if status == "delivered":
            tracker["signed_by"] = "J SMITH"
        for shipment in self.objects.values():
            if shipment["object"] == "Shipment" and shipment.get("tracking_code") == tracking_code:
                shipment["tracker"] = tracker
                shipment["status"] = status
        self._emit("tracker.updated", tracker, {"status": previous})
        return tracker

    # --- webhooks ------------------------------------------------------------------------
    def create_webhook(self, req: Request) -> Response:
        data = req.json_object().get("webhook")
        if not isinstance(data, dict) or not data.get("url"):
            raise self.missing("webhook.url")
        hook = {
            "id": self._id("hook"),
            "object": "Webhook",
            "mode": self._mode(req),
            "url": data["url"],
            "disabled_at": None,
            "custom_headers": data.get("custom_headers") or [],
            "created_at": self._stamp(),
        }
        self.webhooks[hook["id"]] = hook
        self.webhook_secrets[hook["id"]] = data.get("webhook_secret") or ""
        return Response.json(hook, status=201)

    def list_webhooks(self, req: Request) -> Response:
        return Response.json({"webhooks": [h for h in self.webhooks.values() if h["mode"] == self._mode(req)]})

    def update_webhook(self, req: Request) -> Response:
        hook = self.webhooks.get(req.params["object_id"])
        if hook is None or hook["mode"] != self._mode(req):
            raise ApiError(self.not_found_response(req))
        data = req.json_object().get("webhook") or {}
        if "webhook_secret" in data:
            self.webhook_secrets[hook["id"]] = data["webhook_secret"] or ""
        hook["disabled_at"] = None
        return Response.json(hook)

    def delete_webhook(self, req: Request) -> Response:
        hook = self.webhooks.get(req.params["object_id"])
        if hook is None or hook["mode"] != self._mode(req):
            raise ApiError(self.not_found_response(req))
        del self.webhooks[hook["id"]]
        self.webhook_secrets.pop(hook["id"], None)
        return Response.json({})

    def build_webhook(
        self,
        description: str,
        result: dict[str, Any],
        secret: str,
        previous: dict[str, Any] | None = None,
        url: str = "",
    ) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed EasyPost event (``X-Hmac-Signature``)."""
        stamp = rfc3339(self.clock.now())
        event = {
            "description": description,
            "mode": result.get("mode", "test"),
            "previous_attributes": previous or {},
            "created_at": stamp,
            "pending_urls": [url] if url else [],
            "completed_urls": [],
            "updated_at": stamp,
            "id": self._id("evt"),
            "user_id": "user_emulator",
            "status": "pending",
            "object": "Event",
            "result": result,
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        return (
            {
                "Content-Type": "application/json",
                "X-Hmac-Signature": signing.easypost_webhook_signature(secret=secret, body=body),
            },
            body,
        )

    def _emit(self, description: str, result: dict[str, Any], previous: dict[str, Any]) -> None:
        for hook in self.webhooks.values():
            if hook["disabled_at"] is None and hook["mode"] == result.get("mode"):
                headers, body = self.build_webhook(
                    description, result, self.webhook_secrets[hook["id"]], previous, hook["url"]
                )
                self.hub.webhooks.emit(self.name, description, hook["url"], headers, body)
