"""TikTok Shop returns and refunds (``/return_refund/202309``, docs/after-sales/returns.md).

Routes (signed like every shop API, mounted on the TikTok service):

- ``POST /return_refund/202309/returns/search``: body ``return_ids, order_ids, return_types,
  return_status, update_time_ge/lt``; query ``page_size, page_token``; answers
  ``{return_orders, next_page_token, total_count}``.
- ``POST /return_refund/202309/returns/{return_id}/approve`` ``{decision, partial_refund?,
  buyer_keep_item?}`` and ``.../reject`` ``{decision, reject_reason, comment?}``; the query's
  ``idempotency_key`` makes a repeat answer what the first answered and change nothing.
- ``GET /return_refund/202309/returns/{return_id}/records``: the return's history.
- ``GET /return_refund/202309/reject_reasons?return_or_cancel_id=``: reasons for a return.

Control (no auth, never faulted): ``POST /tiktok/_emulator/returns`` ``{order_id, return_type,
reason, line_item_ids?}`` opens a buyer's request; ``POST /tiktok/_emulator/returns/{id}/ship``
``{tracking_number?}`` is the buyer shipping the parcel back; ``POST
/tiktok/_emulator/returns/tick`` applies the deadlines now (TikTok approves a request left
undecided past ``seller_next_action_response.deadline``; it also runs before every call).
Python: ``service.returns_desk.open_return(...)``, ``.buyer_ships(...)``, ``.tick()``,
``.start_schedule(...)`` (buyers open requests on a bounded schedule, for the demo).

Notifications go to the address registered for their event type: 12 RETURN_STATUS_CHANGE on
every status change, 67 REFUND_SUCCESS when a refund is paid, 64 AFTERSALE (the after-sales case
was updated: a record was added) and 65 RMA (the return tracking number changed). The shapes of
64, 65 and 67 beyond ``order_id``/``return_id`` are the emulator's (not public).
"""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .routing import ApiError, BadRequest, Request, Response
from .util import add_business_days_end

if TYPE_CHECKING:
    from .tiktok import TikTokService

PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
AWAITING_BUYER_SHIP = "AWAITING_BUYER_SHIP"
BUYER_SHIPPED = "BUYER_SHIPPED_ITEM"
REJECT_RECEIVE = "REJECT_RECEIVE_PACKAGE"
SUCCESS = "RETURN_OR_REFUND_REQUEST_SUCCESS"
REJECTED = "RETURN_OR_REFUND_REQUEST_REJECT"
CANCELLED = "RETURN_OR_REFUND_REQUEST_CANCEL"
COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
AWAITING_BUYER_RESPONSE = "AWAITING_BUYER_RESPONSE"
TYPES = ("REFUND", "RETURN_AND_REFUND", "REPLACEMENT")
APPROVALS = ("APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE", "APPROVE_REPLACEMENT",
             "ISSUE_REPLACEMENT_REFUND", "OFFER_PARTIAL_REFUND")
REJECTIONS = ("REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE", "REJECT_REPLACEMENT")
RESPOND = "SELLER_RESPOND_REQUEST"
RECEIVE = "SELLER_RECEIVE_PACKAGE"
# Reasons a buyer gives; the seller_fault ones are not the buyer's fault.
BUYER_REASONS = {
    "ecom_order_delivered_refund_and_return_reason_wrong_item": ("Wrong item was sent", True),
    "ecom_order_delivered_refund_and_return_reason_damaged": ("Item arrived damaged", True),
    "ecom_order_delivered_refund_and_return_reason_not_as_described": ("Not as described", True),
    "ecom_order_delivered_refund_and_return_reason_no_longer_needed": ("No longer needed", False),
    "ecom_order_delivered_refund_and_return_reason_size_fit": ("Size or fit not right", False),
}
REJECT_REASONS = {
    "seller_reject_apply_product_not_returned": "The buyer has not returned the product",
    "seller_reject_apply_product_used": "The returned product has been used or damaged by the buyer",
    "seller_reject_apply_outside_return_window": "The request is outside the return window",
    "seller_reject_receive_package_not_match": "The returned package does not match the order",
}
E_RETURN_NOT_FOUND = 28001001
E_RETURN_STATUS = 28001002
E_DECISION = 28001003


