"""TikTok Shipping (TikTok's labels and collection requests, docs/domain/tiktok-shop.md#tiktok-shipping) as
pure functions, plus the one call site.

    POST /fulfillment/202309/orders/{id}/shipping_services/query   the services for a parcel
    POST /fulfillment/202309/packages                               create the package (TikTok's label)
    GET  /fulfillment/202309/packages/{id}                          its status, handover, tracking
    GET  /fulfillment/202309/packages/{id}/shipping_documents       doc_url (lives 24 hours)
    GET  /fulfillment/202309/packages/{id}/handover_time_slots      pickup / drop-off and the slots
    POST /fulfillment/202309/packages/{id}/ship                     ship with PICKUP (+ slot) or DROP_OFF
    POST /fulfillment/202309/packages/ship                          the same, many packages at once

Requests are built by ``integrations.tiktok.client.request`` (signed and sent through the
account's connector, with token refresh and retries); the client's ``call`` is the only call
site, ``download`` the only function fetching a document URL. Errors are the client's
``TikTokError`` (``ShippingError`` is its name here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from integrations.tiktok.client import TikTokError, call, open_connector
from integrations.tiktok.client import request as _request
from integrations.tiktok.fbt import package_ids_of

VERSION = "202309"
DOC_TTL = dt.timedelta(hours=24)
DOC_TYPES = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP")
DOC_SIZES = ("A6", "A5")
BATCH_SHIP_MAX = 50
# TikTok package statuses (docs/domain/tiktok-shop.md#orders): not shipped yet, shipped awaiting the carrier,
# in the carrier's hands, done, cancelled.
PACKAGE_WAITING = ("TO_FULFILL",)
PACKAGE_SHIPPED = ("PROCESSING",)
PACKAGE_COLLECTED = ("FULFILLING", "COMPLETED")
PACKAGE_CANCELLED = ("CANCELLED",)


# The error Shipping callers catch: the client's one TikTok error type.
ShippingError = TikTokError
FbtError = TikTokError


class DocumentExpired(TikTokError):
    """A document URL TikTok no longer serves: ask TikTok for a new one."""


def _weight(grams: int | None) -> dict | None:
    if not grams:
        return None
    return {"value": f"{grams:d}", "unit": "GRAM"}


def _dimension(length_mm, width_mm, height_mm) -> dict | None:
    if not (length_mm and width_mm and height_mm):
        return None
    cm = lambda mm: f"{mm / 10:g}"  # noqa: E731
    return {"length": cm(length_mm), "width": cm(width_mm), "height": cm(height_mm), "unit": "CM"}


def parcel_body(*, weight_grams=None, length_mm=None, width_mm=None, height_mm=None) -> dict:
    body = {}
    weight = _weight(weight_grams)
    if weight:
        body["weight"] = weight
    dimension = _dimension(length_mm, width_mm, height_mm)
    if dimension:
        body["dimension"] = dimension
    return body


# ---------------------------------------------------------------------------------------------
# Requests


def shipping_services_request(order_id: str, *, line_ids=(), **parcel):
    body = {**parcel_body(**parcel)}
    if line_ids:
        body["order_line_item_ids"] = [str(i) for i in line_ids]
    return _request("POST", f"/fulfillment/{VERSION}/orders/{order_id}/shipping_services/query", json=body,
                    operation="fulfillment.shipping_services")


def create_package_request(order_id: str, *, line_ids=(), shipping_service_id: str = "", **parcel):
    body: dict[str, Any] = {"order_id": str(order_id), **parcel_body(**parcel)}
    if line_ids:
        body["order_line_item_ids"] = [str(i) for i in line_ids]
    if shipping_service_id:
        body["shipping_service_id"] = shipping_service_id
    return _request("POST", f"/fulfillment/{VERSION}/packages", json=body, operation="fulfillment.create_package",
                    idempotent=False)


def package_request(package_id: str):
    return _request("GET", f"/fulfillment/{VERSION}/packages/{package_id}", operation="fulfillment.package")


def documents_request(package_id: str, *, doc_type: str = "SHIPPING_LABEL", size: str = "A6"):
    if doc_type not in DOC_TYPES:
        raise ValueError(f"document type must be one of {', '.join(DOC_TYPES)}")
    if size not in DOC_SIZES:
        raise ValueError(f"document size must be one of {', '.join(DOC_SIZES)}")
    return _request("GET", f"/fulfillment/{VERSION}/packages/{package_id}/shipping_documents",
                    params=[("document_type", doc_type), ("document_size", size)],
                    operation="fulfillment.shipping_documents")


def handover_slots_request(package_id: str):
    return _request("GET", f"/fulfillment/{VERSION}/packages/{package_id}/handover_time_slots",
                    operation="fulfillment.handover_time_slots")


def ship_spec(method: str, slot: tuple[int, int] | None = None) -> dict:
    if method not in ("PICKUP", "DROP_OFF"):
        raise ValueError("the handover method is PICKUP or DROP_OFF")
    spec: dict[str, Any] = {"handover_method": method}
    if method == "PICKUP":
        if not slot:
            raise ValueError("a pickup needs a time slot")
        spec["pickup_slot"] = {"start_time": int(slot[0]), "end_time": int(slot[1])}
    return spec


def ship_package_request(package_id: str, *, method: str, slot=None):
    return _request("POST", f"/fulfillment/{VERSION}/packages/{package_id}/ship", json=ship_spec(method, slot),
                    operation="fulfillment.ship_package", idempotent=False)


def batch_ship_request(package_ids, *, method: str, slot=None):
    package_ids = [str(p) for p in package_ids]
    if not 1 <= len(package_ids) <= BATCH_SHIP_MAX:
        raise ValueError(f"a batch ships 1 to {BATCH_SHIP_MAX} packages")
    spec = ship_spec(method, slot)
    return _request("POST", f"/fulfillment/{VERSION}/packages/ship",
                    json={"packages": [{"id": pid, **spec} for pid in package_ids]},
                    operation="fulfillment.batch_ship", idempotent=False)


# ---------------------------------------------------------------------------------------------
# Answers


def _str(value) -> str:
    return "" if value is None else str(value).strip()


def _int(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


def _when(seconds) -> dt.datetime | None:
    seconds = _int(seconds)
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds > 0 else None


@dataclass(frozen=True)
class ShippingService:
    id: str
    name: str
    provider_id: str
    provider_name: str
    price: str = ""
    currency: str = ""


@dataclass(frozen=True)
class CreatedPackage:
    package_id: str
    line_ids: tuple[str, ...]
    service: ShippingService | None


@dataclass(frozen=True)
class PackageInfo:
    package_id: str
    status: str
    tracking_number: str
    provider_id: str
    provider_name: str
    handover_method: str
    pickup_slot: tuple[int, int] | None
    updated_at: dt.datetime | None
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    available: bool = True

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start, tz=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end, tz=dt.UTC)

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class HandoverOptions:
    can_pickup: bool
    can_drop_off: bool
    slots: tuple[Slot, ...]
    drop_off_url: str = ""


@dataclass(frozen=True)
class Document:
    url: str
    expires_at: dt.datetime


def parse_service(row) -> ShippingService | None:
    if not isinstance(row, dict) or not row.get("id"):
        return None
    return ShippingService(id=_str(row["id"]), name=_str(row.get("name")),
                           provider_id=_str(row.get("shipping_provider_id")),
                           provider_name=_str(row.get("shipping_provider_name")), price=_str(row.get("price")),
                           currency=_str(row.get("currency")))


def parse_services(data) -> list[ShippingService]:
    return [s for s in (parse_service(r) for r in (data or {}).get("shipping_services") or []) if s]


def parse_created(data) -> CreatedPackage:
    data = data or {}
    package_id = _str(data.get("package_id"))
    if not package_id:
        raise ShippingError("TikTok created no package (the answer has no package_id)")
    return CreatedPackage(package_id=package_id,
                          line_ids=tuple(_str(i) for i in data.get("order_line_item_ids") or []),
                          service=parse_service(data.get("shipping_service_info")))


def parse_package(data) -> PackageInfo:
    data = data or {}
    slot = data.get("pickup_slot") if isinstance(data.get("pickup_slot"), dict) else None
    return PackageInfo(
        package_id=_str(data.get("package_id") or data.get("id")), status=_str(data.get("package_status")).upper(),
        tracking_number=_str(data.get("tracking_number")), provider_id=_str(data.get("shipping_provider_id")),
        provider_name=_str(data.get("shipping_provider_name")),
        handover_method=_str(data.get("handover_method")).upper(),
        pickup_slot=(_int(slot.get("start_time")), _int(slot.get("end_time"))) if slot else None,
        updated_at=_when(data.get("update_time")),
        order_ids=tuple(_str(o.get("id")) for o in data.get("orders") or [] if isinstance(o, dict)))


def parse_handover(data) -> HandoverOptions:
    data = data or {}
    slots = []
    for row in data.get("pickup_slots") or []:
        if not isinstance(row, dict):
            continue
        start, end = _int(row.get("start_time")), _int(row.get("end_time"))
        available = row.get("avaliable", row.get("available", True))  # TikTok's spelling, and the right one
        if start and end > start:
            slots.append(Slot(start=start, end=end, available=bool(available)))
    return HandoverOptions(can_pickup=bool(data.get("can_pickup")), can_drop_off=bool(data.get("can_drop_off")),
                           slots=tuple(sorted(slots, key=lambda s: s.start)),
                           drop_off_url=_str(data.get("drop_off_point_url")))


def parse_document(data, *, now: dt.datetime) -> Document:
    url = _str((data or {}).get("doc_url"))
    if not url:
        raise ShippingError("TikTok returned no document URL")
    expires = now + DOC_TTL
    try:
        stated = parse_qs(urlsplit(url).query).get("expires")
        if stated and stated[0].isdigit():
            expires = min(expires, dt.datetime.fromtimestamp(int(stated[0]), tz=dt.UTC))
    except ValueError:
        pass
    return Document(url=url, expires_at=expires)


def batch_errors(data) -> dict[str, str]:
    """{package id: TikTok's error} of a batch ship answer (an empty answer: all shipped)."""
    out = {}
    for err in (data or {}).get("errors") or []:
        if not isinstance(err, dict):
            continue
        detail = err.get("detail") if isinstance(err.get("detail"), dict) else {}
        package_id = _str(detail.get("package_id"))
        out[package_id] = f"{err.get('message') or 'refused'} (code {err.get('code')})"
    return out


def collection_state(info: PackageInfo) -> str:
    """Where a shipped package is in its handover: "scheduled" (TikTok has the ship request and
    the pickup or drop-off is arranged), "collected" (the carrier has it) or "cancelled"."""
    if info.status in PACKAGE_COLLECTED:
        return "collected"
    if info.status in PACKAGE_CANCELLED:
        return "cancelled"
    if info.status in PACKAGE_SHIPPED:
        return "scheduled"
    return "requested"


# ---------------------------------------------------------------------------------------------
# Documents


def download(session, url: str, *, timeout: float = 30.0) -> bytes:
    """The PDF behind a document URL. An expired (or unknown) URL raises DocumentExpired, so the
    caller asks TikTok for a new one."""
    try:
        response = session.get(url, timeout=(5.0, timeout))
    except requests.RequestException as exc:
        raise ShippingError(f"the document could not be downloaded ({exc.__class__.__name__})", retryable=True) \
            from exc
    if response.status_code in (401, 403, 404, 410):
        raise DocumentExpired(f"the document URL has expired (HTTP {response.status_code})", retryable=True)
    if response.status_code >= 400:
        raise ShippingError(f"the document could not be downloaded (HTTP {response.status_code})",
                            retryable=response.status_code >= 500)
    content = response.content
    if not content.startswith(b"%PDF-"):
        raise ShippingError("the document is not a PDF")
    return content


__all__ = [
    "BATCH_SHIP_MAX", "DOC_SIZES", "DOC_TTL", "DOC_TYPES", "PACKAGE_CANCELLED", "PACKAGE_COLLECTED", "PACKAGE_SHIPPED",
    "PACKAGE_WAITING", "CreatedPackage", "Document", "DocumentExpired", "FbtError", "HandoverOptions", "PackageInfo",
    "ShippingError", "ShippingService", "Slot", "batch_errors", "batch_ship_request", "call", "collection_state",
    "create_package_request", "documents_request", "download", "handover_slots_request", "open_connector",
    "package_ids_of", "package_request", "parcel_body", "parse_created", "parse_document", "parse_handover",
    "parse_package", "parse_service", "parse_services", "ship_package_request", "ship_spec",
    "shipping_services_request",
]
