"""Confirmation: reserving an order's stock (by a person, automatically on arrival, or again from
the needs-attention queue), releasing a hold, and bulk actions on many orders."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum

from inventory import services as stock
from inventory.models import StockLevel
from orders import hooks
from orders.models import (
    CONFIRMED_OR_LATER,
    SHIPPED_STATUSES,
    AttentionReason,
    Fulfilment,
    Order,
    OrderLine,
    OrderStatus,
)
from orders.services.attention import address_detail, address_problems, hold_detail, set_attention, unmatched_detail
from orders.services.bundle_stock import bundle_shortfalls
from orders.services.errors import ConfirmResult, OrderError, TransitionNotAllowed
from orders.services.locks import lock_order, sync_instance
from orders.services.timeline import active_lines, status_label
from orders.services.transitions import SELLER, cancel_order, refusal, send_to_picking, transition
from sellerhub.models import Channel

S = OrderStatus


def available_own(sku_ids) -> dict[int, int]:
    """Units free to reserve per SKU at sellable own locations (what ``reserve`` draws from)."""
    rows = (StockLevel.objects.filter(sku_id__in=set(sku_ids), location__kind__in=stock.OWN_KINDS,
                                      location__sellable=True, location__active=True)
            .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))))
    return {row["sku_id"]: max(row["free"] or 0, 0) for row in rows}


def shortfall_rows(lines: list[OrderLine], exc: stock.InsufficientStock | None = None,
                    free: dict[int, int] | None = None, requests=None) -> list[dict]:
    """One row per short SKU: ordered (units of this order not yet reserved) and available (``free``:
    the units free per SKU when the order was tried, read now when not given). ``requests``: the
    order's stock requests, when the caller has them."""
    short_skus = {s.sku_id for s in exc.shortfalls} if exc is not None else None
    ordered: dict[int, int] = defaultdict(int)
    names = {}
    for line in lines:
        if line.sku_id and (short_skus is None or line.sku_id in short_skus):
            ordered[line.sku_id] += line.quantity
            names[line.sku_id] = line.sku.seller_sku
    parts = bundle_shortfalls(lines, exc, requests)  # a bundle line is short of its components
    for sku_id, (seller_sku, quantity, _line_ids) in parts.items():
        ordered[sku_id] += quantity
        names[sku_id] = seller_sku
    free = available_own(ordered) if free is None else free
    if parts and set(parts) - set(free):  # a bundle's components the caller's figures don't cover
        free = {**available_own(set(parts) - set(free)), **free}
    rows = []
    for sku_id, quantity in ordered.items():
        if short_skus is None and free.get(sku_id, 0) >= quantity:
            continue
        line_ids = [line.pk for line in lines if line.sku_id == sku_id] + list(parts.get(sku_id, ("", 0, []))[2])
        rows.append({"sku": names[sku_id], "sku_id": sku_id, "requested": quantity,
                     "available": free.get(sku_id, 0), "lines": line_ids})
    return sorted(rows, key=lambda r: r["sku"])


def short_detail(rows: list[dict]) -> str:
    parts = [f"{r['sku']}: {r['requested']} ordered, {r['available']} available" for r in rows]
    return ("Not enough stock. " + "; ".join(parts))[:500]


def _unmatched_rows(lines: list[OrderLine]) -> list[dict]:
    return [{"line": line.pk, "channel_sku": line.channel_sku, "name": line.name, "quantity": line.quantity}
            for line in lines if line.sku_id is None]


