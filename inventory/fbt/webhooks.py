"""TikTok's FBT and logistics notifications: ``POST /webhooks/tiktok-fulfilment/<account id>``.

Register this address for the event types PACKAGE_UPDATE (4), INBOUND_FBT_ORDER_STATUS_CHANGE
(21), FBT_INVENTORY_UPDATE (24) and INVENTORY_STATUS_CHANGE (27) (TikTok keeps one address per
event type; the order notifications go to channel sync's ``/webhooks/tiktok/<account id>``).

Public: the signature is the authentication (``Authorization`` = hex HMAC-SHA256(app secret,
app key + raw body), docs/domain/tiktok-shop.md#webhooks). A bad signature gets 401 and changes nothing;
a body over ``WEBHOOK_MAX_BODY_BYTES`` gets 413 JSON; a good signature over a body that is not a
JSON object, or a signed ``timestamp`` older than ``TIKTOK_WEBHOOK_MAX_AGE_HOURS`` (the replay
window), gets 400 JSON with the reason, and nothing is stored. A good
notification goes to the kernel's webhook inbox (source ``NOTIFICATION_SOURCE``, key = TikTok's
notification id, topic = its type), stored once per shop and notification id: a repeat answers
200 "duplicate" and does nothing more. ``dispatch``, the inbox handler of the four types,
records replenishment alerts before answering (no call to TikTok) and leaves the other types to a
job, so TikTok gets its answer well within 3 seconds.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.channels import signing
from integrations.tiktok import fbt as tiktok
from inventory.fbt import jobs, services
from inventory.fbt.models import NOTIFICATION_SOURCE
from sellerhub import inbox, webhook_input
from sellerhub.models import Channel, ChannelAccount, WebhookEvent

log = logging.getLogger("sellerhub.fbt")
HANDLED = (tiktok.PACKAGE_UPDATE, tiktok.INBOUND_STATUS, tiktok.FBT_INVENTORY, tiktok.INVENTORY_STATUS)


def dispatch(event: WebhookEvent) -> inbox.Outcome | None:
    """Inbox handler: alerts are recorded now (database only); the other types go to a job."""
    try:
        done = jobs.handle_inline(event)
    except (tiktok.FbtError, services.InboundError) as exc:
        return inbox.Outcome.failed(str(exc))
    if done is None:
        jobs.enqueue_notification(event.pk)
        return None
    return inbox.Outcome(done[0], done[1])


def register_handlers() -> None:
    """Called once from the app's ready(): the four handled types."""
    for kind in HANDLED:
        inbox.register(NOTIFICATION_SOURCE, dispatch, topic=str(kind))


def _verify(account, request, body: bytes) -> dict | None:
    """The signed notification, None for a bad signature; ``webhook_input.Refused`` (400) for a
    good signature over a bad body or outside the replay window."""
    creds = account.credentials or {}
    if not creds.get("app_key") or not creds.get("app_secret"):
        return None
    if not signing.verify_tiktok_webhook(app_key=creds["app_key"], app_secret=creds["app_secret"],
                                         body=body, authorization=request.headers.get("Authorization")):
        return None
    payload = webhook_input.parse(body)
    if not payload.get("tts_notification_id"):
        raise webhook_input.Refused(400, "The notification was refused: it has no tts_notification_id.")
    stale = webhook_input.too_old(payload.get("timestamp"), webhook_input.tiktok_max_age_hours())
    if stale:
        raise webhook_input.Refused(400, f"The notification was refused: {stale}.")
    return payload


def _type(payload: dict) -> int:
    kind = payload.get("type")
    return kind if isinstance(kind, int) and not isinstance(kind, bool) and 0 <= kind < 32768 else 0


@csrf_exempt
def receive(request, account_id: int):
    if request.method != "POST":
        response = JsonResponse({"error": "Send notifications with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    account = ChannelAccount.objects.filter(pk=account_id, channel=Channel.TIKTOK).first()
    if account is None:
        return JsonResponse({"error": f"No TikTok account {account_id} here."}, status=404)
    try:
        payload = _verify(account, request, webhook_input.read_body(request))
    except webhook_input.Refused as exc:
        log.warning("FBT notification for %s refused: %s", account, exc)
        return exc.response()
    if payload is None:
        log.warning("FBT notification for %s refused: bad signature or shape", account)
        return JsonResponse({"error": "The notification's signature is not valid."}, status=401)
    kind = _type(payload)
    other_shop = account.shop_id and payload.get("shop_id") and str(payload["shop_id"]) != account.shop_id
    ignore = ("another shop" if other_shop else "account inactive" if not account.active
              else "" if kind in HANDLED else f"type {kind} not handled here")
    try:
        receipt = inbox.receive(source=NOTIFICATION_SOURCE, account=account, key=str(payload["tts_notification_id"]),
                                topic=str(kind), payload=payload, ignore=ignore)
    except inbox.HandlerFailed as exc:
        return JsonResponse({"error": "The notification could not be processed; send it again.",
                             "notification": exc.event.pk}, status=500)
    notification = receipt.event
    if receipt.duplicate:
        return JsonResponse({"status": "duplicate", "notification": notification.pk})
    if receipt.outcome is None:
        return JsonResponse({"status": "accepted", "notification": notification.pk})
    status = "ignored" if receipt.outcome.status == WebhookEvent.Status.IGNORED and ignore else "processed"
    return JsonResponse({"status": status, "notification": notification.pk})
