"""Decisions on a channel return: the Owner approves, rejects (with one of the channel's reasons),
offers a partial refund or approves a replacement; the warehouse's inspection accepts the returned
package. Each decision is a ``ReturnDecision`` row (pending, with its idempotency key) written with
its timeline step in one transaction; on commit the decision-queued hook tells the sender (the
channels app registers ``channels.returns_sync.enqueue_decision``). The sender reports back with
``decision_sent`` / ``decision_failed``. docs/after-sales/returns.md#decisions"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from integrations.tiktok.returns import REJECT_REASONS
from orders.models import Return, ReturnDecision, ReturnDecisionKind
from orders.services.errors import ReturnError
from orders.services.locks import lock_return
from orders.services.returns.channel import add_event
from orders.services.timeline import acting_user

log = logging.getLogger("orders")
D = ReturnDecisionKind
# Which decisions the channel accepts in which of its statuses, by return kind (None: any kind).
POSSIBLE = {
    "RETURN_OR_REFUND_REQUEST_PENDING": {
        D.APPROVE_RETURN: "return_and_refund", D.APPROVE_REFUND: "refund_only",
        D.APPROVE_REPLACEMENT: "replacement", D.OFFER_PARTIAL_REFUND: None,
        D.REJECT_RETURN: "return_and_refund", D.REJECT_REFUND: "refund_only", D.REJECT_REPLACEMENT: "replacement",
    },
    "BUYER_SHIPPED_ITEM": {D.APPROVE_RECEIVED_PACKAGE: None, D.REJECT_RECEIVED_PACKAGE: None},
}
REJECTIONS = (D.REJECT_RETURN, D.REJECT_REFUND, D.REJECT_REPLACEMENT, D.REJECT_RECEIVED_PACKAGE)
_queued_listeners: list = []


def register_return_decision_queued(callback) -> None:
    """``callback(decision_id)`` runs after a decision is committed (the sender). With none
    registered, decisions stay pending (and say so on the return's page)."""
    if callback not in _queued_listeners:
        _queued_listeners.append(callback)


def _fire(decision_id: int) -> None:
    for callback in list(_queued_listeners):
        try:
            callback(decision_id)
        except Exception as exc:  # Redis down: the sweep sends pending decisions later
            log.warning("could not queue return decision %s (%s); the sweep will", decision_id, exc)


def possible_decisions(ret: Return) -> list[str]:
    """The decisions the channel accepts now (none while one is waiting to be sent)."""
    if ret.account_id is None:
        return []
    options = POSSIBLE.get(ret.channel_status, {})
    return [d for d, kind in options.items() if kind is None or kind == ret.kind]


def decide_return(*, ret: Return, decision: str, user=None, reject_reason: str = "", comment: str = "",
                  partial_refund=None, actor: str = "") -> ReturnDecision:
    """Queue ``decision`` on the channel return ``ret``; ReturnError says why it can't be."""
    if decision not in D.values:
        raise ReturnError(f'"{decision}" is not a decision on a return.')
    comment = (comment or "").strip()[:500]
    amount = None
    if decision == D.OFFER_PARTIAL_REFUND:
        try:
            amount = Decimal(str(partial_refund)).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            raise ReturnError(f"{partial_refund!r} is not an amount; say how much to offer.") from None
        if not amount.is_finite() or amount <= 0:
            raise ReturnError("The partial refund must be more than 0.")
    if decision in REJECTIONS and reject_reason not in REJECT_REASONS:
        raise ReturnError("Choose one of the channel's reasons to reject.")
    with transaction.atomic():
        locked = lock_return(ret, with_order=True)
        if locked.account_id is None:
            raise ReturnError(f"Return {locked.pk} is a local return; there is no channel to decide with.")
        if ReturnDecision.objects.filter(ret=locked, state=ReturnDecision.State.PENDING).exists():
            raise ReturnError(f"Return {locked.pk} already has a decision waiting to be sent.")
        if decision not in possible_decisions(locked):
            now = locked.get_kind_display().lower()
            raise ReturnError(f"{D(decision).label} is not possible on this {now} now "
                              f"(the channel says {locked.channel_status or 'nothing yet'}).")
        if amount is not None and locked.refund_total and amount > locked.refund_total:
            raise ReturnError(f"The partial refund ({amount}) can't exceed the refund asked for "
                              f"({locked.refund_total}).")
        row = ReturnDecision.objects.create(ret=locked, decision=decision, reject_reason=reject_reason or "",
                                            comment=comment, partial_refund=amount,
                                            idempotency_key=f"sellerhub-return-{locked.pk}-{uuid.uuid4().hex}",
                                            requested_by=acting_user(user))
        words = D(decision).label + (f" ({amount} {locked.currency})" if amount is not None else "")
        if reject_reason:
            words += f": {REJECT_REASONS[reject_reason]}"
        add_event(locked, kind="decision", user=acting_user(user), actor=actor or getattr(user, "username", "") or
                  "system", message=f"{words}; sending to {locked.account.get_channel_display()}",
                  data={"decision": row.pk})
        transaction.on_commit(lambda: _fire(row.pk))
        return row


def decision_sent(*, decision_id: int, read_back: bool = False) -> ReturnDecision:
    """The channel has the decision (its answer, or the return read back after a lost answer)."""
    with transaction.atomic():
        row = ReturnDecision.objects.select_for_update(of=("self",)).select_related("ret").get(pk=decision_id)
        if row.state == ReturnDecision.State.SENT:
            return row
        row.state, row.sent_at, row.error = ReturnDecision.State.SENT, timezone.now(), ""
        row.save(update_fields=["state", "sent_at", "error"])
        ret = lock_return(row.ret_id)
        if ret.decided_at is None and row.decision != D.APPROVE_RECEIVED_PACKAGE:
            ret.decided_at = row.sent_at
            ret.save(update_fields=["decided_at", "updated_at"])
        how = " (read back after a lost answer)" if read_back else ""
        add_event(ret, kind="decision_sent", actor=ret.account.get_channel_display(), key=f"sent:{row.pk}",
                  message=f"{ret.account.get_channel_display()} accepted: {row.get_decision_display()}{how}")
        return row


def decision_attempted(*, decision_id: int) -> int:
    """Count one sending attempt (before the call); the attempts so far."""
    with transaction.atomic():
        row = ReturnDecision.objects.select_for_update(of=("self",)).get(pk=decision_id)
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return row.attempts


def decision_failed(*, decision_id: int, error: str, final: bool) -> ReturnDecision:
    """The channel refused the decision (``final``) or could not be reached (retried later)."""
    with transaction.atomic():
        row = ReturnDecision.objects.select_for_update(of=("self",)).select_related("ret").get(pk=decision_id)
        if row.state == ReturnDecision.State.SENT:
            return row
        row.error = error[:500]
        if final:
            row.state = ReturnDecision.State.FAILED
        row.save(update_fields=["state", "error"])
        if final:
            add_event(row.ret, kind="decision_failed", actor=row.ret.account.get_channel_display(),
                      key=f"failed:{row.pk}", message=f"{row.get_decision_display()} was refused: {error}"[:500])
        return row
