"""TikTok returns and refunds (``/return_refund/202309``, docs/after-sales/returns.md) as pure
request builders and answer parsers, plus the calls through ``integrations.tiktok.client.call``.

    POST /return_refund/202309/returns/search                 returns changed since a time, or by id
    POST /return_refund/202309/returns/{id}/approve           {decision, partial_refund?}
    POST /return_refund/202309/returns/{id}/reject            {decision, reject_reason, comment?}
    GET  /return_refund/202309/returns/{id}/records           the return's history

Every decision carries an ``idempotency_key`` query parameter (TikTok: any unique string up to
255 characters): sending the same decision again with the same key changes nothing. Decisions
are sent once (no automatic retry); the caller reads the return back before trying again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.tiktok.client import TikTokError, call
from integrations.tiktok.client import request as _request

BASE = "/return_refund/202309"
PAGE_SIZE = 50
MAX_PAGES = 200
# TikTok's return types, in our words (orders.ReturnKind values).
KINDS = {"REFUND": "refund_only", "RETURN_AND_REFUND": "return_and_refund", "REPLACEMENT": "replacement"}
APPROVALS = ("APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE", "APPROVE_REPLACEMENT",
             "ISSUE_REPLACEMENT_REFUND", "OFFER_PARTIAL_REFUND")
REJECTIONS = ("REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE", "REJECT_REPLACEMENT")
# The reasons a seller may give to reject a return (GET /reject_reasons answers these names).
REJECT_REASONS = {
    "seller_reject_apply_product_not_returned": "The buyer has not returned the product",
    "seller_reject_apply_product_used": "The returned product has been used or damaged by the buyer",
    "seller_reject_apply_outside_return_window": "The request is outside the return window",
    "seller_reject_receive_package_not_match": "The returned package does not match the order",
}
# Which status each decision leads to (the read-back check of a decision whose answer was lost).
DECIDED_STATUSES = {
    "APPROVE_RETURN": {"AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "APPROVE_REFUND": {"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "APPROVE_REPLACEMENT": {"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "ISSUE_REPLACEMENT_REFUND": {"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "OFFER_PARTIAL_REFUND": {"AWAITING_BUYER_RESPONSE", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "APPROVE_RECEIVED_PACKAGE": {"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"},
    "REJECT_REFUND": {"RETURN_OR_REFUND_REQUEST_REJECT"},
    "REJECT_RETURN": {"RETURN_OR_REFUND_REQUEST_REJECT"},
    "REJECT_REPLACEMENT": {"RETURN_OR_REFUND_REQUEST_REJECT"},
    "REJECT_RECEIVED_PACKAGE": {"REJECT_RECEIVE_PACKAGE"},
}


class ReturnPayloadError(ValueError):
    """A return in TikTok's answer that cannot be used; the message names the field."""


@dataclass(frozen=True)
class ChannelReturnLine:
    external_id: str
    order_line_external_id: str
    seller_sku: str
    refund_amount: Decimal


@dataclass(frozen=True)
class ChannelReturn:
    """One TikTok return as SellerHub needs it (pure data)."""

    external_id: str
    order_external_id: str
    kind: str
    channel_status: str
    arbitration_status: str = ""
    reason_code: str = ""
    reason_text: str = ""
    buyer_note: str = ""
    buyer_images: tuple[str, ...] = ()
    tracking_number: str = ""
    carrier: str = ""
    next_action: str = ""
    respond_by: dt.datetime | None = None
    refund_total: Decimal = Decimal("0")
    refund_shipping: Decimal = Decimal("0")
    refund_tax: Decimal = Decimal("0")
    partial_refund: Decimal | None = None
    currency: str = "USD"
    requested_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    replacement_order_id: str = ""
    lines: tuple[ChannelReturnLine, ...] = ()
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ReturnRecord:
    """One step of a return's history on TikTok."""

    event: str
    role: str
    description: str
    reason_text: str
    note: str
    at: dt.datetime | None

    @property
    def key(self) -> str:
        return f"tiktok:{self.event}:{int(self.at.timestamp()) if self.at else 0}"

    @property
    def auto_approval(self) -> bool:
        return self.role == "SYSTEM" and "APPROVE" in self.event


