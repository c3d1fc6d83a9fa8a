"""``POST /webhooks/easypost/``: the label provider's signed events (``tracker.updated``).

Public (the signature is the authentication): ``X-Hmac-Signature`` is checked as EasyPost's own
clients check it (labels.md §5, ``integrations.channels.signing``). A bad or missing signature gets
401 and changes nothing. Deliveries are at-least-once, so each event id is processed once: a
repeat answers 200 "duplicate". A failed processing answers 500, so the provider sends it again.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from fulfilment import services
from integrations.labels import NotConfigured, ProviderError, get_provider

log = logging.getLogger("sellerhub.fulfilment")

MAX_BODY = 2 * 1024 * 1024


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
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "The event is too large."}, status=413)
    if not provider.verify_webhook(dict(request.headers), body):
        log.warning("EasyPost webhook refused: bad or missing signature")
        return JsonResponse({"error": "The event's signature is not valid."}, status=401)
    try:
        event = provider.parse_event(body)
    except ProviderError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    record, fresh = services.receive_provider_event(provider=provider.name, event=event)
    if not fresh:
        return JsonResponse({"status": "duplicate", "event": record.event_id})
    try:
        record = services.process_provider_event(record=record, event=event)
    except Exception as exc:  # keep the delivery retryable: EasyPost sends it again
        log.exception("EasyPost event %s could not be processed", event.id)
        services.fail_provider_event(record=record, error=str(exc))
        return JsonResponse({"error": "The event could not be processed; send it again."}, status=500)
    return JsonResponse({"status": record.status, "event": record.event_id, "message": record.message})
