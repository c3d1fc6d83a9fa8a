"""Channel returns recorded from the channel (a pull or a notification): one ``Return`` per
(account, channel return id), kept in step with the channel; each channel record becomes one
timeline step. Recording the same return twice changes nothing the second time.
See docs/after-sales/returns.md#from-tiktok."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import Order, OrderLine, Return, ReturnDecision, ReturnEvent, ReturnLine
from orders.services.errors import ReturnError
from orders.services.locks import lock_return
from orders.services.timeline import record_event

# What the channel's status means for the seller (TikTok's words -> ours), and which statuses
# wait for a seller decision (a deadline counting down).
CHANNEL_STATUS_LABELS = {
    "RETURN_OR_REFUND_REQUEST_PENDING": "Waiting for your decision",
    "AWAITING_BUYER_SHIP": "Approved: waiting for the buyer to ship",
    "BUYER_SHIPPED_ITEM": "Buyer shipped the parcel: receive and inspect it",
    "REJECT_RECEIVE_PACKAGE": "Returned package rejected",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "Approved",
    "RETURN_OR_REFUND_REQUEST_REJECT": "Rejected",
    "RETURN_OR_REFUND_REQUEST_CANCEL": "Withdrawn by the buyer",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "Refunded, closed",
    "AWAITING_BUYER_RESPONSE": "Partial refund offered: waiting for the buyer",
}
AWAITING_SELLER = ("RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM")
PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
# Buyer reasons that are not the buyer's fault (docs/after-sales/returns.md#seller-fault).
SELLER_FAULT_WORDS = ("wrong", "damaged", "defective", "not_as_described", "missing", "not_received",
                      "counterfeit", "expired", "broken", "quality")
BUYER_FAULT_WORDS = ("no_longer_needed", "changed_mind", "size", "fit", "better_price", "ordered_by_mistake",
                     "dont_want", "do_not_want")


def seller_fault_of(reason_code: str) -> bool | None:
    """True when the buyer's reason is the seller's fault, False when it is the buyer's, None: unknown."""
    code = (reason_code or "").lower()
    if any(word in code for word in SELLER_FAULT_WORDS):
        return True
    if any(word in code for word in BUYER_FAULT_WORDS):
        return False
    return None


@dataclass
class RecordResult:
    ret: Return | None
    created: bool = False
    changed: bool = False
    problem: str = ""


def _event(ret: Return, *, kind: str, message: str, at=None, actor: str = "", key: str = "", user=None,
           data=None) -> bool:
    """Add one timeline step; a keyed step already there is not added again (False)."""
    if key and ReturnEvent.objects.filter(ret=ret, key=key).exists():
        return False
    ReturnEvent.objects.create(ret=ret, occurred_at=at or timezone.now(), actor=actor[:60], kind=kind,
                               message=message[:500], key=key[:200], user=user, data=data or {})
    return True


def add_event(ret: Return, **kwargs) -> bool:
    """A SellerHub step on a return's timeline (called inside the caller's transaction)."""
    return _event(ret, **kwargs)


def _fields(channel_return, order: Order) -> dict:
    fault = seller_fault_of(channel_return.reason_code)
    return {
        "kind": channel_return.kind, "channel_status": channel_return.channel_status,
        "arbitration_status": channel_return.arbitration_status,
        "reason": (channel_return.reason_text or channel_return.reason_code or "Return on the channel")[:300],
        "reason_code": channel_return.reason_code, "buyer_note": channel_return.buyer_note,
        "buyer_images": list(channel_return.buyer_images),
        "requested_at": channel_return.requested_at, "next_action": channel_return.next_action,
        "respond_by": channel_return.respond_by, "seller_fault": fault,
        "refund_total": channel_return.refund_total, "refund_amount": channel_return.refund_total,
        "refund_shipping": channel_return.refund_shipping, "refund_tax": channel_return.refund_tax,
        "partial_refund": channel_return.partial_refund, "currency": channel_return.currency,
        "return_tracking_number": channel_return.tracking_number, "return_carrier": channel_return.carrier,
        "channel_updated_at": channel_return.updated_at, "raw": channel_return.raw,
    }


def record_channel_return(*, account, channel_return, records=(), actor: str = "") -> RecordResult:
    """Create or update the return ``channel_return`` (integrations.tiktok.returns.ChannelReturn) of
    ``account`` with the channel's ``records``; its order must be stored already."""
    order = Order.objects.filter(account=account, external_id=channel_return.order_external_id).first()
    if order is None:
        return RecordResult(None, problem=f"order {channel_return.order_external_id} is not in SellerHub yet")
    actor = actor or f"sync:{account.channel}"
    try:
        return _record(account, order, channel_return, records, actor)
    except IntegrityError:  # another worker created it at the same moment: update that one
        return _record(account, order, channel_return, records, actor)


