"""EasyPost scan forms and pickups: pure mappings between our dataclasses
(``integrations.labels.base``: ``ScanForm``, ``PickupRequest``, ``Pickup``) and EasyPost's JSON
(``POST /v2/scan_forms``, ``POST /v2/pickups``, ``/buy``, ``/cancel``; docs/domain/labels.md).
The calls are made by ``EasyPostProvider`` in ``easypost.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.labels.base import Pickup, PickupRate, PickupRequest, ScanForm
from sellerhub.addresses import Address


def _time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0")


def _stamp(value: dt.datetime) -> str:
    """EasyPost's pickup window: ``2026-07-10T14:00:00Z`` (UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(address: Address) -> dict[str, str]:
    out = {"name": address.name, "company": address.company, "street1": address.street1,
           "street2": address.street2, "city": address.city, "state": address.state, "zip": address.postal_code,
           "country": address.country or "US", "phone": address.phone}
    return {k: v for k, v in out.items() if v}


def scan_form_params(shipment_ids: list[str]) -> dict[str, Any]:
    """The body of ``POST /v2/scan_forms``: the shipments as an array of ``{"id"}``."""
    return {"shipments": [{"id": sid} for sid in dict.fromkeys(shipment_ids)]}


def scan_form_from(data: Mapping[str, Any], content: bytes = b"") -> ScanForm:
    return ScanForm(id=str(data.get("id") or ""), status=str(data.get("status") or ""),
                    tracking_codes=tuple(str(c) for c in data.get("tracking_codes") or []),
                    form_url=str(data.get("form_url") or ""), form_file_type=str(data.get("form_file_type") or ""),
                    batch_id=str(data.get("batch_id") or ""), message=str(data.get("message") or ""),
                    created_at=_time(data.get("created_at")), content=content)


def pickup_params(request: PickupRequest) -> dict[str, Any]:
    """The body of ``POST /v2/pickups`` (inside ``pickup``)."""
    params: dict[str, Any] = {
        "address": _address(request.address),
        "min_datetime": _stamp(request.min_datetime),
        "max_datetime": _stamp(request.max_datetime),
        "is_account_address": request.is_account_address,
    }
    if request.batch_id:
        params["batch"] = {"id": request.batch_id}
    elif request.shipment_id:
        params["shipment"] = {"id": request.shipment_id}
    if request.instructions:
        params["instructions"] = request.instructions
    if request.reference:
        params["reference"] = request.reference
    return params


def pickup_from(data: Mapping[str, Any]) -> Pickup:
    rates = tuple(sorted(
        (PickupRate(id=str(r.get("id") or ""), carrier=str(r.get("carrier") or ""), service=str(r.get("service") or ""),
                    amount=_amount(r.get("rate")), currency=str(r.get("currency") or "USD"))
         for r in data.get("pickup_rates") or [] if isinstance(r, Mapping)),
        key=lambda r: r.amount))
    return Pickup(id=str(data.get("id") or ""), status=str(data.get("status") or "unknown"),
                  confirmation=str(data.get("confirmation") or ""), rates=rates,
                  min_datetime=_time(data.get("min_datetime")), max_datetime=_time(data.get("max_datetime")))
