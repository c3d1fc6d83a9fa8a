"""One connector per channel behind one small interface (``connectors.base.Connector``):

    connector = connector_for(account)
    for page in connector.iter_order_pages(since=..., resume=None): ...   # orders changed since
    connector.fetch_order_payloads(["576..."])                           # orders by id
    connector.push_stock([StockPush(...)])                               # available quantities
    connector.push_shipment(ShipmentPush(...))                           # tracking of a package
    Connector.verify_webhook(account, headers=..., body=..., url=...)     # a signed notification
    connector.refresh_credentials()                                      # fresh tokens

``orders.jobs`` relies on ``connector_for(account)`` and ``fetch_order_payloads``.
"""

from __future__ import annotations

from integrations.channels.connectors.base import (
    Ambiguous,
    ApiRequest,
    AuthFailed,
    ChannelError,
    Connector,
    Malformed,
    NotConfigured,
    OrderPage,
    PushOutcome,
    PushPaused,
    RateLimited,
    Rejected,
    RemoteListing,
    ShipmentLine,
    ShipmentOutcome,
    ShipmentPush,
    StockPush,
    Timeout,
    Unavailable,
    WebhookNotice,
    WebhookRejected,
)
from integrations.channels.connectors.etsy import EtsyConnector
from integrations.channels.connectors.square import SquareConnector
from integrations.channels.connectors.tiktok import TikTokConnector
from integrations.channels.connectors.woocommerce import WooCommerceConnector

CONNECTORS: dict[str, type[Connector]] = {
    c.channel: c for c in (TikTokConnector, WooCommerceConnector, EtsyConnector, SquareConnector)
}

__all__ = [
    "CONNECTORS", "Ambiguous", "ApiRequest", "AuthFailed", "ChannelError", "Connector", "Malformed", "NotConfigured",
    "OrderPage", "PushOutcome", "PushPaused", "RateLimited", "Rejected", "RemoteListing", "ShipmentLine",
    "ShipmentOutcome", "ShipmentPush", "StockPush", "Timeout", "Unavailable", "WebhookNotice", "WebhookRejected",
    "connector_class", "connector_for",
]


def connector_class(channel: str) -> type[Connector]:
    try:
        return CONNECTORS[channel]
    except KeyError:
        raise LookupError(f"no connector for channel {channel!r}") from None


def connector_for(account, **kwargs) -> Connector:
    """The account's connector (a new requests.Session per call: one per account and job)."""
    return connector_class(account.channel)(account, **kwargs)
