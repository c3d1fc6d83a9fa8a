"""The webhook inbox (kernel service): every verified webhook delivery, whatever its source.

An endpoint checks the sender's signature (``integrations``), then calls ``receive``: the delivery
is stored once per (source, account, key); a repeat is answered "duplicate" and does nothing,
except that a delivery whose processing failed is processed again when it is sent again. A new
delivery goes to the handler its app registered for its source (and topic) from its
``AppConfig.ready``, so the kernel never imports the apps:

    inbox.register("easypost", handle_event)            # any topic of that source
    inbox.register("tiktok_fbt", handle_alert, topic="27")  # one topic only

A handler takes the stored ``WebhookEvent`` and returns an ``Outcome`` (done now, in the
delivery's transaction), or None when it left the work to a job, which later calls ``finish``.
An exception in a handler rolls its work back, marks the delivery failed and reaches the caller
as ``HandlerFailed`` (the endpoint answers 500, so the sender delivers it again).
``replay`` processes deliveries again (the admin's "Process again"); ``purge`` applies the one
retention rule (``WEBHOOK_RETENTION_DAYS``) to the finished deliveries. The stored deliveries are
also the dedupe keys of the replay windows, so a system check refuses a retention shorter than
the longest window (``TIKTOK_WEBHOOK_MAX_AGE_HOURS``). NUL characters are removed from a payload
before it is stored (PostgreSQL's jsonb refuses them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sellerhub import json_body, webhook_input
from sellerhub.models import ChannelAccount, WebhookEvent

log = logging.getLogger("sellerhub.inbox")

Status = WebhookEvent.Status
MAX_KEY, MAX_TOPIC, MAX_MESSAGE, MAX_ERROR = 200, 100, 500, 10_000
DEFAULT_RETENTION_DAYS = 30


class InboxError(Exception):
    """Base of the inbox's errors."""


class HandlerFailed(InboxError):
    """The handler of a delivery raised; the delivery is stored as failed."""

    def __init__(self, event: WebhookEvent, error: str):
        super().__init__(error)
        self.event = event


@dataclass(frozen=True)
class Outcome:
    """What processing a delivery did."""

    status: str
    message: str = ""
    error: str = ""

    @classmethod
    def processed(cls, message: str = "", error: str = "") -> Outcome:
        return cls(Status.PROCESSED, message, error)

    @classmethod
    def ignored(cls, message: str = "") -> Outcome:
        return cls(Status.IGNORED, message)

    @classmethod
    def failed(cls, error: str, message: str = "") -> Outcome:
        return cls(Status.FAILED, message or error, error)


@dataclass(frozen=True)
class Receipt:
    """The answer of ``receive``: the stored delivery, whether it is new, and what was done
    (None: left to a job, or nothing because it is a duplicate)."""

    event: WebhookEvent
    created: bool
    outcome: Outcome | None = None

    @property
    def duplicate(self) -> bool:
        return not self.created


Handler = Callable[[WebhookEvent], "Outcome | None"]
_handlers: dict[tuple[str, str], Handler] = {}


def register(source: str, handler: Handler, *, topic: str = "") -> None:
    """Send the deliveries of ``source`` (of one ``topic`` only, when given) to ``handler``."""
    _handlers[(source, topic)] = handler


def handler_for(source: str, topic: str = "") -> Handler | None:
    return _handlers.get((source, topic)) or _handlers.get((source, ""))


def receive(*, source: str, key: str, payload=None, topic: str = "", account: ChannelAccount | None = None,
            ignore: str = "") -> Receipt:
    """Store a verified delivery once and hand it to its handler. ``ignore`` (a reason) stores it
    as ignored without processing; so does a source or topic nobody registered."""
    key, topic = str(key)[:MAX_KEY], str(topic or "")[:MAX_TOPIC]
    handler = handler_for(source, topic)
    if handler is None and not ignore:
        ignore = f"{topic or 'delivery'}: not handled here"
    try:
        payload = json_body.strip_nul(payload) if isinstance(payload, dict | list) else {}
    except json_body.BadJson:  # the endpoints refuse these first; never store what can't be read back
        payload = {}
    event, created = _record(source=source, account=account, key=key, topic=topic, payload=payload, ignore=ignore)
    if not created:
        # Sent again after a failure: process it again (one claimant only).
        if handler is None or not WebhookEvent.objects.filter(pk=event.pk, status=Status.FAILED).update(
                status=Status.RECEIVED):
            return Receipt(event, False)
        event.status = Status.RECEIVED
    elif ignore:
        return Receipt(event, True, Outcome.ignored(ignore))
    return Receipt(event, True, _dispatch(event, handler))


