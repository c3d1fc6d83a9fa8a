"""Tracking uploads: the outbox row (``TrackingPush``) of a shipped package's tracking number,
written in the shipping transaction and announced on commit through ``fulfilment.hooks`` (the
channels app uploads it), and the upload's result as the channel job reports it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fulfilment import hooks
from fulfilment.models import Package, TrackingPush
from fulfilment.services.locks import tracking_pushes
from integrations.channels.connectors import CONNECTORS

MAX_ERROR = 4000


def queue_tracking_push(*, package: Package, user=None, on_demand: bool = False) -> TrackingPush | None:
    """Queue the upload of a shipped package's tracking to its channel (inside the caller's
    transaction when there is one: the upload starts after commit). Returns None (and queues
    nothing) for packages with nothing to push (no tracking number, manual orders, channels
    without a connector)."""
    order = package.order
    if not package.tracking_number or order.account.channel not in CONNECTORS:
        return None
    with transaction.atomic():
        push, created = tracking_pushes().get_or_create(
            package=package, defaults={"tracking_number": package.tracking_number})
        if not created:
            if push.status == TrackingPush.Status.PUSHED and push.tracking_number == package.tracking_number:
                return push  # already on the channel
            TrackingPush.objects.filter(pk=push.pk).update(tracking_number=package.tracking_number,
                                                           status=TrackingPush.Status.PENDING, queued_at=timezone.now())
            push.refresh_from_db()
        hooks.tracking_queued(package.pk, on_demand=on_demand)
    return push


def record_tracking_result(*, push: TrackingPush, number: str, error: Exception | str | None = None,
                           reference: str = "") -> None:
    """Keep the outcome of an upload: pushed (with the channel's reference) or failed (retryable
    when the error says so)."""
    now = timezone.now()
    if error is None:
        TrackingPush.objects.filter(pk=push.pk).update(status=TrackingPush.Status.PUSHED, pushed_at=now,
                                                       attempts=F("attempts") + 1, last_error="", retryable=False,
                                                       channel_reference=reference[:100], tracking_number=number)
    else:
        TrackingPush.objects.filter(pk=push.pk).update(status=TrackingPush.Status.FAILED, attempts=F("attempts") + 1,
                                                       last_error=str(error)[:MAX_ERROR],
                                                       retryable=bool(getattr(error, "retryable", False)))
