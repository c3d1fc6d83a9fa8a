"""Every write to orders: the lifecycle's transitions, confirmation, cancellation, holds, the
channel upsert, manual orders, fixes from the needs-attention queue and returns.

Functions are keyword-only and each runs in one transaction. Status changes go through
``transition`` and nowhere else: it checks the table ``ALLOWED`` (who may move an order from
which status to which), applies the move's stock side effects through the inventory services
(entering confirmed reserves, leaving a reserved state for on hold / cancelled releases, shipping
consumes) and writes one OrderEvent. An illegal move raises ``TransitionNotAllowed`` with a
message a person can act on, and writes nothing.

Two kinds of actor move orders:

* ``SELLER``: people in SellerHub (pages, API), automatic confirmation and carrier scans;
* ``CHANNEL``: what a channel reports (sync, webhooks, import) through ``upsert_order``. The
  channel is the truth for payment, holds, shipping, delivery and cancellation, and may skip
  ahead (an order shipped from TikTok's Seller Center goes from confirmed straight to shipped),
  but it never moves an order back: a stale AWAITING_SHIPMENT does not undo local picking.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from fulfilment.models import Package, PackageLine
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code
from inventory import services as stock
from inventory.models import SKU, ChannelListing, Location, Reservation, StockLevel
from orders import deadlines
from orders.mapping import ChannelLine, ChannelOrder, ChannelPackage, PayloadError, map_order
from orders.models import (
    CONFIRMED_OR_LATER,
    RESERVED_STATUSES,
    SHIPPED_STATUSES,
    STATUS_RANK,
    AttentionReason,
    CancelInitiator,
    DeadlineSource,
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Return,
    ReturnLine,
)
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger(__name__)

S = OrderStatus
SELLER = "seller"
CHANNEL = "channel"
BOTH = frozenset({SELLER, CHANNEL})
SELLER_ONLY = frozenset({SELLER})
CHANNEL_ONLY = frozenset({CHANNEL})


class OrderError(ValueError):
    """A change to an order that cannot be made; the message says why and what to do."""


class TransitionNotAllowed(OrderError):
    pass


class ReturnError(OrderError):
    pass


class ManualOrderError(OrderError):
    """Bad input for a manual order; ``errors`` maps each field to its problems."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


# ---------------------------------------------------------------------------------------------
# The transition table: from status -> {to status: who may make the move}. Everything else is
# refused. Channels never drive the warehouse's own steps (confirmed, picking, packed).

_SHIP_AHEAD = {S.SHIPPED: CHANNEL_ONLY, S.IN_TRANSIT: CHANNEL_ONLY, S.DELIVERED: CHANNEL_ONLY,
               S.COMPLETED: CHANNEL_ONLY}

