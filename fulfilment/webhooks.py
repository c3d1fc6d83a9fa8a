"""``POST /webhooks/easypost/``: the label provider's signed events (``tracker.updated``).

Public (the signature is the authentication): ``X-Hmac-Signature`` is checked as EasyPost's own
clients check it (docs/domain/labels.md#signature, ``integrations.channels.signing``). A bad or missing signature gets
401 and changes nothing; a body over ``WEBHOOK_MAX_BODY_BYTES`` gets 413 JSON, and a good signature
over a body that is not a JSON object gets 400 JSON (nothing stored). A good event goes to the
kernel's webhook inbox (source = the provider's name, key = the event id). Deliveries are at-least-
once, so each event id is processed once: a repeat answers 200 "duplicate". ``handle_event``, the
inbox handler, applies it at once; a failed processing answers 500, so the provider sends it again
(and the inbox processes it again).
"""

from __future__ import annotations

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from fulfilment import services
from integrations.labels import NotConfigured, ProviderError, get_provider
from sellerhub import inbox, webhook_input
from sellerhub.models import WebhookEvent

log = logging.getLogger("sellerhub.fulfilment")

SOURCE = "easypost"  # the provider's name: the inbox source of its events


def handle_event(event: WebhookEvent) -> inbox.Outcome:
    """Inbox handler of the label provider's events: tracker updates move the packages."""
    data = get_provider().parse_event(json.dumps(event.payload).encode())
    status, message = services.process_provider_event(event=data, source=event.source)
    return inbox.Outcome(status, message)


def register_handlers() -> None:
    """Called once from the app's ready()."""
    inbox.register(SOURCE, handle_event)


@csrf_exempt
def easypost(request):
    if request.method != "POST":
        response = JsonResponse({"error": "Send events with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        provider = get_provider()
    except NotConfigured:
        return JsonResponse({"error": "No label provider is configured here."}, status=404)
    try:
        body = webhook_input.read_body(request)
    except webhook_input.Refused as exc:
        return exc.response()
    if not provider.verify_webhook(dict(request.headers), body):
        log.warning("EasyPost webhook refused: bad or missing signature")
        return JsonResponse({"error": "The event's signature is not valid."}, status=401)
    try:
        webhook_input.parse(body)  # the one JSON reader first: bounded depth, JSON object only
        event = provider.parse_event(body)
    except webhook_input.Refused as exc:
        log.warning("EasyPost webhook refused: %s", exc)
        return exc.response()
    except ProviderError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        receipt = inbox.receive(source=provider.name, key=event.id[:64], topic=event.description, payload=event.raw)
    except inbox.HandlerFailed:  # kept as failed and retryable: EasyPost sends it again
        return JsonResponse({"error": "The event could not be processed; send it again."}, status=500)
    record = receipt.event
    if receipt.duplicate:
        return JsonResponse({"status": "duplicate", "event": record.key})
    return JsonResponse({"status": record.status, "event": record.key, "message": record.message})
