"""Where a channel account's credentials may be sent: the one rule, used by the connection form,
the account form, the admin and again by ``Connector.send`` right before a request that carries
credentials.

Outside ``DEBUG``, an API base URL (and every request URL) must be ``https://`` on one of the
channel's known hosts (TikTok ``open-api.tiktokglobalshop.com``, its token host
``auth.tiktok-shops.com``, ``api.etsy.com``, ``connect.squareup.com``...). WooCommerce lives on
the shop's own host: its store URL must be https, and every request must go to that same host.
Hosts listed in the ``CHANNEL_API_EXTRA_HOSTS`` setting (set by whoever runs the server, e.g.
the loopback emulator in tests) are allowed too, over http or https. With ``DEBUG`` on (the demo
and its emulator) nothing is checked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from integrations.channels.connectors.errors import NotConfigured

# The channels' public API hosts (docs/domain/channels.md, docs/domain/tiktok-shop.md).
KNOWN_HOSTS: dict[str, tuple[str, ...]] = {
    "tiktok": ("open-api.tiktokglobalshop.com", "auth.tiktok-shops.com"),
    "etsy": ("api.etsy.com", "openapi.etsy.com"),
    "square": ("connect.squareup.com", "connect.squareupsandbox.com"),
    "woocommerce": (),  # the shop's own host: the store URL's
}


class UntrustedHost(NotConfigured):
    """An API URL outside the channel's known hosts (or not https): nothing is sent there."""

    kind = "untrusted_host"


def enforced() -> bool:
    return not settings.DEBUG


def extra_hosts() -> set[str]:
    return {h.strip().lower() for h in getattr(settings, "CHANNEL_API_EXTRA_HOSTS", ()) if h.strip()}


def _host(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url or "")
        return parts.scheme.lower(), (parts.hostname or "").lower()
    except ValueError:
        return "", ""


def check_base_url(channel: str, url: str) -> None:
    """Raise ``UntrustedHost`` (its message says what is allowed) unless ``url`` may be the
    account's API base URL. A blank URL means the channel's default (always allowed, except for
    WooCommerce, whose connector refuses to work without a store URL anyway)."""
    if not url or not enforced():
        return
    scheme, host = _host(url)
    if host and host in extra_hosts():
        return
    if channel == "woocommerce":
        if scheme != "https" or not host:
            raise UntrustedHost("The store URL must be the shop's https:// address.", operation="credentials")
        return
    known = KNOWN_HOSTS.get(channel, ())
    if scheme != "https" or host not in known:
        raise UntrustedHost(f"The API host must be https:// on {' or '.join(known) or 'the channel'}; "
                            f"{host or url!r} is not one of them.", operation="credentials")


def check_request_url(channel: str, url: str, *, base_url: str) -> None:
    """Right before a request that carries credentials: refuse any URL whose host is not the
    channel's (WooCommerce: not the store URL's host), or that is not https."""
    if not enforced():
        return
    scheme, host = _host(url)
    if host and host in extra_hosts():
        return
    if channel == "woocommerce":
        allowed = {_host(base_url)[1]} - {""}
    else:
        allowed = set(KNOWN_HOSTS.get(channel, ()))
    if scheme != "https" or host not in allowed:
        raise UntrustedHost(f"refused to send credentials to {scheme}://{host}: not the channel's https host",
                            operation="credentials")
