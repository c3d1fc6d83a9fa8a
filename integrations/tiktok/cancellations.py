"""TikTok Shop's cancellation calls (``/return_refund/202309``, docs/after-sales/cancellation-requests.md):
buyer cancellation requests (search, approve, reject with one of TikTok's reject reasons) and the
seller's own cancellation of an order.

Pure request builders and answer parsers, then the calls, each through ``client.call`` (the
connector's ``send`` does the HTTP). Every decision carries an ``idempotency_key`` query parameter
(the same key on every try of one decision); a decision whose answer was lost (``Ambiguous``) is
read back by searching for the request before it is sent again.

This module is imported by the TikTok connector while ``client`` may still be loading: it uses
``client`` at call time only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.channels.connectors.base import (
    Ambiguous,
    ApiRequest,
    CancellationOutcome,
    CancellationPush,
    Rejected,
)
from integrations.tiktok import client

BASE = "/return_refund/202309"
PAGE_SIZE = 50
MAX_PAGES = 200

# TikTok's cancel_status values.
PENDING = "CANCELLATION_REQUEST_PENDING"
SUCCESS = "CANCELLATION_REQUEST_SUCCESS"
CANCELLED = "CANCELLATION_REQUEST_CANCEL"
COMPLETE = "CANCELLATION_REQUEST_COMPLETE"
STATUSES = (PENDING, SUCCESS, CANCELLED, COMPLETE)
APPROVED_STATUSES = (SUCCESS, COMPLETE)

# Our channel-neutral seller reasons (connectors.base.CANCEL_REASONS) -> TikTok's seller cancel
# reasons. TikTok lists them per order in Seller Center; the names are the emulator's (inferred).
SELLER_CANCEL_REASONS = {
    "out_of_stock": "seller_cancel_reason_out_of_stock",
    "pricing_error": "seller_cancel_reason_wrong_price",
    "unable_to_deliver": "seller_cancel_reason_address_not_deliverable",
    "buyer_requested": "seller_cancel_reason_buyer_requested",
    "other": "seller_cancel_reason_other",
}


@dataclass(frozen=True)
class Cancellation:
    """One cancellation as TikTok's search returns it, in plain values."""

    cancel_id: str
    order_id: str
    status: str
    role: str  # BUYER, SELLER or SYSTEM: who opened it
    reason: str
    requested_at: dt.datetime | None
    updated_at: dt.datetime | None
    respond_by: dt.datetime | None  # the earliest deadline of the seller's next actions
    refund_total: Decimal | None = None
    currency: str = ""
    line_ids: tuple[str, ...] = ()
    reject_reason: str = ""
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RejectReason:
    name: str  # the code sent back with a rejection
    text: str  # what the seller reads


# --- pure request builders --------------------------------------------------------------------


def _unix(value: dt.datetime) -> int:
    return int(value.timestamp())


def search_request(*, cancel_ids=(), order_ids=(), statuses=(), updated_since: dt.datetime | None = None,
                   page_token: str = "", page_size: int = PAGE_SIZE) -> ApiRequest:
    body: dict[str, Any] = {}
    if cancel_ids:
        body["cancel_ids"] = [str(i) for i in cancel_ids]
    if order_ids:
        body["order_ids"] = [str(i) for i in order_ids]
    if statuses:
        body["cancel_status"] = list(statuses)
    if updated_since is not None:
        body["update_time_ge"] = _unix(updated_since)
    params = [("page_size", str(page_size)), ("sort_field", "update_time"), ("sort_order", "ASC")]
    if page_token:
        params.append(("page_token", page_token))
    return ApiRequest("POST", f"{BASE}/cancellations/search", params=tuple(params), json=body,
                      operation="cancellations.search")


def _key(idempotency_key: str) -> tuple[tuple[str, str], ...]:
    if not idempotency_key or len(idempotency_key) > 255:
        raise ValueError("a decision needs an idempotency key of 1 to 255 characters")
    return (("idempotency_key", idempotency_key),)