ALLOWED: dict[str, dict[str, frozenset]] = {
    S.AWAITING_PAYMENT: {
        S.ON_HOLD: CHANNEL_ONLY, S.AWAITING_CONFIRMATION: BOTH, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    S.ON_HOLD: {
        S.AWAITING_CONFIRMATION: BOTH, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    S.AWAITING_CONFIRMATION: {
        S.CONFIRMED: SELLER_ONLY, S.ON_HOLD: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD,
    },
    S.CONFIRMED: {
        S.PICKING: SELLER_ONLY, S.PACKED: SELLER_ONLY, S.ON_HOLD: SELLER_ONLY, S.CANCELLED: BOTH,
        **_SHIP_AHEAD, S.SHIPPED: BOTH,
    },
    S.PICKING: {
        S.PACKED: SELLER_ONLY, S.CONFIRMED: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD, S.SHIPPED: BOTH,
    },
    S.PACKED: {
        S.PICKING: SELLER_ONLY, S.CANCELLED: BOTH, **_SHIP_AHEAD, S.SHIPPED: BOTH,
    },
    S.SHIPPED: {S.IN_TRANSIT: BOTH, S.DELIVERED: BOTH, S.COMPLETED: CHANNEL_ONLY},
    S.IN_TRANSIT: {S.DELIVERED: BOTH, S.COMPLETED: CHANNEL_ONLY},
    S.DELIVERED: {S.COMPLETED: BOTH},
    S.COMPLETED: {},
    S.CANCELLED: {},
}


def allowed(from_status: str, to_status: str, source: str = SELLER) -> bool:
    return source in ALLOWED.get(from_status, {}).get(to_status, ())


def _label(status: str) -> str:
    try:
        return S(status).label.lower()
    except ValueError:
        return repr(status)


def _refusal(order: Order, from_status: str, to_status: str, source: str) -> str:
    name = f"Order {order.external_id}"
    now, wanted = _label(from_status), _label(to_status)
    if from_status == to_status:
        return f"{name} is already {now}."
    if from_status == S.CANCELLED:
        return f"{name} is cancelled; it can't be moved to {wanted}."
    if to_status == S.CANCELLED and from_status in SHIPPED_STATUSES:
        return f"{name} has shipped ({now}), so it can't be cancelled; record a return instead."
    if from_status == S.COMPLETED:
        return f"{name} is completed; nothing more can happen to it."
    if source == CHANNEL and allowed(from_status, to_status, SELLER):
        return f"{name}: moving from {now} to {wanted} is SellerHub's own step; a channel can't make it."
    if source == SELLER and allowed(from_status, to_status, CHANNEL):
        return f"{name}: only the channel can move it from {now} to {wanted}."
    hints = {
        S.CONFIRMED: {S.AWAITING_PAYMENT: "it isn't paid yet", S.ON_HOLD: "release the hold first"},
        S.PICKING: {S.AWAITING_CONFIRMATION: "confirm it first (that reserves its stock)",
                    S.ON_HOLD: "release the hold and confirm it first"},
        S.PACKED: {S.AWAITING_CONFIRMATION: "confirm it first"},
    }
    hint = hints.get(to_status, {}).get(from_status)
    tail = f": {hint}" if hint else ""
    return f"{name} is {now}; it can't be moved to {wanted}{tail}."


# ---------------------------------------------------------------------------------------------
# Small helpers


def _actor(user, actor: str) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()[:60]
    return (actor or "system")[:60]


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _event(order: Order, *, kind: str, user=None, actor="", from_status="", to_status="", message="", data=None):
    return OrderEvent.objects.create(
        order=order, kind=kind, user=_user(user), actor=_actor(user, actor), from_status=from_status,
        to_status=to_status, message=message[:500], data=data or {},
    )


def _lock(order: Order | int) -> Order:
    pk = order if isinstance(order, int) else order.pk
    return Order.objects.select_for_update().select_related("account").get(pk=pk)


def _sync_instance(target: Order, source: Order) -> None:
    """Copy the locked row's state onto the caller's instance so it sees what was written."""
    if target is source:
        return
    for f in Order._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _active_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.filter(cancelled=False).select_related("sku").order_by("pk"))


def _channel_name(order: Order) -> str:
    return order.account.get_channel_display()


# ---------------------------------------------------------------------------------------------
# Calendar and deadlines


def shop_calendar(account: ChannelAccount) -> deadlines.ShopCalendar:
    """The account's business-day calendar (time zone, holidays, cut-off, handling, transit)."""
    return deadlines.ShopCalendar(
        handling_days=account.handling_days,
        transit_days=account.transit_days,
        time_zone=account.time_zone,
        country=account.holiday_country or "US",
        subdivision=account.holiday_subdivision or None,
        cutoff=account.cutoff_time,
    )


def computed_deadlines(*, account: ChannelAccount, paid_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(dispatch_due_at, delivery_due_at) for an order paid at ``paid_at`` on this account."""
    calendar = shop_calendar(account)
    dispatch = deadlines.dispatch_due_at(paid_at=paid_at, calendar=calendar)
    return dispatch, deadlines.delivery_due_at(dispatch_due_at=dispatch, calendar=calendar)


def _deadline_values(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None) -> dict:
    """The deadline fields to write: the channel's own ones as they come, else computed from the
    shop calendar when the payment time is new (a stored deadline is not recomputed on re-sync)."""
    values = {}
    channel_sent = incoming.dispatch_due_at is not None or incoming.delivery_due_at is not None
    if channel_sent:
        changed = previous is None or (previous.dispatch_due_at, previous.delivery_due_at) != (
            incoming.dispatch_due_at, incoming.delivery_due_at)
        if changed or order.deadline_source != DeadlineSource.CHANNEL:
            values = {"dispatch_due_at": incoming.dispatch_due_at, "delivery_due_at": incoming.delivery_due_at,
                      "deadline_source": DeadlineSource.CHANNEL}
            if incoming.delivery_due_at is None and incoming.dispatch_due_at is not None:
                values["delivery_due_at"] = deadlines.delivery_due_at(
                    dispatch_due_at=incoming.dispatch_due_at, calendar=shop_calendar(order.account))
        return values
    if order.deadline_source == DeadlineSource.CHANNEL:
        return {}  # the channel sent deadlines before; a payload without them does not erase them
    paid_at = incoming.paid_at
    if paid_at is None:
        return {}
    if order.deadline_source == DeadlineSource.CALENDAR and order.paid_at == paid_at and order.dispatch_due_at:
        return {}
    dispatch, delivery = computed_deadlines(account=order.account, paid_at=paid_at)
    return {"dispatch_due_at": dispatch, "delivery_due_at": delivery, "deadline_source": DeadlineSource.CALENDAR}


# ---------------------------------------------------------------------------------------------
# Attention (the needs-attention queue)

ADDRESS_FIELDS = (
    ("ship_name", "recipient name"), ("ship_street1", "street"), ("ship_city", "city"),
    ("ship_postal_code", "postal code"), ("ship_country", "country"),
)


def address_problems(order: Order) -> list[str]:
    """What is missing from the shipping address of an order the seller ships (FBS)."""
    if order.fulfilment == Fulfilment.FBT:
        return []
    missing = [label for name, label in ADDRESS_FIELDS if not (getattr(order, name) or "").strip()]
    if (order.ship_country or "").upper() in ("US", "CA") and not (order.ship_state or "").strip():
        missing.append("state")
    return missing


def _address_detail(missing: list[str]) -> str:
    return f"The shipping address has no {', '.join(missing)}: add it before the order can ship."


def _hold_detail(order: Order) -> str:
    if order.channel_status == "ON_HOLD":
        return (f"{_channel_name(order)} holds new orders for about an hour after payment while the buyer may "
                f"still cancel; it releases them itself and the next sync moves the order on.")
    return order.attention_detail or "Put on hold."


def _set_attention(order: Order, reason: str, detail: str = "", *, user=None, actor="") -> bool:
    """Store the order's attention reason; an event is written only when the reason changes."""
    detail = (detail if reason else "")[:500]
    if order.attention_reason == reason and order.attention_detail == detail:
        return False
    before = order.attention_reason
    Order.objects.filter(pk=order.pk).update(attention_reason=reason, attention_detail=detail,
                                             updated_at=timezone.now())
    order.attention_reason, order.attention_detail = reason, detail
    if reason != before:
        label = AttentionReason(reason).label if reason else ""
        _event(order, kind="attention", user=user, actor=actor,
               message=f"Needs attention: {label}. {detail}" if reason else "No longer needs attention.",
               data={"reason": reason, "previous": before})
    return True


def _attention_after_move(order: Order) -> tuple[str, str]:
    """The attention an order has right after a status change (short stock is decided by a
    reservation attempt, in confirmation)."""
    if order.status == S.ON_HOLD:
        return AttentionReason.ON_HOLD, _hold_detail(order)
    if order.status == S.AWAITING_CONFIRMATION:
        unmatched = order.lines.filter(cancelled=False, sku__isnull=True).exists()
        if unmatched and order.fulfilment != Fulfilment.FBT:
            return AttentionReason.UNMATCHED_SKU, _unmatched_detail(order)
    if order.status in (S.AWAITING_CONFIRMATION,) + RESERVED_STATUSES:
        missing = address_problems(order)
        if missing:
            return AttentionReason.ADDRESS_PROBLEM, _address_detail(missing)
    return AttentionReason.NONE, ""


def _unmatched_detail(order: Order) -> str:
    skus = sorted({line.channel_sku or line.channel_variant_id or f"line {line.external_id}"
                   for line in order.lines.filter(cancelled=False, sku__isnull=True)})
    return f"No SKU matches channel SKU {', '.join(skus)}: map it to one of your SKUs."


# ---------------------------------------------------------------------------------------------
# Stock side effects of transitions


def _stock_requests(lines: list[OrderLine]) -> list[stock.StockRequest]:
    return [stock.StockRequest(line_key=str(line.pk), sku_id=line.sku_id, quantity=line.quantity)
            for line in lines if line.sku_id and not line.cancelled]


def _reserve(order: Order, user) -> list:
    lines = _active_lines(order)
    unmatched = [line for line in lines if line.sku_id is None]
    if unmatched:
        raise OrderError(_unmatched_detail(order))
    return stock.reserve(reference=order.reservation_reference, requests=_stock_requests(lines),
                         location_codes=list(order.account.location_priority or []) or None, user=user)


def _consume_on_ship(order: Order, user) -> dict:
    """Shipping takes the reserved units off the shelf (ledger reason sale). An order shipped on
    the channel without ever being confirmed here is reserved and consumed in one go when its
    stock allows; otherwise the event says that stock was not deducted."""
    if order.fulfilment == Fulfilment.FBT:
        return {"stock": "fulfilled by TikTok: no own stock"}
    reference = order.reservation_reference
    if not Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE).exists():
        lines = _active_lines(order)
        if not lines or any(line.sku_id is None for line in lines):
            return {"stock": "not deducted: the order has lines without a SKU; count the shelf"}
        try:
            with transaction.atomic():
                stock.reserve(reference=reference, requests=_stock_requests(lines),
                              location_codes=list(order.account.location_priority or []) or None, user=user)
        except stock.InsufficientStock as exc:
            return {"stock": f"not deducted: {exc}"}
    units = stock.consume(reference=reference, user=user)
    return {"stock": f"{units} unit(s) left the shelf"}


# ---------------------------------------------------------------------------------------------
# THE transition


def transition(*, order: Order, to_status: str, source: str = SELLER, user=None, actor: str = "",
               message: str = "", data: dict | None = None, cancel_initiator: str = "", cancel_reason: str = "",
               at: dt.datetime | None = None) -> Order:
    """Move an order to ``to_status`` if the table allows it for ``source``; apply the move's
    stock side effects and timestamps; write one event. Refused moves raise TransitionNotAllowed
    (or OrderError for a missing precondition) and write nothing."""
    to_status = str(to_status)
    if to_status not in S.values:
        raise TransitionNotAllowed(f"{to_status!r} is not an order status.")
    with transaction.atomic():
        locked = _lock(order)
        from_status = locked.status
        if not allowed(from_status, to_status, source):
            raise TransitionNotAllowed(_refusal(locked, from_status, to_status, source))
        now = at or timezone.now()
        data = dict(data or {})
        fields = {"status": to_status}

        # Preconditions of the seller's own moves.
        if source == SELLER:
            if locked.fulfilment == Fulfilment.FBT and to_status in (S.PICKING, S.PACKED, S.SHIPPED):
                raise OrderError(f"Order {locked.external_id} is fulfilled by TikTok: TikTok picks, packs and "
                                 f"ships it.")
            if to_status == S.CANCELLED and not (cancel_reason or "").strip():
                raise OrderError("A reason is required to cancel an order.")
            if to_status == S.SHIPPED:
                missing = address_problems(locked)
                if missing:
                    raise OrderError(f"Order {locked.external_id} can't ship yet. {_address_detail(missing)}")

        # Stock.
        if to_status == S.CONFIRMED and from_status == S.AWAITING_CONFIRMATION:
            if locked.fulfilment == Fulfilment.FBT:
                data.setdefault("stock", "fulfilled by TikTok: nothing reserved here")
            else:
                reserved = _reserve(locked, user)  # raises InsufficientStock: nothing is written
                data["reserved"] = sum(r.quantity for r in reserved)
        elif from_status in RESERVED_STATUSES and to_status in (S.ON_HOLD, S.CANCELLED):
            released = stock.release(reference=locked.reservation_reference, user=user,
                                     note=f"order {locked.external_id} {_label(to_status)}")
            data["released"] = released
        elif to_status == S.CANCELLED:
            # A channel may cancel before confirmation; release anything held all the same.
            released = stock.release(reference=locked.reservation_reference, user=user,
                                     note=f"order {locked.external_id} cancelled")
            if released:
                data["released"] = released
        elif to_status in SHIPPED_STATUSES and from_status not in SHIPPED_STATUSES:
            if from_status in (S.AWAITING_PAYMENT, S.ON_HOLD):
                data["stock"] = "not deducted: the order was never confirmed here"
            else:
                data.update(_consume_on_ship(locked, user))

        # Timestamps the metrics read (a channel's own times, written before, are kept).
        if to_status in SHIPPED_STATUSES and locked.tracking_uploaded_at is None:
            fields["tracking_uploaded_at"] = now
        if to_status == S.IN_TRANSIT and locked.dispatched_at is None and source == SELLER:
            fields["dispatched_at"] = now
        if to_status in (S.DELIVERED, S.COMPLETED) and locked.delivered_at is None and source == SELLER:
            fields["delivered_at"] = now
        if to_status == S.COMPLETED and locked.completed_at is None:
            fields["completed_at"] = now
        if to_status == S.CANCELLED:
            fields["cancelled_at"] = locked.cancelled_at or now
            fields["cancel_initiator"] = cancel_initiator or locked.cancel_initiator
            fields["cancel_reason"] = (cancel_reason or locked.cancel_reason or "")[:300]

        for name, value in fields.items():
            setattr(locked, name, value)
        reason, detail = _attention_after_move(locked)
        if to_status == S.ON_HOLD and message and source == SELLER:
            detail = f"On hold: {message}"[:500]
        locked.attention_reason, locked.attention_detail = reason, detail
        locked.save(update_fields=[*fields, "attention_reason", "attention_detail", "updated_at"])
        if to_status == S.CANCELLED:
            who = CancelInitiator(fields["cancel_initiator"]).label.lower() if fields["cancel_initiator"] else ""
            message = message or (f"Cancelled by the {who}" if who else "Cancelled") + (
                f": {fields['cancel_reason']}" if fields["cancel_reason"] else "")
        _event(locked, kind="status", user=user, actor=actor, from_status=from_status, to_status=to_status,
               message=message or f"{S(from_status).label} → {S(to_status).label}", data=data)
        _sync_instance(order, locked)
        return locked


# ---------------------------------------------------------------------------------------------
# Confirmation


@dataclass
class ConfirmResult:
    order: Order
    confirmed: bool
    already: bool = False
    reason: str = ""  # the attention reason when not confirmed
    message: str = ""
    shortfalls: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)


