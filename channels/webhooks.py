"""Webhook endpoints, one per channel and account: ``POST /webhooks/<channel>/<account id>``.

Public (the signature is the authentication): each checks the signature exactly as its channel
computes it (TikTok: ``Authorization`` = hex HMAC-SHA256(app secret, app key + body);
WooCommerce: ``X-WC-Webhook-Signature``; Square: ``x-square-hmacsha256-signature`` over the
notification URL + body; Etsy: ``webhook-signature`` over id.timestamp.body). A bad signature
gets 401 and changes nothing. Before any of that the body is bounded (``WEBHOOK_MAX_BODY_BYTES``:
413 JSON); a good signature over a body that is not a JSON object (malformed, nested too deep, an
array, null) gets 400 JSON, and nothing is stored. Replay windows: WooCommerce's delivery id is
not signed, so its deliveries are deduplicated on a digest of the signed body (a resend with a new
``X-WC-Webhook-Delivery-ID`` is a duplicate); TikTok notifications whose signed ``timestamp`` is
older than ``TIKTOK_WEBHOOK_MAX_AGE_HOURS`` are refused (400 JSON with the reason, logged). The
inbox keeps the keys ``WEBHOOK_RETENTION_DAYS``, which a system check holds above the window.
A good one goes to the kernel's webhook inbox (source = the
channel's code), stored once per notification id (a repeat answers 200 "duplicate" and does
nothing more); ``dispatch``, the inbox handler of every channel, leaves the work to a job, so the
answer is quick.
"""

from __future__ import annotations

import hashlib
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from channels import jobs
from integrations.channels.connectors import CONNECTORS, WebhookRejected
from integrations.channels.connectors.errors import WebhookMalformed
from sellerhub import inbox, webhook_input
from sellerhub.models import Channel, ChannelAccount, WebhookEvent

log = logging.getLogger("channels")

def delivery_key(channel: str, notice, body: bytes) -> str:
    """The inbox key: the channel's notification id, except for WooCommerce, whose delivery id
    is not signed: there the digest of the signed body (the same body is the same delivery)."""
    if channel == Channel.WOOCOMMERCE:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    return notice.notification_id


def dispatch(event: WebhookEvent) -> None:
    """Inbox handler of the channels' notifications: a job fetches and stores the orders."""
    jobs.enqueue_webhook(event.pk)


def register_handlers() -> None:
    """Called once from the app's startup: every channel's notifications come here."""
    for channel in CONNECTORS:
        inbox.register(channel, dispatch)


@csrf_exempt
def receive(request, channel: str, account_id: int):
    if request.method != "POST":
        response = JsonResponse({"error": "Send notifications with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    connector = CONNECTORS.get(channel)
    account = ChannelAccount.objects.filter(pk=account_id, channel=channel).first() if connector else None
    if account is None:
        return JsonResponse({"error": f"No {channel} account {account_id} here."}, status=404)
    try:
        body = webhook_input.read_body(request)
    except webhook_input.Refused as exc:
        log.warning("webhook for %s refused: %s", account, exc)
        return exc.response()
    headers = {key.lower(): value for key, value in request.headers.items()}
    try:
        notice = connector.verify_webhook(account, headers=headers, body=body, url=request.build_absolute_uri())
    except WebhookMalformed as exc:
        log.warning("webhook for %s refused: %s", account, exc)
        return JsonResponse({"error": f"The notification was refused: {exc}.", "status": 400}, status=400)
    except WebhookRejected as exc:
        log.warning("webhook for %s refused: %s", account, exc)
        return JsonResponse({"error": "The notification's signature is not valid."}, status=401)
    if not notice.notification_id:  # e.g. WooCommerce's ping when a webhook is created
        return JsonResponse({"status": "ok"})
    if channel == Channel.TIKTOK:
        stale = webhook_input.too_old((notice.body or {}).get("timestamp"), webhook_input.tiktok_max_age_hours())
        if stale:
            log.warning("TikTok notification %s for %s refused: %s", notice.notification_id, account, stale)
            return JsonResponse({"error": f"The notification was refused: {stale}.", "status": 400}, status=400)
    ignore = "account inactive" if not account.active else (
        f"{notice.topic or 'notification'}: nothing to do" if notice.ignore else "")
    receipt = inbox.receive(source=account.channel, account=account, key=delivery_key(channel, notice, body),
                            topic=notice.topic, payload=notice.body, ignore=ignore)
    if receipt.duplicate:
        return JsonResponse({"status": "duplicate", "delivery": receipt.event.pk})
    status = "ignored" if receipt.event.status == WebhookEvent.Status.IGNORED else "accepted"
    return JsonResponse({"status": status, "delivery": receipt.event.pk})