def approve_request(cancel_id: str, *, idempotency_key: str) -> ApiRequest:
    return ApiRequest("POST", f"{BASE}/cancellations/{cancel_id}/approve", params=_key(idempotency_key), json={},
                      operation="cancellations.approve", idempotent=False)


def reject_request(cancel_id: str, *, reason: str, comment: str = "", idempotency_key: str) -> ApiRequest:
    body = {"reject_reason": reason}
    if comment:
        body["comment"] = comment[:500]
    return ApiRequest("POST", f"{BASE}/cancellations/{cancel_id}/reject", params=_key(idempotency_key), json=body,
                      operation="cancellations.reject", idempotent=False)


def reject_reasons_request(cancel_id: str) -> ApiRequest:
    return ApiRequest("GET", f"{BASE}/reject_reasons", params=(("return_or_cancel_id", str(cancel_id)),),
                      operation="cancellations.reject_reasons")


def seller_cancel_request(order_id: str, *, reason: str, line_ids=(), idempotency_key: str) -> ApiRequest:
    body: dict[str, Any] = {"order_id": str(order_id), "cancel_reason": reason}
    if line_ids:
        body["order_line_item_ids"] = [str(i) for i in line_ids]
    return ApiRequest("POST", f"{BASE}/cancellations", params=_key(idempotency_key), json=body,
                      operation="cancellations.create", idempotent=False)


# --- pure answer parsing ----------------------------------------------------------------------


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def parse_cancellation(raw: Any) -> Cancellation | None:
    """A ``cancellations[]`` entry, or None when it lacks an id, an order id or a known status."""
    if not isinstance(raw, dict):
        return None
    cancel_id, order_id = str(raw.get("cancel_id") or ""), str(raw.get("order_id") or "")
    status = str(raw.get("cancel_status") or "")
    if not cancel_id or not order_id or status not in STATUSES:
        return None
    deadlines = [_time(a.get("deadline")) for a in raw.get("seller_next_action_response") or []
                 if isinstance(a, dict)]
    deadlines = [d for d in deadlines if d is not None]
    refund = raw.get("refund_amount") if isinstance(raw.get("refund_amount"), dict) else {}
    lines = tuple(str(li.get("order_line_item_id")) for li in raw.get("cancel_line_items") or []
                  if isinstance(li, dict) and li.get("order_line_item_id"))
    return Cancellation(
        cancel_id=cancel_id, order_id=order_id, status=status, role=str(raw.get("role") or "BUYER").upper(),
        reason=str(raw.get("cancel_reason_text") or raw.get("cancel_reason") or "")[:300],
        requested_at=_time(raw.get("create_time")), updated_at=_time(raw.get("update_time")),
        respond_by=min(deadlines) if deadlines else None, refund_total=_money(refund.get("refund_total")),
        currency=str(refund.get("currency") or "")[:3], line_ids=lines,
        reject_reason=str(raw.get("reject_reason") or ""), raw=raw)


def parse_search(data: Any) -> tuple[list[Cancellation], str]:
    """(cancellations, next page token) of a search answer; unusable entries are left out."""
    data = data if isinstance(data, dict) else {}
    found = [c for c in (parse_cancellation(raw) for raw in data.get("cancellations") or []) if c]
    return found, str(data.get("next_page_token") or "")


def parse_reject_reasons(data: Any) -> list[RejectReason]:
    data = data if isinstance(data, dict) else {}
    return [RejectReason(name=str(r["name"]), text=str(r.get("text") or r["name"]))
            for r in data.get("reasons") or [] if isinstance(r, dict) and r.get("name")]


# --- the calls (through client.call) ----------------------------------------------------------


def search(connector, *, cancel_ids=(), order_ids=(), statuses=(),
           updated_since: dt.datetime | None = None) -> list[Cancellation]:
    """Every cancellation matching, page by page."""
    out, token = [], ""
    for _ in range(MAX_PAGES):
        data = client.call(connector, search_request(cancel_ids=cancel_ids, order_ids=order_ids, statuses=statuses,
                                                     updated_since=updated_since, page_token=token))
        found, token = parse_search(data)
        out.extend(found)
        if not token:
            break
    return out