def _try_confirm(locked: Order, *, user, actor, message: str) -> ConfirmResult:
    lines = active_lines(locked)
    unmatched = _unmatched_rows(lines)
    if unmatched and locked.fulfilment != Fulfilment.FBT:
        set_attention(locked, AttentionReason.UNMATCHED_SKU, unmatched_detail(locked), user=user, actor=actor)
        return ConfirmResult(locked, False, reason=AttentionReason.UNMATCHED_SKU,
                             message=locked.attention_detail, unmatched=unmatched)
    try:
        with transaction.atomic():
            transition(order=locked, to_status=S.CONFIRMED, user=user, actor=actor, message=message)
    except stock.InsufficientStock as exc:
        rows = shortfall_rows(lines, exc)
        set_attention(locked, AttentionReason.SHORT_STOCK, short_detail(rows), user=user, actor=actor)
        return ConfirmResult(locked, False, reason=AttentionReason.SHORT_STOCK, message=locked.attention_detail,
                             shortfalls=rows)
    locked.refresh_from_db()
    transaction.on_commit(lambda: hooks.order_confirmed(order_id=locked.pk))  # e.g. fulfilment's shipping rules
    return ConfirmResult(locked, True, message=f"Order {locked.external_id} confirmed.")


def confirm_order(*, order: Order, user=None, actor: str = "") -> ConfirmResult:
    """A person confirms: reserve every line's stock, or nothing. Already confirmed (or further
    along): nothing more is reserved. Unmatched SKUs and short stock leave the order awaiting
    confirmation with its attention reason (the result says which lines). The shipping address
    is not needed to confirm, only to ship."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status in CONFIRMED_OR_LATER:
            sync_instance(order, locked)
            return ConfirmResult(locked, True, already=True,
                                 message=f"Order {locked.external_id} is already {status_label(locked.status)}.")
        if locked.status != S.AWAITING_CONFIRMATION:
            raise TransitionNotAllowed(refusal(locked, locked.status, S.CONFIRMED, SELLER))
        result = _try_confirm(locked, user=user, actor=actor, message="Confirmed")
        sync_instance(order, result.order)
        return result


def run_confirmation(*, order: Order, user=None, actor: str = "", on_arrival: bool = False) -> ConfirmResult:
    """Confirm automatically when nothing needs a person: all lines matched, the address
    complete, every unit in stock. On arrival this follows ``settings.AUTO_CONFIRM_ORDERS``
    (with it off, problems are still flagged, using a stock check that reserves nothing) and
    leaves manual orders to be confirmed by a person; from the needs-attention queue ("re-run
    confirmation") it always tries. Fulfilled-by-TikTok orders are confirmed without reserving
    own stock."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status != S.AWAITING_CONFIRMATION:
            sync_instance(order, locked)
            return ConfirmResult(locked, locked.status in CONFIRMED_OR_LATER, already=True,
                                 reason=locked.attention_reason, message=locked.attention_detail)
        how = "Confirmed automatically" if on_arrival else "Confirmed (re-run)"
        if locked.fulfilment == Fulfilment.FBT:
            result = _try_confirm(locked, user=user, actor=actor,
                                  message=f"{how}: fulfilled by TikTok, nothing reserved here")
            sync_instance(order, result.order)
            return result
        lines = active_lines(locked)
        unmatched = _unmatched_rows(lines)
        if unmatched:
            set_attention(locked, AttentionReason.UNMATCHED_SKU, unmatched_detail(locked), user=user, actor=actor)
            sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=AttentionReason.UNMATCHED_SKU,
                                 message=locked.attention_detail, unmatched=unmatched)
        missing = address_problems(locked)
        if missing:
            set_attention(locked, AttentionReason.ADDRESS_PROBLEM, address_detail(missing), user=user, actor=actor)
            sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=AttentionReason.ADDRESS_PROBLEM,
                                 message=locked.attention_detail)
        waiting = on_arrival and (locked.account.channel == Channel.MANUAL or not settings.AUTO_CONFIRM_ORDERS)
        if waiting:
            rows = shortfall_rows(lines)
            if rows:
                set_attention(locked, AttentionReason.SHORT_STOCK, short_detail(rows), user=user, actor=actor)
            else:
                set_attention(locked, AttentionReason.NONE, user=user, actor=actor)
            sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=locked.attention_reason,
                                 message="Waiting for a person to confirm it.", shortfalls=rows)
        result = _try_confirm(locked, user=user, actor=actor, message=how)
        sync_instance(order, result.order)
        return result