# ---------------------------------------------------------------------------------------------
# Requests


def search_request(*, return_ids=(), order_ids=(), update_time_ge: int | None = None,
                   update_time_lt: int | None = None, page_token: str = "", page_size: int = PAGE_SIZE):
    body: dict[str, Any] = {}
    if return_ids:
        body["return_ids"] = [str(i) for i in return_ids]
    if order_ids:
        body["order_ids"] = [str(i) for i in order_ids]
    if update_time_ge is not None:
        body["update_time_ge"] = int(update_time_ge)
    if update_time_lt is not None:
        body["update_time_lt"] = int(update_time_lt)
    params = [("page_size", str(page_size)), ("sort_field", "update_time")]
    if page_token:
        params.append(("page_token", page_token))
    return _request("POST", f"{BASE}/returns/search", params=params, json=body, operation="returns.search")


def decision_request(*, return_id: str, decision: str, idempotency_key: str, reject_reason: str = "",
                     comment: str = "", partial_refund: Decimal | None = None, currency: str = "USD"):
    """The approve or reject call of ``decision`` (sent once: ``idempotent=False``, no retry)."""
    if not idempotency_key or len(idempotency_key) > 255:
        raise TikTokError("a decision needs an idempotency key of at most 255 characters")
    params = [("idempotency_key", idempotency_key)]
    if decision in APPROVALS:
        body: dict[str, Any] = {"decision": decision}
        if decision == "OFFER_PARTIAL_REFUND":
            if partial_refund is None or partial_refund <= 0:
                raise TikTokError("a partial refund offer needs an amount above zero")
            body["partial_refund"] = {"currency": currency, "amount": f"{partial_refund:.2f}"}
        return _request("POST", f"{BASE}/returns/{return_id}/approve", params=params, json=body,
                        operation="returns.approve", idempotent=False)
    if decision in REJECTIONS:
        if reject_reason not in REJECT_REASONS:
            raise TikTokError(f"{reject_reason!r} is not one of TikTok's reject reasons")
        body = {"decision": decision, "reject_reason": reject_reason}
        if comment:
            body["comment"] = comment[:500]
        return _request("POST", f"{BASE}/returns/{return_id}/reject", params=params, json=body,
                        operation="returns.reject", idempotent=False)
    raise TikTokError(f"{decision!r} is not a TikTok return decision")


def records_request(return_id: str):
    return _request("GET", f"{BASE}/returns/{return_id}/records", operation="returns.records")


