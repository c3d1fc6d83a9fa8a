"""What every webhook endpoint does with the raw request before and after the signature check.

* ``read_body(request)``: the raw body, or ``Refused`` (413 JSON) when it is larger than
  ``WEBHOOK_MAX_BODY_BYTES`` (default 2.5 MB), judged from ``Content-Length`` first and guarded
  against Django's own ``RequestDataTooBig`` (which would answer an HTML 400).
* ``parse(body)``: the signed body as a JSON object through the one JSON reader
  (``sellerhub.json_body``), or ``Refused`` (400 JSON, "the body is not valid JSON ...", "must be a
  JSON object ..."). Only called once the signature is good: a good signature over a bad body is
  the sender's bug (400), not a forgery (401).
* ``too_old(timestamp, max_age_hours)``: the reason a notification's *signed* timestamp is outside
  the replay window, or "" (docs/domain/tiktok-shop.md#webhooks).

``Refused.response()`` is the JSON answer; nothing is stored in the inbox for a refused delivery.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils import timezone

from sellerhub import json_body

log = logging.getLogger("sellerhub.inbox")

DEFAULT_MAX_BODY_BYTES = 2_621_440  # 2.5 MB, Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# TikTok retries a notification after 2 min, 30 min, 3 h and 12 h (docs/domain/tiktok-shop.md#webhooks):
# the last retry comes about 16 hours after the first try; the window is that plus 24 hours.
DEFAULT_TIKTOK_MAX_AGE_HOURS = 40


class Refused(Exception):
    """A delivery refused before it reaches the inbox: ``status`` and a message for the sender."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JsonResponse:
        return JsonResponse({"error": self.message, "status": self.status}, status=self.status)


def max_body_bytes() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def tiktok_max_age_hours() -> float:
    """``TIKTOK_WEBHOOK_MAX_AGE_HOURS``: how old a signed TikTok notification may be."""
    return float(getattr(settings, "TIKTOK_WEBHOOK_MAX_AGE_HOURS", DEFAULT_TIKTOK_MAX_AGE_HOURS))


def read_body(request) -> bytes:
    limit = max_body_bytes()
    too_big = Refused(413, f"The body is larger than {limit} bytes.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "The Content-Length header is not a number.") from None
    if declared > limit:
        raise too_big
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    if len(body) > limit:
        raise too_big
    return body


def parse(body: bytes) -> dict:
    try:
        return json_body.loads_object(body)
    except json_body.BadJson as exc:
        raise Refused(400, f"The notification was refused: {exc}.") from None


def too_old(timestamp, max_age_hours: float, *, now: dt.datetime | None = None) -> str:
    """Why a signed Unix ``timestamp`` is outside the window (older than ``max_age_hours``, or
    more than an hour in the future, or not a time at all); "" when it is inside."""
    if isinstance(timestamp, str) and timestamp.strip().isdigit():
        timestamp = int(timestamp.strip())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 < timestamp < 10**11:
        return f"the notification's timestamp {timestamp!r} is not a Unix time in seconds"
    current = (now or timezone.now()).timestamp()
    age = current - timestamp
    if age > max_age_hours * 3600:
        return f"the notification is {age / 3600:.0f} hours old, older than the {max_age_hours:g}-hour replay window"
    if age < -3600:
        return "the notification's timestamp is more than an hour in the future"
    return ""
