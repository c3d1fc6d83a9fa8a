"""When to try a channel call again: ``Retry-After`` parsing, exponential backoff with full
jitter, the answer's ``Date`` header, and the sync settings that tune them."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from typing import Any

from django.conf import settings


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, *, retry_after: float | None = None, base: float | None = None,
                  cap: float | None = None, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter (``attempt`` 0 is the first retry), never shorter
    than ``Retry-After``."""
    base = setting("CHANNEL_SYNC_BACKOFF_BASE", 0.5) if base is None else base
    cap = setting("CHANNEL_SYNC_BACKOFF_CAP", 30.0) if cap is None else cap
    ceiling = min(cap, base * (2 ** attempt))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, setting("CHANNEL_SYNC_MAX_RETRY_AFTER", 120.0)))
    return delay


def http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