# ---------------------------------------------------------------------------------------------
# Answers


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _money(value: Any, where: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ReturnPayloadError(f"{where} is not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ReturnPayloadError(f"{where} is not an amount: {value!r}")
    return amount


def _text(value: Any, limit: int = 300) -> str:
    return str(value or "").strip()[:limit]


def parse_return(payload: Any) -> ChannelReturn:
    """A ``return_orders[]`` item as a ``ChannelReturn``; ReturnPayloadError names what is wrong."""
    if not isinstance(payload, dict):
        raise ReturnPayloadError("a return is not an object")
    return_id, order_id = _text(payload.get("return_id"), 64), _text(payload.get("order_id"), 64)
    if not return_id or not order_id:
        raise ReturnPayloadError("the return has no return_id or order_id")
    kind = KINDS.get(str(payload.get("return_type") or ""))
    if kind is None:
        raise ReturnPayloadError(f"return {return_id}: unknown return_type {payload.get('return_type')!r}")
    refund = payload.get("refund_amount") if isinstance(payload.get("refund_amount"), dict) else {}
    actions = [a for a in payload.get("seller_next_action_response") or [] if isinstance(a, dict)]
    partial = payload.get("partial_refund") if isinstance(payload.get("partial_refund"), dict) else None
    lines = []
    for index, item in enumerate(payload.get("return_line_items") or []):
        if not isinstance(item, dict) or not item.get("order_line_item_id"):
            raise ReturnPayloadError(f"return {return_id}: return_line_items[{index}] has no order_line_item_id")
        line_refund = item.get("refund_amount") if isinstance(item.get("refund_amount"), dict) else {}
        lines.append(ChannelReturnLine(
            external_id=_text(item.get("return_line_item_id"), 64),
            order_line_external_id=_text(item.get("order_line_item_id"), 64),
            seller_sku=_text(item.get("seller_sku"), 100),
            refund_amount=_money(line_refund.get("refund_total"), f"return_line_items[{index}].refund_amount")))
    images = payload.get("buyer_images") or []
    return ChannelReturn(
        external_id=return_id, order_external_id=order_id, kind=kind,
        channel_status=_text(payload.get("return_status"), 40),
        arbitration_status=_text(payload.get("arbitration_status"), 20),
        reason_code=_text(payload.get("return_reason"), 120),
        reason_text=_text(payload.get("return_reason_text")),
        buyer_note=_text(payload.get("buyer_note"), 2000),
        buyer_images=tuple(_text(i, 500) for i in images if isinstance(i, str))[:10],
        tracking_number=_text(payload.get("return_tracking_number"), 64),
        carrier=_text(payload.get("return_provider_name"), 100),
        next_action=_text(actions[0].get("action"), 60) if actions else "",
        respond_by=_time(actions[0].get("deadline")) if actions else None,
        refund_total=_money(refund.get("refund_total"), "refund_amount.refund_total"),
        refund_shipping=_money(refund.get("refund_shipping_fee"), "refund_amount.refund_shipping_fee"),
        refund_tax=_money(refund.get("refund_tax"), "refund_amount.refund_tax"),
        partial_refund=_money(partial.get("amount"), "partial_refund.amount") if partial else None,
        currency=_text(refund.get("currency"), 3) or "USD",
        requested_at=_time(payload.get("create_time")), updated_at=_time(payload.get("update_time")),
        replacement_order_id=_text(payload.get("replacement_order_id"), 64),
        lines=tuple(lines), raw=payload)


def parse_records(data: Any) -> list[ReturnRecord]:
    records = data.get("records") if isinstance(data, dict) else None
    return [ReturnRecord(event=_text(r.get("event"), 60), role=_text(r.get("role"), 20),
                         description=_text(r.get("description")), reason_text=_text(r.get("reason_text")),
                         note=_text(r.get("note"), 500), at=_time(r.get("create_time")))
            for r in records or [] if isinstance(r, dict)]


def reached(decision: str, channel_status: str) -> bool:
    """Whether a return in ``channel_status`` shows that ``decision`` was applied."""
    return channel_status in DECIDED_STATUSES.get(decision, set())


# ---------------------------------------------------------------------------------------------
# Calls


def search_returns(connector, **filters) -> tuple[list[ChannelReturn], list[tuple[str, str]]]:
    """Every page of returns matching ``filters``: (returns, [(return id, why unusable)])."""
    found, rejected, token = [], [], ""
    for _page in range(MAX_PAGES):
        data = call(connector, search_request(page_token=token, **filters))
        for item in (data.get("return_orders") if isinstance(data, dict) else None) or []:
            try:
                found.append(parse_return(item))
            except ReturnPayloadError as exc:
                rejected.append((str(item.get("return_id", "?")) if isinstance(item, dict) else "?", str(exc)))
        token = str(data.get("next_page_token") or "") if isinstance(data, dict) else ""
        if not token:
            break
    return found, rejected


def fetch_return(connector, return_id: str) -> ChannelReturn | None:
    found, _rejected = search_returns(connector, return_ids=[return_id])
    return next((r for r in found if r.external_id == return_id), None)


def fetch_records(connector, return_id: str) -> list[ReturnRecord]:
    return parse_records(call(connector, records_request(return_id)))


def send_decision(connector, **kwargs) -> dict:
    """Send one decision (see ``decision_request``); TikTok's answer data or TikTokError."""
    return call(connector, decision_request(**kwargs))


__all__ = [
    "APPROVALS", "KINDS", "REJECTIONS", "REJECT_REASONS", "ChannelReturn", "ChannelReturnLine", "ReturnPayloadError",
    "ReturnRecord", "decision_request", "fetch_records", "fetch_return", "parse_records", "parse_return", "reached",
    "records_request", "search_request", "search_returns", "send_decision",
]