def release_hold(*, order: Order, user=None, actor: str = "") -> ConfirmResult:
    """Release a seller's hold, then try to confirm the order again. A channel's own hold (TikTok's
    buyer-cancellation window) is released by the channel, not here."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status == S.ON_HOLD and locked.channel_status == "ON_HOLD":
            raise OrderError(hold_detail(locked))
        transition(order=locked, to_status=S.AWAITING_CONFIRMATION, user=user, actor=actor, message="Hold released")
    result = run_confirmation(order=locked, user=user, actor=actor)
    sync_instance(order, result.order)
    return result


def bulk_apply(*, order_ids, action, user=None, reason: str = "") -> dict:
    """Apply one action ("confirm", "cancel", "send_to_picking") to many orders, each in its own
    transaction, so one refusal doesn't undo the others. Returns {"done": [...], "skipped": [(order, why)],
    "failed": [(order, why)]} (skipped: already confirmed or further along)."""
    done, skipped, failed = [], [], []
    orders = list(Order.objects.filter(pk__in=list(order_ids)).select_related("account").order_by("pk"))
    for order in orders:
        try:
            if action == "confirm":
                result = confirm_order(order=order, user=user)
                if result.already:
                    skipped.append((order, result.message))
                elif result.confirmed:
                    done.append(order)
                else:
                    failed.append((order, result.message))
            elif action == "cancel":
                cancel_order(order=order, reason=reason, user=user)
                done.append(order)
            elif action == "send_to_picking":
                send_to_picking(order=order, user=user)
                done.append(order)
            else:
                raise OrderError(f"Unknown action {action!r}.")
        except OrderError as exc:
            failed.append((order, str(exc)))
    return {"done": done, "skipped": skipped, "failed": failed}


def rerun_confirmations(*, order_ids, user=None, limit: int = 500) -> dict:
    """Run confirmation again for these orders (at most ``limit``, in id order), each on its own;
    orders not awaiting confirmation are skipped. Returns {"confirmed": [orders], "waiting":
    [(order, why)], "skipped": [orders]}."""
    confirmed, waiting, skipped = [], [], []
    for order in Order.objects.filter(pk__in=list(order_ids)).select_related("account").order_by("pk")[:limit]:
        if order.status != S.AWAITING_CONFIRMATION:
            skipped.append(order)
            continue
        result = run_confirmation(order=order, user=user)
        if result.confirmed:
            confirmed.append(order)
        else:
            waiting.append((order, result.message))
    return {"confirmed": confirmed, "waiting": waiting, "skipped": skipped}


def reconfirm_short_stock(*, limit: int = 500, actor: str = "system:reconfirm") -> int:
    """Try again to confirm the orders that wait for stock (received or counted since), following
    the same rules as on arrival (AUTO_CONFIRM_ORDERS; manual orders wait for a person). An order
    still short stays as it is and writes nothing. Returns how many were confirmed."""
    waiting = (Order.objects.filter(status=S.AWAITING_CONFIRMATION, attention_reason=AttentionReason.SHORT_STOCK)
               .select_related("account").order_by("dispatch_due_at", "pk")[:limit])
    return sum(1 for order in waiting if run_confirmation(order=order, actor=actor, on_arrival=True).confirmed)


def possible_actions(order: Order) -> set[str]:
    """The seller's actions the order's state allows now (confirm, rerun, send_to_picking, hold,
    release, cancel); what a page or the API offers for it."""
    possible = {
        "confirm": order.status == S.AWAITING_CONFIRMATION,
        "rerun": order.status == S.AWAITING_CONFIRMATION and bool(order.attention_reason),
        "send_to_picking": order.status == S.CONFIRMED and order.fulfilment == Fulfilment.FBS,
        "hold": order.status in (S.AWAITING_CONFIRMATION, S.CONFIRMED),
        "release": order.status == S.ON_HOLD and order.channel_status != "ON_HOLD",
        "cancel": order.status not in SHIPPED_STATUSES and order.status != S.CANCELLED,
    }
    return {action for action, ok in possible.items() if ok}
