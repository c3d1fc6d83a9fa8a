"""TikTok Shop's cancellation API (``/return_refund/202309``) on the loopback emulator, following the
public shapes (docs/after-sales/cancellation-requests.md):

- ``POST /return_refund/202309/cancellations/search`` (query ``page_size``, ``page_token``,
  ``sort_field``, ``sort_order``; body ``cancel_ids``, ``order_ids``, ``cancel_types``,
  ``cancel_status``, ``create_time_ge/lt``, ``update_time_ge/lt``);
- ``POST /return_refund/202309/cancellations/{cancel_id}/approve`` and ``.../reject``
  (``{reject_reason, comment}``), both with the ``idempotency_key`` query parameter: the same key
  with the same body answers the first answer again and changes nothing; with another body 400;
- ``GET /return_refund/202309/reject_reasons?return_or_cancel_id=``;
- ``POST /return_refund/202309/cancellations`` (the seller cancels ``{order_id, cancel_reason,
  order_line_item_ids?}``, with ``idempotency_key``).

Buyers open requests through ``open_request`` (control: ``POST /tiktok/_emulator/cancellations``
``{"order_id": ..., "reason": ..., "respond_within": seconds}``) and, when the emulator runs for
the demo, on a schedule (``start_buyer_requests``, bounded by ``max_pending``). Each status change
sends notification 11 (CANCELLATION_STATUS_CHANGE) to the address registered for it. A pending
request past its deadline is approved by "TikTok" (``expire``: on every cancellation call, on
``POST /tiktok/_emulator/cancellations/expire`` and on the schedule): the order is cancelled.

Codes 25001001-25001004 are the emulator's own choice (the docs give none).
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import TYPE_CHECKING, Any

from .routing import ApiError, BadRequest, Request, Response
from .util import fingerprint

if TYPE_CHECKING:
    from .tiktok import TikTokService

BASE = "/return_refund/202309"
EVENT = "CANCELLATION_STATUS_CHANGE"
PENDING, SUCCESS = "CANCELLATION_REQUEST_PENDING", "CANCELLATION_REQUEST_SUCCESS"
CANCEL, COMPLETE = "CANCELLATION_REQUEST_CANCEL", "CANCELLATION_REQUEST_COMPLETE"
STATUSES = (PENDING, SUCCESS, CANCEL, COMPLETE)
# How long the seller has to answer a buyer's request (TikTok US documents windows of hours).
RESPOND_WITHIN = 5 * 3600
OPENABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")
SELLER_CANCELLABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")
E_CANCEL_NOT_FOUND = 25001001
E_CANCEL_STATUS = 25001002
E_REASON = 25001003
E_IDEMPOTENCY = 25001004
REJECT_REASONS = [
    {"name": "seller_reject_apply_product_has_been_packed", "text": "The product has already been packed"},
    {"name": "seller_reject_apply_product_has_been_shipped", "text": "The product has already been shipped"},
    {"name": "seller_reject_apply_buyer_agreed_to_keep", "text": "The buyer agreed to keep the order"},
    {"name": "seller_reject_apply_other", "text": "Other reason"},
]
BUYER_REASONS = [
    ("buyer_cancel_reason_no_longer_needed", "No longer needed"),
    ("buyer_cancel_reason_wrong_size", "Ordered the wrong size or color"),
    ("buyer_cancel_reason_better_price", "Found a better price"),
    ("buyer_cancel_reason_shipping_too_slow", "Shipping takes too long"),
]
SELLER_REASONS = {
    "seller_cancel_reason_out_of_stock": "Out of stock",
    "seller_cancel_reason_wrong_price": "Pricing error",
    "seller_cancel_reason_address_not_deliverable": "Unable to deliver to the address",
    "seller_cancel_reason_buyer_requested": "The buyer asked to cancel",
    "seller_cancel_reason_other": "Other reason",
}


class CancellationDesk:
    """The cancellation state of one emulated TikTok shop (reset with the shop)."""

    def __init__(self, shop: TikTokService):
        self.shop = shop
        self.cancellations: dict[str, dict[str, Any]] = {}
        self.replies: dict[str, tuple[str, Response]] = {}
        self._seq = itertools.count(4035000000000000001)
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._last_open = 0.0

    # --- steering (tests, the demo) -----------------------------------------------------------
    def open_request(self, order_id: str, *, reason: str = "", at: float | None = None,
                     respond_within: int | None = None) -> str:
        """The buyer asks to cancel ``order_id`` (not shipped yet); returns the cancel id."""
        shop = self.shop
        with shop.hub.lock:
            order = shop._order(order_id)
            if order["status"] not in OPENABLE:
                raise ValueError(f"order {order_id} is {order['status']}: a buyer can't ask to cancel it")
            if any(c["order_id"] == order_id and c["cancel_status"] == PENDING for c in self.cancellations.values()):
                raise ValueError(f"order {order_id} already has a pending cancellation request")
            now = int(at if at is not None else shop.clock.now())
            code, text = next(((c, t) for c, t in BUYER_REASONS if reason in (c, t)), BUYER_REASONS[0])
            if reason and reason not in (code, text):
                code, text = "buyer_cancel_reason_other", reason
            cancel_id = str(next(self._seq))
            self.cancellations[cancel_id] = {
                "cancel_id": cancel_id, "order_id": order_id, "cancel_type": "CANCEL", "cancel_status": PENDING,
                "role": "BUYER", "cancel_reason": code, "cancel_reason_text": text, "create_time": now,
                "update_time": now,
                "seller_next_action_response": [{"action": "SELLER_RESPOND_CANCEL_REQUEST",
                                                 "deadline": now + int(respond_within or RESPOND_WITHIN)}],
                "refund_amount": {"currency": order["payment"]["currency"],
                                  "refund_total": order["payment"]["total_amount"],
                                  "refund_subtotal": order["payment"]["sub_total"],
                                  "refund_shipping_fee": order["payment"]["shipping_fee"], "refund_tax": "0"},
                "cancel_line_items": [{"order_line_item_id": li["id"], "sku_id": li["sku_id"],
                                       "seller_sku": li["seller_sku"], "product_name": li["product_name"]}
                                      for li in order["line_items"]],
            }
            order["is_buyer_request_cancel"] = True
            shop._touch(order, now)
            shop.record("cancellation_requested", cancel_id=cancel_id, order_id=order_id, reason=text)
            self._notify(self.cancellations[cancel_id])
            return cancel_id

    def expire(self) -> list[str]:
        """Approve, as TikTok does, every pending request whose deadline has passed."""
        shop = self.shop
        done = []
        with shop.hub.lock:
            now = shop.clock.now()
            for cancel in list(self.cancellations.values()):
                if cancel["cancel_status"] != PENDING:
                    continue
                deadline = min(a["deadline"] for a in cancel["seller_next_action_response"])
                if deadline > now:
                    continue
                self._approve(cancel, at=deadline, by="system")
                shop.record("cancellation_auto_approved", cancel_id=cancel["cancel_id"], order_id=cancel["order_id"])
                done.append(cancel["cancel_id"])
        return done

    def reject_on_ship(self, order_id: str, *, at: float | None = None) -> None:
        """Shipping the order auto-rejects its pending buyer request (TikTok US)."""
        for cancel in self.cancellations.values():
            if cancel["order_id"] == order_id and cancel["cancel_status"] == PENDING:
                cancel.update(cancel_status=CANCEL, update_time=int(at if at is not None else self.shop.now()),
                              seller_next_action_response=[],
                              reject_reason="seller_reject_apply_product_has_been_shipped")
                self.shop.record("cancellation_rejected_by_shipping", cancel_id=cancel["cancel_id"],
                                 order_id=order_id)
                self._notify(cancel)

    def start_buyer_requests(self, per_hour: float, *, max_pending: int = 3) -> None:
        """Demo: buyers ask to cancel a random unshipped order ``per_hour`` times an hour, never
        more than ``max_pending`` waiting at once; deadlines are enforced on the same beat."""
        if per_hour <= 0:
            raise ValueError("per_hour must be > 0")
        self.stop()
        stop = threading.Event()
        interval = 3600.0 / per_hour

        def run() -> None:
            while not stop.wait(min(interval, 60.0)):
                self.expire()
                self._maybe_open(max_pending, interval)

        self._stop, self._last_open = stop, self.shop.clock.now()
        self._thread = threading.Thread(target=run, name="emulator-cancellations", daemon=True)
        self._thread.start()

    def _maybe_open(self, max_pending: int, interval: float) -> None:
        shop = self.shop
        with shop.hub.lock:
            if shop.clock.now() - self._last_open < interval:
                return
            pending = sum(1 for c in self.cancellations.values() if c["cancel_status"] == PENDING)
            if pending >= max_pending:
                return
            asked = {c["order_id"] for c in self.cancellations.values()}
            candidates = [o["id"] for o in shop.orders.values() if o["status"] == "AWAITING_SHIPMENT"
                          and o["fulfillment_type"] == "FULFILLMENT_BY_SELLER" and o["id"] not in asked]
            if not candidates:
                return
            self._last_open = shop.clock.now()
            order_id = shop.rng.choice(candidates)
            reason = shop.rng.choice(BUYER_REASONS)[1]
        self.open_request(order_id, reason=reason)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=2)
        self._stop = self._thread = None

    # --- notifications ------------------------------------------------------------------------
    def _notify(self, cancel: dict[str, Any]) -> None:
        """Notification 11 for a status change, if its event type is registered."""
        hook = self.shop.webhooks.get(EVENT)
        if not hook:
            return
        headers, body = self.build_notification(cancel["cancel_id"])
        self.shop.hub.webhooks.emit(self.shop.name, EVENT, hook["address"], headers, body)

    def build_notification(self, cancel_id: str) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed CANCELLATION_STATUS_CHANGE (type 11) for a request
        (not sent: post it yourself, e.g. five times)."""
        cancel = self.cancellations[cancel_id]
        return self.shop.build_notification(11, {
            "order_id": cancel["order_id"], "cancellations_role": cancel["role"],
            "cancel_status": cancel["cancel_status"], "cancel_id": cancel["cancel_id"],
            "update_time": cancel["update_time"]})

    # --- state changes ------------------------------------------------------------------------
    def _approve(self, cancel: dict[str, Any], *, at: float | None = None, by: str = "seller") -> None:
        shop = self.shop
        ts = int(at if at is not None else shop.clock.now())
        cancel.update(cancel_status=SUCCESS, update_time=ts, seller_next_action_response=[])
        order = shop.orders.get(cancel["order_id"])
        if order is not None and order["status"] != "CANCELLED":
            order["is_buyer_request_cancel"] = False
            shop.cancel(order["id"], initiator="BUYER", reason=cancel["cancel_reason_text"], at=ts)
        self._notify(cancel)

    def _cancel(self, cancel_id: str) -> dict[str, Any]:
        cancel = self.cancellations.get(cancel_id)
        if cancel is None:
            raise self.shop.business_error(E_CANCEL_NOT_FOUND, f"Cancellation {cancel_id} does not exist.")
        return cancel

    def _replayed(self, req: Request, body: Any) -> tuple[str, Response | None]:
        """The idempotency key's earlier answer (same request), or (key, None) for a new one."""
        key = req.arg("idempotency_key") or ""
        if not key or len(key) > 255:
            raise BadRequest("idempotency_key is required (1 to 255 characters).")
        seen = self.replies.get(key)
        if seen is None:
            return key, None
        if seen[0] != fingerprint([req.path, body]):
            raise ApiError(self.shop.error(400, "The idempotency_key was used for another request.",
                                           code=E_IDEMPOTENCY))
        self.shop.record("idempotent_replay", idempotency_key=key, path=req.path)
        return key, seen[1]

    def _remember(self, key: str, req: Request, body: Any, resp: Response) -> Response:
        self.replies[key] = (fingerprint([req.path, body]), resp)
        return resp

    # --- routes -------------------------------------------------------------------------------
    def search(self, req: Request) -> Response:
        self.expire()
        page_size = req.int_arg("page_size", 20)
        if not 1 <= page_size <= 100:
            raise BadRequest("page_size must be between 1 and 100.")
        body = req.json_object()
        for key in ("cancel_ids", "order_ids", "cancel_types", "cancel_status"):
            if key in body and not isinstance(body[key], list):
                raise BadRequest(f"{key} must be a list.")
        unknown = set(body.get("cancel_status") or []) - set(STATUSES)
        if unknown:
            raise BadRequest(f"Unknown cancel_status {sorted(unknown)}.")

        def matches(c: dict[str, Any]) -> bool:
            for key, field in (("cancel_ids", "cancel_id"), ("order_ids", "order_id"),
                               ("cancel_types", "cancel_type"), ("cancel_status", "cancel_status")):
                if body.get(key) and c[field] not in [str(v) for v in body[key]]:
                    return False
            for key, field, ge in (("create_time_ge", "create_time", True), ("create_time_lt", "create_time", False),
                                   ("update_time_ge", "update_time", True), ("update_time_lt", "update_time", False)):
                if body.get(key) is not None and (c[field] < int(body[key])) == ge:
                    return False
            return True

        sort_field = req.arg("sort_field", "create_time")
        if sort_field not in ("create_time", "update_time"):
            raise BadRequest("sort_field must be create_time or update_time.")
        reverse = (req.arg("sort_order") or "DESC").upper() == "DESC"
        found = sorted((c for c in self.cancellations.values() if matches(c)),
                       key=lambda c: (c[sort_field], c["cancel_id"]), reverse=reverse)
        start = int(req.arg("page_token") or 0) if (req.arg("page_token") or "0").isdigit() else 0
        page = found[start:start + page_size]
        token = str(start + page_size) if start + page_size < len(found) else ""
        return self.shop.ok({"cancellations": json.loads(json.dumps(page)), "next_page_token": token,
                             "total_count": len(found)})

    def approve(self, req: Request) -> Response:
        body = req.json(default={})
        key, earlier = self._replayed(req, body)
        if earlier is not None:
            return earlier
        self.expire()
        cancel = self._cancel(req.params["cancel_id"])
        if cancel["cancel_status"] != PENDING:
            raise self.shop.business_error(E_CANCEL_STATUS, f"Cancellation {cancel['cancel_id']} is "
                                           f"{cancel['cancel_status']}; only a pending request can be approved.")
        self._approve(cancel)
        self.shop.record("cancellation_approved", cancel_id=cancel["cancel_id"], order_id=cancel["order_id"],
                         idempotency_key=key)
        return self._remember(key, req, body, self.shop.ok({}))

    def reject(self, req: Request) -> Response:
        body = req.json_object()
        key, earlier = self._replayed(req, body)
        if earlier is not None:
            return earlier
        self.expire()
        cancel = self._cancel(req.params["cancel_id"])
        reason = body.get("reject_reason")
        if reason not in [r["name"] for r in REJECT_REASONS]:
            raise self.shop.business_error(E_REASON, f"reject_reason {reason!r} is not one of the reasons of "
                                           f"GET {BASE}/reject_reasons.")
        if cancel["cancel_status"] != PENDING:
            raise self.shop.business_error(E_CANCEL_STATUS, f"Cancellation {cancel['cancel_id']} is "
                                           f"{cancel['cancel_status']}; only a pending request can be rejected.")
        ts = self.shop.now()
        cancel.update(cancel_status=CANCEL, update_time=ts, seller_next_action_response=[], reject_reason=reason,
                      reject_comment=str(body.get("comment") or "")[:500])
        order = self.shop.orders.get(cancel["order_id"])
        if order is not None:
            order["is_buyer_request_cancel"] = False
            self.shop._touch(order, ts)
        self.shop.record("cancellation_rejected", cancel_id=cancel["cancel_id"], order_id=cancel["order_id"],
                         reject_reason=reason, idempotency_key=key)
        self._notify(cancel)
        return self._remember(key, req, body, self.shop.ok({}))

    def reject_reasons(self, req: Request) -> Response:
        self._cancel(req.arg("return_or_cancel_id") or "")
        return self.shop.ok({"reasons": list(REJECT_REASONS)})

    def seller_cancel(self, req: Request) -> Response:
        body = req.json_object()
        key, earlier = self._replayed(req, body)
        if earlier is not None:
            return earlier
        order = self.shop._order(str(body.get("order_id") or ""))
        reason = body.get("cancel_reason")
        if reason not in SELLER_REASONS:
            raise self.shop.business_error(E_REASON, f"cancel_reason {reason!r} is not a seller cancel reason.")
        if order["status"] not in SELLER_CANCELLABLE:
            raise self.shop.business_error(E_CANCEL_STATUS, f"Order {order['id']} is {order['status']}; "
                                           f"it can't be cancelled by the seller.")
        ts = self.shop.now()
        cancel_id = str(next(self._seq))
        wanted = [str(i) for i in body.get("order_line_item_ids") or []]
        self.cancellations[cancel_id] = {
            "cancel_id": cancel_id, "order_id": order["id"], "cancel_type": "CANCEL", "cancel_status": COMPLETE,
            "role": "SELLER", "cancel_reason": reason, "cancel_reason_text": SELLER_REASONS[reason],
            "create_time": ts, "update_time": ts, "seller_next_action_response": [],
            "refund_amount": {"currency": order["payment"]["currency"],
                              "refund_total": order["payment"]["total_amount"]},
            "cancel_line_items": [{"order_line_item_id": li["id"], "sku_id": li["sku_id"],
                                   "seller_sku": li["seller_sku"]} for li in order["line_items"]
                                  if not wanted or li["id"] in wanted],
        }
        self.shop.cancel(order["id"], initiator="SELLER", reason=SELLER_REASONS[reason], at=ts)
        self.shop.record("seller_cancellation", cancel_id=cancel_id, order_id=order["id"], cancel_reason=reason,
                         line_item_ids=wanted, idempotency_key=key)
        self._notify(self.cancellations[cancel_id])
        return self._remember(key, req, body, self.shop.ok({"cancel_id": cancel_id, "cancel_status": COMPLETE}))

    # --- control (no auth, never faulted) -------------------------------------------------------
    def control_open(self, req: Request) -> Response:
        body = req.json_object()
        try:
            cancel_id = self.open_request(str(body.get("order_id") or ""), reason=str(body.get("reason") or ""),
                                          respond_within=body.get("respond_within"))
        except (ValueError, ApiError) as exc:
            raise BadRequest(str(exc) if isinstance(exc, ValueError) else "no such order") from None
        return Response.json(self.cancellations[cancel_id])

    def control_expire(self, req: Request) -> Response:
        return Response.json({"auto_approved": self.expire()})


def attach(shop: TikTokService) -> CancellationDesk:
    """Give a (reset) TikTok shop its cancellation desk."""
    desk = getattr(shop, "cancellation_desk", None)
    if desk is not None:
        desk.stop()
    shop.cancellation_desk = CancellationDesk(shop)
    return shop.cancellation_desk


def register_routes(shop: TikTokService) -> None:
    """The cancellation routes on the TikTok service (handlers find the desk at call time)."""
    def on_desk(name: str):
        return lambda req: getattr(shop.cancellation_desk, name)(req)

    r = shop.route
    r("POST", f"{BASE}/cancellations/search", on_desk("search"))
    r("POST", f"{BASE}/cancellations/{{cancel_id}}/approve", on_desk("approve"))
    r("POST", f"{BASE}/cancellations/{{cancel_id}}/reject", on_desk("reject"))
    r("GET", f"{BASE}/reject_reasons", on_desk("reject_reasons"))
    r("POST", f"{BASE}/cancellations", on_desk("seller_cancel"))
    r("POST", "/_emulator/cancellations", on_desk("control_open"), auth=False, faultable=False)
    r("POST", "/_emulator/cancellations/expire", on_desk("control_expire"), auth=False, faultable=False)
