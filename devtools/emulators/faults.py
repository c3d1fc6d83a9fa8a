"""Fault injection switches shared by every emulated service.

Per-call faults (checked in this order, first hit wins): ``script`` (one-shot queue), then
the fractions ``rate_limit`` (429 + ``Retry-After``), ``server_error`` (500), ``malformed``
(200 with a truncated JSON body) and ``slow`` (sleep ``slow_seconds`` and then answer
normally, side effects included, so a client that timed out must cope with work done).
429, 500 and malformed answers are decided before the handler runs: nothing is applied.

``partial_batch`` is the fraction of items that fail inside batch endpoints (WooCommerce
``/products/batch`` and ``/variations/batch``, TikTok inventory update and batch ship).

Fractions are deterministic by default: a fraction f fires on every call where the running
sum of f crosses a whole number (0.5 → every second call, 0.1 → every tenth). Set
``random: true`` (with ``seed``) for random draws instead. ``services`` and ``paths``
(substrings of the path after the service prefix) narrow which calls are eligible.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

FAULT_KINDS = ("rate_limit", "server_error", "malformed", "slow")
SCRIPT_ALIASES = {
    "429": "rate_limit",
    "rate_limit": "rate_limit",
    "500": "server_error",
    "server_error": "server_error",
    "malformed": "malformed",
    "slow": "slow",
    "ok": "ok",
}


@dataclass
class FaultSettings:
    rate_limit: float = 0.0
    retry_after: int | None = 1
    server_error: float = 0.0
    malformed: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    partial_batch: float = 0.0
    services: list[str] | None = None
    paths: list[str] | None = None
    script: list[str] = field(default_factory=list)
    random: bool = False
    seed: int = 0


class Faults:
    """Thread-safe fault switches. Set attributes directly or call :meth:`update`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._acc: dict[str, float] = {}
        self._rng = random.Random(0)
        self.fired: dict[str, int] = {}

    # --- configuration -------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        settings = self.__dict__.get("_settings")
        if settings is not None and name in FaultSettings.__dataclass_fields__:
            return getattr(settings, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in FaultSettings.__dataclass_fields__:
            self.update(**{name: value})
        else:
            super().__setattr__(name, value)

    def update(self, **changes: Any) -> dict[str, Any]:
        """Validate and apply ``changes``; unknown names and bad values raise ``ValueError``."""
        names = {f.name for f in fields(FaultSettings)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown fault switch(es): {', '.join(sorted(unknown))}")
        clean = {k: self._clean(k, v) for k, v in changes.items()}
        with self._lock:
            for key, value in clean.items():
                setattr(self._settings, key, value)
                if key in FAULT_KINDS:
                    self._acc.pop(key, None)
            if "seed" in clean or "random" in clean:
                self._rng = random.Random(self._settings.seed)
            return asdict(self._settings)

    def clear(self) -> None:
        with self._lock:
            self._settings = FaultSettings()
            self._acc.clear()
            self._rng = random.Random(0)
            self.fired = {}

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return dict(asdict(self._settings), fired=dict(self.fired))

    @staticmethod
    def _clean(key: str, value: Any) -> Any:
        if key in (*FAULT_KINDS, "partial_batch"):
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number between 0 and 1") from None
            if not 0.0 <= number <= 1.0:
                raise ValueError(f"{key} must be between 0 and 1")
            return number
        if key == "retry_after":
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("retry_after must be a non-negative number of seconds or null")
            return int(value)
        if key == "slow_seconds":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("slow_seconds must be a non-negative number")
            return float(value)
        if key in ("services", "paths"):
            if value is None:
                return None
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of strings or null")
            return list(value)
        if key == "script":
            if not isinstance(value, (list, tuple)):
                raise ValueError("script must be a list")
            out = []
            for item in value:
                kind = SCRIPT_ALIASES.get(str(item))
                if kind is None:
                    raise ValueError(f"script entries must be one of {sorted(SCRIPT_ALIASES)}")
                out.append(kind)
            return out
        if key == "random":
            return bool(value)
        if key == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("seed must be an integer")
            return value
        return value

    # --- decisions -----------------------------------------------------------------------
    def _eligible(self, service: str, path: str) -> bool:
        s = self._settings
        if s.services is not None and service not in s.services:
            return False
        if s.paths is not None and not any(p in path for p in s.paths):
            return False
        return True

    def pick(self, service: str, path: str) -> str | None:
        """The fault to apply to this call, or None."""
        with self._lock:
            if not self._eligible(service, path):
                return None
            s = self._settings
            chosen: str | None = None
            if s.script:
                kind = s.script.pop(0)
                chosen = None if kind == "ok" else kind
            else:
                for kind in FAULT_KINDS:
                    if self._fires(kind, getattr(s, kind)) and chosen is None:
                        chosen = kind
            if chosen:
                self.fired[chosen] = self.fired.get(chosen, 0) + 1
            return chosen

    def _fires(self, kind: str, rate: float) -> bool:
        if rate <= 0:
            return False
        if self._settings.random:
            return self._rng.random() < rate
        acc = self._acc.get(kind, 0.0) + rate
        fire = acc >= 1.0 - 1e-9
        self._acc[kind] = acc - 1.0 if fire else acc
        return fire

    def failing_items(self, service: str, path: str, count: int) -> set[int]:
        """Indexes (0-based) of batch items that should fail for this call."""
        with self._lock:
            rate = self._settings.partial_batch
            if rate <= 0 or count <= 0 or not self._eligible(service, path):
                return set()
            if self._settings.random:
                failed = {i for i in range(count) if self._rng.random() < rate}
            else:
                failed = {i for i in range(count) if math.floor((i + 1) * rate + 1e-9) > math.floor(i * rate + 1e-9)}
            if failed:
                self.fired["partial_batch"] = self.fired.get("partial_batch", 0) + len(failed)
            return failed