def _record(*, source, account, key, topic, payload, ignore) -> tuple[WebhookEvent, bool]:
    now = timezone.now()
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                source=source, account=account, key=key, topic=topic, payload=payload,
                status=Status.IGNORED if ignore else Status.RECEIVED, message=ignore[:MAX_MESSAGE],
                received_at=now, processed_at=now if ignore else None), True
    except IntegrityError:
        return WebhookEvent.objects.get(source=source, account=account, key=key), False


def _dispatch(event: WebhookEvent, handler: Handler) -> Outcome | None:
    try:
        with transaction.atomic():
            outcome = handler(event)
            if outcome is not None:
                finish(event=event, outcome=outcome)
    except Exception as exc:
        log.exception("webhook delivery %s (%s %s) could not be processed", event.pk, event.source, event.key)
        finish(event=event, outcome=Outcome.failed(str(exc) or exc.__class__.__name__))
        raise HandlerFailed(event, str(exc)) from exc
    return outcome


def finish(*, event: WebhookEvent, outcome: Outcome) -> None:
    """Record what processing a delivery did (handlers' jobs call this when done)."""
    fields = {"status": outcome.status, "message": outcome.message[:MAX_MESSAGE],
              "error": outcome.error[:MAX_ERROR], "processed_at": timezone.now()}
    WebhookEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, **fields)
    for name, value in fields.items():
        setattr(event, name, value)
    event.attempts += 1


def replay(*, event_ids: Iterable[int]) -> dict:
    """Process deliveries again with their source's handler (the admin's "Process again")."""
    counts = {"processed": 0, "queued": 0, "failed": 0, "skipped": 0}
    for event in WebhookEvent.objects.filter(pk__in=list(event_ids)).select_related("account").order_by("pk"):
        handler = handler_for(event.source, event.topic)
        if handler is None:
            counts["skipped"] += 1
            continue
        WebhookEvent.objects.filter(pk=event.pk).update(status=Status.RECEIVED)
        event.status = Status.RECEIVED
        try:
            outcome = _dispatch(event, handler)
        except HandlerFailed:
            counts["failed"] += 1
            continue
        if outcome is None:
            counts["queued"] += 1
        else:
            counts["failed" if outcome.status == Status.FAILED else "processed"] += 1
    return counts


def retention_days() -> int:
    return int(getattr(settings, "WEBHOOK_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def purge(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the finished (processed or ignored) deliveries received more than the retention
    period ago; failed and waiting ones stay for ops. Returns how many were deleted."""
    days = retention_days() if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return WebhookEvent.objects.filter(status__in=[Status.PROCESSED, Status.IGNORED],
                                       received_at__lt=cutoff).delete()[0]


def purge_job() -> dict:
    """Daily (config/cron.py): the retention rule."""
    return {"deleted": purge()}


@checks.register()
def check_retention_covers_replay_window(app_configs=None, **kwargs) -> list:
    """The inbox keeps the dedupe keys: it must keep them at least as long as the replay window."""
    window_hours = webhook_input.tiktok_max_age_hours()
    if retention_days() * 24 < window_hours:
        return [checks.Error(
            f"WEBHOOK_RETENTION_DAYS ({retention_days()}) keeps deliveries for less than the "
            f"{window_hours:g}-hour replay window (TIKTOK_WEBHOOK_MAX_AGE_HOURS): a replayed "
            "notification would be taken as new.",
            hint="Raise WEBHOOK_RETENTION_DAYS or lower TIKTOK_WEBHOOK_MAX_AGE_HOURS.",
            id="sellerhub.E017")]
    return []
