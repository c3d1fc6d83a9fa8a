"""A channel's call quota as this process sees it, kept per quota (``Connector.quota_key``: what
the channel counts calls by, e.g. Etsy's API key): when the channel said the quota is used up, and
when this process last called it. ``Connector.send`` waits before a call until the quota frees;
the answer that used it up is used at once. Process-wide, so the next job in the same worker keeps
the pace; calls from other processes are only known through the channel's answers.

A connector may leave some of a quota's calls to others (``Connector.quota_reserve``: an order
pull leaves a few of Etsy's calls each second to the stock pushes). Its pauses are kept apart,
under the quota key plus ``RESERVED``: only connectors that leave calls wait for them."""

from __future__ import annotations

import time
from collections import deque

# The channel counts a call when it arrives, a little after it was sent.
ARRIVAL_MARGIN = 0.05
RECENT_CALLS_KEPT = 100
RESERVED = "reserved"

_quiet_until: dict[tuple, float] = {}  # quota key -> time.monotonic() before which no call goes out
_recent_calls: dict[tuple, deque[float]] = {}  # quota key -> time.monotonic() of this process's calls


def wait_before_call(key: tuple, *, reserve: int = 0) -> float:
    """Seconds to wait before the next call on this quota (0: none); with a ``reserve``, also
    until the calls left to others are free again."""
    until = _quiet_until.get(key, 0.0)
    if reserve:
        until = max(until, _quiet_until.get((*key, RESERVED), 0.0))
    return max(0.0, until - time.monotonic())


def note_call(key: tuple) -> None:
    _recent_calls.setdefault(key, deque(maxlen=RECENT_CALLS_KEPT)).append(time.monotonic())


def pace(key: tuple, seconds: float) -> None:
    """No call on this quota for ``seconds``."""
    _quiet_until[key] = max(_quiet_until.get(key, 0.0), time.monotonic() + seconds)


def used_up(key: tuple, window: float, *, reserve: int = 0) -> None:
    """The channel says the calls it allows per ``window`` seconds (a sliding window) are used up.
    A call frees when it is ``window`` old, so the next call waits until the oldest call this
    process made within the window has aged out of it: by then at least one call has (calls from
    other processes are at most as old). With none of its own in the window, it waits a whole
    window.

    ``reserve``: the quota is down to the calls a connector leaves to others, and that many calls
    must free before it calls again (only connectors that leave calls wait for them)."""
    now = time.monotonic()
    ours = [t for t in _recent_calls.get(key, ()) if t > now - window]
    to_free = max(1, reserve)
    wait = ours[to_free - 1] + window + ARRIVAL_MARGIN - now if len(ours) >= to_free else window
    pace((*key, RESERVED) if reserve else key, wait)


def forget() -> None:
    """Forget every quota's state (tests start afresh)."""
    _quiet_until.clear()
    _recent_calls.clear()
