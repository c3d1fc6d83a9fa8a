"""Small field readers shared by the WooCommerce, Etsy and Square mappings (pure; no database).

Each raises ``PayloadError`` naming the field and what was wrong with it.

``clean_payload`` is where channel text enters: every mapping's input passes through it first
(``orders.mapping.map_order``). It removes NUL and the other control characters from every string
and key (PostgreSQL refuses NUL in text and jsonb; the others break headers, file names and
documents), keeping tab and line feed, which a buyer's note may hold; a carriage return becomes a
line feed. A payload nested deeper than ``MAX_DEPTH`` is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.mapping.types import PayloadError

MAX_DEPTH = 64
# C0 controls but tab and line feed, DEL, C1 controls; CR is turned into LF first.
_CONTROL = {code: None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))}
_CONTROL[0x0D] = "\n"
_SINGLE_LINE = {**_CONTROL, 0x09: " ", 0x0A: " ", 0x0D: " "}

# ISO 4217 currencies without minor units (Square sends amounts in the smallest unit).
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}


def clean_text(value: str, *, single_line: bool = False) -> str:
    """``value`` without control characters (single line: tab, CR and LF become spaces)."""
    if value.isprintable():
        return value
    out = value.replace("\r\n", "\n").translate(_SINGLE_LINE if single_line else _CONTROL)
    return out


def clean_payload(value: Any, depth: int = 0) -> Any:
    """A copy of a channel payload with every string and key cleaned (see the module docstring)."""
    if depth > MAX_DEPTH:
        raise PayloadError(f"the payload is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_payload(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_payload(v, depth + 1) for v in value]
    return value


def text(value: Any, name: str, *, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{name} must be a string, got {type(value).__name__}")
    out = str(value).strip()
    return out[:limit] if limit else out


def money(value: Any, name: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool):
        raise PayloadError(f"{name} must be an amount, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{name} must be an amount, got {value!r}") from None
    if not amount.is_finite():
        raise PayloadError(f"{name} must be an amount, got {value!r}")
    return amount.quantize(Decimal("0.01"))


def minor_units(value: Any, name: str, currency: str = "USD", divisor: Any = None) -> Decimal:
    """An amount in the currency's smallest unit (Square ``{amount}``, Etsy ``{amount, divisor}``)."""
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PayloadError(f"{name} must be a whole number of minor units, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{name} must be a whole number of minor units, got {value!r}") from None
    if divisor is None:
        divisor = 1 if currency.upper() in ZERO_DECIMAL else 100
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor <= 0:
        raise PayloadError(f"{name}.divisor must be a positive whole number, got {divisor!r}")
    return (amount / Decimal(divisor)).quantize(Decimal("0.01"))


def unix_time(value: Any, name: str) -> dt.datetime | None:
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadError(f"{name} must be a Unix time in seconds, got {value!r}")
    if value > 10**11:
        raise PayloadError(f"{name} looks like milliseconds ({value}); expected Unix seconds")
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def iso_time(value: Any, name: str, *, naive_is_utc: bool = True) -> dt.datetime | None:
    """RFC 3339 / ISO 8601 (``Z``, an offset, or no offset = UTC)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be a date and time, got {value!r}")
    raw = value.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise PayloadError(f"{name} must be an ISO 8601 date and time, got {value!r}") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise PayloadError(f"{name} has no time zone: {value!r}")
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def whole_quantity(value: Any, name: str) -> int:
    """A line quantity: a whole number of at least 1 (Square sends decimal strings)."""
    if isinstance(value, bool):
        raise PayloadError(f"{name} must be a whole number of at least 1, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{name} must be a whole number of at least 1, got {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        raise PayloadError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(number)


def country(value: Any, name: str) -> str:
    code = text(value, name).upper()
    return code if len(code) == 2 else ""


def join_name(*parts: Any) -> str:
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())
