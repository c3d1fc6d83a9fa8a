"""Token refresh for every connector whose tokens expire (TikTok, Etsy), against a token store.

The integrations layer stores nothing itself: the caller gives a ``TokenStore`` (the kernel's
``sellerhub.channel_tokens.AccountTokenStore`` keeps them on the ``ChannelAccount``), and
``store_refresher(store)`` is the connector's ``token_refresher``. Refresh tokens rotate, so
two jobs must never refresh at once: the refresh runs under the store's lock, and a job that
finds the token already refreshed by another uses the stored one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from integrations.channels.connectors.errors import Unavailable

if TYPE_CHECKING:
    from integrations.channels.connectors.base import Connector


class TokenStore(Protocol):
    """Where an account's credentials live between calls."""

    def load(self) -> dict:
        """The stored credentials (an empty dict when there are none)."""

    def save(self, credentials: dict) -> None:
        """Replace the stored credentials with fresh ones."""

    def hold(self) -> AbstractContextManager[bool]:
        """The refresh lock: entering gives True once held, False if another job kept it."""


def store_refresher(store: TokenStore) -> Callable[[Connector], dict]:
    """The connector's ``token_refresher`` backed by ``store`` (refresh once, under its lock)."""

    def refresh(connector: Connector) -> dict:
        with store.hold() as held:
            if not held:
                raise Unavailable("another job is refreshing the token", operation="token.refresh")
            stored = store.load()
            if stored.get("access_token") and stored.get("access_token") != connector.credentials.get("access_token"):
                return stored
            connector.use_credentials(stored)
            fresh = connector.refresh_credentials()
            store.save(fresh)
            return fresh

    return refresh