def _record(account, order, channel_return, records, actor) -> RecordResult:
    fields = _fields(channel_return, order)
    with transaction.atomic():
        existing = Return.objects.filter(account=account, external_id=channel_return.external_id).first()
        created = existing is None
        if created:
            ret = Return.objects.create(order=order, account=account, external_id=channel_return.external_id,
                                        **fields)
            _lines(ret, order, channel_return)
            label = ret.get_kind_display().lower()
            _event(ret, kind="requested", at=channel_return.requested_at, actor="buyer",
                   key=f"requested:{channel_return.external_id}",
                   message=f"The buyer asked for a {label}: {ret.reason}")
            record_event(order, kind="return", actor=actor,
                         message=f"{account.get_channel_display()} return {ret.external_id}: {label}, {ret.reason}",
                         data={"return": ret.pk, "channel_status": ret.channel_status})
            changed = True
        else:
            ret = lock_return(existing)
            before = {name: getattr(ret, name) for name in fields}
            stale = (ret.channel_updated_at and channel_return.updated_at
                     and channel_return.updated_at < ret.channel_updated_at)
            changed = False
            if not stale:
                changed_names = [name for name, value in fields.items() if before[name] != value]
                for name in changed_names:
                    setattr(ret, name, fields[name])
                if changed_names:
                    ret.save(update_fields=[*changed_names, "updated_at"])
                    changed = True
        changed |= _follow_records(ret, records)
        changed |= _follow_status(ret, channel_return)
        changed |= _link_replacement(ret, account, channel_return)
        return RecordResult(ret, created=created, changed=changed)


def _lines(ret: Return, order: Order, channel_return) -> None:
    by_external = {line.external_id: line for line in OrderLine.objects.filter(order=order)}
    rows, problems = [], []
    for line in channel_return.lines:
        order_line = by_external.get(line.order_line_external_id)
        if order_line is None:
            problems.append(line.order_line_external_id)
            continue
        rows.append(ReturnLine(ret=ret, order_line=order_line, quantity=order_line.quantity,
                               external_id=line.external_id, refund_amount=line.refund_amount))
    if problems:
        raise ReturnError(f"return {ret.external_id}: line(s) {', '.join(problems)} are not lines of order "
                          f"{order.external_id}")
    ReturnLine.objects.bulk_create(rows)


def _follow_status(ret: Return, channel_return) -> bool:
    """The channel's status as a timeline step (once per status); the first decision's time."""
    status = channel_return.channel_status
    added = _event(ret, kind="channel_status", at=channel_return.updated_at, actor=ret.account.get_channel_display(),
                   key=f"status:{status}", message=CHANNEL_STATUS_LABELS.get(status, status),
                   data={"channel_status": status})
    if status != PENDING and ret.decided_at is None:
        ret.decided_at = channel_return.updated_at or timezone.now()
        ret.save(update_fields=["decided_at", "updated_at"])
        added = True
    return added


def _follow_records(ret: Return, records) -> bool:
    """Each channel record as a timeline step (once); the first decision's time from the records."""
    added = False
    decisions = [r.at for r in records if r.at and r.role in ("SELLER", "SYSTEM")
                 and ("APPROVE" in r.event or "REJECT" in r.event)]
    if decisions and (ret.decided_at is None or min(decisions) < ret.decided_at):
        ret.decided_at = min(decisions)
        ret.save(update_fields=["decided_at", "updated_at"])
        added = True
    for record in records:
        text = " · ".join(part for part in (record.description, record.reason_text, record.note) if part)
        added |= _event(ret, kind="channel_record", at=record.at, actor=record.role.title() or "Channel",
                        key=record.key, message=text or record.event, data={"event": record.event})
        if record.auto_approval and not ret.auto_approved:
            decided_by_seller = ReturnDecision.objects.filter(ret=ret, state=ReturnDecision.State.SENT).exists()
            ret.auto_approved = not decided_by_seller
            ret.decided_at = ret.decided_at or record.at
            ret.save(update_fields=["auto_approved", "decided_at", "updated_at"])
            _event(ret, kind="auto_approved", at=record.at, actor=ret.account.get_channel_display(),
                   key=f"auto:{record.key}", message="Approved by the channel: the deadline passed without a "
                                                     "decision")
            added = True
    return added


def _link_replacement(ret: Return, account, channel_return) -> bool:
    """Link the replacement (or exchange) order the channel created, once it is in SellerHub."""
    if ret.replacement_order_id:
        return False
    replacement = None
    if channel_return.replacement_order_id:
        replacement = Order.objects.filter(account=account, external_id=channel_return.replacement_order_id).first()
    if replacement is None and ret.kind == "replacement":
        replacement = (Order.objects.filter(account=account, raw__replaced_order_id=ret.order.external_id)
                       .exclude(pk=ret.order_id).order_by("pk").first())
    if replacement is None:
        return False
    ret.replacement_order = replacement
    ret.save(update_fields=["replacement_order", "updated_at"])
    _event(ret, kind="replacement", actor=account.get_channel_display(), key=f"replacement:{replacement.external_id}",
           message=f"Replacement order {replacement.external_id} created; it ships like any order")
    return True