def _available_own(sku_ids) -> dict[int, int]:
    """Units free to reserve per SKU at sellable own locations (what ``reserve`` draws from)."""
    rows = (StockLevel.objects.filter(sku_id__in=set(sku_ids), location__kind__in=stock.OWN_KINDS,
                                      location__sellable=True, location__active=True)
            .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))))
    return {row["sku_id"]: max(row["free"] or 0, 0) for row in rows}


def _shortfall_rows(lines: list[OrderLine], exc: stock.InsufficientStock | None = None) -> list[dict]:
    """One row per short SKU: ordered (units of this order not yet reserved) and available."""
    short_skus = {s.sku_id for s in exc.shortfalls} if exc is not None else None
    ordered: dict[int, int] = defaultdict(int)
    names = {}
    for line in lines:
        if line.sku_id and (short_skus is None or line.sku_id in short_skus):
            ordered[line.sku_id] += line.quantity
            names[line.sku_id] = line.sku.seller_sku
    free = _available_own(ordered)
    rows = []
    for sku_id, quantity in ordered.items():
        if short_skus is None and free.get(sku_id, 0) >= quantity:
            continue
        line_ids = [line.pk for line in lines if line.sku_id == sku_id]
        rows.append({"sku": names[sku_id], "sku_id": sku_id, "requested": quantity,
                     "available": free.get(sku_id, 0), "lines": line_ids})
    return sorted(rows, key=lambda r: r["sku"])


def _short_detail(rows: list[dict]) -> str:
    parts = [f"{r['sku']}: {r['requested']} ordered, {r['available']} available" for r in rows]
    return ("Not enough stock. " + "; ".join(parts))[:500]


def _unmatched_rows(lines: list[OrderLine]) -> list[dict]:
    return [{"line": line.pk, "channel_sku": line.channel_sku, "name": line.name, "quantity": line.quantity}
            for line in lines if line.sku_id is None]


def _try_confirm(locked: Order, *, user, actor, message: str) -> ConfirmResult:
    lines = _active_lines(locked)
    unmatched = _unmatched_rows(lines)
    if unmatched and locked.fulfilment != Fulfilment.FBT:
        _set_attention(locked, AttentionReason.UNMATCHED_SKU, _unmatched_detail(locked), user=user, actor=actor)
        return ConfirmResult(locked, False, reason=AttentionReason.UNMATCHED_SKU,
                             message=locked.attention_detail, unmatched=unmatched)
    try:
        with transaction.atomic():
            transition(order=locked, to_status=S.CONFIRMED, user=user, actor=actor, message=message)
    except stock.InsufficientStock as exc:
        rows = _shortfall_rows(lines, exc)
        _set_attention(locked, AttentionReason.SHORT_STOCK, _short_detail(rows), user=user, actor=actor)
        return ConfirmResult(locked, False, reason=AttentionReason.SHORT_STOCK, message=locked.attention_detail,
                             shortfalls=rows)
    locked.refresh_from_db()
    return ConfirmResult(locked, True, message=f"Order {locked.external_id} confirmed.")


def confirm_order(*, order: Order, user=None, actor: str = "") -> ConfirmResult:
    """A person confirms: reserve every line's stock, or nothing. Already confirmed (or further
    along): nothing more is reserved. Unmatched SKUs and short stock leave the order awaiting
    confirmation with its attention reason (the result says which lines). The shipping address
    is not needed to confirm, only to ship."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status in CONFIRMED_OR_LATER:
            _sync_instance(order, locked)
            return ConfirmResult(locked, True, already=True,
                                 message=f"Order {locked.external_id} is already {_label(locked.status)}.")
        if locked.status != S.AWAITING_CONFIRMATION:
            raise TransitionNotAllowed(_refusal(locked, locked.status, S.CONFIRMED, SELLER))
        result = _try_confirm(locked, user=user, actor=actor, message="Confirmed")
        _sync_instance(order, result.order)
        return result


def run_confirmation(*, order: Order, user=None, actor: str = "", on_arrival: bool = False) -> ConfirmResult:
    """Confirm automatically when nothing needs a person: all lines matched, the address
    complete, every unit in stock. On arrival this follows ``settings.AUTO_CONFIRM_ORDERS``
    (with it off, problems are still flagged, using a stock check that reserves nothing) and
    leaves manual orders to be confirmed by a person; from the needs-attention queue ("re-run
    confirmation") it always tries. Fulfilled-by-TikTok orders are confirmed without reserving
    own stock."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status != S.AWAITING_CONFIRMATION:
            _sync_instance(order, locked)
            return ConfirmResult(locked, locked.status in CONFIRMED_OR_LATER, already=True,
                                 reason=locked.attention_reason, message=locked.attention_detail)
        how = "Confirmed automatically" if on_arrival else "Confirmed (re-run)"
        if locked.fulfilment == Fulfilment.FBT:
            result = _try_confirm(locked, user=user, actor=actor,
                                  message=f"{how}: fulfilled by TikTok, nothing reserved here")
            _sync_instance(order, result.order)
            return result
        lines = _active_lines(locked)
        unmatched = _unmatched_rows(lines)
        if unmatched:
            _set_attention(locked, AttentionReason.UNMATCHED_SKU, _unmatched_detail(locked), user=user, actor=actor)
            _sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=AttentionReason.UNMATCHED_SKU,
                                 message=locked.attention_detail, unmatched=unmatched)
        missing = address_problems(locked)
        if missing:
            _set_attention(locked, AttentionReason.ADDRESS_PROBLEM, _address_detail(missing), user=user, actor=actor)
            _sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=AttentionReason.ADDRESS_PROBLEM,
                                 message=locked.attention_detail)
        waiting = on_arrival and (locked.account.channel == Channel.MANUAL or not settings.AUTO_CONFIRM_ORDERS)
        if waiting:
            rows = _shortfall_rows(lines)
            if rows:
                _set_attention(locked, AttentionReason.SHORT_STOCK, _short_detail(rows), user=user, actor=actor)
            else:
                _set_attention(locked, AttentionReason.NONE, user=user, actor=actor)
            _sync_instance(order, locked)
            return ConfirmResult(locked, False, reason=locked.attention_reason,
                                 message="Waiting for a person to confirm it.", shortfalls=rows)
        result = _try_confirm(locked, user=user, actor=actor, message=how)
        _sync_instance(order, result.order)
        return result