def reject_reasons(connector, cancel_id: str) -> list[RejectReason]:
    return parse_reject_reasons(client.call(connector, reject_reasons_request(cancel_id)))


def find(connector, cancel_id: str) -> Cancellation | None:
    found = [c for c in search(connector, cancel_ids=[cancel_id]) if c.cancel_id == str(cancel_id)]
    return found[0] if found else None


def _lost(exc: Exception) -> bool:
    return isinstance(exc, client.TikTokError) and isinstance(exc.__cause__, Ambiguous)


def decide(connector, *, cancel_id: str, approve: bool, idempotency_key: str, reason: str = "",
           comment: str = "") -> Cancellation | None:
    """Send the seller's decision on a buyer's request; returns the request as TikTok has it after.
    A lost answer is read back (search by id) before the decision is sent again, once, with the
    same key. Raises ``client.TikTokError`` with TikTok's reason when it refuses."""
    if approve:
        request = approve_request(cancel_id, idempotency_key=idempotency_key)
    else:
        if not reason:
            raise ValueError("a rejection needs one of TikTok's reject reasons")
        request = reject_request(cancel_id, reason=reason, comment=comment, idempotency_key=idempotency_key)
    for attempt in range(2):
        try:
            client.call(connector, request)
        except client.TikTokError as exc:
            if not _lost(exc) or attempt:
                raise
            connector.sleep(connector.ambiguous_wait)  # let a write still in flight land before looking
            current = find(connector, cancel_id)
            if current is not None and current.status != PENDING:
                return current  # the first try landed
            continue
        return find(connector, cancel_id)
    return None  # pragma: no cover - the loop returns or raises


def push_seller_cancellation(connector, cancellation: CancellationPush) -> CancellationOutcome:
    """The seller cancels an order on TikTok (``POST /cancellations`` with a TikTok reason). An
    order TikTok already shows a seller cancellation for is not cancelled twice; a lost answer is
    read back before the call is sent again."""
    reason = SELLER_CANCEL_REASONS.get(cancellation.reason)
    if reason is None:
        raise Rejected(f"{cancellation.reason!r} is not a cancellation reason SellerHub knows",
                       operation="cancellations.create")
    key = cancellation.idempotency_key or f"sellerhub-cancel-{cancellation.order_external_id}"

    def existing() -> Cancellation | None:
        mine = [c for c in search(connector, order_ids=[cancellation.order_external_id])
                if c.role == "SELLER" and c.status != CANCELLED]
        return mine[0] if mine else None

    found = existing()
    if found is not None:
        return CancellationOutcome(reference=found.cancel_id, already=True, status=found.status)
    request = seller_cancel_request(cancellation.order_external_id, reason=reason,
                                    line_ids=cancellation.line_external_ids, idempotency_key=key)
    for attempt in range(2):
        try:
            data = connector.call(request).data or {}
        except Ambiguous:
            connector.sleep(connector.ambiguous_wait)
            found = existing()
            if found is not None or attempt:
                if found is None:
                    raise
                return CancellationOutcome(reference=found.cancel_id, status=found.status)
            continue
        return CancellationOutcome(reference=str(data.get("cancel_id") or ""),
                                   status=str(data.get("cancel_status") or ""))
    raise Ambiguous("the cancellation could not be confirmed", operation="cancellations.create")  # pragma: no cover


__all__ = [
    "APPROVED_STATUSES", "CANCELLED", "COMPLETE", "Cancellation", "PENDING", "RejectReason", "SELLER_CANCEL_REASONS",
    "STATUSES", "SUCCESS", "approve_request", "decide", "find", "parse_cancellation", "parse_reject_reasons",
    "parse_search", "push_seller_cancellation", "reject_reasons", "reject_request", "reject_reasons_request",
    "search", "search_request", "seller_cancel_request",
]
