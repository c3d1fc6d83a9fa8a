"""Request signing and webhook signature checks for the channels and the label provider.

Pure functions, standard library only (no Django), so connectors, webhook views and the
loopback emulators share one implementation. Sources: docs/domain/tiktok-shop.md#signing,
docs/domain/channels.md and docs/domain/labels.md#signature.

Conventions:
- ``*_signature`` / ``tiktok_sign`` compute a value; they raise ``TypeError`` on arguments
  of the wrong type, since that is a programming error.
- ``verify_*`` functions answer ``True`` or ``False`` and never raise, whatever arrives in
  the header or the body (``None``, non-ASCII, wrong types). Comparisons are constant time.
- Secrets and bodies may be ``str`` (encoded as UTF-8) or ``bytes``. Always pass the raw
  request body exactly as received: re-serialised JSON will not verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "etsy_webhook_signature",
    "easypost_webhook_signature",
    "square_webhook_signature",
    "tiktok_sign",
    "tiktok_sign_base_string",
    "tiktok_webhook_signature",
    "verify_easypost_webhook",
    "verify_etsy_webhook",
    "verify_square_webhook",
    "verify_tiktok_request",
    "verify_tiktok_webhook",
    "verify_woocommerce_webhook",
    "woocommerce_webhook_signature",
]

Bytesish = str | bytes | bytearray | memoryview

# Query parameters that never take part in the TikTok signature.
TIKTOK_UNSIGNED_PARAMS = frozenset({"sign", "access_token"})
EASYPOST_SIGNATURE_PREFIX = "hmac-sha256-hex="
ETSY_SECRET_PREFIX = "whsec_"
ETSY_SIGNATURE_VERSION = "v1"


def _b(value: Bytesish) -> bytes:
    """Bytes of a str (UTF-8) or bytes-like value; TypeError for anything else."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"expected str or bytes, got {type(value).__name__}")


def _hmac_sha256(key: Bytesish, message: Bytesish) -> bytes:
    return hmac.new(_b(key), _b(message), hashlib.sha256).digest()


def _same(expected: Bytesish, given: Any) -> bool:
    """Constant-time equality that tolerates garbage in ``given``."""
    if given is None:
        return False
    try:
        given_bytes = _b(given)
    except TypeError:
        return False
    return hmac.compare_digest(_b(expected), given_bytes)


# --------------------------------------------------------------------------------------
# TikTok Shop Open API 202309: request signing
# --------------------------------------------------------------------------------------


def _query_items(query: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    items = query.items() if isinstance(query, Mapping) else query
    first: dict[str, str] = {}
    for key, value in items:
        key = str(key)
        if key in TIKTOK_UNSIGNED_PARAMS or key in first:
            continue  # like TikTok's reference code, a repeated key signs its first value
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        if isinstance(value, bool):
            value = "true" if value else "false"
        first[key] = "" if value is None else str(value)
    return sorted(first.items())


def _is_multipart(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() == "multipart/form-data"


def tiktok_sign_base_string(
    *,
    app_secret: Bytesish,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
    body: Bytesish = b"",
    content_type: str | None = None,
) -> bytes:
    """The string TikTok signs: secret + path + sorted ``{k}{v}`` + body + secret.

    ``path`` is the API path (``/order/202309/orders/search``), without host or query.
    ``sign`` and ``access_token`` are left out; the body is left out for multipart requests.
    """
    secret = _b(app_secret)
    params = "".join(f"{k}{v}" for k, v in _query_items(query)).encode("utf-8")
    raw_body = b"" if _is_multipart(content_type) else _b(body or b"")
    return secret + path.encode("utf-8") + params + raw_body + secret


def tiktok_sign(
    *,
    app_secret: Bytesish,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
    body: Bytesish = b"",
    content_type: str | None = None,
) -> str:
    """Lowercase hex HMAC-SHA256 (key = app secret) of :func:`tiktok_sign_base_string`."""
    base = tiktok_sign_base_string(app_secret=app_secret, path=path, query=query, body=body, content_type=content_type)
    return hmac.new(_b(app_secret), base, hashlib.sha256).hexdigest()


def verify_tiktok_request(
    *,
    app_secret: Bytesish,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]],
    body: Bytesish = b"",
    content_type: str | None = None,
    sign: Any = None,
) -> bool:
    """Whether ``sign`` (default: the ``sign`` query parameter) matches the request."""
    try:
        if sign is None:
            pairs = query.items() if isinstance(query, Mapping) else query
            for key, value in pairs:
                if key == "sign":
                    sign = value[0] if isinstance(value, (list, tuple)) and value else value
                    break
        if not isinstance(sign, str):
            return False
        expected = tiktok_sign(app_secret=app_secret, path=path, query=query, body=body, content_type=content_type)
        return _same(expected, sign.strip().lower())
    except (TypeError, ValueError, UnicodeError):
        return False


# --------------------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------------------


def tiktok_webhook_signature(*, app_key: Bytesish, app_secret: Bytesish, body: Bytesish) -> str:
    """Hex HMAC-SHA256(app_secret, app_key + raw body): TikTok's ``Authorization`` header."""
    return hmac.new(_b(app_secret), _b(app_key) + _b(body), hashlib.sha256).hexdigest()


