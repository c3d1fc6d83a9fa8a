"""Connection settings for the loopback emulators (``devtools.emulators``): what the demo data
and the tests give an account to talk to the emulator instead of the real channel.

    url, shop_id, credentials = emulator_connection("tiktok", "http://127.0.0.1:8010", creds)

``creds`` is the emulator's ``Credentials`` (``handle.state.config.credentials``), or None for the
defaults a ``python -m devtools.emulators`` process accepts.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from devtools.emulators.state import Credentials
from integrations.channels.connectors.base import RemoteListing

WOO_WEBHOOK_SECRET = "sellerhub-demo-woo-webhook-secret"
PATHS = {"tiktok": "/tiktok", "woocommerce": "/woocommerce", "etsy": "/etsy", "square": "/square"}


def emulator_connection(channel: str, base_url: str, creds: Credentials | dict | None = None) -> tuple[str, str, dict]:
    """(api base URL, shop id, credentials) for an account on the emulator at ``base_url``."""
    c = creds if isinstance(creds, dict) else asdict(creds or Credentials())
    base = base_url.rstrip("/")
    now = int(time.time())
    if channel == "tiktok":
        return base + PATHS[channel], c["tiktok_shop_id"], {
            "app_key": c["tiktok_app_key"], "app_secret": c["tiktok_app_secret"],
            "access_token": c["tiktok_access_token"], "access_token_expire_in": now + 6 * 86400,
            "refresh_token": c["tiktok_refresh_token"], "refresh_token_expire_in": now + 300 * 86400,
            "shop_cipher": c["tiktok_shop_cipher"], "auth_base_url": base + "/tiktok-auth"}
    if channel == "woocommerce":
        return base + PATHS[channel], "", {
            "consumer_key": c["woo_consumer_key"], "consumer_secret": c["woo_consumer_secret"],
            "webhook_secret": WOO_WEBHOOK_SECRET}
    if channel == "etsy":
        return base + PATHS[channel], str(c["etsy_shop_id"]), {
            "keystring": c["etsy_keystring"], "shared_secret": c["etsy_shared_secret"],
            "access_token": c["etsy_access_token"], "refresh_token": c["etsy_refresh_token"],
            "access_token_expires_at": now + 3000, "webhook_secret": c["etsy_webhook_secret"]}
    if channel == "square":
        return base + PATHS[channel], c["square_location_id"], {
            "access_token": c["square_access_token"], "location_id": c["square_location_id"]}
    raise ValueError(f"the emulator has no {channel!r}")


def catalogue_listings(channel: str, catalogue) -> list:
    """The emulator's seeded catalogue as the channel lists it (``RemoteListing``s, keyed the
    way the connector and the order mapping key them)."""
    out = []
    for item in catalogue.items_for(channel):
        ids = catalogue.ids(item.sku)[channel]
        title = f"{item.name} - {item.option}" if item.option else item.name
        if channel == "tiktok":
            key = (ids["product_id"], ids["sku_id"])
        elif channel == "woocommerce":
            key = (str(ids["product_id"]), str(ids["variation_id"] or ""))
        elif channel == "etsy":
            key = (str(ids["listing_id"]), item.sku)
        else:
            key = ("", ids["variation_id"])
        out.append(RemoteListing(product_id=key[0], variant_id=key[1], channel_sku=item.sku, title=title,
                                 price=item.price, currency="USD", quantity=item.stock))
    return out