# ---------------------------------------------------------------------------------------------
# The seller's other moves


def _channel_note(order: Order) -> str:
    if order.account.channel == Channel.MANUAL:
        return ""
    return f" (recorded in SellerHub; until channel sync sends it, make the same change on {_channel_name(order)})"


def cancel_order(*, order: Order, reason: str, user=None, actor: str = "",
                 initiator: str = CancelInitiator.SELLER) -> Order:
    """The seller cancels (reason required): reservations are released. A shipped order can't be
    cancelled. Cancelling a cancelled order changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderError("A reason is required to cancel an order.")
    if initiator not in CancelInitiator.values:
        raise OrderError(f"Unknown cancellation initiator {initiator!r}.")
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == S.CANCELLED:
            _sync_instance(order, locked)
            return locked
        message = f"Cancelled by the seller: {reason}{_channel_note(locked)}"
        return transition(order=order, to_status=S.CANCELLED, user=user, actor=actor, message=message,
                          cancel_initiator=initiator, cancel_reason=reason)


def hold_order(*, order: Order, reason: str, user=None, actor: str = "") -> Order:
    """Put an order on hold (releases its reservation); it waits in the needs-attention queue."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderError("Say why the order is put on hold.")
    return transition(order=order, to_status=S.ON_HOLD, user=user, actor=actor, message=reason)


def release_hold(*, order: Order, user=None, actor: str = "") -> ConfirmResult:
    """Release a seller's hold, then try to confirm the order again. A channel's own hold (TikTok's
    buyer-cancellation window) is released by the channel, not here."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == S.ON_HOLD and locked.channel_status == "ON_HOLD":
            raise OrderError(_hold_detail(locked))
        transition(order=locked, to_status=S.AWAITING_CONFIRMATION, user=user, actor=actor, message="Hold released")
    result = run_confirmation(order=locked, user=user, actor=actor)
    _sync_instance(order, result.order)
    return result


def send_to_picking(*, order: Order, user=None, actor: str = "") -> Order:
    return transition(order=order, to_status=S.PICKING, user=user, actor=actor, message="Sent to picking")


def mark_packed(*, order: Order, user=None, actor: str = "") -> Order:
    return transition(order=order, to_status=S.PACKED, user=user, actor=actor, message="Packed")


def mark_shipped(*, order: Order, user=None, actor: str = "", at: dt.datetime | None = None) -> Order:
    """Tracking uploaded: sets tracking_uploaded_at (``at`` or now) and consumes the reservation."""
    return transition(order=order, to_status=S.SHIPPED, user=user, actor=actor, at=at, message="Shipped")


def mark_in_transit(*, order: Order, at: dt.datetime, user=None, actor: str = "carrier") -> Order:
    """The carrier's first scan: dispatched_at."""
    with transaction.atomic():
        Order.objects.filter(pk=order.pk, dispatched_at__isnull=True).update(dispatched_at=at)
        return transition(order=order, to_status=S.IN_TRANSIT, user=user, actor=actor, at=at,
                          message="First carrier scan")


def mark_delivered(*, order: Order, at: dt.datetime, user=None, actor: str = "carrier") -> Order:
    with transaction.atomic():
        Order.objects.filter(pk=order.pk, delivered_at__isnull=True).update(delivered_at=at)
        return transition(order=order, to_status=S.DELIVERED, user=user, actor=actor, at=at, message="Delivered")


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


# ---------------------------------------------------------------------------------------------
# Fixes from the needs-attention queue

ADDRESS_LABELS = {
    "buyer_name": "buyer name", "buyer_email": "buyer email", "buyer_phone": "buyer phone",
    "ship_name": "recipient name", "ship_company": "company", "ship_street1": "street",
    "ship_street2": "street (line 2)", "ship_city": "city", "ship_state": "state", "ship_postal_code": "postal code",
    "ship_country": "country", "ship_phone": "phone",
}
EDITABLE_ADDRESS = tuple(ADDRESS_LABELS)


def update_address(*, order: Order, values: dict, user=None, actor: str = "") -> ConfirmResult | None:
    """Correct the buyer and shipping address (not after shipping); then, if the order was waiting
    for it, confirmation runs again. Returns that confirmation's result, if it ran."""
    unknown = set(values) - set(EDITABLE_ADDRESS)
    if unknown:
        raise OrderError(f"Unknown address field(s): {', '.join(sorted(unknown))}.")
    clean = {}
    for name, value in values.items():
        value = (value or "").strip()
        limit = Order._meta.get_field(name).max_length
        if len(value) > limit:
            raise OrderError(f"The {ADDRESS_LABELS[name]} is too long (at most {limit} characters).")
        clean[name] = value.upper() if name == "ship_country" else value
    if "ship_country" in clean and clean["ship_country"] and len(clean["ship_country"]) != 2:
        raise OrderError("Country must be a two-letter code, e.g. US.")
    with transaction.atomic():
        locked = _lock(order)
        if locked.status in SHIPPED_STATUSES or locked.status == S.CANCELLED:
            raise OrderError(f"Order {locked.external_id} is {_label(locked.status)}; its address can't change now.")
        changed = {k: v for k, v in clean.items() if getattr(locked, k) != v}
        if not changed:
            _sync_instance(order, locked)
            return None
        for k, v in changed.items():
            setattr(locked, k, v)
        locked.save(update_fields=[*changed, "updated_at"])
        _event(locked, kind="address_updated", user=user, actor=actor,
               message="Address corrected: " + ", ".join(ADDRESS_LABELS[k] for k in changed),
               data={"fields": sorted(changed)})
        if locked.attention_reason == AttentionReason.ADDRESS_PROBLEM:
            reason, detail = _attention_after_move(locked)
            if locked.status != S.AWAITING_CONFIRMATION or reason != AttentionReason.NONE:
                _set_attention(locked, reason, detail, user=user, actor=actor)
        _sync_instance(order, locked)
    if locked.status == S.AWAITING_CONFIRMATION:
        result = run_confirmation(order=locked, user=user, actor=actor)
        _sync_instance(order, result.order)
        return result
    return None


@dataclass
class MappingResult:
    sku: SKU
    lines: int
    order_ids: list[int]
    listing: ChannelListing | None
    confirmations: list[ConfirmResult] = field(default_factory=list)