class ReturnDesk:
    """The returns of one emulated shop, their records and the decisions it was sent."""

    def __init__(self, shop: TikTokService):
        self.shop = shop
        self.returns: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.answers: dict[str, dict[str, Any]] = {}  # idempotency key -> first answer
        self._seq = itertools.count(4035000000000000001)
        self._line_seq = itertools.count(4036000000000000001)
        self._schedule: threading.Timer | None = None

    # --- state changes -------------------------------------------------------------------
    def _add_record(self, ret: dict[str, Any], event: str, role: str, description: str, *, at: float | None = None,
                    **extra: Any) -> None:
        self.records[ret["return_id"]].append({"event": event, "role": role, "description": description,
                                               "reason_text": extra.get("reason_text", ""),
                                               "note": extra.get("note", ""),
                                               "create_time": int(at) if at is not None else self.shop.now()})

    def _set(self, ret: dict[str, Any], status: str, *, action: str = "", days: int = 0, at: float | None = None,
             within: int | None = None) -> None:
        now = int(at) if at is not None else self.shop.now()
        ret["return_status"] = status
        ret["update_time"] = max(now, ret["update_time"] + 1)
        deadline = now + within if within is not None else add_business_days_end(now, days, self.shop.tz)
        ret["seller_next_action_response"] = [{"action": action, "deadline": deadline}] if action else []
        self._notify(12, ret)

    def _notify(self, type_: int, ret: dict[str, Any]) -> None:
        event = {12: "RETURN_STATUS_CHANGE", 64: "AFTERSALE", 65: "RMA", 67: "REFUND_SUCCESS"}[type_]
        hook = self.shop.webhooks.get(event)
        if not hook:
            return
        data = {"order_id": ret["order_id"], "return_id": ret["return_id"], "return_role": ret["role"],
                "return_type": ret["return_type"], "return_status": ret["return_status"],
                "create_time": ret["create_time"], "update_time": ret["update_time"]}
        headers, body = self.shop.build_notification(type_, data)
        self.shop.hub.webhooks.emit(self.shop.name, event, hook["address"], headers, body)

    def build_return_notification(self, return_id: str, type_: int = 12) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed return notification (post them yourself in tests)."""
        ret = self._return(return_id)
        return self.shop.build_notification(type_, {
            "order_id": ret["order_id"], "return_id": ret["return_id"], "return_role": ret["role"],
            "return_type": ret["return_type"], "return_status": ret["return_status"],
            "create_time": ret["create_time"], "update_time": ret["update_time"]})

    def open_return(self, order_id: str, *, return_type: str = "RETURN_AND_REFUND", reason: str = "",
                    line_item_ids: list[str] | None = None, note: str = "", images: int = 1,
                    at: float | None = None, respond_within: int | None = None) -> str:
        """A buyer's return or refund request for a shipped order's lines (default: all)."""
        order = self.shop._order(order_id)
        if return_type not in TYPES:
            raise ValueError(f"return_type must be one of {', '.join(TYPES)}")
        lines = [li for li in order["line_items"] if li["display_status"] != "CANCELLED"
                 and (line_item_ids is None or li["id"] in line_item_ids)]
        if not lines:
            raise ValueError("no returnable line items")
        reason = reason or next(iter(BUYER_REASONS))
        if reason not in BUYER_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        now = int(at) if at is not None else self.shop.now()
        subtotal = sum(Decimal(li["sale_price"]) for li in lines)
        return_id = str(next(self._seq))
        ret = {
            "return_id": return_id, "order_id": order_id, "return_type": return_type,
            "return_status": PENDING, "arbitration_status": "", "role": "BUYER",
            "return_reason": reason, "return_reason_text": BUYER_REASONS[reason][0],
            "buyer_note": note, "buyer_images": [f"https://p16-oec-va.ibyteimg.com/emu/return-{return_id}-{i}.jpeg"
                                                 for i in range(images)],
            "shipment_type": "BUYER_ARRANGE" if return_type != "REFUND" else "",
            "handover_method": "DROP_OFF" if return_type != "REFUND" else "",
            "return_tracking_number": "", "return_provider_name": "",
            "can_buyer_keep_item": return_type == "REFUND",
            "return_line_items": [{"return_line_item_id": str(next(self._line_seq)), "order_line_item_id": li["id"],
                                   "sku_id": li["sku_id"], "seller_sku": li["seller_sku"],
                                   "product_name": li["product_name"],
                                   "refund_amount": {"currency": "USD", "refund_total": li["sale_price"]}}
                                  for li in lines],
            "refund_amount": {"currency": "USD", "refund_total": f"{subtotal:.2f}",
                              "refund_subtotal": f"{subtotal:.2f}", "refund_shipping_fee": "0.00",
                              "refund_tax": "0.00"},
            "partial_refund": None, "is_combined_return": False,
            "return_warehouse_address": {"full_address": "1450 Harbor Way, Oakland, CA 94607"},
            "create_time": now, "update_time": now, "seller_next_action_response": [],
        }
        self.returns[return_id] = ret
        self.records[return_id] = []
        self._add_record(ret, "BUYER_APPLY", "BUYER", f"The buyer requested a {return_type.lower()}",
                         reason_text=BUYER_REASONS[reason][0], note=note, at=now)
        self._set(ret, PENDING, action=RESPOND, days=2 if subtotal <= 100 else 4, at=now, within=respond_within)
        return return_id

    def seller_approves_return(self, return_id: str, *, at: float | None = None) -> None:
        """The seller approved the return on Seller Center (the demo's story)."""
        ret = self._return(return_id)
        self._add_record(ret, "SELLER_APPROVE_RETURN", "SELLER", "Approve return", at=at)
        self._set(ret, AWAITING_BUYER_SHIP, at=at)

    def buyer_ships(self, return_id: str, *, tracking_number: str = "", provider: str = "USPS",
                    at: float | None = None) -> str:
        ret = self._return(return_id)
        if ret["return_status"] != AWAITING_BUYER_SHIP:
            raise ValueError(f"return {return_id} is {ret['return_status']}, not {AWAITING_BUYER_SHIP}")
        ret["return_tracking_number"] = tracking_number or f"9400111899{int(return_id) % 10**12:012d}"
        ret["return_provider_name"] = provider
        self._add_record(ret, "BUYER_SHIPPED", "BUYER", f"The buyer shipped the parcel ({provider} "
                                                        f"{ret['return_tracking_number']})", at=at)
        self._set(ret, BUYER_SHIPPED, action=RECEIVE, days=5, at=at)
        self._notify(65, ret)
        return ret["return_tracking_number"]

    def tick(self, *, at: float | None = None) -> list[str]:
        """TikTok's deadlines: a request left undecided is approved, a shipped parcel accepted."""
        now = int(at) if at is not None else self.shop.now()
        done = []
        for ret in self.returns.values():
            actions = ret["seller_next_action_response"]
            if not actions or actions[0]["deadline"] >= now:
                continue
            if ret["return_status"] == PENDING:
                self._add_record(ret, "SYSTEM_AUTO_APPROVE", "SYSTEM",
                                 "Approved automatically: the seller did not respond in time", at=at)
                if ret["return_type"] == "RETURN_AND_REFUND":
                    self._set(ret, AWAITING_BUYER_SHIP, at=at)
                else:
                    self._refund(ret, at=at)
            elif ret["return_status"] == BUYER_SHIPPED:
                self._add_record(ret, "SYSTEM_AUTO_APPROVE", "SYSTEM",
                                 "Package accepted automatically: the seller did not respond in time", at=at)
                self._refund(ret, at=at)
            else:
                continue
            done.append(ret["return_id"])
        return done

    def _refund(self, ret: dict[str, Any], *, at: float | None = None) -> None:
        amount = ret["partial_refund"]["amount"] if ret.get("partial_refund") else ret["refund_amount"]["refund_total"]
        self._add_record(ret, "REFUND_SUCCESS", "SYSTEM", f"Refunded {amount} USD to the buyer", at=at)
        self._set(ret, COMPLETE, at=at)
        self._notify(67, ret)

    def _return(self, return_id: str) -> dict[str, Any]:
        if return_id not in self.returns:
            raise KeyError(f"no return {return_id}")
        return self.returns[return_id]

    # --- the schedule (demo) ---------------------------------------------------------------
    def start_schedule(self, every_seconds: float = 120.0, limit: int = 20) -> None:
        """Buyers open a return on a delivered order every ``every_seconds``, at most ``limit``."""
        self.stop_schedule()

        def run(left: int) -> None:
            with self.shop.hub.lock:
                delivered = [o["id"] for o in self.shop.orders.values() if o["status"] in ("DELIVERED", "COMPLETED")
                             and not any(r["order_id"] == o["id"] for r in self.returns.values())]
                if delivered:
                    self.open_return(self.shop.rng.choice(delivered),
                                     return_type=self.shop.rng.choice(TYPES[:2]),
                                     reason=self.shop.rng.choice(list(BUYER_REASONS)))
                self.tick()
            if left > 1:
                self._schedule = threading.Timer(every_seconds, run, args=(left - 1,))
                self._schedule.daemon = True
                self._schedule.start()

        self._schedule = threading.Timer(every_seconds, run, args=(limit,))
        self._schedule.daemon = True
        self._schedule.start()

    def stop_schedule(self) -> None:
        if self._schedule is not None:
            self._schedule.cancel()
            self._schedule = None

    # --- API handlers ------------------------------------------------------------------------
    def search(self, req: Request) -> Response:
        self.tick()
        body = req.json_object()
        size = req.int_arg("page_size", 50)
        if not 1 <= size <= 100:
            raise BadRequest("page_size must be between 1 and 100")
        start = int(req.arg("page_token") or 0) if (req.arg("page_token") or "0").isdigit() else 0
        filters = {k: set(map(str, body.get(k) or [])) for k in ("return_ids", "order_ids", "return_types",
                                                                 "return_status")}
        found = []
        for ret in sorted(self.returns.values(), key=lambda r: (r["update_time"], r["return_id"])):
            if filters["return_ids"] and ret["return_id"] not in filters["return_ids"]:
                continue
            if filters["order_ids"] and ret["order_id"] not in filters["order_ids"]:
                continue
            if filters["return_types"] and ret["return_type"] not in filters["return_types"]:
                continue
            if filters["return_status"] and ret["return_status"] not in filters["return_status"]:
                continue
            if body.get("update_time_ge") and ret["update_time"] < int(body["update_time_ge"]):
                continue
            if body.get("update_time_lt") and ret["update_time"] >= int(body["update_time_lt"]):
                continue
            found.append(ret)
        page = found[start:start + size]
        token = str(start + size) if start + size < len(found) else ""
        return self.shop.ok({"return_orders": page, "next_page_token": token, "total_count": len(found)})

    def get_records(self, req: Request) -> Response:
        self.tick()
        ret = self._found(req.params["return_id"])
        return self.shop.ok({"records": self.records[ret["return_id"]]})

    def reject_reasons(self, req: Request) -> Response:
        return self.shop.ok({"reasons": [{"name": k, "text": v} for k, v in REJECT_REASONS.items()]})

    def _found(self, return_id: str) -> dict[str, Any]:
        if return_id not in self.returns:
            raise self.shop.business_error(E_RETURN_NOT_FOUND, f"Return {return_id} does not exist.")
        return self.returns[return_id]

    def _idempotent(self, req: Request, apply) -> Response:
        key = req.arg("idempotency_key") or ""
        if not key or len(key) > 255:
            raise BadRequest("idempotency_key is required (at most 255 characters).")
        if key in self.answers:
            return self.shop.ok(self.answers[key])
        self.tick()
        data = apply()
        self.answers[key] = data
        return self.shop.ok(data)

    def approve(self, req: Request) -> Response:
        ret = self._found(req.params["return_id"])
        body = req.json_object()
        decision = body.get("decision")
        if decision not in APPROVALS:
            raise BadRequest(f"decision must be one of {', '.join(APPROVALS)}")

        def apply() -> dict[str, Any]:
            status, kind = ret["return_status"], ret["return_type"]
            allowed = {PENDING: {"APPROVE_REFUND": kind == "REFUND", "APPROVE_RETURN": kind == "RETURN_AND_REFUND",
                                 "APPROVE_REPLACEMENT": kind == "REPLACEMENT", "OFFER_PARTIAL_REFUND": True},
                       BUYER_SHIPPED: {"APPROVE_RECEIVED_PACKAGE": True}}.get(status, {})
            if not allowed.get(decision):
                raise ApiError(self.shop.error(200, f"{decision} is not possible on a {kind} return in status "
                                                    f"{status}.", code=E_RETURN_STATUS))
            self.shop.record("return_decision", return_id=ret["return_id"], decision=decision,
                             idempotency_key=req.arg("idempotency_key"), body=body)
            self._add_record(ret, f"SELLER_{decision}", "SELLER", decision.replace("_", " ").capitalize())
            if decision == "APPROVE_RETURN":
                self._set(ret, AWAITING_BUYER_SHIP)
            elif decision == "OFFER_PARTIAL_REFUND":
                offer = body.get("partial_refund") or {}
                try:
                    amount = Decimal(str(offer.get("amount")))
                except ArithmeticError:
                    raise BadRequest("partial_refund.amount must be an amount") from None
                if not 0 < amount <= Decimal(ret["refund_amount"]["refund_total"]):
                    raise BadRequest("partial_refund.amount must be above 0 and at most the refund total")
                ret["partial_refund"] = {"currency": "USD", "amount": f"{amount:.2f}"}
                self._set(ret, AWAITING_BUYER_RESPONSE)
            elif decision == "APPROVE_REPLACEMENT":
                replacement = self.shop.generate_order(
                    skus={li["seller_sku"]: 1 for li in ret["return_line_items"]})
                self.shop.orders[replacement]["is_replacement_order"] = True
                self.shop.orders[replacement]["replaced_order_id"] = ret["order_id"]
                ret["replacement_order_id"] = replacement
                self._set(ret, COMPLETE)
            else:  # APPROVE_REFUND, APPROVE_RECEIVED_PACKAGE, ISSUE_REPLACEMENT_REFUND
                self._refund(ret)
            return {"return_id": ret["return_id"], "return_status": ret["return_status"]}

        return self._idempotent(req, apply)

    def reject(self, req: Request) -> Response:
        ret = self._found(req.params["return_id"])
        body = req.json_object()
        decision = body.get("decision")
        if decision not in REJECTIONS:
            raise BadRequest(f"decision must be one of {', '.join(REJECTIONS)}")
        if body.get("reject_reason") not in REJECT_REASONS:
            raise BadRequest("reject_reason must be one of GET /reject_reasons")

        def apply() -> dict[str, Any]:
            status = ret["return_status"]
            ok = (status == PENDING and decision != "REJECT_RECEIVED_PACKAGE") or (
                status == BUYER_SHIPPED and decision == "REJECT_RECEIVED_PACKAGE")
            if not ok:
                raise ApiError(self.shop.error(200, f"{decision} is not possible in status {status}.",
                                               code=E_RETURN_STATUS))
            self.shop.record("return_decision", return_id=ret["return_id"], decision=decision,
                             idempotency_key=req.arg("idempotency_key"), body=body)
            self._add_record(ret, f"SELLER_{decision}", "SELLER", decision.replace("_", " ").capitalize(),
                             reason_text=REJECT_REASONS[body["reject_reason"]], note=str(body.get("comment") or ""))
            self._set(ret, REJECT_RECEIVE if decision == "REJECT_RECEIVED_PACKAGE" else REJECTED)
            return {"return_id": ret["return_id"], "return_status": ret["return_status"]}

        return self._idempotent(req, apply)

    # --- control handlers ----------------------------------------------------------------------
    def control_open(self, req: Request) -> Response:
        body = req.json_object()
        try:
            return_id = self.open_return(str(body.get("order_id") or ""), return_type=body.get("return_type") or
                                         "RETURN_AND_REFUND", reason=body.get("reason") or "",
                                         line_item_ids=body.get("line_item_ids"), note=body.get("note") or "")
        except (KeyError, ValueError) as exc:
            raise BadRequest(str(exc)) from None
        return Response.json({"return_id": return_id}, status=201)

    def control_ship(self, req: Request) -> Response:
        body = req.json_object()
        try:
            number = self.buyer_ships(req.params["return_id"], tracking_number=body.get("tracking_number") or "")
        except (KeyError, ValueError) as exc:
            raise BadRequest(str(exc)) from None
        return Response.json({"return_tracking_number": number})

    def control_tick(self, req: Request) -> Response:
        return Response.json({"auto_approved": self.tick()})


def register_routes(shop: TikTokService) -> None:
    """Add the return routes to the TikTok service (the desk is created by its ``reset``)."""
    def desk(name: str):
        return lambda req: getattr(shop.returns_desk, name)(req)

    base = "/return_refund/202309"
    shop.route("POST", f"{base}/returns/search", desk("search"))
    shop.route("POST", f"{base}/returns/{{return_id}}/approve", desk("approve"))
    shop.route("POST", f"{base}/returns/{{return_id}}/reject", desk("reject"))
    shop.route("GET", f"{base}/returns/{{return_id}}/records", desk("get_records"))
    shop.route("GET", f"{base}/reject_reasons", desk("reject_reasons"))
    shop.route("POST", "/_emulator/returns", desk("control_open"), auth=False, faultable=False)
    shop.route("POST", "/_emulator/returns/tick", desk("control_tick"), auth=False, faultable=False)
    shop.route("POST", "/_emulator/returns/{return_id}/ship", desk("control_ship"), auth=False, faultable=False)
