"""Sending a seller's cancellation to the order's channel: ``push_cancellation(cancellation_id)``
sends one ``SellerCancellation`` outbox row through the account's connector
(``Connector.push_cancellation``), once, and writes the answer back on the row and the order's
timeline (``orders.services.seller_cancellation``).

Queued on commit of the cancellation (the hook ``register_cancellation_queued``, registered in
``channels/startup.py``) as a tracked job (``push_cancellation_job``: its JobRun fails when the
channel refused, so the record tells the truth); a row left queued (Redis down, a lost job) is
sent again by ``sweep``. A channel without the call (Etsy) never gets here: its row says "cancel
it on the channel" and the pull follows the channel's status. Sending twice is harmless: the
connectors look at the order first and send the same idempotency key on every try.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from channels import coordination
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError
from integrations.channels.connectors.base import CancellationPush
from integrations.tiktok.client import TikTokError
from orders.models import SellerCancellation
from orders.services import seller_cancellation
from sellerhub.jobs import enqueue_job, progress, tracked

log = logging.getLogger("channels")

JOB_KIND = "channels.push_cancellation"
QUEUE = "sync"
State = SellerCancellation.State


def push_cancellation(cancellation_id: int) -> dict:
    """Send one queued (or failed) seller cancellation to its channel; a no-op once sent."""
    lock = coordination.AccountLock("cancellation", cancellation_id)
    if not lock.acquire(wait=5):
        return {"message": "another job is sending this cancellation", "skipped": True}
    try:
        return _push_locked(cancellation_id)
    finally:
        lock.release()


def _push_locked(cancellation_id: int) -> dict:
    row = seller_cancellation.start_attempt(cancellation_id=cancellation_id)
    if row is None:
        return {"message": "nothing to send: the cancellation was already sent or is not for this channel",
                "already": True}
    order = row.order
    push = CancellationPush(order_external_id=order.external_id, reason=row.reason, note=row.note,
                            line_external_ids=tuple(row.line_external_ids), idempotency_key=row.idempotency_key)
    connector = None
    try:
        connector = open_connector(order.account)
        outcome = connector.push_cancellation(push)
    except (ChannelError, TikTokError) as exc:  # TikTok's calls go through integrations.tiktok.client
        seller_cancellation.record_result(cancellation_id=row.pk, error=str(exc), retryable=exc.retryable)
        return {"message": f"Order {order.external_id} not cancelled on {order.account.get_channel_display()}: "
                           f"{exc}", "failed": True}
    except NotImplementedError:
        seller_cancellation.record_result(cancellation_id=row.pk, error="this channel has no cancellation call")
        return {"message": "this channel has no cancellation call", "failed": True}
    finally:
        if connector is not None:
            connector.close()
    seller_cancellation.record_result(cancellation_id=row.pk, reference=outcome.reference,
                                      channel_status=outcome.status, already=outcome.already)
    what = "was already cancelled" if outcome.already else "cancelled"
    return {"message": f"Order {order.external_id} {what} on {order.account.get_channel_display()}",
            "reference": outcome.reference, "already": outcome.already}


@tracked
def push_cancellation_job(run_id: int, cancellation_id: int) -> dict:
    progress(run_id, 10, "Sending the cancellation to the channel")
    result = push_cancellation(cancellation_id)
    if result.get("failed"):
        raise RuntimeError(result["message"])
    return result


def enqueue_cancellation_push(cancellation_id: int) -> None:
    """The orders hook: a seller cancellation was committed; send it (a JobRun records the job).
    A row already settled by then (the channel had the order cancelled) needs no job."""
    if not SellerCancellation.objects.filter(pk=cancellation_id, state=State.QUEUED).exists():
        return
    try:
        enqueue_job(kind=JOB_KIND, func=push_cancellation_job, args=[cancellation_id], queue=QUEUE,
                    message="Waiting to send the cancellation")
    except Exception as exc:  # Redis down: the row stays queued for the sweep
        log.warning("could not queue the cancellation push %s (%s); the next sweep will", cancellation_id, exc)


def sweep(*, now: dt.datetime | None = None) -> dict:
    """Every few minutes: send again the cancellations still queued after two minutes (a lost job)."""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=2)
    ids = list(SellerCancellation.objects.filter(state=State.QUEUED, queued_at__lt=cutoff)
               .values_list("pk", flat=True)[:500])
    for pk in ids:
        enqueue_cancellation_push(pk)
    return {"cancellations": len(ids)}
