"""Small helpers: clocks, ids, time formats, page tokens, business days."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.UTC


class Clock:
    """The emulator's business clock: wall time plus an adjustable offset.

    Token lifetimes, order timestamps and expiring URLs read this clock, so tests can
    ``advance()`` it. TikTok's ``timestamp`` check uses wall time, because the client
    signs with its own wall clock.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._frozen if self._frozen is not None else time.time() + self._offset

    def now_int(self) -> int:
        return int(self.now())

    def advance(self, seconds: float) -> float:
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds
        return self.now()

    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen = time.time() + self._offset if at is None else float(at)

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - time.time()
            self._frozen = None

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._frozen = None


class Sequence:
    """Thread-safe counter for ids."""

    def __init__(self, start: int) -> None:
        self._start = start
        self._it = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._it)

    def reset(self) -> None:
        with self._lock:
            self._it = itertools.count(self._start)


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def square_like_id(*parts: Any, length: int = 24) -> str:
    """Deterministic upper-case id resembling Square's (``W62UWFY35CWMYGVWK6TWJDNI``)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return "".join(_B32[b % 32] for b in digest)[:length]


def random_token(rng, n: int = 24) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


# --- time formats -------------------------------------------------------------------------


def to_datetime(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=UTC)


def rfc3339(ts: float, millis: bool = True) -> str:
    """``2026-07-10T08:00:00.000Z`` (Square, EasyPost)."""
    d = to_datetime(ts)
    if millis:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def wp_datetime(ts: float, tz: ZoneInfo | None = None) -> str:
    """WordPress REST format: no offset; site time when ``tz`` is given, else GMT."""
    d = to_datetime(ts)
    if tz is not None:
        d = d.astimezone(tz)
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def parse_iso(value: str, default_tz: dt.tzinfo = UTC) -> float:
    """Parse ISO 8601 / RFC 3339 (``Z`` or offset or naive in ``default_tz``) to epoch."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    d = dt.datetime.fromisoformat(text)
    if d.tzinfo is None:
        d = d.replace(tzinfo=default_tz)
    return d.timestamp()


# --- opaque page tokens -------------------------------------------------------------------


def fingerprint(obj: Any) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:12]


def encode_token(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    """Raises ``ValueError`` for anything that is not one of our tokens."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception:
        raise ValueError("invalid page token") from None
    if not isinstance(data, dict):
        raise ValueError("invalid page token")
    return data


def keyset_page(
    items: list[Any],
    key,
    *,
    after: list[Any] | None,
    limit: int,
) -> tuple[list[Any], list[Any] | None]:
    """Items (already sorted by ``key``) strictly after ``after``; returns (page, next_key).

    Keyset paging gives no duplicates or gaps while new records arrive during a scan.
    ``key`` must produce a list comparable in the sort direction (negate for DESC).
    """
    if after is not None:
        items = [i for i in items if key(i) > after]
    page = items[:limit]
    next_key = key(page[-1]) if len(items) > limit else None
    return page, next_key


# --- business days --------------------------------------------------------------------------

_holiday_cache: dict[tuple[str, int], Any] = {}


def _is_holiday(day: dt.date, country: str) -> bool:
    key = (country, day.year)
    if key not in _holiday_cache:
        try:
            import holidays  # in the project's stack; optional for the emulator

            _holiday_cache[key] = holidays.country_holidays(country, years=day.year)
        except Exception:  # pragma: no cover - holidays missing or unknown country
            _holiday_cache[key] = {}
    return day in _holiday_cache[key]


def is_business_day(day: dt.date, country: str = "US") -> bool:
    return day.weekday() < 5 and not _is_holiday(day, country)


def add_business_days_end(ts: float, days: int, tz: ZoneInfo, country: str = "US") -> int:
    """End (23:59:59 local) of the ``days``-th business day after the local date of ``ts``."""
    day = to_datetime(ts).astimezone(tz).date()
    added = 0
    while added < days:
        day += dt.timedelta(days=1)
        if is_business_day(day, country):
            added += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
    return int(end.timestamp())
