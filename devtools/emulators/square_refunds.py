"""Square payment refunds and seller cancellations in the emulated seller account (installed by
``SquareService.register_routes`` / ``reset``).

- ``GET /v2/refunds`` (ListPaymentRefunds): ``location_id``, ``begin_time`` / ``end_time``
  (created_at, RFC 3339), ``sort_order`` ASC|DESC, ``status``, ``limit`` (1-100), ``cursor``;
  answers ``{refunds: [PaymentRefund], cursor}`` (``{}`` when there are none, as Square does)
- ``PUT /v2/orders/{id}`` to ``state: CANCELED`` is recorded as a ``cancellation`` with the
  ``metadata`` the caller sent (kept on the order, as Square keeps an order's metadata)

Fault switch: ``fail_next_cancellation(service, status=500, ...)`` makes the next cancelling
update answer that error and change nothing. ``add_refund`` refunds an order's payment as the
seller would in the Square Dashboard (the refund's ``order_id`` is the original order's, its
``payment_id`` the order's payment).
"""

from __future__ import annotations

from typing import Any

from .routing import Request, Response, Route
from .util import decode_token, encode_token, parse_iso, rfc3339, square_like_id

REFUND_STATUSES = ("PENDING", "COMPLETED", "REJECTED", "FAILED")


def reset(service) -> None:
    service.refunds = {}  # refund id -> PaymentRefund
    service.cancellation_faults = []


def install(service) -> None:
    update = next(r.handler for r in service.router.routes
                  if r.method == "PUT" and r.pattern == "/v2/orders/{order_id}")
    service.router.routes[0:0] = [
        Route("GET", "/v2/refunds", lambda req: _list(service, req)),
        Route("PUT", "/v2/orders/{order_id}", lambda req: _update(service, update, req)),
    ]


def fail_next_cancellation(service, *, status: int = 500, message: str = "An internal error occurred.",
                           times: int = 1) -> None:
    service.cancellation_faults.extend([(status, message)] * times)


def payment_id(order_id: str) -> str:
    return square_like_id("payment", order_id, length=24)


def add_refund(service, order_id: str, amount_cents: int, reason: str = "", *, status: str = "COMPLETED",
               at: float | None = None) -> dict[str, Any]:
    order = service._order(order_id)
    refunded = sum(r["amount_money"]["amount"] for r in service.refunds.values() if r["order_id"] == order_id)
    left = order["total_money"]["amount"] - refunded
    if not 0 < int(amount_cents) <= left:
        raise ValueError(f"amount_money must be between 1 and {left} cents")
    stamp = rfc3339(at if at is not None else service.clock.now())
    refund_id = f"{payment_id(order_id)}_{square_like_id('refund', order_id, len(service.refunds), length=12)}"
    refund = {"id": refund_id, "status": status, "location_id": order["location_id"],
              "amount_money": {"amount": int(amount_cents), "currency": order["total_money"]["currency"]},
              "payment_id": payment_id(order_id), "order_id": order_id, "reason": reason,
              "created_at": stamp, "updated_at": stamp}
    service.refunds[refund_id] = refund
    service.record("refund_create", order_id=order_id, refund_id=refund_id, amount=int(amount_cents), reason=reason)
    return refund


def _list(service, req: Request) -> Response:
    rows = list(service.refunds.values())
    location = req.arg("location_id")
    if location:
        rows = [r for r in rows if r["location_id"] == location]
    status = req.arg("status")
    if status:
        if status not in REFUND_STATUSES:
            raise service.invalid(f"Unknown refund status {status}.", code="INVALID_ENUM_VALUE", field="status")
        rows = [r for r in rows if r["status"] == status]
    for name, keep in (("begin_time", lambda t, b: t >= b), ("end_time", lambda t, b: t < b)):
        value = req.arg(name)
        if value:
            try:
                bound = parse_iso(value)
            except ValueError:
                raise service.invalid(f"{name} is not an RFC 3339 time.", field=name) from None
            rows = [r for r in rows if keep(parse_iso(r["created_at"]), bound)]
    order = req.arg("sort_order") or "DESC"
    if order not in ("ASC", "DESC"):
        raise service.invalid("sort_order must be ASC or DESC.", code="INVALID_ENUM_VALUE", field="sort_order")
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=order == "DESC")
    limit = req.int_arg("limit", 100)
    if not 1 <= limit <= 100:
        raise service.invalid("limit must be between 1 and 100.", field="limit")
    start = 0
    if req.arg("cursor"):
        try:
            start = int(decode_token(req.arg("cursor")).get("o", 0))
        except (ValueError, TypeError):
            raise service.invalid("The cursor is not valid.", field="cursor") from None
    page = rows[start:start + limit]
    out: dict[str, Any] = {"refunds": page} if page else {}
    if start + limit < len(rows):
        out["cursor"] = encode_token({"o": start + limit})
    return Response.json(out)


def _update(service, update, req: Request) -> Response:
    body = req.json(default=None)
    patch = body.get("order") if isinstance(body, dict) else None
    if not (isinstance(patch, dict) and patch.get("state") == "CANCELED"):
        return update(req)
    order = service._order(req.params["order_id"])
    if service.cancellation_faults:
        status, message = service.cancellation_faults.pop(0)
        return service.error(status, message, code="INTERNAL_SERVER_ERROR" if status >= 500 else "BAD_REQUEST",
                             category="API_ERROR" if status >= 500 else "INVALID_REQUEST_ERROR")
    before = order["state"]
    resp = update(req)
    if resp.status == 200 and before != "CANCELED" and order["state"] == "CANCELED":
        metadata = patch.get("metadata") if isinstance(patch.get("metadata"), dict) else {}
        order["metadata"] = {**order.get("metadata", {}), **metadata}
        service.record("cancellation", order_id=order["id"], from_state=before,
                       reason=metadata.get("sellerhub_cancel_reason", ""),
                       note=metadata.get("sellerhub_cancel_note", ""),
                       idempotency_key=body.get("idempotency_key"))
    return resp
