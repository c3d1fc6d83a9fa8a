"""TikTok's authorisation webhooks in the emulator: type 6 SELLER_DEAUTHORIZATION (the seller
removed the app) and type 7 UPCOMING_AUTHORIZATION_EXPIRATION (sent daily from 30 days before the
authorisation ends), with the public body ``{type, tts_notification_id, shop_id, timestamp,
data}``: ``data`` is ``{message}`` for 6 and ``{message, expiration_time}`` for 7
(docs/domain/tiktok-shop.md#webhooks). Signed like every TikTok notification.

Steering over HTTP (no auth, never faulted), each sending one signed notification to the address
registered for its event type (``PUT /event/202309/webhooks``) or to ``address`` in the body, and
answering with the delivery (the receiver's status):

- ``POST /tiktok/_authorization/deauthorize``  ``{"message"?, "address"?}``
- ``POST /tiktok/_authorization/expiring``     ``{"days": 30, "message"?, "address"?}``
"""

from __future__ import annotations

import json
from typing import Any

from integrations.channels import signing

from .routing import Request, Response

DEAUTHORIZATION, EXPIRING = "SELLER_DEAUTHORIZATION", "UPCOMING_AUTHORIZATION_EXPIRATION"
TYPES = {DEAUTHORIZATION: 6, EXPIRING: 7}


def build_notice(service, event: str, data: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of a signed type 6 or 7 notification for the emulated shop."""
    payload = {"type": TYPES[event], "tts_notification_id": str(next(service._notification_seq)),
               "shop_id": service.creds.tiktok_shop_id, "timestamp": service.now(), "data": data}
    body = json.dumps(payload, separators=(",", ":")).encode()
    sig = signing.tiktok_webhook_signature(app_key=service.creds.tiktok_app_key,
                                           app_secret=service.creds.tiktok_app_secret, body=body)
    return {"Authorization": sig, "Content-Type": "application/json"}, body


def _send(service, req: Request, event: str, data: dict[str, Any]) -> Response:
    body = req.json_object() if req.body else {}
    address = body.get("address") or (service.webhooks.get(event) or {}).get("address")
    if not address:
        return Response.json({"error": f"No webhook address registered for {event}; PUT /event/202309/webhooks "
                                       f"or send an address."}, status=400)
    headers, raw = build_notice(service, event, data)
    delivery = service.hub.webhooks.emit(service.name, event, address, headers, raw)
    service.hub.webhooks.flush(timeout=10.0)
    service.record("authorization_webhook", event=event, data=data, status=delivery.status)
    return Response.json({"event": event, "type": TYPES[event], "address": address, "status": delivery.status,
                          "error": delivery.error, "body": json.loads(raw)})


def deauthorize(service, req: Request) -> Response:
    body = req.json_object() if req.body else {}
    shop = service.creds.tiktok_shop_id
    message = body.get("message") or f"Shop_id {shop} is deauthorized from your APP by merchant."
    return _send(service, req, DEAUTHORIZATION, {"message": message})


def expiring(service, req: Request) -> Response:
    body = req.json_object() if req.body else {}
    days = int(body.get("days") or 30)
    expires = service.now() + days * 86400
    message = body.get("message") or f"The authorization of shop {service.creds.tiktok_shop_id} expires in {days} days."
    return _send(service, req, EXPIRING, {"message": message, "expiration_time": expires})


def register_routes(service) -> None:
    service.route("POST", "/_authorization/deauthorize", lambda req: deauthorize(service, req), auth=False,
                  faultable=False)
    service.route("POST", "/_authorization/expiring", lambda req: expiring(service, req), auth=False,
                  faultable=False)
