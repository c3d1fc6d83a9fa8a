"""The work behind a verified channel notification: ``process_webhook_job(delivery_id)``
fetches (or takes from the notification) the orders it names and stores them; on a channel
error it asks for a pull instead (the cursor catches the change anyway).
"""

from __future__ import annotations

from channels.job_requests import request_pull
from channels.models import SyncRun
from channels.pulls import store_payloads
from channels.token_refresh import open_connector
from integrations.channels.connectors import CONNECTORS, ChannelError
from integrations.channels.connectors.etsy import receipt_id_from
from sellerhub import inbox
from sellerhub.models import WebhookEvent

Trigger = SyncRun.Trigger


def process_webhook(delivery: WebhookEvent) -> dict:
    """Fetch (or take from the notification) the orders it names and store them; on a channel
    error, ask for a pull instead (the cursor catches the change anyway)."""
    account = delivery.account
    order_ids, payloads = _webhook_targets(account, delivery.payload)
    connector = None
    try:
        if order_ids and not payloads:
            connector = open_connector(account)
            payloads = connector.fetch_order_payloads(order_ids)
        result = store_payloads(account, payloads, connector=connector, source="webhook")
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
