"""Small field readers shared by the WooCommerce, Etsy and Square mappings (pure; no database).

Each raises ``PayloadError`` naming the field and what was wrong with it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.mapping.types import PayloadError

# ISO 4217 currencies without minor units (Square sends amounts in the smallest unit).
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}


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
