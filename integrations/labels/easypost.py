"""EasyPost (API v2) as SellerHub's label provider, through the official ``easypost`` client.

Karrio-style: ``shipment_params``, ``quote_from``, ``bought_from``, ``tracker_from`` and
``event_from`` are pure mappings between our dataclasses and EasyPost's JSON (docs/domain/labels.md);
``EasyPostProvider`` makes the calls (the client, plus one plain GET for the label file). Scan
forms and pickups (proof of handover) are mapped in ``easypost_handover.py``.

Configuration (settings, from the environment): ``EASYPOST_API_KEY``, ``EASYPOST_BASE_URL``
(default ``https://api.easypost.com/v2``; the demo and the tests point it at the loopback
emulator), ``EASYPOST_WEBHOOK_SECRET`` (checks ``X-Hmac-Signature`` on /webhooks/easypost/),
``EASYPOST_TIMEOUT`` (seconds, default 30).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import easypost
import requests
from easypost.errors import ApiError, EasyPostError, RateLimitError
from easypost.errors import TimeoutError as EasyPostTimeout

from integrations.carriers.aliases import carrier_code
from integrations.channels import signing
from integrations.labels.base import (
    BoughtLabel,
    LabelAlreadyBought,
    LabelProvider,
    NotConfigured,
    Pickup,
    PickupRequest,
    ProviderError,
    ProviderEventData,
    Quote,
    Rate,
    Scan,
    ScanForm,
    ShipmentRequest,
    TrackerUpdate,
)
from integrations.labels.easypost_handover import pickup_from, pickup_params, scan_form_from, scan_form_params
from sellerhub.addresses import Address

log = logging.getLogger("sellerhub.labels")

DEFAULT_BASE_URL = "https://api.easypost.com/v2"
GRAMS_PER_OUNCE = 28.349523125
MM_PER_INCH = 25.4
FORMATS = {"pdf": "PDF", "zpl": "ZPL"}
# Our carrier codes as EasyPost names them when creating a tracker (others: EasyPost detects).
TRACKER_CARRIERS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl_express": "DHLExpress"}
SIGNATURE_HEADER = "x-hmac-signature"


# ---------------------------------------------------------------------------------------------
# Pure mappings


def _address(address: Address, email: str = "") -> dict[str, str]:
    out = {
        "name": address.name, "company": address.company, "street1": address.street1, "street2": address.street2,
        "city": address.city, "state": address.state, "zip": address.postal_code, "country": address.country or "US",
        "phone": address.phone,
    }
    if email:
        out["email"] = email
    return {k: v for k, v in out.items() if v}


def _inches(mm: int | None) -> float | None:
    return round(mm / MM_PER_INCH, 1) if mm else None


def shipment_params(request: ShipmentRequest) -> dict[str, Any]:
    """The body of ``POST /v2/shipments`` (inside ``shipment``): weight in ounces, sizes in
    inches, a 4x6 label in the chosen format."""
    parcel = {"weight": round(max(request.parcel.weight_grams, 1) / GRAMS_PER_OUNCE, 1)}
    for name in ("length", "width", "height"):
        value = _inches(getattr(request.parcel, f"{name}_mm"))
        if value:
            parcel[name] = value
    return {
        "to_address": _address(request.ship_to, request.ship_to_email),
        "from_address": _address(request.ship_from, request.ship_from_email),
        "parcel": parcel,
        "options": {"label_format": FORMATS.get(request.label_format, "PDF"), "label_size": "4x6"},
        "reference": request.reference,
    }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0")


def rate_from(data: Mapping[str, Any]) -> Rate:
    carrier = str(data.get("carrier") or "")
    days = data.get("delivery_days") if data.get("delivery_days") is not None else data.get("est_delivery_days")
    return Rate(id=str(data.get("id") or ""), carrier=carrier, carrier_code=carrier_code(carrier),
                service=str(data.get("service") or ""), amount=_decimal(data.get("rate")),
                currency=str(data.get("currency") or "USD"), days=int(days) if isinstance(days, int | float) else None)


def _format_of(shipment: Mapping[str, Any]) -> str:
    options = shipment.get("options") or {}
    return str(options.get("label_format") or "PNG").lower()


def quote_from(shipment: Mapping[str, Any]) -> Quote:
    rates = tuple(sorted((rate_from(r) for r in shipment.get("rates") or []), key=lambda r: (r.amount, r.days or 99)))
    messages = tuple(str(m.get("message") if isinstance(m, Mapping) else m) for m in shipment.get("messages") or [])
    return Quote(shipment_id=str(shipment.get("id") or ""), rates=rates, label_format=_format_of(shipment),
                 messages=messages)


def label_url(shipment: Mapping[str, Any], fmt: str) -> str:
    label = shipment.get("postage_label") or {}
    specific = label.get(f"label_{fmt}_url")
    if specific:
        return str(specific)
    file_type = str(label.get("label_file_type") or "").lower()
    wanted = {"pdf": "application/pdf", "zpl": "application/zpl"}.get(fmt)
    if file_type == wanted or (not file_type and label.get("label_url")):
        return str(label.get("label_url") or "")
    return ""


def _time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _place(location: Mapping[str, Any] | None) -> str:
    if not location:
        return ""
    city = ", ".join(p for p in (location.get("city"), location.get("state")) if p)
    return " ".join(p for p in (city, location.get("zip") or "") if p)


def tracker_from(data: Mapping[str, Any]) -> TrackerUpdate:
    scans = []
    for detail in data.get("tracking_details") or []:
        at = _time(detail.get("datetime"))
        if at is None:
            continue
        scans.append(Scan(status=str(detail.get("status") or "unknown"),
                          message=str(detail.get("message") or detail.get("description") or "")[:300],
                          occurred_at=at, status_detail=str(detail.get("status_detail") or "")[:64],
                          location=_place(detail.get("tracking_location"))[:200]))
    return TrackerUpdate(tracker_id=str(data.get("id") or ""), tracking_code=str(data.get("tracking_code") or ""),
                         carrier=str(data.get("carrier") or ""), status=str(data.get("status") or "unknown"),
                         scans=tuple(scans), public_url=str(data.get("public_url") or ""))


def event_from(payload: Mapping[str, Any]) -> ProviderEventData:
    result = payload.get("result") or {}
    tracker = tracker_from(result) if isinstance(result, Mapping) and result.get("object") == "Tracker" else None
    return ProviderEventData(id=str(payload.get("id") or ""), description=str(payload.get("description") or ""),
                             tracker=tracker, raw=dict(payload))


def _error(exc: Exception, doing: str) -> ProviderError:
    if isinstance(exc, RateLimitError):
        return ProviderError(f"EasyPost is limiting requests; try again in a moment ({doing}).", retryable=True,
                             code="RATE_LIMITED", status=429)
    if isinstance(exc, ApiError):
        status = exc.http_status
        details = []
        for item in exc.errors or []:
            if isinstance(item, Mapping):
                details.append(" ".join(str(v) for v in (item.get("field"), item.get("message")) if v))
            else:
                details.append(str(item))
        text = exc.message or str(exc)
        if details:
            text = f"{text} ({'; '.join(details)})"
        retryable = status is None or status >= 500
        if status in (401, 403):
            text = f"EasyPost refused the API key: {text}. Check EASYPOST_API_KEY."
        return ProviderError(f"EasyPost could not {doing}: {text}", retryable=retryable, code=str(exc.code or ""),
                             status=status)
    if isinstance(exc, EasyPostTimeout):
        return ProviderError(f"EasyPost did not answer in time ({doing}).", retryable=True, code="TIMEOUT")
    return ProviderError(f"EasyPost could not {doing}: {exc}", retryable=True)


# ---------------------------------------------------------------------------------------------
# The provider


class EasyPostProvider(LabelProvider):
    name = "easypost"
    display_name = "EasyPost"

    def __init__(self, *, api_key: str, base_url: str = "", webhook_secret: str = "", timeout: float = 30,
                 note: str = ""):
        if not api_key:
            raise NotConfigured("EasyPost is not configured: set EASYPOST_API_KEY (and EASYPOST_WEBHOOK_SECRET "
                                "for tracking updates).")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.webhook_secret = webhook_secret
        self.timeout = timeout
        self.note = note
        self.client = easypost.EasyPostClient(api_key, api_base=self.base_url, timeout=int(max(1, timeout)))

    def describe(self) -> str:
        host = urlsplit(self.base_url).netloc or self.base_url
        return f"EasyPost at {host}" + (f" ({self.note})" if self.note else "")

    # --- calls ---------------------------------------------------------------------------------
    def _call(self, doing: str, func, *args, **kwargs) -> dict[str, Any]:
        try:
            obj = func(*args, **kwargs)
        except (ApiError, EasyPostError) as exc:
            raise _error(exc, doing) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"EasyPost could not be reached ({doing}): {exc}", retryable=True) from exc
        return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)

    def quote(self, request: ShipmentRequest) -> Quote:
        shipment = self._call("quote rates", self.client.shipment.create, **shipment_params(request))
        quote = quote_from(shipment)
        if not quote.rates:
            why = "; ".join(quote.messages) or "no carrier offered a rate for this parcel and address"
            raise ProviderError(f"EasyPost has no rates: {why}.")
        return quote

    def rates(self, shipment_id: str) -> Quote:
        return quote_from(self._call("read the shipment", self.client.shipment.retrieve, shipment_id))

    def _fetch(self, url: str, what: str) -> bytes:
        try:
            response = requests.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ProviderError(f"The {what} could not be downloaded: {exc}", retryable=True) from exc
        if response.status_code != 200:
            raise ProviderError(f"The {what} could not be downloaded (HTTP {response.status_code}).",
                                retryable=response.status_code >= 500 or response.status_code == 404)
        return response.content

    def _download(self, shipment: Mapping[str, Any], fmt: str) -> bytes:
        url = label_url(shipment, fmt)
        if not url:
            converted = self._call(f"convert the label to {fmt.upper()}", self.client.shipment.label,
                                   str(shipment["id"]), file_format=FORMATS[fmt])
            url = label_url(converted, fmt)
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise ProviderError(f"EasyPost gave no {fmt.upper()} label file for shipment {shipment.get('id')}.",
                                retryable=True)
        content = self._fetch(url, "label file")
        if fmt == "pdf" and b"%PDF-" not in content[:1024]:
            raise ProviderError("The label file EasyPost gave is not a PDF.", retryable=True)
        if fmt == "zpl" and b"^XA" not in content.upper():
            raise ProviderError("The label file EasyPost gave is not ZPL.", retryable=True)
        return content

    def _bought(self, shipment: Mapping[str, Any]) -> BoughtLabel:
        fmt = _format_of(shipment)
        fmt = fmt if fmt in FORMATS else "pdf"
        tracker = shipment.get("tracker") or {}
        return BoughtLabel(shipment_id=str(shipment["id"]), rate=rate_from(shipment.get("selected_rate") or {}),
                           tracking_number=str(shipment.get("tracking_code") or ""), label_format=fmt,
                           content=self._download(shipment, fmt), tracker_id=str(tracker.get("id") or ""),
                           public_url=str(tracker.get("public_url") or ""))

    def buy(self, shipment_id: str, rate_id: str) -> BoughtLabel:
        try:
            shipment = self._call("buy the label", self.client.shipment.buy, shipment_id, rate={"id": rate_id})
        except ProviderError as exc:
            if exc.code == "SHIPMENT.POSTAGE.EXISTS":
                raise LabelAlreadyBought(exc.message, code=exc.code, status=exc.status) from exc
            raise
        if not shipment.get("tracking_code") or not shipment.get("postage_label"):
            raise ProviderError("EasyPost's answer has no label or tracking number; nothing was stored. "
                                "Try again: the label is not bought twice.", retryable=True)
        return self._bought(shipment)

    def bought_label(self, shipment_id: str) -> BoughtLabel | None:
        shipment = self._call("read the shipment", self.client.shipment.retrieve, shipment_id)
        if not shipment.get("postage_label") or not shipment.get("tracking_code"):
            return None
        return self._bought(shipment)

    def refund(self, shipment_id: str) -> str:
        shipment = self._call("refund the label", self.client.shipment.refund, shipment_id)
        return str(shipment.get("refund_status") or "submitted")

    def track(self, tracking_code: str, carrier_code: str = "") -> TrackerUpdate:
        params = {"tracking_code": tracking_code}
        if carrier_code in TRACKER_CARRIERS:
            params["carrier"] = TRACKER_CARRIERS[carrier_code]
        return tracker_from(self._call("follow the tracking number", self.client.tracker.create, **params))

    def tracker(self, tracker_id: str) -> TrackerUpdate:
        return tracker_from(self._call("read the tracker", self.client.tracker.retrieve, tracker_id))

    # --- proof of handover ----------------------------------------------------------------------
    def create_scan_form(self, shipment_ids: list[str]) -> ScanForm:
        form = self._call("make the SCAN form", self.client.scan_form.create, **scan_form_params(shipment_ids))
        url = str(form.get("form_url") or "")
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise ProviderError(f"EasyPost gave no file for SCAN form {form.get('id')}.", retryable=True)
        content = self._fetch(url, "SCAN form")
        if b"%PDF-" not in content[:1024]:
            raise ProviderError("The SCAN form EasyPost gave is not a PDF.", retryable=True)
        return scan_form_from(form, content)

    def create_pickup(self, request: PickupRequest) -> Pickup:
        return pickup_from(self._call("quote the pickup", self.client.pickup.create, **pickup_params(request)))

    def buy_pickup(self, pickup_id: str, *, carrier: str, service: str) -> Pickup:
        return pickup_from(self._call("book the pickup", self.client.pickup.buy, pickup_id, carrier=carrier,
                                      service=service))

    def cancel_pickup(self, pickup_id: str) -> Pickup:
        return pickup_from(self._call("cancel the pickup", self.client.pickup.cancel, pickup_id))

    # --- webhooks ------------------------------------------------------------------------------
    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        if not self.webhook_secret:
            log.warning("EasyPost webhook refused: EASYPOST_WEBHOOK_SECRET is not set")
            return False
        signature = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        return signing.verify_easypost_webhook(secret=self.webhook_secret, body=body, signature=signature)

    def parse_event(self, body: bytes) -> ProviderEventData:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProviderError(f"The event is not JSON: {exc}") from exc
        if not isinstance(payload, dict) or not payload.get("id"):
            raise ProviderError("The event has no id.")
        return event_from(payload)

    def register_webhook(self, url: str) -> str:
        if not self.webhook_secret:
            raise NotConfigured("Set EASYPOST_WEBHOOK_SECRET before registering the webhook.")
        listed = self._call("list the webhooks", self.client.webhook.all)
        for hook in listed.get("webhooks") or []:
            if hook.get("url") == url:
                self._call("update the webhook", self.client.webhook.update, hook["id"],
                           webhook_secret=self.webhook_secret)
                return str(hook["id"])
        hook = self._call("register the webhook", self.client.webhook.create, url=url,
                          webhook_secret=self.webhook_secret)
        return str(hook.get("id") or "")
