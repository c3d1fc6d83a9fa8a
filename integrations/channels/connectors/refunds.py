"""Refunds as the channels report them, and the pure request building / answer mapping of the
refund and seller-cancellation calls of WooCommerce and Square (the connectors do the HTTP).

- WooCommerce: ``GET /orders/{id}/refunds`` lists an order's refunds; ``POST /orders/{id}/refunds``
  ``{amount, reason, api_refund, line_items}`` creates one (``api_refund`` false: recorded only,
  the money goes back by hand; true: through the payment gateway). A seller's cancellation is
  ``PUT /orders/{id}`` ``{status: "cancelled", meta_data}`` plus an order note with the reason.
- Square: ``GET /v2/refunds`` (ListPaymentRefunds: ``location_id``, ``begin_time``,
  ``sort_order``, ``cursor``) lists payment refunds with their ``payment_id`` and ``order_id``; a
  seller's cancellation is ``PUT /v2/orders/{id}`` with ``state: CANCELED``, the order's current
  ``version`` and an idempotency key, the reason in the order's ``metadata``.

See docs/after-sales/seller-cancellations-and-refunds.md (what is confirmed, what is inferred).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.channels.connectors.base import ApiRequest, Malformed, utc

WOO_API = "/wp-json/wc/v3"
# Square's metadata values are at most 255 characters.
SQUARE_METADATA_MAX = 255
# The reason words the channels are told (CANCEL_REASONS -> the seller's words).
REASON_WORDS = {
    "out_of_stock": "Out of stock",
    "pricing_error": "Pricing error",
    "unable_to_deliver": "Unable to deliver to the buyer's address",
    "buyer_requested": "The buyer asked to cancel",
    "other": "Other reason",
}


@dataclass(frozen=True)
class RemoteRefund:
    """One refund as the channel reports it."""

    external_id: str
    order_external_id: str
    amount: Decimal
    currency: str = "USD"
    reason: str = ""
    status: str = ""
    created_at: dt.datetime | None = None
    through_gateway: bool | None = None
    payment_id: str = ""
    line_external_ids: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, compare=False)


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Malformed(f"{where} is not an amount: {value!r}") from None


def _time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(parsed)


def cancellation_note(reason: str, note: str) -> str:
    words = REASON_WORDS.get(reason, reason)
    return f"Cancelled by the seller: {words}" + (f". {note}" if note and note != words else "")


# --- WooCommerce -----------------------------------------------------------------------------


def woo_refunds_request(order_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{WOO_API}/orders/{order_id}/refunds", operation="refunds.list",
                      params=(("per_page", "100"),))


def woo_create_refund_request(order_id: str, *, amount: Decimal, reason: str, api_refund: bool,
                              line_items: list[dict] | None = None) -> ApiRequest:
    body: dict[str, Any] = {"amount": f"{amount:.2f}", "reason": reason, "api_refund": bool(api_refund)}
    if line_items:
        body["line_items"] = line_items
    return ApiRequest("POST", f"{WOO_API}/orders/{order_id}/refunds", json=body, operation="refunds.create",
                      idempotent=False)


def woo_cancel_request(order_id: str, reason: str) -> ApiRequest:
    return ApiRequest("PUT", f"{WOO_API}/orders/{order_id}", operation="orders.cancel", json={
        "status": "cancelled", "meta_data": [{"key": "_sellerhub_cancel_reason", "value": reason}]})


def _refunded_item(line: dict) -> str:
    """The order line a refund line pays back (its ``_refunded_item_id`` meta), else its own id."""
    for meta in line.get("meta_data") or []:
        if isinstance(meta, dict) and meta.get("key") == "_refunded_item_id":
            return str(meta.get("value"))
    return str(line.get("id"))


def woo_refund(order_id: str, data: Any, currency: str = "USD") -> RemoteRefund:
    if not isinstance(data, dict) or data.get("id") in (None, ""):
        raise Malformed("a WooCommerce refund has no id")
    # WooCommerce answers refund amounts positive in "amount" and negative in "total".
    amount = _decimal(data.get("amount") if data.get("amount") not in (None, "") else
                      abs(_decimal(data.get("total") or 0, "total")), "amount")
    gmt = data.get("date_created_gmt")
    created = _time(gmt + "+00:00" if gmt and "+" not in gmt and not gmt.endswith("Z") else gmt)
    lines = tuple(_refunded_item(li) for li in data.get("line_items") or [] if isinstance(li, dict))
    return RemoteRefund(external_id=str(data["id"]), order_external_id=str(order_id), amount=abs(amount),
                        currency=currency, reason=str(data.get("reason") or "")[:500], status="completed",
                        created_at=created, through_gateway=data.get("refunded_payment")
                        if isinstance(data.get("refunded_payment"), bool) else None,
                        line_external_ids=lines, raw=data)


# --- Square ----------------------------------------------------------------------------------


def square_refunds_request(location_id: str, *, begin_time: str, cursor: str = "") -> ApiRequest:
    params = [("location_id", location_id), ("begin_time", begin_time), ("sort_order", "ASC"), ("limit", "100")]
    if cursor:
        params.append(("cursor", cursor))
    return ApiRequest("GET", "/v2/refunds", params=tuple(params), operation="refunds.list")


def square_refund(data: Any) -> RemoteRefund:
    if not isinstance(data, dict) or not data.get("id"):
        raise Malformed("a Square refund has no id")
    money = data.get("amount_money") or {}
    try:
        cents = int(money.get("amount") or 0)
    except (TypeError, ValueError):
        raise Malformed(f"refund {data.get('id')}: amount_money.amount is not a number") from None
    return RemoteRefund(external_id=str(data["id"]), order_external_id=str(data.get("order_id") or ""),
                        amount=(Decimal(cents) / 100).quantize(Decimal("0.01")),
                        currency=str(money.get("currency") or "USD"), reason=str(data.get("reason") or "")[:500],
                        status=str(data.get("status") or ""), created_at=_time(data.get("created_at")),
                        through_gateway=True, payment_id=str(data.get("payment_id") or ""), raw=data)


def square_cancel_request(order: dict, *, key: str, reason: str, note: str) -> ApiRequest:
    version = order.get("version")
    metadata = {"sellerhub_cancel_reason": reason}
    if note:
        metadata["sellerhub_cancel_note"] = note[:SQUARE_METADATA_MAX]
    digest = hashlib.sha256(f"{key}:{version}".encode()).hexdigest()[:40]
    return ApiRequest("PUT", f"/v2/orders/{order.get('id')}", operation="orders.cancel", json={
        "idempotency_key": f"sellerhub-{digest}",
        "order": {"location_id": order.get("location_id"), "version": version, "state": "CANCELED",
                  "metadata": metadata}})
