"""The one JSON reader for what arrives from outside (API bodies and webhook deliveries).

``loads(raw)`` turns bytes into Python values or raises ``BadJson`` with a message a sender can act
on: not UTF-8, not valid JSON, nested deeper than ``MAX_DEPTH`` (Python's own parser would raise
``RecursionError`` long before the database or a handler chokes), or numbers too large to use.
NUL characters (``\\u0000``) are removed from every string and key: PostgreSQL's jsonb refuses
them and no channel field needs one. ``loads_object`` also requires a JSON object (webhooks).

The DRF parser (``sellerhub.api_base.JSONParser``) and the webhook endpoints (through
``sellerhub.webhook_input``) and connectors all read through here, so every bad body gets the
same 400 answer instead of a 500.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
MAX_INT_DIGITS = 40


class BadJson(ValueError):
    """The body is not JSON SellerHub can use; the message says why."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadJson(f"a number in the body has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _constant(name: str):
    raise BadJson(f"the body is not valid JSON ({name} is not a JSON number)")


def _clean(value: Any, depth: int = 0) -> Any:
    """NUL-free copy of ``value``; BadJson when nested deeper than MAX_DEPTH (iterative enough:
    the depth is checked before going down, so the recursion stays under MAX_DEPTH frames)."""
    if depth > MAX_DEPTH:
        raise BadJson(f"the body is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {_clean(k, depth): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def strip_nul(value: Any) -> Any:
    """``value`` (decoded JSON) with NUL removed from every string; BadJson when too deep."""
    return _clean(value)


def loads(raw: bytes | bytearray | memoryview | str) -> Any:
    """Decode a JSON body (see the module docstring); raises ``BadJson``."""
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise BadJson("the body is not valid JSON (not UTF-8 text)") from None
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    try:
        value = json.loads(raw, parse_int=_int, parse_constant=_constant)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError
        raise BadJson(f"the body is not valid JSON ({exc})") from None
    return _clean(value)


def loads_object(raw: bytes | bytearray | memoryview | str) -> dict:
    """Like ``loads``, and the body must be a JSON object."""
    value = loads(raw)
    if not isinstance(value, dict):
        kind = "null" if value is None else "an array" if isinstance(value, list) else f"a {type(value).__name__}"
        raise BadJson(f"the body must be a JSON object, not {kind}")
    return value
