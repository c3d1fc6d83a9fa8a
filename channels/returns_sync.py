"""TikTok returns in SellerHub: pulled (``pull_returns``: every few minutes, and for the return a
notification names: types 12 return status, 64 after-sales update, 65 return tracking (RMA), 67
refund success) and the Owner's decisions sent back (``send_decision``).

- The pull asks ``returns/search`` for returns updated since the newest one stored (minus a margin;
  60 days the first time), reads each changed return's records, fetches the order first if it is
  not stored yet, and records them through ``orders.services.record_channel_return``, which
  changes nothing for a return seen before.
- ``send_decision_job(run_id, decision_id)`` is a tracked job (its JobRun says what happened).
  A decision is sent once with its idempotency key; when the answer is lost (timeout, 5xx) the
  next attempt first reads the return back: if TikTok shows the decision applied, it is marked
  sent without sending it again. ``sweep_decisions`` (cron) requeues decisions left pending.
docs/after-sales/returns.md
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Max
from django.utils import timezone

from channels import coordination
from channels.pulls import store_missing_orders
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError
from integrations.channels.connectors.tiktok import RETURN_EVENTS
from integrations.tiktok import returns as tiktok_returns
from integrations.tiktok.client import TikTokError
from orders import services as order_services
from orders.models import Return, ReturnDecision
from sellerhub import inbox
from sellerhub.jobs import enqueue_job, progress, tracked
from sellerhub.models import ChannelAccount, WebhookEvent

log = logging.getLogger("channels")

JOB_KIND = "channels.send_return_decision"
PULL_KIND = "channels.pull_returns"
QUEUE = "sync"
MARGIN = dt.timedelta(minutes=5)
FIRST_WINDOW = dt.timedelta(days=60)
MAX_ATTEMPTS = 5


def _since(account: ChannelAccount) -> int:
    newest = Return.objects.filter(account=account).aggregate(m=Max("channel_updated_at"))["m"]
    start = (newest - MARGIN) if newest else (timezone.now() - FIRST_WINDOW)
    return int(start.timestamp())


def _store(account, connector, found) -> dict:
    """Record the returns ``found`` (ChannelReturn): their orders first, then each with its records."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    problems = []
    # The returned orders and the replacement orders TikTok created.
    wanted = {r.order_external_id for r in found} | {r.replacement_order_id for r in found if r.replacement_order_id}
    store_missing_orders(account, wanted, connector=connector, source="returns")
    for channel_return in found:
        records = tiktok_returns.fetch_records(connector, channel_return.external_id)
        try:
            result = order_services.record_channel_return(account=account, channel_return=channel_return,
                                                          records=records)
        except order_services.ReturnError as exc:
            result = order_services.RecordResult(None, problem=str(exc))
        if result.ret is None:
            counts["rejected"] += 1
            problems.append(f"{channel_return.external_id}: {result.problem}")
        else:
            counts["created" if result.created else "updated" if result.changed else "unchanged"] += 1
    return {**counts, "problems": problems}


def pull_returns(account: ChannelAccount, *, return_ids=()) -> dict:
    """Pull the account's changed returns (or ``return_ids``) and record them."""
    if account.channel != "tiktok":
        return {"message": "returns are pulled from TikTok Shop only", "skipped": True}
    connector = open_connector(account)
    try:
        filters = {"return_ids": list(return_ids)} if return_ids else {"update_time_ge": _since(account)}
        found, rejected = tiktok_returns.search_returns(connector, **filters)
        result = _store(account, connector, found)
    finally:
        connector.close()
    result["rejected"] += len(rejected)
    result["problems"] += [f"{ext}: {why}" for ext, why in rejected]
    return result


@tracked
def pull_returns_job(run_id: int, account_id: int) -> dict:
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "the account is gone or inactive: nothing pulled"}
    lock = coordination.AccountLock("returns", account_id)
    if not lock.acquire(wait=5):
        return {"message": "another pull of this account's returns is running", "skipped": True}
    try:
        progress(run_id, 10, "Asking TikTok for changed returns")
        result = pull_returns(account)
    finally:
        lock.release()
    message = ", ".join(f"{k} {v}" for k, v in result.items() if k != "problems" and v)
    if result.get("problems"):
        raise RuntimeError(f"{message}; refused: {'; '.join(result['problems'])[:400]}")
    return {**result, "message": message or "nothing changed"}