def map_channel_sku(*, account: ChannelAccount, sku: SKU, channel_sku: str = "", product_id: str = "",
                    variant_id: str = "", user=None, actor: str = "") -> MappingResult:
    """Map a channel's SKU (by seller SKU, or by the channel's product and variant ids when the line
    has no seller SKU) to one of our SKUs: records it as the account's ChannelListing, matches every
    unmatched line of the account with that channel SKU, then runs confirmation again for the
    orders that were waiting for it (each in its own transaction)."""
    channel_sku = (channel_sku or "").strip()
    if not (channel_sku or variant_id or product_id):
        raise OrderError("Give the channel SKU (or the channel's product and variant ids) to map.")
    if not sku.active:
        raise OrderError(f"SKU {sku.seller_sku} is inactive; activate it or choose another.")
    lines = OrderLine.objects.filter(order__account=account, sku__isnull=True)
    if channel_sku:
        lines = lines.filter(channel_sku=channel_sku)
    else:
        lines = lines.filter(channel_sku="", channel_product_id=product_id, channel_variant_id=variant_id)
    with transaction.atomic():
        found = list(lines.select_for_update().order_by("pk"))
        if not product_id and not variant_id:
            with_ids = next((line for line in found if line.channel_product_id or line.channel_variant_id), None)
            if with_ids:
                product_id, variant_id = with_ids.channel_product_id, with_ids.channel_variant_id
        listing = None
        if product_id or variant_id:
            listing, _created = ChannelListing.objects.update_or_create(
                account=account, external_product_id=product_id, external_variant_id=variant_id,
                defaults={"sku": sku, "channel_sku": channel_sku, "active": True,
                          "title": (found[0].name if found else "")[:200]},
            )
        elif channel_sku:
            listing = ChannelListing.objects.filter(account=account, channel_sku=channel_sku,
                                                    external_product_id="", external_variant_id="").first()
            if listing is None:
                listing = ChannelListing.objects.create(account=account, channel_sku=channel_sku, sku=sku,
                                                        title=(found[0].name if found else "")[:200])
            elif listing.sku_id != sku.pk:
                listing.sku = sku
                listing.save(update_fields=["sku"])
        OrderLine.objects.filter(pk__in=[line.pk for line in found]).update(sku=sku)
        order_ids = sorted({line.order_id for line in found})
        label = channel_sku or f"{product_id}/{variant_id}"
        for order_obj in Order.objects.filter(pk__in=order_ids):
            count = sum(1 for line in found if line.order_id == order_obj.pk)
            _event(order_obj, kind="sku_mapped", user=user, actor=actor,
                   message=f"Channel SKU {label} mapped to {sku.seller_sku} ({count} line(s))",
                   data={"channel_sku": channel_sku, "sku": sku.seller_sku, "lines": count})
    result = MappingResult(sku=sku, lines=len(found), order_ids=order_ids, listing=listing)
    for order_obj in Order.objects.filter(pk__in=order_ids, status=S.AWAITING_CONFIRMATION).select_related("account"):
        result.confirmations.append(run_confirmation(order=order_obj, user=user, actor=actor))
    return result


# ---------------------------------------------------------------------------------------------
# The channel upsert: one service for sync, webhooks, import and manual orders


@dataclass
class UpsertResult:
    outcome: str  # "created", "updated", "unchanged" or "stale" (older than what is stored)
    order: Order
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.outcome in ("created", "updated")


def _match_skus(account: ChannelAccount, lines) -> dict[str, int]:
    """{line external id: sku id} for channel lines we can match: the account's listing by the
    channel's ids first, then the seller SKU exactly, then ignoring case."""
    matched: dict[str, int] = {}
    ids = {(ln.channel_product_id, ln.channel_variant_id) for ln in lines if ln.channel_variant_id or
           ln.channel_product_id}
    if ids:
        condition = Q(pk__in=[])
        for product_id, variant_id in ids:
            condition |= Q(external_product_id=product_id, external_variant_id=variant_id)
        listings = {(p, v): s for p, v, s in ChannelListing.objects.filter(condition, account=account, active=True,
                                                                            sku__isnull=False)
                    .values_list("external_product_id", "external_variant_id", "sku_id")}
        for ln in lines:
            sku_id = listings.get((ln.channel_product_id, ln.channel_variant_id))
            if sku_id:
                matched[ln.external_id] = sku_id
    wanted = {ln.channel_sku for ln in lines if ln.external_id not in matched and ln.channel_sku}
    if wanted:
        by_listing = dict(ChannelListing.objects.filter(account=account, active=True, sku__isnull=False,
                                                        channel_sku__in=wanted, external_product_id="",
                                                        external_variant_id="").values_list("channel_sku", "sku_id"))
        exact = dict(SKU.objects.filter(seller_sku__in=wanted).values_list("seller_sku", "pk"))
        folded = {}
        if len(exact) < len(wanted):
            lowered = {w.lower() for w in wanted if w not in exact}
            for seller_sku, pk in SKU.objects.filter(
                    Q(pk__in=[]) | _iexact_any("seller_sku", lowered)).values_list("seller_sku", "pk"):
                folded.setdefault(seller_sku.lower(), pk)
        for ln in lines:
            if ln.external_id in matched or not ln.channel_sku:
                continue
            sku_id = by_listing.get(ln.channel_sku) or exact.get(ln.channel_sku) or folded.get(ln.channel_sku.lower())
            if sku_id:
                matched[ln.external_id] = sku_id
    return matched


def _iexact_any(field_name: str, values) -> Q:
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(**{f"{field_name}__iexact": value})
    return condition


def _line_key(line: ChannelLine, index: int) -> str:
    return line.external_id or f"{line.channel_sku}#{index}"


LINE_FIELDS = ("channel_sku", "channel_product_id", "channel_variant_id", "name", "quantity", "unit_price", "cancelled")


def _sync_lines(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None, *, created: bool) -> list[str]:
    """Create and update lines (keyed by the channel's line id). A matched SKU is never unset."""
    changes = []
    existing = {line.external_id: line for line in order.lines.all()} if not created else {}
    prev_lines = {_line_key(ln, i): ln for i, ln in enumerate(previous.lines)} if previous else {}
    wanted = [(_line_key(ln, i), ln) for i, ln in enumerate(incoming.lines)]
    matched = _match_skus(order.account, [ln for _k, ln in wanted if _k not in existing
                                          or existing[_k].sku_id is None])
    new_lines = []
    for key, ln in wanted:
        values = {"channel_sku": ln.channel_sku, "channel_product_id": ln.channel_product_id,
                  "channel_variant_id": ln.channel_variant_id, "name": ln.name, "quantity": ln.quantity,
                  "unit_price": ln.unit_price, "cancelled": ln.cancelled}
        line = existing.get(key)
        if line is None:
            new_lines.append(OrderLine(order=order, external_id=key, sku_id=matched.get(ln.external_id), **values))
            if not created:
                changes.append(f"new line {key}")
            continue
        update = {}
        before = prev_lines.get(key)
        for name, value in values.items():
            if before is not None and getattr(before, name) == value:
                continue  # unchanged on the channel
            if getattr(line, name) != value:
                update[name] = value
        if line.sku_id is None and matched.get(ln.external_id):
            update["sku_id"] = matched[ln.external_id]
        if update:
            OrderLine.objects.filter(pk=line.pk).update(**update)
            for name, value in update.items():
                setattr(line, name, value)
            changes.append(f"line {key}: " + ", ".join(sorted(update)))
    if new_lines:
        OrderLine.objects.bulk_create(new_lines)
    return changes


PACKAGE_RANK = {Package.Status.DRAFT: 0, Package.Status.LABELLED: 1, Package.Status.SHIPPED: 2,
                Package.Status.IN_TRANSIT: 3, Package.Status.DELIVERED: 4}


def _package_status(cp: ChannelPackage) -> str:
    if cp.cancelled:
        return Package.Status.CANCELLED
    if cp.delivered_at:
        return Package.Status.DELIVERED
    if cp.first_scan_at:
        return Package.Status.IN_TRANSIT
    if cp.tracking_number:
        return Package.Status.SHIPPED
    return Package.Status.DRAFT


