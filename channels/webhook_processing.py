"""The work behind a verified channel notification: ``process_webhook_job(delivery_id)``
fetches (or takes from the notification) the orders it names and stores them; on a channel
error it asks for a pull instead (the cursor catches the change anyway).

TikTok's authorisation events are handled at once, in the delivery's transaction
(``process_authorization_event``, registered per topic): type 6 (the seller deauthorised the app)
marks the account as needing re-authorisation and stops its jobs; type 7 (authorisation expiring)
records the date, which the Owner's banner shows on every page (``channels.context_processors``).
"""

from __future__ import annotations

import datetime as dt

from channels import cancellation_requests, health, returns_sync
from channels.job_requests import request_pull
from channels.models import SyncRun
from channels.pulls import store_payloads
from channels.token_refresh import open_connector
from integrations.channels.connectors import CONNECTORS, ChannelError
from integrations.channels.connectors.etsy import receipt_id_from
from integrations.channels.connectors.tiktok import AUTH_EVENTS
from sellerhub import inbox
from sellerhub.models import WebhookEvent

Trigger = SyncRun.Trigger
DEAUTHORIZED, EXPIRING = AUTH_EVENTS[6], AUTH_EVENTS[7]


def process_webhook(delivery: WebhookEvent) -> dict:
    """Fetch (or take from the notification) the orders it names and store them; on a channel
    error, ask for a pull instead (the cursor catches the change anyway)."""
    if returns_sync.is_return_notification(delivery):  # TikTok 12/64/65/67: the return it names
        return returns_sync.process_return_notification(delivery)
    account = delivery.account
    order_ids, payloads = _webhook_targets(account, delivery.payload)
    connector = None
    try:
        if order_ids and not payloads:
            connector = open_connector(account)
            payloads = connector.fetch_order_payloads(order_ids)
        result = store_payloads(account, payloads, connector=connector, source="webhook")
        result["counts"].update(cancellation_requests.on_notification(account, delivery.payload, connector))
    except ChannelError as exc:
        inbox.finish(event=delivery, outcome=inbox.Outcome.failed(str(exc)))
        request_pull(account.pk, Trigger.WEBHOOK)
        return {"message": f"{exc}; a pull was requested instead", "failed": True}
    finally:
        if connector is not None:
            connector.close()
    counts = result["counts"]
    error = "\n".join(f"{ext}: {reason}" for ext, reason in result["rejected"])
    message = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to store"
    inbox.finish(event=delivery, outcome=inbox.Outcome.processed(message, error=error))
    if result["retry"]:
        request_pull(account.pk, Trigger.WEBHOOK)
    return {"message": message, **counts}


def _webhook_targets(account, body) -> tuple[list[str], list[dict]]:
    """(order ids to fetch, order payloads carried in full) of a stored notification."""
    if not isinstance(body, dict):
        return [], []
    if account.channel == "tiktok":
        data = body.get("data") or {}
        return ([str(data["order_id"])] if data.get("order_id") else []), []
    if account.channel == "woocommerce":
        return [str(body["id"])] if body.get("id") else [], [body] if "line_items" in body else []
    if account.channel == "etsy":
        receipt = receipt_id_from(str(body.get("resource_url") or ""))
        return ([receipt] if receipt else []), []
    if account.channel == "square":
        data = body.get("data") or {}
        return ([str(data["id"])] if data.get("id") else []), []
    return [], []


def process_webhook_job(delivery_id: int) -> dict:
    delivery = (WebhookEvent.objects.select_related("account")
                .filter(pk=delivery_id, source__in=list(CONNECTORS)).first())
    if delivery is None or delivery.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
        return {"message": "nothing to do (already processed)"}
    return process_webhook(delivery)


def process_authorization_event(delivery: WebhookEvent) -> inbox.Outcome:
    """TikTok type 6 or 7 for the delivery's account (inbox handler of those two topics)."""
    account = delivery.account
    body = delivery.payload if isinstance(delivery.payload, dict) else {}
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    message = str(data.get("message") or "")[:300]
    if account is None:
        return inbox.Outcome.ignored("no account")
    if delivery.topic == DEAUTHORIZED:
        health.mark_deauthorized(account=account, message=message)
        return inbox.Outcome.processed("The seller deauthorised SellerHub: the account needs re-authorisation; "
                                       "its jobs stopped.")
    expires_at = _unix_time(data.get("expiration_time"))
    if expires_at is None:
        return inbox.Outcome.ignored("authorisation expiring, but no expiration_time")
    health.note_authorization_expiry(account=account, expires_at=expires_at)
    return inbox.Outcome.processed(f"The seller's authorisation ends {expires_at:%Y-%m-%d %H:%M} UTC.")


def _unix_time(value) -> dt.datetime | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def register_authorization_handlers() -> None:
    """Called once from the app's startup: TikTok's authorisation events are handled at once."""
    for topic in (DEAUTHORIZED, EXPIRING):
        inbox.register("tiktok", process_authorization_event, topic=topic)
