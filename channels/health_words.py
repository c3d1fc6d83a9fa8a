"""A channel error in the seller's words: ``describe(error, account=...)`` turns a ``ChannelError``
(refused connection, unknown host, bad certificate, timeout, 401/403, 404 on the base URL, 429,
5xx, an answer that is not the channel's API...) into one sentence that says what happened and
what to do, e.g. "SellerHub could not reach shop.example.com: the address refused the connection.
Check the store address." Pure: no database, no HTTP.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

import requests

from integrations.channels.connectors import (
    CONNECTORS,
    AuthFailed,
    ChannelError,
    Malformed,
    NotConfigured,
    RateLimited,
    Rejected,
    Timeout,
    Unavailable,
)

CHANNEL_NAMES = {"tiktok": "TikTok Shop", "woocommerce": "WooCommerce", "etsy": "Etsy", "square": "Square"}
ADDRESS_HINT = {
    "woocommerce": "Check the store address (e.g. https://shop.example.com, without /wp-admin).",
    "tiktok": "Check the API host (blank: TikTok's public API).",
    "etsy": "Check the API host (blank: Etsy's public API).",
    "square": "Check the API host (blank: Square's public API).",
}
CREDENTIALS_HINT = {
    "woocommerce": "Create a new read/write REST API key in WooCommerce and enter it again.",
    "tiktok": "Authorise the app again in TikTok Shop Seller Center and enter the new tokens.",
    "etsy": "Authorise the app again on Etsy and enter the new tokens.",
    "square": "Enter a valid access token from the Square Developer Console.",
}


def host_of(account) -> str:
    connector = CONNECTORS.get(getattr(account, "channel", ""))
    url = getattr(account, "api_base_url", "") or (connector.default_base_url if connector else "")
    try:
        return urlsplit(url).hostname or url or "the channel"
    except ValueError:
        return url or "the channel"


def _causes(error: BaseException):
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
        # requests/urllib3 keep the underlying error in args (MaxRetryError.reason ...)
    for arg in getattr(error.__cause__, "args", ()) or ():
        if isinstance(arg, BaseException):
            yield from _causes(arg)
        reason = getattr(arg, "reason", None)
        if isinstance(reason, BaseException):
            yield from _causes(reason)


def connection_failure(error: BaseException) -> str:
    """"refused", "dns", "tls" or "" for a connection that could not be opened."""
    text = " ".join(f"{e.__class__.__name__}: {e}" for e in _causes(error))
    if any(isinstance(e, (requests.exceptions.SSLError, ssl.SSLError)) for e in _causes(error)) or "SSLError" in text:
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in _causes(error)) or "NameResolution" in text \
            or "Name or service not known" in text or "nodename nor servname" in text:
        return "dns"
    if any(isinstance(e, ConnectionRefusedError) for e in _causes(error)) or "Connection refused" in text \
            or "ConnectionRefused" in text:
        return "refused"
    return ""


def describe(error: BaseException, *, account) -> str:
    """One sentence for the seller: what failed and what to do."""
    channel = getattr(account, "channel", "")
    name = CHANNEL_NAMES.get(channel, channel or "The channel")
    host = host_of(account)
    where = ADDRESS_HINT.get(channel, "Check the address.")
    status = getattr(error, "status", None)
    if isinstance(error, Unavailable) and not status:
        failure = connection_failure(error)
        if failure == "refused":
            return f"SellerHub could not reach {host}: the address refused the connection. {where}"
        if failure == "dns":
            return f"SellerHub could not reach {host}: no server has that name. {where}"
        if failure == "tls":
            return (f"SellerHub could not open a secure connection to {host}: its certificate is not valid for "
                    f"this address. {where}")
        return f"SellerHub could not reach {host}: the connection failed. It tries again later; {where[0].lower()}" \
               f"{where[1:]}"
    if isinstance(error, Timeout):
        return f"{host} did not answer in time. The shop may be down or slow; SellerHub tries again later."
    if isinstance(error, RateLimited):
        return f"{name} asked SellerHub to slow down (too many requests). SellerHub waits and tries again."
    if isinstance(error, Unavailable):
        said = f": {error.message.rstrip('.')}" if error.message and error.message != "server error" else ""
        return (f"{host} answered with a server error (HTTP {status}{said}). {name} may be down; SellerHub "
                f"tries again later.")
    if isinstance(error, AuthFailed) or status in (401, 403):
        said = f": {error.message.rstrip('.')}" if getattr(error, "message", "") else ""
        return (f"{name} refused SellerHub's credentials (HTTP {status or 401}{said}). "
                f"{CREDENTIALS_HINT.get(channel, 'Enter the credentials again.')}")
    if isinstance(error, Rejected) and status == 404:
        return f"{host} has no {name} API at this address (HTTP 404). {where}"
    if isinstance(error, Malformed):
        return f"{host} did not answer like the {name} API (not the JSON it sends). {where}"
    if isinstance(error, NotConfigured):
        return getattr(error, "message", str(error))
    if isinstance(error, ChannelError):
        detail = error.message.rstrip(".")
        return f"{name} refused the request: {detail}" + (f" (HTTP {status})." if status else ".")
    return f"{name}: an unexpected error ({error.__class__.__name__}). The sync log has the details."
