"""Buyer cancellation requests with the channels (TikTok; docs/after-sales/cancellation-requests.md):

- ``pull_cancellations(account)``: TikTok's ``cancellations/search`` (changed since the newest
  request SellerHub holds, or the last 30 days), each stored through the orders services (the same
  data twice changes nothing); an order SellerHub does not have yet is fetched first;
- ``on_notification``: notification 11 (CANCELLATION_STATUS_CHANGE) pulls that order's requests;
- ``send_decision_job(request_id)``: sends the seller's decision with its idempotency key (a lost
  answer is read back before the decision is sent again) and records TikTok's answer on the
  request and the order's timeline;
- ``pull_all_cancellations`` (scheduled): every TikTok account's pull, and decisions whose job was
  lost sent again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from channels import coordination, selectors
from channels.job_requests import enqueue
from channels.pulls import store_missing_orders
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError
from integrations.tiktok import cancellations as tiktok
from integrations.tiktok.client import TikTokError
from orders import cancellation_selectors
from orders.models import CancellationDecision, CancellationRequest, DecisionDelivery
from orders.services import cancellation_requests as services
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger("channels")

SEND_DECISION_JOB = "channels.cancellation_requests.send_decision_job"
PULL_JOB = "channels.cancellation_requests.pull_cancellations_job"
FIRST_PULL = dt.timedelta(days=30)
OVERLAP = dt.timedelta(minutes=10)
NOTIFICATION_TYPE = 11


def to_channel_cancellation(found: tiktok.Cancellation) -> services.ChannelCancellation:
    """TikTok's cancellation in SellerHub's words (pending, approved, closed)."""
    if found.status == tiktok.PENDING:
        outcome = "pending"
    elif found.status in tiktok.APPROVED_STATUSES:
        outcome = "approved"
    else:
        outcome = "closed"
    return services.ChannelCancellation(
        external_id=found.cancel_id, order_external_id=found.order_id, outcome=outcome, channel_status=found.status,
        initiator=found.role, reason=found.reason, requested_at=found.requested_at, updated_at=found.updated_at,
        respond_by=found.respond_by, refund_total=found.refund_total, currency=found.currency,
        line_ids=found.line_ids, rejected=bool(found.reject_reason))


def _since(account: ChannelAccount) -> dt.datetime:
    newest = (CancellationRequest.objects.filter(account=account, channel_updated_at__isnull=False)
              .order_by("-channel_updated_at").values_list("channel_updated_at", flat=True).first())
    return newest - OVERLAP if newest else timezone.now() - FIRST_PULL


def store(account: ChannelAccount, found: list[tiktok.Cancellation], connector) -> dict:
    """Store TikTok's cancellations; orders SellerHub lacks are fetched and stored first."""
    counts = {"cancellation_requests_seen": len(found), "cancellation_requests_changed": 0}
    store_missing_orders(account, {c.order_id for c in found}, connector=connector, source="sync")
    for item in found:
        request, changed = services.record_from_channel(account=account, data=to_channel_cancellation(item))
        counts["cancellation_requests_changed"] += int(changed)
        if request is None:
            log.warning("cancellation %s of %s: order %s not found", item.cancel_id, account, item.order_id)
    return counts


def pull_cancellations(account: ChannelAccount, *, order_ids=(), connector=None) -> dict:
    """Pull the account's changed cancellations (or those of ``order_ids``) and store them."""
    own = connector is None
    connector = connector or open_connector(account)
    try:
        if order_ids:
            found = tiktok.search(connector, order_ids=list(order_ids))
        else:
            found = tiktok.search(connector, updated_since=_since(account))
        return store(account, found, connector)
    finally:
        if own:
            connector.close()


def pull_cancellations_job(account_id: int) -> dict:
    account = ChannelAccount.objects.filter(pk=account_id, channel=Channel.TIKTOK, active=True).first()
    if account is None:
        return {"message": "no active TikTok account"}
    lock = coordination.AccountLock("cancellations", account.pk)
    if not lock.acquire(wait=5):
        return {"message": "another job is pulling this account's cancellation requests", "skipped": True}
    try:
        return pull_cancellations(account)
    except (ChannelError, TikTokError) as exc:
        return {"message": f"cancellation requests not pulled: {exc}", "failed": True}
    finally:
        lock.release()


def is_cancellation_notice(account: ChannelAccount, body) -> bool:
    return (account.channel == Channel.TIKTOK and isinstance(body, dict)
            and body.get("type") == NOTIFICATION_TYPE and isinstance(body.get("data"), dict))


def on_notification(account: ChannelAccount, body, connector=None) -> dict:
    """Notification 11: pull the requests of the order it names ({} for any other notification)."""
    if not is_cancellation_notice(account, body):
        return {}
    order_id = str(body["data"].get("order_id") or "")
    if not order_id:
        return {}
    try:
        return pull_cancellations(account, order_ids=[order_id], connector=connector)
    except TikTokError as exc:
        raise ChannelError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# Decisions


def request_decision_send(request_id: int) -> None:
    """The orders services' hook: a decision was committed; send it."""
    enqueue(SEND_DECISION_JOB, request_id)


def send_decision_job(request_id: int) -> dict:
    """Send the seller's decision on one request, once; the answer goes on the request and the
    order's timeline. Safe to run twice: a decision answered already is not sent again."""
    request = CancellationRequest.objects.select_related("account").filter(pk=request_id).first()
    if request is None or request.delivery != DecisionDelivery.QUEUED:
        return {"message": "nothing to send"}
    lock = coordination.AccountLock("cancellation-decision", request.pk)
    if not lock.acquire(wait=5):
        return {"message": "another job is sending this decision", "skipped": True}
    try:
        return _send_locked(request)
    finally:
        lock.release()


def _send_locked(request: CancellationRequest) -> dict:
    request.refresh_from_db()
    if request.delivery != DecisionDelivery.QUEUED:
        return {"message": "nothing to send"}
    approve = request.decision == CancellationDecision.APPROVE
    connector = None
    try:
        connector = open_connector(request.account)
        after = tiktok.decide(connector, cancel_id=request.external_id, approve=approve,
                              idempotency_key=request.delivery_key, reason=request.reject_reason,
                              comment=request.reject_comment)
    except (TikTokError, ChannelError) as exc:
        services.record_delivery(request_id=request.pk, ok=False, error=str(exc))
        return {"message": str(exc), "failed": True}
    finally:
        if connector is not None:
            connector.close()
    data = to_channel_cancellation(after) if after is not None else None
    services.record_delivery(request_id=request.pk, ok=True, data=data)
    word = "approval" if approve else "rejection"
    return {"message": f"{word} of cancellation request {request.external_id} sent", "sent": True}


# ---------------------------------------------------------------------------------------------
# The schedule


def pull_all_cancellations() -> dict:
    """Every few minutes: pull each TikTok account's cancellation requests; send again the
    decisions whose job was lost."""
    accounts = [a for a in selectors.syncable_accounts() if a.channel == Channel.TIKTOK]
    for account in accounts:
        enqueue(PULL_JOB, account.pk)
    resend = cancellation_selectors.decisions_to_send()
    for request_id in resend:
        enqueue(SEND_DECISION_JOB, request_id)
    return {"accounts": len(accounts), "decisions": len(resend)}
