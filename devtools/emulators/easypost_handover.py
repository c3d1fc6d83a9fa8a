"""EasyPost API v2 proof of handover (docs/domain/labels.md#not-used-yet, EasyPost's
``/docs/scan-form`` and ``/docs/pickups``): scan forms and pickups, mixed into
``EasyPostService``.

- ``POST /v2/scan_forms`` ``{"shipments": [{"id"}]}`` (the official client nests it in
  ``{"scan_form": {...}}``; both are accepted) -> a ScanForm (``sf_...``, status ``created``,
  ``tracking_codes``, ``form_url``, ``form_file_type``, ``batch_id``, ``address``). Refused, as
  EasyPost does: a shipment with no label, a refunded one, one already on a scan form, shipments
  of different origins or carrier accounts, and carriers without scan forms (only USPS here).
- ``GET /v2/scan_forms``, ``GET /v2/scan_forms/{id}``; the form (a PDF whose Code 128 barcode
  carries the scan form's id, one line per tracking code) is served under
  ``/easypost/files/scan_form/{id}.pdf``.
- ``POST /v2/pickups`` (``address``, ``shipment`` or ``batch``, ``min_datetime``,
  ``max_datetime``, ``instructions``, ``is_account_address``, ``reference``) -> a Pickup with
  ``pickup_rates``; ``POST /v2/pickups/{id}/buy`` ``{"carrier", "service"}`` schedules it (a
  ``confirmation``); ``POST /v2/pickups/{id}/cancel``; ``GET /v2/pickups[/{id}]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import documents
from .routing import ApiError, Request, Response

SCAN_FORM_CARRIERS = ("USPS",)
PICKUP_RATES = {  # carrier -> [(service, price)]
    "USPS": [("NextDay", "0.00")],
    "UPS": [("Same-day Pickup", "8.50"), ("Future-day Pickup", "5.00")],
    "FedEx": [("FDXG", "4.00")],
}


def _origin_key(address: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(address.get(k) or "").strip().upper() for k in ("street1", "city", "state", "zip"))


def _parse_time(value: Any) -> dt.datetime | None:
    text = str(value or "").strip().replace("Z", "+00:00")
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class HandoverMixin:
    """Scan forms and pickups of ``EasyPostService`` (uses its ``objects``, ``_id``, ``_get``,
    ``_mode``, ``_stamp``, ``_address``, ``error``, ``missing`` and ``record``)."""

    def register_handover_routes(self) -> None:
        r = self.route
        r("POST", "/v2/scan_forms", self.create_scan_form)
        r("GET", "/v2/scan_forms", self.list_scan_forms)
        r("GET", "/v2/scan_forms/{object_id}", self.get_scan_form)
        r("POST", "/v2/pickups", self.create_pickup)
        r("GET", "/v2/pickups", self.list_pickups)
        r("GET", "/v2/pickups/{object_id}", self.get_pickup)
        r("POST", "/v2/pickups/{object_id}/buy", self.buy_pickup)
        r("POST", "/v2/pickups/{object_id}/cancel", self.cancel_pickup)
        r("GET", "/files/scan_form/{filename}", self.download_scan_form, auth=False, faultable=False)

    def _refuse(self, message: str, code: str = "SCAN_FORM.INVALID", field: str = "shipments") -> ApiError:
        return ApiError(self.error(422, message, code=code, errors=[{"field": field, "message": message}]))

    @staticmethod
    def _body(req: Request, name: str) -> dict[str, Any]:
        body = req.json_object()
        nested = body.get(name)
        return nested if isinstance(nested, dict) else body

    def _list(self, req: Request, kind: str, key: str) -> Response:
        page_size = min(req.int_arg("page_size", 20) or 20, 100)
        rows = sorted((o for o in self.objects.values() if o["object"] == kind and o["mode"] == self._mode(req)),
                      key=lambda o: o["created_at"] + o["id"], reverse=True)
        before = req.arg("before_id")
        if before:
            rows = [o for o in rows if o["id"] < before]
        return Response.json({key: rows[:page_size], "has_more": len(rows) > page_size})

    # --- scan forms ----------------------------------------------------------------------
    def create_scan_form(self, req: Request) -> Response:
        data = self._body(req, "scan_form")
        refs = data.get("shipments")
        if isinstance(refs, dict):  # form-encoded style {"0": {...}}
            refs = list(refs.values())
        if not isinstance(refs, list) or not refs:
            raise self.missing("shipments")
        shipments: list[dict[str, Any]] = []
        for ref in refs:
            shipment_id = ref.get("id") if isinstance(ref, dict) else ref
            if not shipment_id:
                raise self.missing("shipments.id")
            shipment = self._get(req, str(shipment_id), "Shipment")
            if shipment not in shipments:
                shipments.append(shipment)
        for shipment in shipments:
            sid = shipment["id"]
            if shipment["postage_label"] is None:
                raise self._refuse(f"Shipment {sid} has no postage label.")
            if shipment["refund_status"] is not None:
                raise self._refuse(f"Shipment {sid} was refunded and cannot be added to a ScanForm.")
            if shipment.get("scan_form"):
                raise self._refuse(f"Shipment {sid} is already on ScanForm {shipment['scan_form']['id']}.",
                                   code="SCAN_FORM.SHIPMENT.ALREADY_ADDED")
            carrier = shipment["selected_rate"]["carrier"]
            if carrier not in SCAN_FORM_CARRIERS:
                raise self._refuse(f"Shipment {sid}: {carrier} does not offer ScanForms.",
                                   code="SCAN_FORM.CARRIER.UNSUPPORTED")
        first = shipments[0]
        if any(_origin_key(s["from_address"]) != _origin_key(first["from_address"]) for s in shipments):
            raise self._refuse("All shipments must have the same origin address.", code="SCAN_FORM.ORIGIN.MISMATCH")
        accounts = {s["selected_rate"]["carrier_account_id"] for s in shipments}
        if len(accounts) > 1:
            raise self._refuse("All shipments must belong to the same carrier account.",
                               code="SCAN_FORM.CARRIER_ACCOUNT.MISMATCH")
        stamp = self._stamp()
        form_id = self._id("sf")
        form = {
            "id": form_id,
            "object": "ScanForm",
            "mode": self._mode(req),
            "status": "created",
            "message": None,
            "address": first["from_address"],
            "tracking_codes": [s["tracking_code"] for s in shipments],
            "form_url": f"{req.service_base_url}/files/scan_form/{form_id}.pdf",
            "form_file_type": "application/pdf",
            "batch_id": self._id("batch"),
            "confirmation": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.objects[form_id] = form
        for shipment in shipments:
            shipment["scan_form"] = {k: form[k] for k in ("id", "object", "status", "form_url", "created_at")}
            shipment["batch_id"] = form["batch_id"]
            shipment["updated_at"] = stamp
        self.record("scan_form_created", scan_form_id=form_id, mode=form["mode"],
                    shipment_ids=[s["id"] for s in shipments], tracking_codes=form["tracking_codes"])
        return Response.json(form, status=201)

    def list_scan_forms(self, req: Request) -> Response:
        return self._list(req, "ScanForm", "scan_forms")

    def get_scan_form(self, req: Request) -> Response:
        return Response.json(self._get(req, req.params["object_id"], "ScanForm"))

    def download_scan_form(self, req: Request) -> Response:
        form_id, _, ext = req.params["filename"].rpartition(".")
        form = self.objects.get(form_id)
        if form is None or form["object"] != "ScanForm" or ext.lower() != "pdf":
            return Response.raw(b"Not Found", "text/plain", status=404)
        frm = form["address"] or {}
        lines = [
            "USPS SCAN FORM (PS Form 5630)",
            f"{frm.get('company') or frm.get('name') or ''}",
            f"{frm.get('street1', '')}, {frm.get('city', '')} {frm.get('state', '')} {frm.get('zip', '')}",
            f"{len(form['tracking_codes'])} packages · {form['created_at']}",
            "",
            *form["tracking_codes"][:14],
        ]
        if len(form["tracking_codes"]) > 14:
            lines.append(f"... and {len(form['tracking_codes']) - 14} more")
        return Response.raw(documents.label_pdf(form_id, lines, page="A5"), "application/pdf")

    # --- pickups -------------------------------------------------------------------------
    def _pickup_carriers(self, req: Request, data: dict[str, Any]) -> list[str]:
        shipment_ref, batch_ref = data.get("shipment"), data.get("batch")
        if shipment_ref:
            shipment_id = shipment_ref.get("id") if isinstance(shipment_ref, dict) else shipment_ref
            shipment = self._get(req, str(shipment_id), "Shipment")
            if shipment["selected_rate"] is None:
                raise self._refuse("The shipment has no postage label.", code="PICKUP.INVALID", field="shipment")
            return [shipment["selected_rate"]["carrier"]]
        if batch_ref:
            batch_id = batch_ref.get("id") if isinstance(batch_ref, dict) else batch_ref
            carriers = sorted({s["selected_rate"]["carrier"] for s in self.objects.values()
                               if s["object"] == "Shipment" and s.get("batch_id") == batch_id
                               and s["mode"] == self._mode(req) and s["selected_rate"]})
            if not carriers:
                raise ApiError(self.not_found_response(req))
            return carriers
        raise self.missing("pickup.shipment")

    def create_pickup(self, req: Request) -> Response:
        data = self._body(req, "pickup")
        carriers = self._pickup_carriers(req, data)
        start, end = _parse_time(data.get("min_datetime")), _parse_time(data.get("max_datetime"))
        if start is None:
            raise self.missing("pickup.min_datetime")
        if end is None:
            raise self.missing("pickup.max_datetime")
        if end < start:
            raise self._refuse("max_datetime must not be before min_datetime.", code="PICKUP.INVALID",
                               field="pickup.max_datetime")
        address = self._address(req, data.get("address"), "pickup.address")
        stamp = self._stamp()
        pickup_id = self._id("pickup")
        rates = [
            {"id": self._id("pickuprate"), "object": "PickupRate", "mode": self._mode(req), "service": service,
             "carrier": carrier, "rate": price, "currency": "USD", "pickup_id": pickup_id,
             "created_at": stamp, "updated_at": stamp}
            for carrier in carriers for service, price in PICKUP_RATES.get(carrier, [])
        ]
        pickup = {
            "id": pickup_id,
            "object": "Pickup",
            "mode": self._mode(req),
            "reference": data.get("reference"),
            "status": "unknown",
            "min_datetime": start.strftime("%Y-%m-%dT%H:%M:%SZ") if start.utcoffset() == dt.timedelta(0)
            else start.isoformat(),
            "max_datetime": end.strftime("%Y-%m-%dT%H:%M:%SZ") if end.utcoffset() == dt.timedelta(0)
            else end.isoformat(),
            "is_account_address": str(data.get("is_account_address")).lower() == "true",
            "instructions": data.get("instructions"),
            "messages": [],
            "confirmation": None,
            "address": address,
            "carrier_accounts": [],
            "pickup_rates": rates,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.objects[pickup_id] = pickup
        return Response.json(pickup, status=201)

    def list_pickups(self, req: Request) -> Response:
        return self._list(req, "Pickup", "pickups")

    def get_pickup(self, req: Request) -> Response:
        return Response.json(self._get(req, req.params["object_id"], "Pickup"))

    def buy_pickup(self, req: Request) -> Response:
        pickup = self._get(req, req.params["object_id"], "Pickup")
        data = self._body(req, "pickup")
        carrier, service = data.get("carrier"), data.get("service")
        if not carrier:
            raise self.missing("carrier")
        if not service:
            raise self.missing("service")
        if pickup["status"] != "unknown":
            raise self._refuse(f"The pickup is already {pickup['status']}.", code="PICKUP.INVALID", field="pickup")
        rate = next((r for r in pickup["pickup_rates"]
                     if r["carrier"].lower() == str(carrier).lower() and r["service"] == service), None)
        if rate is None:
            raise self._refuse(f"No pickup rate for {carrier} {service}.", code="PICKUP.RATE.NOT_FOUND",
                               field="service")
        pickup.update(status="scheduled", confirmation=f"WTC{self.rng.randrange(10**8):08d}",
                      updated_at=self._stamp())
        self.record("pickup_bought", pickup_id=pickup["id"], carrier=rate["carrier"], pickup_service=service,
                    confirmation=pickup["confirmation"])
        return Response.json(pickup)

    def cancel_pickup(self, req: Request) -> Response:
        pickup = self._get(req, req.params["object_id"], "Pickup")
        if pickup["status"] == "canceled":
            raise self._refuse("The pickup is already canceled.", code="PICKUP.INVALID", field="pickup")
        pickup.update(status="canceled", updated_at=self._stamp())
        self.record("pickup_canceled", pickup_id=pickup["id"])
        return Response.json(pickup)
