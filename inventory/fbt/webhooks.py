"""TikTok's FBT and logistics notifications: ``POST /webhooks/tiktok-fulfilment/<account id>``.

Register this address for the event types PACKAGE_UPDATE (4), INBOUND_FBT_ORDER_STATUS_CHANGE
(21), FBT_INVENTORY_UPDATE (24) and INVENTORY_STATUS_CHANGE (27) (TikTok keeps one address per
event type; the order notifications go to channel sync's ``/webhooks/tiktok/<account id>``).

Public: the signature is the authentication (``Authorization`` = hex HMAC-SHA256(app secret,
app key + raw body), tiktok-shop.md §2). A bad signature gets 401 and changes nothing. A good
notification is stored once per notification id: a repeat answers 200 "duplicate" and does
nothing more. Replenishment alerts are recorded before answering (no call to TikTok); the other
types are left to a job, so TikTok gets its answer well within 3 seconds.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.channels import signing
from inventory.fbt import jobs, services, tiktok
from inventory.fbt.models import TikTokNotification
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger("sellerhub.fbt")
HANDLED = (tiktok.PACKAGE_UPDATE, tiktok.INBOUND_STATUS, tiktok.FBT_INVENTORY, tiktok.INVENTORY_STATUS)


def _verify(account, request) -> dict | None:
    creds = account.credentials or {}
    if not creds.get("app_key") or not creds.get("app_secret"):
        return None
    if not signing.verify_tiktok_webhook(app_key=creds["app_key"], app_secret=creds["app_secret"],
                                         body=request.body, authorization=request.headers.get("Authorization")):
        return None
    try:
        payload = json.loads(request.body)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not payload.get("tts_notification_id"):
        return None
    return payload


@csrf_exempt
def receive(request, account_id: int):
    if request.method != "POST":
        response = JsonResponse({"error": "Send notifications with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    account = ChannelAccount.objects.filter(pk=account_id, channel=Channel.TIKTOK).first()
    if account is None:
        return JsonResponse({"error": f"No TikTok account {account_id} here."}, status=404)
    payload = _verify(account, request)
    if payload is None:
        log.warning("FBT notification for %s refused: bad signature or shape", account)
        return JsonResponse({"error": "The notification's signature is not valid."}, status=401)
    kind = payload.get("type")
    other_shop = account.shop_id and payload.get("shop_id") and str(payload["shop_id"]) != account.shop_id
    ignore = kind not in HANDLED or other_shop or not account.active
    with transaction.atomic():
        notification, created = services.record_notification(account=account, payload=payload)
        if not created:
            return JsonResponse({"status": "duplicate", "notification": notification.pk})
        if ignore:
            reason = "another shop" if other_shop else ("account inactive" if not account.active
                                                         else f"type {kind} not handled here")
            services.finish_notification(notification=notification, status=TikTokNotification.Status.IGNORED,
                                         message=reason)
            return JsonResponse({"status": "ignored", "notification": notification.pk})
        try:
            done = jobs.handle_inline(notification)
        except (tiktok.FbtError, services.InboundError) as exc:
            done = (TikTokNotification.Status.FAILED, str(exc))
        if done is not None:
            services.finish_notification(notification=notification, status=done[0], message=done[1])
            return JsonResponse({"status": "processed", "notification": notification.pk})
        jobs.enqueue_notification(notification.pk)
    return JsonResponse({"status": "accepted", "notification": notification.pk})
