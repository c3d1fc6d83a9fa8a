"""WooCommerce refunds and seller cancellations in the emulated store (installed by
``WooCommerceService.register_routes`` / ``reset``).

- ``GET  /wp-json/wc/v3/orders/{id}/refunds``   the order's refunds, newest first
- ``POST /wp-json/wc/v3/orders/{id}/refunds``   ``{amount, reason, api_refund, line_items}``: a
  refund (400 ``woocommerce_rest_invalid_order_refund`` when the amount is not above zero or
  more than what is left); the order lists it under ``refunds`` (total negative) and becomes
  ``refunded`` once fully refunded
- ``PUT  /wp-json/wc/v3/orders/{id}`` to ``status: cancelled`` is recorded as a ``cancellation``
  (with the ``_sellerhub_cancel_reason`` meta the caller sent)

Fault switch: ``fail_next_cancellation(service, status=500, message=...)`` makes the next
cancelling update answer that error and change nothing (a 5xx switch stays on for ``times``
calls, so the client's own retries fail too). ``add_refund`` refunds as the shop owner would in
the WordPress admin.
"""

from __future__ import annotations

import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

from .routing import Request, Response, Route
from .util import wp_datetime

API = "/wp-json/wc/v3"


def reset(service) -> None:
    service.refunds = {}  # order id -> [refund]
    service.cancellation_faults = []  # [(status, message)], one per call to fail
    service._refund_seq = itertools.count(9001)


def install(service) -> None:
    """Put the refund routes and the cancelling update in front of the store's own routes."""
    update = next(r.handler for r in service.router.routes
                  if r.method == "PUT" and r.pattern == API + "/orders/{order_id}")

    def cancelling_update(req: Request) -> Response:
        return _update(service, update, req)

    routes = [Route("GET", API + "/orders/{order_id}/refunds", lambda req: _list(service, req)),
              Route("POST", API + "/orders/{order_id}/refunds", lambda req: _create(service, req))]
    routes += [Route(m, API + "/orders/{order_id}", cancelling_update) for m in ("PUT", "POST", "PATCH")]
    service.router.routes[0:0] = routes


def fail_next_cancellation(service, *, status: int = 500, message: str = "Could not cancel the order.",
                           times: int = 1) -> None:
    service.cancellation_faults.extend([(status, message)] * times)


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _refunded(service, order_id: int) -> Decimal:
    return sum((Decimal(r["amount"]) for r in service.refunds.get(order_id, [])), Decimal("0"))


def add_refund(service, order_id: int, amount: str, reason: str = "", *, api_refund: bool = False,
               line_items: list | None = None, at: float | None = None) -> dict[str, Any]:
    """A refund of the order (the shop owner's, or through the API)."""
    order = service._order(order_id)
    value = _money(amount)
    left = Decimal(order["total"]) - _refunded(service, order["id"])
    if value is None or value <= 0 or value > left:
        raise ValueError(f"Invalid refund amount {amount!r}: between 0.01 and {left} is left to refund.")
    ts = at if at is not None else service.clock.now()
    refund = {"id": next(service._refund_seq), "date_created": wp_datetime(ts, service.tz),
              "date_created_gmt": wp_datetime(ts), "amount": f"{value:.2f}", "reason": reason,
              "refunded_by": 1, "refunded_payment": bool(api_refund), "meta_data": [],
              "line_items": [{"id": next(service._line_seq), "name": li.get("name", ""),
                              "quantity": -abs(int(li.get("qty") or li.get("quantity") or 1)),
                              "total": f"-{_money(li.get('refund_total') or 0):.2f}",
                              "meta_data": [{"id": next(service._meta_seq), "key": "_refunded_item_id",
                                             "value": str(li.get("id"))}]}
                             for li in line_items or [] if isinstance(li, dict)]}
    service.refunds.setdefault(order["id"], []).append(refund)
    order["refunds"].append({"id": refund["id"], "reason": reason, "total": f"-{value:.2f}"})
    if _refunded(service, order["id"]) >= Decimal(order["total"]):
        order["status"] = "refunded"
    service._touch_order(order, at)
    service.record("refund_create", order_id=order["id"], refund_id=refund["id"], amount=refund["amount"],
                   reason=reason, api_refund=bool(api_refund))
    return refund


def _list(service, req: Request) -> Response:
    order = service._order(req.params["order_id"])
    return Response.json(list(reversed(service.refunds.get(order["id"], []))))


def _create(service, req: Request) -> Response:
    order = service._order(req.params["order_id"])
    body = req.json_object()
    try:
        refund = add_refund(service, order["id"], body.get("amount"), str(body.get("reason") or ""),
                            api_refund=bool(body.get("api_refund", True)), line_items=body.get("line_items"))
    except ValueError as exc:
        return service.error(400, str(exc), code="woocommerce_rest_invalid_order_refund")
    service._emit("order.updated", order)
    return Response.json(refund, status=201)


def _update(service, update, req: Request) -> Response:
    body = req.json(default=None)
    cancelling = isinstance(body, dict) and body.get("status") == "cancelled"
    if not cancelling:
        return update(req)
    order = service._order(req.params["order_id"])
    if service.cancellation_faults:
        status, message = service.cancellation_faults.pop(0)
        return service.error(status, message, code="sellerhub_emulator_fault" if status < 500 else
                             "internal_server_error")
    before = order["status"]
    resp = update(req)
    if resp.status == 200 and before != "cancelled":
        meta = {m.get("key"): m.get("value") for m in body.get("meta_data") or [] if isinstance(m, dict)}
        service.record("cancellation", order_id=order["id"], from_status=before,
                       reason=meta.get("_sellerhub_cancel_reason", ""))
    return resp