def _sync_packages(order: Order, packages: tuple[ChannelPackage, ...]) -> list[str]:
    """The channel's packages become fulfilment Package rows (the metrics count packages): matched
    by the channel's package id, else by tracking number (a package SellerHub shipped and pushed)."""
    if not packages:
        return []
    changes = []
    existing = list(order.packages.all())
    by_id = {p.external_id: p for p in existing if p.external_id}
    by_tracking = {carriers.normalise(p.tracking_number): p for p in existing if p.tracking_number}
    lines = {line.external_id: line for line in order.lines.all()}
    for cp in packages:
        package = by_id.get(cp.external_id) if cp.external_id else None
        if package is None and cp.tracking_number:
            candidate = by_tracking.get(carriers.normalise(cp.tracking_number))
            if candidate is not None and candidate.external_id in ("", cp.external_id):
                package = candidate
        code = carrier_code(cp.carrier_name)
        values = {}
        if cp.external_id:
            values["external_id"] = cp.external_id
        if cp.tracking_number:
            verdict = carriers.validate(cp.tracking_number, carrier=code or None)
            values.update(tracking_number=cp.tracking_number, tracking_format_valid=verdict.valid,
                          carrier=code or (verdict.carrier if verdict.valid else "") or "")
        for name in ("carrier_name", "shipping_provider_id"):
            if getattr(cp, name):
                values[name] = getattr(cp, name)
        for name in ("tracking_uploaded_at", "first_scan_at", "delivered_at"):
            if getattr(cp, name):
                values[name] = getattr(cp, name)
        status = _package_status(cp)
        if package is None:
            package = Package.objects.create(order=order, status=status, **values)
            changes.append(f"package {cp.external_id or cp.tracking_number}")
            if cp.external_id:
                by_id[cp.external_id] = package
        else:
            if status == Package.Status.CANCELLED or PACKAGE_RANK.get(status, 0) > PACKAGE_RANK.get(package.status, 0):
                values["status"] = status
            update = {k: v for k, v in values.items() if getattr(package, k) != v}
            if update:
                Package.objects.filter(pk=package.pk).update(**update, updated_at=timezone.now())
                changes.append(f"package {package.external_id or package.tracking_number}: {', '.join(sorted(update))}")
        have = set(package.lines.values_list("order_line__external_id", flat=True))
        new = [PackageLine(package=package, order_line=lines[ext], quantity=lines[ext].quantity)
               for ext in cp.line_external_ids if ext in lines and ext not in have]
        if new:
            PackageLine.objects.bulk_create(new)
    return changes


def _previous(order: Order) -> ChannelOrder | None:
    """What the channel said last time (the stored payload mapped again), to tell the channel's
    changes from local edits: a field the channel did not change keeps its local value."""
    if not order.raw:
        return None
    try:
        return map_order(order.account.channel, order.raw)
    except PayloadError:
        return None


def _create_from_channel(account, incoming: ChannelOrder, *, actor, user) -> Order:
    now = timezone.now()
    order = Order(account=account, external_id=incoming.external_id, status=incoming.status,
                  raw=incoming.raw, channel_updated_at=incoming.updated_at, last_synced_at=now,
                  **incoming.order_fields())
    order.account = account
    for name, value in _deadline_values(order, incoming, None).items():
        setattr(order, name, value)
    if order.status == S.CANCELLED and order.cancelled_at is None:
        order.cancelled_at = incoming.updated_at or now
    if order.status == S.COMPLETED:
        order.completed_at = incoming.updated_at or now
    order.save()
    _sync_lines(order, incoming, None, created=True)
    _sync_packages(order, incoming.packages)
    _event(order, kind="created", user=user, actor=actor, to_status=order.status,
           message=f"Received from {account.get_channel_display()}"
           + (f" as {incoming.channel_status}" if incoming.channel_status else ""),
           data={"channel_status": incoming.channel_status,
                 "update_time": incoming.updated_at.isoformat() if incoming.updated_at else None})
    if order.status == S.ON_HOLD:
        _set_attention(order, AttentionReason.ON_HOLD, _hold_detail(order), user=user, actor=actor)
    elif order.status in RESERVED_STATUSES or order.status == S.AWAITING_CONFIRMATION:
        reason, detail = _attention_after_move(order)
        if reason:
            _set_attention(order, reason, detail, user=user, actor=actor)
    return order


def _apply_channel_status(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None,
                          *, actor, user, notes: list[str]) -> bool:
    """Follow the channel's status forward; never backward, never past a seller's own hold."""
    target, current = incoming.status, order.status
    if target == current:
        return False
    seller_hold = current == S.ON_HOLD and not (previous is not None and previous.status == S.ON_HOLD)
    if target == S.CANCELLED:
        if current in SHIPPED_STATUSES:
            notes.append(f"{_channel_name(order)} reports the order cancelled, but it has shipped here; "
                         f"not applied (record a return if goods come back).")
            return False
    elif STATUS_RANK.get(target, -1) <= STATUS_RANK.get(current, -1):
        return False  # SellerHub is ahead of the channel (e.g. picking while TikTok says AWAITING_SHIPMENT)
    elif seller_hold and target in (S.AWAITING_CONFIRMATION,):
        notes.append("The order is on hold in SellerHub; the channel's status did not release it.")
        return False
    if not allowed(current, target, CHANNEL):
        notes.append(_refusal(order, current, target, CHANNEL))
        return False
    transition(order=order, to_status=target, source=CHANNEL, user=user, actor=actor,
               message=f"{_channel_name(order)}: {incoming.channel_status or _label(target)}",
               data={"channel_status": incoming.channel_status},
               cancel_initiator=incoming.cancel_initiator, cancel_reason=incoming.cancel_reason,
               at=incoming.updated_at)
    return True


def _update_from_channel(order: Order, incoming: ChannelOrder, *, actor, user) -> UpsertResult:
    if incoming.updated_at and order.channel_updated_at and incoming.updated_at < order.channel_updated_at:
        return UpsertResult("stale", order, notes=[
            f"older than what is stored (update time {incoming.updated_at:%Y-%m-%d %H:%M:%S} UTC < "
            f"{order.channel_updated_at:%Y-%m-%d %H:%M:%S} UTC); nothing changed"])
    if order.raw == incoming.raw and order.channel_updated_at == incoming.updated_at:
        return UpsertResult("unchanged", order)
    previous = _previous(order)
    before = previous.order_fields() if previous else {}
    update = {}
    for name, value in incoming.order_fields().items():
        if previous is not None and before.get(name) == value:
            continue
        if getattr(order, name) != value:
            update[name] = value
    for name, value in _deadline_values(order, incoming, previous).items():
        if getattr(order, name) != value:
            update[name] = value
    changes = sorted(k for k in update if k != "channel_status")
    update.update(raw=incoming.raw, channel_updated_at=incoming.updated_at, last_synced_at=timezone.now())
    for name, value in update.items():
        setattr(order, name, value)
    order.save(update_fields=[*update, "updated_at"])
    line_changes = _sync_lines(order, incoming, previous, created=False)
    package_changes = _sync_packages(order, incoming.packages)
    notes: list[str] = []
    summary = [Order._meta.get_field(k).verbose_name for k in changes] + line_changes + package_changes
    if summary:
        _event(order, kind="synced", user=user, actor=actor,
               message=f"Updated from {_channel_name(order)}: {', '.join(summary)}"[:500],
               data={"fields": changes, "lines": line_changes, "packages": package_changes,
                     "update_time": incoming.updated_at.isoformat() if incoming.updated_at else None})
    moved = _apply_channel_status(order, incoming, previous, actor=actor, user=user, notes=notes)
    if moved:
        order.refresh_from_db()
    if line_changes and order.status in RESERVED_STATUSES and order.fulfilment == Fulfilment.FBS:
        notes.extend(_resync_reservation(order, user=user))
    for note in notes:
        _event(order, kind="sync_note", user=user, actor=actor, message=note)
    return UpsertResult("updated", order, changes=changes + line_changes + package_changes + (
        ["status"] if moved else []), notes=notes)