def pull_all_returns() -> int:
    """Cron: a returns pull per active TikTok account."""
    accounts = list(ChannelAccount.objects.filter(active=True, channel="tiktok").values_list("pk", flat=True))
    for account_id in accounts:
        enqueue_job(kind=PULL_KIND, func=pull_returns_job, args=[account_id], queue=QUEUE,
                    message="Waiting to pull TikTok returns")
    return len(accounts)


def is_return_notification(delivery: WebhookEvent) -> bool:
    body = delivery.payload if isinstance(delivery.payload, dict) else {}
    return delivery.account is not None and delivery.account.channel == "tiktok" and body.get("type") in RETURN_EVENTS


def process_return_notification(delivery: WebhookEvent) -> dict:
    """The return a notification names, pulled and recorded; the delivery finished truthfully."""
    data = (delivery.payload or {}).get("data") or {}
    return_id = str(data.get("return_id") or "")
    if not return_id:
        inbox.finish(event=delivery, outcome=inbox.Outcome.processed("no return_id: nothing to do"))
        return {"message": "no return_id"}
    try:
        result = pull_returns(delivery.account, return_ids=[return_id])
    except (ChannelError, TikTokError) as exc:
        inbox.finish(event=delivery, outcome=inbox.Outcome.failed(str(exc)))
        return {"message": str(exc), "failed": True}
    message = f"return {return_id}: " + (", ".join(f"{k} {v}" for k, v in result.items()
                                                  if k != "problems" and v) or "nothing changed")
    inbox.finish(event=delivery, outcome=inbox.Outcome.processed(message, error="\n".join(result["problems"])))
    return {**result, "message": message}


# ---------------------------------------------------------------------------------------------
# Decisions


def enqueue_decision(decision_id: int) -> None:
    """The decision-queued hook (registered in ``channels/startup.py``): send it in a job."""
    enqueue_job(kind=JOB_KIND, func=send_decision_job, args=[decision_id], queue=QUEUE,
                message="Waiting to send the decision to TikTok")


def send_decision(decision_id: int) -> dict:
    """Send one pending decision; a no-op once sent or refused."""
    row = ReturnDecision.objects.select_related("ret__account").filter(pk=decision_id).first()
    if row is None or row.state != ReturnDecision.State.PENDING:
        return {"message": "nothing to send: the decision was already sent or refused", "already": True}
    ret = row.ret
    connector = open_connector(ret.account)
    try:
        if row.attempts:  # an earlier answer was lost: did TikTok apply it?
            current = tiktok_returns.fetch_return(connector, ret.external_id)
            if current is not None and tiktok_returns.reached(row.decision, current.channel_status):
                order_services.decision_sent(decision_id=row.pk, read_back=True)
                _refresh(ret.account, connector, ret.external_id)
                return {"message": f"{row.decision} was already applied on TikTok (read back)", "read_back": True}
        order_services.decision_attempted(decision_id=row.pk)
        try:
            tiktok_returns.send_decision(
                connector, return_id=ret.external_id, decision=row.decision, idempotency_key=row.idempotency_key,
                reject_reason=row.reject_reason, comment=row.comment, partial_refund=row.partial_refund,
                currency=ret.currency)
        except TikTokError as exc:
            final = not exc.retryable or row.attempts + 1 >= MAX_ATTEMPTS
            order_services.decision_failed(decision_id=row.pk, error=str(exc), final=final)
            if final:
                raise
            return {"message": f"not sent yet ({exc}); the sweep tries again", "retry": True}
        order_services.decision_sent(decision_id=row.pk)
        _refresh(ret.account, connector, ret.external_id)
    finally:
        connector.close()
    return {"message": f"{row.decision} sent to TikTok"}


def _refresh(account, connector, return_id: str) -> None:
    found = tiktok_returns.fetch_return(connector, return_id)
    if found is not None:
        _store(account, connector, [found])


@tracked
def send_decision_job(run_id: int, decision_id: int) -> dict:
    lock = coordination.AccountLock("return-decision", decision_id)
    if not lock.acquire(wait=5):
        return {"message": "another job is sending this decision", "skipped": True}
    try:
        progress(run_id, 20, "Sending the decision to TikTok")
        return send_decision(decision_id)
    finally:
        lock.release()


def sweep_decisions() -> int:
    """Cron: decisions still pending after a minute are sent again (a lost job, a lost answer)."""
    cutoff = timezone.now() - dt.timedelta(minutes=1)
    ids = list(ReturnDecision.objects.filter(state=ReturnDecision.State.PENDING, created_at__lt=cutoff)
               .values_list("pk", flat=True)[:200])
    for decision_id in ids:
        enqueue_decision(decision_id)
    return len(ids)