def verify_tiktok_webhook(*, app_key: Bytesish, app_secret: Bytesish, body: Bytesish, authorization: Any) -> bool:
    """Check a TikTok Shop webhook's ``Authorization`` header (no timestamp is signed:
    dedupe deliveries on ``tts_notification_id``)."""
    try:
        if not isinstance(authorization, str):
            return False
        expected = tiktok_webhook_signature(app_key=app_key, app_secret=app_secret, body=body)
        return _same(expected, authorization.strip().lower())
    except (TypeError, ValueError, UnicodeError):
        return False


def woocommerce_webhook_signature(*, secret: Bytesish, body: Bytesish) -> str:
    """``X-WC-Webhook-Signature``: base64 HMAC-SHA256 of the raw body with the webhook secret."""
    return base64.b64encode(_hmac_sha256(secret, body)).decode("ascii")


def verify_woocommerce_webhook(*, secret: Bytesish, body: Bytesish, signature: Any) -> bool:
    try:
        if not isinstance(signature, str):
            return False
        return _same(woocommerce_webhook_signature(secret=secret, body=body), signature.strip())
    except (TypeError, ValueError, UnicodeError):
        return False


def square_webhook_signature(*, signature_key: Bytesish, notification_url: str, body: Bytesish) -> str:
    """``x-square-hmacsha256-signature``: base64 HMAC-SHA256(key, notification URL + body).

    ``notification_url`` must be the URL exactly as registered in the subscription.
    """
    return base64.b64encode(_hmac_sha256(signature_key, _b(notification_url) + _b(body))).decode("ascii")


def verify_square_webhook(*, signature_key: Bytesish, notification_url: Any, body: Bytesish, signature: Any) -> bool:
    try:
        if not isinstance(signature, str) or not isinstance(notification_url, str):
            return False
        expected = square_webhook_signature(signature_key=signature_key, notification_url=notification_url, body=body)
        return _same(expected, signature.strip())
    except (TypeError, ValueError, UnicodeError):
        return False


def easypost_webhook_signature(*, secret: str, body: Bytesish) -> str:
    """``X-Hmac-Signature`` as EasyPost's clients check it: ``hmac-sha256-hex=<hex>``.

    The secret is NFKD-normalised first, as easypost-python's ``validate_webhook`` does.
    """
    if not isinstance(secret, str):
        raise TypeError("the EasyPost webhook secret must be a str")
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    digest = hmac.new(key, _b(body), hashlib.sha256).hexdigest()
    return EASYPOST_SIGNATURE_PREFIX + digest


def verify_easypost_webhook(*, secret: str, body: Bytesish, signature: Any) -> bool:
    try:
        if not isinstance(signature, str):
            return False
        return _same(easypost_webhook_signature(secret=secret, body=body), signature.strip())
    except (TypeError, ValueError, UnicodeError):
        return False


def _etsy_key(secret: str) -> bytes:
    if not isinstance(secret, str):
        raise TypeError("the Etsy webhook secret must be a str")
    raw = secret[len(ETSY_SECRET_PREFIX) :] if secret.startswith(ETSY_SECRET_PREFIX) else secret
    return base64.b64decode(raw, validate=True)


def etsy_webhook_signature(*, secret: str, webhook_id: str, timestamp: str | int, body: Bytesish) -> str:
    """Base64 HMAC-SHA256(b64decode(secret without ``whsec_``), ``{id}.{ts}.{body}``).

    docs/domain/channels.md marks this third-party; it is the Standard Webhooks scheme. Returned
    without the ``v1,`` version prefix.
    """
    message = f"{webhook_id}.{timestamp}.".encode() + _b(body)
    return base64.b64encode(hmac.new(_etsy_key(secret), message, hashlib.sha256).digest()).decode("ascii")


def verify_etsy_webhook(
    *,
    secret: str,
    webhook_id: Any,
    timestamp: Any,
    body: Bytesish,
    signature: Any,
    tolerance_seconds: int | None = 300,
    now: float | None = None,
) -> bool:
    """Check Etsy's ``webhook-signature`` header.

    The header may hold several space-separated signatures, each optionally prefixed with
    ``v1,`` (the sources do not say whether Etsy sends the prefix). With
    ``tolerance_seconds`` set, a ``webhook-timestamp`` further than that from ``now`` is
    refused (replay protection); pass ``None`` to skip the check.
    """
    try:
        if not isinstance(signature, str) or not isinstance(webhook_id, str):
            return False
        ts = str(timestamp).strip()
        if not ts.isdigit():
            return False
        if tolerance_seconds is not None:
            current = time.time() if now is None else now
            if abs(current - int(ts)) > tolerance_seconds:
                return False
        expected = etsy_webhook_signature(secret=secret, webhook_id=webhook_id, timestamp=ts, body=body)
        ok = False
        for candidate in signature.split():
            version, sep, value = candidate.partition(",")
            if not sep:
                value = version
            elif version != ETSY_SIGNATURE_VERSION:
                continue
            ok |= _same(expected, value)  # keep comparing: no early exit on a match
        return ok
    except (TypeError, ValueError, UnicodeError, binascii.Error):
        return False