def _resync_reservation(order: Order, *, user) -> list[str]:
    """The channel changed the lines of a confirmed order (a line cancelled or added): hold exactly
    what the active lines need. Returns notes for the timeline."""
    reference = order.reservation_reference
    lines = _active_lines(order)
    cancelled = [str(pk) for pk in order.lines.filter(cancelled=True).values_list("pk", flat=True)]
    try:
        with transaction.atomic():
            released = Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE,
                                                  line_key__in=cancelled).aggregate(n=Sum("quantity"))["n"] or 0
            if released:  # release everything, then hold again what the active lines need
                stock.release(reference=reference, user=user, note="line cancelled on the channel")
            if lines and all(line.sku_id for line in lines):
                stock.reserve(reference=reference, requests=_stock_requests(lines),
                              location_codes=list(order.account.location_priority or []) or None, user=user)
    except stock.InsufficientStock as exc:
        return [f"the channel changed the lines after confirmation and not all could be reserved: {exc}"]
    return [f"a line was cancelled on the channel: its {released} reserved unit(s) are free again"] if released else []


def _upsert_once(*, account, incoming: ChannelOrder, actor, user) -> UpsertResult:
    with transaction.atomic():
        order = (Order.objects.select_for_update().select_related("account")
                 .filter(account=account, external_id=incoming.external_id).first())
        if order is None:
            with transaction.atomic():
                order = _create_from_channel(account, incoming, actor=actor, user=user)
            return UpsertResult("created", order)
        return _update_from_channel(order, incoming, actor=actor, user=user)


def upsert_order(*, account: ChannelAccount, incoming: ChannelOrder, source: str = "sync", user=None,
                 confirm: bool = True) -> UpsertResult:
    """Create or update the Order for a channel's payload (already mapped to a ChannelOrder).

    Idempotent: the same payload again reports "unchanged" and writes nothing; a payload older
    than the stored one (by the channel's update time) reports "stale" and writes nothing. A field
    the channel did not change since its last payload keeps any local correction. Status follows
    the channel forward only (see ``_apply_channel_status``). Orders awaiting confirmation then
    run through automatic confirmation (``run_confirmation(on_arrival=True)``)."""
    actor = f"{source}:{account.channel}"
    try:
        result = _upsert_once(account=account, incoming=incoming, actor=actor, user=user)
    except IntegrityError:
        # Another worker created the same order between our read and our insert: update it instead.
        result = _upsert_once(account=account, incoming=incoming, actor=actor, user=user)
    if confirm and result.changed and result.order.status == S.AWAITING_CONFIRMATION:
        confirmation = run_confirmation(order=result.order, user=user, actor=actor, on_arrival=True)
        result.order = confirmation.order
    return result


# ---------------------------------------------------------------------------------------------
# Manual orders

MANUAL_ACCOUNT_NAME = "Manual"


def manual_account() -> ChannelAccount:
    """The first "Manual" channel account, created on demand."""
    with transaction.atomic():
        account = ChannelAccount.objects.filter(channel=Channel.MANUAL).order_by("pk").first()
        if account is None:
            account = ChannelAccount.objects.create(name=MANUAL_ACCOUNT_NAME, channel=Channel.MANUAL)
        return account


def first_account(*, channel: str) -> tuple[ChannelAccount, bool]:
    """The first account of a channel (active ones first), created when there is none; for
    ``import_orders``. Returns (account, created)."""
    with transaction.atomic():
        account = ChannelAccount.objects.filter(channel=channel).order_by("-active", "pk").first()
        if account is not None:
            return account, False
        name = Channel(channel).label
        return ChannelAccount.objects.create(name=name, channel=channel, time_zone="America/Los_Angeles"), True


def _parse_time(value, name: str, errors: dict) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            errors.setdefault(name, []).append("Use an ISO 8601 date and time with its offset, "
                                               "e.g. 2026-09-04T18:00:00-07:00.")
            return None
    if parsed.tzinfo is None:
        errors.setdefault(name, []).append("Give the time zone offset, e.g. 2026-09-04T18:00:00-07:00.")
        return None
    return parsed.astimezone(dt.UTC)


def _decimal(value, name: str, errors: dict) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors.setdefault(name, []).append(f"{value!r} is not an amount.")
        return Decimal("0")
    if not amount.is_finite() or amount < 0:
        errors.setdefault(name, []).append("Must be zero or more.")
        return Decimal("0")
    return amount


def create_manual_order(*, lines, buyer: dict | None = None, address: dict | None = None, external_id: str = "",
                        paid_at=None, currency: str = "USD", shipping_total=None, note: str = "",
                        user=None) -> UpsertResult:
    """A manual order (phone, email, market stall) on the Manual account, awaiting confirmation.
    Every SKU must exist; buyer and address are optional (needed before shipping). Its deadlines
    come from the Manual account's calendar, counted from ``paid_at`` (default: now). Posting the
    same external id with the same content again returns the existing order unchanged."""
    errors: dict[str, list[str]] = {}
    if not isinstance(lines, list | tuple) or not lines:
        raise ManualOrderError({"lines": ["Give at least one line: {\"sku\": \"<seller sku>\", \"quantity\": 1}."]})
    wanted = []
    for i, raw_line in enumerate(lines):
        where = f"lines[{i}]"
        if not isinstance(raw_line, dict):
            errors.setdefault(where, []).append("Each line is an object with sku and quantity.")
            continue
        seller_sku = str(raw_line.get("sku") or "").strip()
        quantity = raw_line.get("quantity", 1)
        if not seller_sku:
            errors.setdefault(where, []).append("sku is required.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100000:
            errors.setdefault(where, []).append("quantity must be a whole number from 1 to 100000.")
        price = _decimal(raw_line.get("unit_price"), f"{where}.unit_price", errors)
        wanted.append((where, seller_sku, quantity, price))
    skus = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=[w[1] for w in wanted if w[1]])}
    for where, seller_sku, _q, _p in wanted:
        if seller_sku and seller_sku not in skus:
            errors.setdefault(where, []).append(f"Unknown SKU {seller_sku!r}.")
        elif seller_sku and not skus[seller_sku].active:
            errors.setdefault(where, []).append(f"SKU {seller_sku} is inactive.")
    buyer = buyer or {}
    address = address or {}
    for name, value in (("buyer", buyer), ("address", address)):
        if not isinstance(value, dict):
            errors.setdefault(name, []).append("Must be an object.")
    paid = _parse_time(paid_at, "paid_at", errors)
    currency = (currency or "USD").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors.setdefault("currency", []).append("Use a three-letter currency code, e.g. USD.")
    shipping = _decimal(shipping_total, "shipping_total", errors)
    external_id = (external_id or "").strip()
    if len(external_id) > 64:
        errors.setdefault("external_id", []).append("At most 64 characters.")
    address_values = {}
    if isinstance(address, dict):
        keys = {"name": "ship_name", "company": "ship_company", "street1": "ship_street1",
                "street2": "ship_street2", "city": "ship_city", "state": "ship_state",
                "postal_code": "ship_postal_code", "country": "ship_country", "phone": "ship_phone"}
        for key in set(address) - set(keys):
            errors.setdefault(f"address.{key}", []).append(f"Unknown field (use: {', '.join(keys)}).")
        for key, target in keys.items():
            value = str(address.get(key) or "").strip()
            limit = Order._meta.get_field(target).max_length
            if len(value) > limit:
                errors.setdefault(f"address.{key}", []).append(f"At most {limit} characters.")
            address_values[target] = value.upper() if key == "country" else value
        if address_values.get("ship_country") and len(address_values["ship_country"]) != 2:
            errors.setdefault("address.country", []).append("Use a two-letter country code, e.g. US.")
    buyer_values = {}
    if isinstance(buyer, dict):
        for key in ("name", "email", "phone"):
            buyer_values[f"buyer_{key}"] = str(buyer.get(key) or "").strip()[:200]
    if errors:
        raise ManualOrderError(errors)

    now = timezone.now()
    paid = paid or now
    channel_lines = tuple(
        ChannelLine(external_id=str(i + 1), channel_sku=seller_sku, name=skus[seller_sku].name[:300],
                    quantity=quantity, unit_price=price)
        for i, (_w, seller_sku, quantity, price) in enumerate(wanted)
    )
    subtotal = sum((ln.unit_price * ln.quantity for ln in channel_lines), Decimal("0"))
    if not address_values.get("ship_name"):
        address_values["ship_name"] = buyer_values.get("buyer_name", "")
    raw = {"lines": [{"sku": s, "quantity": q, "unit_price": str(p)} for _w, s, q, p in wanted],
           "buyer": {k: str(v) for k, v in buyer.items()}, "address": {k: str(v) for k, v in address.items()},
           "paid_at": paid.isoformat() if paid_at else None, "currency": currency,
           "shipping_total": str(shipping), "note": note or ""}
    account = manual_account()
    incoming = ChannelOrder(
        external_id=external_id or f"M-{now:%y%m%d}-{secrets.token_hex(3).upper()}",
        status=S.AWAITING_CONFIRMATION, channel_status="", created_at=now, updated_at=None, paid_at=paid,
        **buyer_values, **address_values, currency=currency, subtotal=subtotal, shipping_total=shipping,
        total=subtotal + shipping, lines=channel_lines, raw=raw,
    )
    if external_id:
        existing = Order.objects.filter(account=account, external_id=external_id).first()
        if existing is not None:
            if existing.raw != raw:
                raise ManualOrderError({"external_id": [f"A manual order {external_id} already exists with other "
                                                        f"content (order id {existing.pk})."]})
            return UpsertResult("unchanged", existing)
    result = upsert_order(account=account, incoming=incoming, source="manual", user=user)
    if note and result.outcome == "created":
        Order.objects.filter(pk=result.order.pk).update(note=note)
        result.order.note = note
    return result


