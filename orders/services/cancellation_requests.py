"""Buyer cancellation requests (docs/after-sales/cancellation-requests.md): recording what the
channel reports (idempotent: the same data twice changes nothing), the seller's decision (approve,
or reject with one of the channel's reasons), the decision's delivery to the channel, and the
order's cancellation when a request is approved (by the seller or, past the deadline, by the
channel), through ``transitions.transition`` so the reservation is released and stock pushed.

Sending a decision is a side effect: once a decision is committed, the callbacks registered with
``register_decision_queued`` (channels registers its job request) are called with the request's
id. With none registered the decision waits, shown as "being sent", until a sweep sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orders.models import (
    SHIPPED_STATUSES,
    CancelInitiator,
    CancellationDecision,
    CancellationRequest,
    CancellationRequestStatus,
    DecisionDelivery,
    Order,
    OrderStatus,
)
from orders.services.errors import OrderError
from orders.services.locks import lock_order
from orders.services.timeline import acting_user, channel_name, record_event
from orders.services.transitions import CHANNEL, SELLER, transition

log = logging.getLogger("orders")

R = CancellationRequestStatus
PACKED_OR_LATER = (OrderStatus.PACKED, *SHIPPED_STATUSES)
INITIATORS = {"BUYER": CancellationRequest.Initiator.BUYER, "SELLER": CancellationRequest.Initiator.SELLER,
              "SYSTEM": CancellationRequest.Initiator.SYSTEM}


class CancellationRequestError(OrderError):
    """A decision on a cancellation request that cannot be taken; the message says why."""


@dataclass(frozen=True)
class ChannelCancellation:
    """A cancellation as the channel reports it, in SellerHub's words. ``outcome`` is one of
    pending, approved, closed (rejected or withdrawn: ``rejected`` says which when the channel
    tells)."""

    external_id: str
    order_external_id: str
    outcome: str
    channel_status: str
    initiator: str = "BUYER"
    reason: str = ""
    requested_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    respond_by: dt.datetime | None = None
    refund_total: Decimal | None = None
    currency: str = ""
    line_ids: tuple[str, ...] = ()
    rejected: bool = False


# ---------------------------------------------------------------------------------------------
# The hook: a decision was committed and must be sent

DecisionQueued = Callable[[int], None]
_decision_queued: list[DecisionQueued] = []


def register_decision_queued(fn: DecisionQueued) -> None:
    """Register ``fn(request_id)``, called once a decision to send is committed (channels queues
    the job that sends it). Registering the same function again changes nothing."""
    if fn not in _decision_queued:
        _decision_queued.append(fn)


def _announce(request_id: int) -> None:
    def run():
        for fn in list(_decision_queued):
            try:
                fn(request_id)
            except Exception as exc:  # Redis down: the scheduled sweep sends it later
                log.warning("could not queue the decision of cancellation request %s (%s)", request_id, exc)

    transaction.on_commit(run)


# ---------------------------------------------------------------------------------------------
# From the channel


def _lock_request(pk: int) -> CancellationRequest:
    return CancellationRequest.objects.select_for_update(of=("self",)).select_related("order", "account").get(pk=pk)


def _cancel_order(order: Order, request: CancellationRequest, *, source: str, user=None, how: str) -> None:
    """Cancel the order locally with the buyer as initiator (nothing when it is cancelled or shipped)."""
    if order.status == OrderStatus.CANCELLED or order.status in SHIPPED_STATUSES:
        return
    reason = f"buyer's cancellation request: {request.reason or 'no reason given'}"
    transition(order=order, to_status=OrderStatus.CANCELLED, source=source, user=user,
               actor="" if user else f"sync:{order.account.channel}", cancel_initiator=CancelInitiator.BUYER,
               cancel_reason=reason, message=f"Cancelled by the buyer ({how}): {request.reason or 'no reason given'}")


def record_from_channel(*, account, data: ChannelCancellation) -> tuple[CancellationRequest | None, bool]:
    """Store one cancellation as the channel reports it: (request, changed). None when SellerHub
    has no such order yet (pull the order first). The same data twice changes nothing."""
    with transaction.atomic():
        order = Order.objects.filter(account=account, external_id=data.order_external_id).first()
        if order is None:
            return None, False
        order = lock_order(order)
        existing = (CancellationRequest.objects.select_for_update(of=("self",))
                    .filter(account=account, external_id=data.external_id).first())
        if existing is not None and existing.channel_status == data.channel_status and (
                existing.channel_updated_at == data.updated_at):
            return existing, False
        now = timezone.now()
        # A decided request has no next action: its deadline stays the one it had.
        respond_by = data.respond_by or (existing.respond_by if existing is not None else None)
        fields = dict(channel_status=data.channel_status, initiator=INITIATORS.get(data.initiator.upper(), "buyer"),
                      reason=data.reason[:300], requested_at=data.requested_at or now, respond_by=respond_by,
                      refund_total=data.refund_total, currency=data.currency, line_ids=list(data.line_ids),
                      channel_updated_at=data.updated_at)
        if existing is None:
            request = CancellationRequest(account=account, order=order, external_id=data.external_id, **fields)
            request.save()
            record_event(order, kind="cancellation_request", actor=f"sync:{account.channel}",
                         message=f"The {request.get_initiator_display().lower()} asked {channel_name(order)} to cancel "
                                 f"({request.reason or 'no reason given'})"
                                 + (f"; answer by {timezone.localtime(request.respond_by):%b %d %H:%M}"
                                    if request.respond_by else ""),
                         data={"cancellation_request": request.pk, "external_id": request.external_id})
        else:
            request = existing
            for name, value in fields.items():
                setattr(request, name, value)
        before = request.status
        _apply_outcome(request, order, data, now)
        request.save()
        if request.status != before and before == R.PENDING and existing is not None:
            record_event(order, kind="cancellation_request", actor=f"sync:{account.channel}",
                         message=f"Cancellation request {request.external_id}: {request.get_status_display().lower()}",
                         data={"cancellation_request": request.pk, "status": request.status})
        return request, True


def _apply_outcome(request: CancellationRequest, order: Order, data: ChannelCancellation, now) -> None:
    if request.status != R.PENDING:
        return  # decided: the channel's later updates don't undo it
    if data.outcome == "approved":
        ours = request.decision == CancellationDecision.APPROVE
        late = request.respond_by is not None and (data.updated_at or now) >= request.respond_by
        if ours:
            request.status = R.APPROVED
        elif late:
            request.status, request.auto_approved = R.AUTO_APPROVED, True
        else:
            request.status = R.APPROVED  # approved on the channel itself
        request.decided_at = request.decided_at or data.updated_at or now
        how = ("approved in SellerHub" if ours else
               f"approved by {channel_name(order)}: the deadline passed" if request.auto_approved else
               f"approved on {channel_name(order)}")
        _cancel_order(order, request, source=CHANNEL, how=how)
    elif data.outcome == "closed":
        rejected = data.rejected or request.decision == CancellationDecision.REJECT
        request.status = R.REJECTED if rejected else R.WITHDRAWN
        request.decided_at = request.decided_at or data.updated_at or now


# ---------------------------------------------------------------------------------------------
# The seller's decision


def may_decide(user, request: CancellationRequest, order: Order | None = None) -> bool:
    """Owner: any request; Warehouse: only for an order not packed yet; Ops: none."""
    order = order or request.order
    if user.has_perm("sellerhub.manage_orders"):
        return True
    return user.has_perm("sellerhub.work_warehouse") and order.status not in PACKED_OR_LATER


def decide(*, request: CancellationRequest, approve: bool, user, reject_reason: str = "",
           comment: str = "") -> CancellationRequest:
    """Approve, or reject with one of the channel's reasons; the decision is sent to the channel
    after commit (the order is cancelled once the channel accepts an approval)."""
    reject_reason, comment = (reject_reason or "").strip(), (comment or "").strip()
    if not approve and not reject_reason:
        raise CancellationRequestError("Choose one of TikTok's reasons to reject the request.")
    with transaction.atomic():
        order = lock_order(request.order_id)
        locked = _lock_request(request.pk)
        if not may_decide(user, locked, order):
            raise CancellationRequestError(f"Order {order.external_id} is already "
                                           f"{order.get_status_display().lower()}: only the Owner can decide it.")
        if locked.status != R.PENDING:
            raise CancellationRequestError(f"Cancellation request {locked.external_id} is already "
                                           f"{locked.get_status_display().lower()}.")
        if locked.delivery in (DecisionDelivery.QUEUED, DecisionDelivery.SENT):
            raise CancellationRequestError(f"A decision on request {locked.external_id} is already being sent.")
        if order.status in SHIPPED_STATUSES:
            raise CancellationRequestError(f"Order {order.external_id} has shipped: {channel_name(order)} rejects "
                                           f"the request itself.")
        decision = CancellationDecision.APPROVE if approve else CancellationDecision.REJECT
        locked.decision, locked.reject_reason = decision, "" if approve else reject_reason[:120]
        locked.reject_comment = "" if approve else comment[:500]
        locked.delivery, locked.delivery_error = DecisionDelivery.QUEUED, ""
        locked.delivery_key = f"sellerhub-cancellation-{locked.pk}-{decision}"
        locked.decided_by = acting_user(user)
        locked.save()
        what = "approve" if approve else f"reject ({reject_reason})"
        record_event(order, kind="cancellation_request", user=user,
                     message=f"Decided to {what} the buyer's cancellation request {locked.external_id}; "
                             f"sending it to {channel_name(order)}",
                     data={"cancellation_request": locked.pk, "decision": decision})
        _announce(locked.pk)
        return locked


def resend(*, request: CancellationRequest, user) -> CancellationRequest:
    """Send a decision the channel did not take again (the same idempotency key)."""
    with transaction.atomic():
        order = lock_order(request.order_id)
        locked = _lock_request(request.pk)
        if locked.delivery != DecisionDelivery.FAILED or locked.status != R.PENDING:
            raise CancellationRequestError("There is no failed decision to send again on this request.")
        if not may_decide(user, locked, order):
            raise CancellationRequestError("Only the Owner can decide this request.")
        locked.delivery, locked.delivery_error = DecisionDelivery.QUEUED, ""
        locked.save(update_fields=["delivery", "delivery_error", "updated_at"])
        record_event(order, kind="cancellation_request", user=user,
                     message=f"Sending the decision on request {locked.external_id} again")
        _announce(locked.pk)
        return locked


def record_delivery(*, request_id: int, ok: bool, error: str = "", data: ChannelCancellation | None = None
                    ) -> CancellationRequest | None:
    """The channel's answer to a decision: accepted (an approval cancels the order now) or not
    (the error is kept, shown on the queue and the order; the Owner may send it again)."""
    with transaction.atomic():
        found = CancellationRequest.objects.filter(pk=request_id).values_list("order_id", flat=True).first()
        if found is None:
            return None
        order = lock_order(found)
        request = _lock_request(request_id)
        if request.delivery != DecisionDelivery.QUEUED:
            return request  # answered already (a second job, or the pull saw it)
        request.delivery_attempts += 1
        name = channel_name(order)
        if not ok:
            request.delivery, request.delivery_error = DecisionDelivery.FAILED, error[:500]
            request.save()
            record_event(order, kind="cancellation_request", actor=f"sync:{order.account.channel}",
                         message=f"{name} did not take the decision on request {request.external_id}: {error}"[:500])
            return request
        request.delivery, request.decided_at = DecisionDelivery.SENT, timezone.now()
        if data is not None:
            request.channel_status, request.channel_updated_at = data.channel_status, data.updated_at
        if request.status == R.PENDING:
            approve = request.decision == CancellationDecision.APPROVE
            request.status = R.APPROVED if approve else R.REJECTED
            request.save()
            record_event(order, kind="cancellation_request", user=request.decided_by,
                         actor=f"sync:{order.account.channel}",
                         message=f"{name} took the {'approval' if approve else 'rejection'} of request "
                                 f"{request.external_id}")
            if approve:
                _cancel_order(order, request, source=SELLER, user=request.decided_by, how="approved in SellerHub")
        else:
            request.save()
        return request


__all__ = [
    "CancellationRequestError", "ChannelCancellation", "decide", "may_decide", "record_delivery",
    "record_from_channel", "register_decision_queued", "resend",
]
