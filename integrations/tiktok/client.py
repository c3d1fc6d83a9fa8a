"""The one TikTok Shop Open API client (docs/domain/tiktok-shop.md): every TikTok call of
order sync, FBT and TikTok Shipping is built, signed, checked and refreshed here.

- ``request(...)``: an ``ApiRequest`` for a TikTok path;
- ``sign(credentials, request)``: the query and headers that authenticate it (``sign`` =
  HMAC-SHA256 over secret + path + sorted query + body + secret, ``integrations.channels.signing``;
  ``app_key``, a fresh ``timestamp``, ``shop_cipher`` for shop APIs, ``x-tts-access-token``);
- ``classify(status, payload)``: the ``data`` of a ``{code, message, request_id, data}`` answer,
  or the channel error its code means;
- token refresh: ``refresh_token_request`` and ``fresh_credentials``; the refresh itself runs
  through the connector's token store (``open_connector(account, token_store=...)``, default the
  kernel's ``sellerhub.channel_tokens.AccountTokenStore``);
- ``call(connector, request)``: one request through the connector's ``send`` (the one HTTP
  function: timeouts, retries, backoff); its data, or ``TikTokError``, the one error type of
  FBT and Shipping callers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from typing import Any

from integrations.channels import connectors, signing
from integrations.channels.connectors.base import (
    ApiRequest,
    AuthFailed,
    ChannelError,
    Malformed,
    RateLimited,
    Rejected,
    TokenStore,
    Unavailable,
)
from sellerhub.channel_tokens import AccountTokenStore

API_VERSION = "202309"
DEFAULT_AUTH_BASE = "https://auth.tiktok-shops.com"
TOKEN_EXPIRED = 105002
BAD_SIGN = 106001
RATE_LIMIT = 36009002
INTERNAL = 36009003
BAD_CREDENTIALS = (36009004,)
AUTH_CODES = (TOKEN_EXPIRED, BAD_SIGN, 106013)
REFRESH_MARGIN = dt.timedelta(days=1)


class TikTokError(Exception):
    """A TikTok call or answer that cannot be used; the message says why (TikTok's own words),
    ``retryable`` whether trying again later may help."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


# ---------------------------------------------------------------------------------------------
# Requests and signing


def request(method: str, path: str, *, params=(), json: Any = None, operation: str = "",
            idempotent: bool = True) -> ApiRequest:
    return ApiRequest(method, path, params=tuple(params), json=json, operation=operation, idempotent=idempotent)


def sign(credentials: dict, api_request: ApiRequest, *, now: float | None = None) -> tuple[tuple, dict]:
    """(query, headers) authenticating ``api_request``: the caller checked that ``app_key``,
    ``app_secret`` and ``access_token`` are there, and ``shop_cipher`` for a shop API."""
    query: OrderedDict[str, str] = OrderedDict(api_request.params)
    query["app_key"] = credentials["app_key"]
    query["timestamp"] = str(int(time.time() if now is None else now))
    if needs_shop_cipher(api_request):
        query["shop_cipher"] = credentials["shop_cipher"]
    query["sign"] = signing.tiktok_sign(app_secret=credentials["app_secret"], path=api_request.path, query=query,
                                        body=api_request.body_bytes(), content_type=api_request.content_type)
    return tuple(query.items()), {"x-tts-access-token": credentials["access_token"]}


def needs_shop_cipher(api_request: ApiRequest) -> bool:
    return not api_request.path.startswith("/authorization/")


def is_token_request(api_request: ApiRequest) -> bool:
    """Token endpoints carry the app secret themselves and are not signed."""
    return api_request.operation.startswith("token.")


# ---------------------------------------------------------------------------------------------
# Answers


def classify(http_status: int, payload: Any) -> Any:
    """The ``data`` of a TikTok answer, or the ChannelError its code means."""
    if not isinstance(payload, dict) or "code" not in payload:
        raise Malformed("the answer has no TikTok envelope (code, message, data)", status=http_status)
    code = payload.get("code")
    message = str(payload.get("message") or "")
    if code == 0 and http_status < 400:
        return payload.get("data") or {}
    if code == TOKEN_EXPIRED:
        raise AuthFailed(message or "access token expired", expired=True, status=http_status, code=code)
    if code in AUTH_CODES or http_status == 401 or (code in BAD_CREDENTIALS and "credential" in message.lower()):
        raise AuthFailed(message or "credentials refused", status=http_status, code=code)
    if code == RATE_LIMIT or http_status == 429:
        raise RateLimited(message, status=http_status, code=code)
    if code == INTERNAL or http_status >= 500:
        raise Unavailable(message, status=http_status, code=code)
    raise Rejected(f"{message} (code {code})", status=http_status, code=code)


def describe_error(data: Any) -> str:
    """TikTok's words for an error answer ("" when it has none)."""
    if isinstance(data, dict) and data.get("message"):
        return f"{data['message']} (code {data.get('code')})"
    return ""


# ---------------------------------------------------------------------------------------------
# Tokens


def can_refresh(credentials: dict) -> bool:
    return bool(credentials.get("refresh_token") and credentials.get("app_secret"))


def needs_refresh(credentials: dict, *, margin: dt.timedelta | None = None, now: float | None = None) -> bool:
    """Whether the access token expires within ``margin`` (a day by default)."""
    margin = margin or REFRESH_MARGIN
    expires = credentials.get("access_token_expire_in")
    if not expires or not can_refresh(credentials):
        return False
    return float(expires) - (time.time() if now is None else now) < margin.total_seconds()


def refresh_token_request(*, auth_base: str, app_key: str, app_secret: str, refresh_token: str) -> ApiRequest:
    return ApiRequest("GET", "/api/v2/token/refresh", base=auth_base, operation="token.refresh",
                      params=(("app_key", app_key), ("app_secret", app_secret), ("refresh_token", refresh_token),
                              ("grant_type", "refresh_token")))


def token_get_request(*, auth_base: str, app_key: str, app_secret: str, auth_code: str) -> ApiRequest:
    """Exchange the code TikTok gives when the seller authorises the app for tokens (one use)."""
    return ApiRequest("GET", "/api/v2/token/get", base=auth_base, operation="token.get",
                      params=(("app_key", app_key), ("app_secret", app_secret), ("auth_code", auth_code),
                              ("grant_type", "authorized_code")))


def auth_base(credentials: dict) -> str:
    return (credentials.get("auth_base_url") or DEFAULT_AUTH_BASE).rstrip("/")


def fresh_credentials(credentials: dict, data: Any) -> dict:
    """The credentials after a token answer (new access and refresh tokens, their expiries)."""
    if not isinstance(data, dict) or not data.get("access_token"):
        raise Malformed("the token answer has no access_token", operation="token.refresh")
    fresh = dict(credentials)
    for key in ("access_token", "access_token_expire_in", "refresh_token", "refresh_token_expire_in"):
        if data.get(key):
            fresh[key] = data[key]
    return fresh


# ---------------------------------------------------------------------------------------------
# The call site (FBT and TikTok Shipping; order sync goes through its connector's jobs)


def open_connector(account, *, token_store: TokenStore | None = None):
    """The account's TikTok connector; an expired token is refreshed against ``token_store``
    (default: the account's stored credentials, under the shared refresh lock)."""
    if account is None or account.channel != "tiktok":
        raise TikTokError("FBT needs a connected TikTok Shop account")
    connector = connectors.connector_for(account)
    connector.use_token_store(token_store if token_store is not None else AccountTokenStore(account.pk))
    return connector


def call(connector, api_request: ApiRequest) -> Any:
    """Send one request through the connector; its data, or TikTokError with TikTok's reason."""
    try:
        return connector.call(api_request).data
    except ChannelError as exc:
        raise TikTokError(f"TikTok: {exc}", retryable=exc.retryable) from exc


__all__ = [
    "API_VERSION", "DEFAULT_AUTH_BASE", "TikTokError", "auth_base", "call", "can_refresh",
    "classify", "describe_error", "fresh_credentials", "is_token_request", "needs_refresh", "needs_shop_cipher",
    "open_connector", "refresh_token_request", "request", "sign", "token_get_request",
]