# ---------------------------------------------------------------------------------------------
# Returns: requested -> received -> inspected -> restocked (into a location, through the
# ledger, reason "return") or written off.

R = Return.Status
RETURN_FLOW = {
    R.REQUESTED: {R.RECEIVED},
    R.RECEIVED: {R.INSPECTED},
    R.INSPECTED: {R.RESTOCKED, R.WRITTEN_OFF},
    R.RESTOCKED: set(),
    R.WRITTEN_OFF: set(),
}


def request_return(*, order: Order, reason: str, lines: list[tuple[int, int]] | None = None,
                   refund_amount=Decimal("0"), external_id: str = "", note: str = "", user=None,
                   actor: str = "") -> Return:
    """Open a return for a shipped order. ``lines``: [(order line id, quantity)]; default: every
    unit of every line not returned yet. Reason required; the refund can't exceed the order total."""
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError("Say why the buyer returns it.")
    try:
        refund = Decimal(str(refund_amount or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ReturnError(f"{refund_amount!r} is not an amount.")
    if refund < 0:
        raise ReturnError("The refund can't be negative.")
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in SHIPPED_STATUSES:
            raise ReturnError(f"Order {locked.external_id} is {_label(locked.status)}; only shipped orders can be "
                              f"returned.")
        if refund > locked.total and locked.total > 0:
            raise ReturnError(f"The refund ({refund}) can't exceed the order total ({locked.total}).")
        order_lines = {line.pk: line for line in locked.lines.filter(cancelled=False)}
        returned = dict(ReturnLine.objects.filter(order_line__order=locked).values("order_line")
                        .annotate(n=Sum("quantity")).values_list("order_line", "n"))
        if lines is None:
            lines = [(pk, line.quantity - returned.get(pk, 0)) for pk, line in order_lines.items()
                     if line.quantity - returned.get(pk, 0) > 0]
        if not lines:
            raise ReturnError(f"Every unit of order {locked.external_id} has been returned already.")
        problems = []
        for line_id, quantity in lines:
            line = order_lines.get(line_id)
            if line is None:
                problems.append(f"line {line_id} is not a line of order {locked.external_id}")
                continue
            left = line.quantity - returned.get(line_id, 0)
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                problems.append(f"{line.channel_sku or line.pk}: the quantity must be a whole number of at least 1")
            elif quantity > left:
                problems.append(f"{line.channel_sku or line.pk}: {quantity} returned but only {left} can be")
        if problems:
            raise ReturnError("; ".join(problems))
        ret = Return.objects.create(order=locked, reason=reason[:300], refund_amount=refund,
                                    external_id=(external_id or "")[:64], note=note or "")
        ReturnLine.objects.bulk_create([ReturnLine(ret=ret, order_line_id=i, quantity=q) for i, q in lines])
        units = sum(q for _i, q in lines)
        _event(locked, kind="return", user=user, actor=actor, message=f"Return requested: {units} unit(s), {reason}",
               data={"return": ret.pk, "status": ret.status, "refund": str(refund)})
        return ret


def _move_return(ret: Return, to: str, *, user, actor, note: str = "", message: str = "", **fields) -> Return:
    locked = Return.objects.select_for_update().select_related("order").get(pk=ret.pk)
    if to not in RETURN_FLOW[locked.status]:
        if locked.status == to:
            raise ReturnError(f"Return {locked.pk} is already {locked.get_status_display().lower()}.")
        follow = ", ".join(R(s).label.lower() for s in sorted(RETURN_FLOW[locked.status])) or "nothing"
        raise ReturnError(f"Return {locked.pk} is {locked.get_status_display().lower()}; it can't be "
                          f"{R(to).label.lower()} now (next: {follow}).")
    before = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    if note:
        locked.note = f"{locked.note}\n{note}".strip()
    locked.save()
    _event(locked.order, kind="return", user=user, actor=actor,
           message=message or f"Return {locked.pk} {R(to).label.lower()}" + (f": {note}" if note else ""),
           data={"return": locked.pk, "from": before, "status": to})
    for f in Return._meta.concrete_fields:
        setattr(ret, f.attname, getattr(locked, f.attname))
    return locked


def receive_return(*, ret: Return, user=None, actor: str = "", note: str = "") -> Return:
    with transaction.atomic():
        return _move_return(ret, R.RECEIVED, user=user, actor=actor, note=note)


def inspect_return(*, ret: Return, user=None, actor: str = "", note: str = "") -> Return:
    with transaction.atomic():
        return _move_return(ret, R.INSPECTED, user=user, actor=actor, note=note)


def restock_return(*, ret: Return, location: Location, user=None, actor: str = "", note: str = "") -> Return:
    """Put the returned units back on the shelf at ``location`` through the ledger (reason return)."""
    if location.kind not in stock.OWN_KINDS or not location.active:
        raise ReturnError(f"{location.code} is not an active own warehouse or bin; choose where the goods go.")
    with transaction.atomic():
        locked = Return.objects.select_for_update().get(pk=ret.pk)
        if locked.status != R.INSPECTED:
            return _move_return(ret, R.RESTOCKED, user=user, actor=actor)  # raises the refusal
        lines = list(locked.lines.select_related("order_line__sku"))
        unmatched = [rl.order_line.channel_sku or str(rl.order_line_id) for rl in lines if rl.order_line.sku_id is None]
        if unmatched:
            raise ReturnError(f"Line(s) {', '.join(unmatched)} have no SKU; map them before restocking.")
        try:
            for rl in lines:
                stock.adjust(sku=rl.order_line.sku_id, location=location, quantity=rl.quantity,
                             reason=stock.Reason.RETURN, user=_user(user), note=note or f"return {locked.pk}",
                             reference=f"return:{locked.pk}")
        except stock.StockError as exc:
            raise ReturnError(str(exc))
        units = sum(rl.quantity for rl in lines)
        return _move_return(ret, R.RESTOCKED, user=user, actor=actor, note=note, restock_location=location,
                            message=f"Return {locked.pk} restocked: {units} unit(s) into {location.code}")


def write_off_return(*, ret: Return, note: str, user=None, actor: str = "") -> Return:
    note = (note or "").strip()
    if not note:
        raise ReturnError("Say why the returned goods are written off (e.g. damaged).")
    with transaction.atomic():
        return _move_return(ret, R.WRITTEN_OFF, user=user, actor=actor, note=note)
