"""Where channel tokens are kept: an account's credentials on the kernel's ``ChannelAccount``.

``AccountTokenStore(account_id)`` is the token store the integrations' connectors refresh
against (``integrations.channels.connectors.tokens.TokenStore``): order sync, TikTok FBT and
TikTok Shipping all use it, so a refresh by one is seen by the others. ``hold()`` is the refresh
lock, in Redis (refresh tokens rotate: two refreshes at once would fail), kept while the HTTP
refresh runs; ``save`` is one short transaction, never open across a call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import django_rq
from django.db import transaction
from redis.exceptions import RedisError

from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

LOCK_KEY = "sellerhub:channels:lock:token:{account_id}"
LOCK_SECONDS = 120
LOCK_WAIT = 30.0


def save_credentials(*, account_id: int, credentials: dict) -> None:
    """Replace an account's credentials (fresh tokens, or a connection test's findings)."""
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update(of=("self",)).get(pk=account_id)
        account.credentials = dict(credentials)
        account.save(update_fields=["credentials"])


class AccountTokenStore:
    """The credentials of one ``ChannelAccount`` as a connector's token store."""

    def __init__(self, account_id: int, *, lock_seconds: int = LOCK_SECONDS, wait: float = LOCK_WAIT):
        self.account_id = account_id
        self.lock_seconds = lock_seconds
        self.wait = wait

    def load(self) -> dict:
        return dict(ChannelAccount.objects.only("credentials").get(pk=self.account_id).credentials or {})

    def save(self, credentials: dict) -> None:
        save_credentials(account_id=self.account_id, credentials=credentials)

    @contextmanager
    def hold(self) -> Iterator[bool]:
        lock = django_rq.get_connection("sync").lock(LOCK_KEY.format(account_id=self.account_id),
                                                      timeout=self.lock_seconds, sleep=0.05,
                                                      blocking_timeout=self.wait)
        held = lock.acquire()
        try:
            yield held
        finally:
            if held:
                try:
                    lock.release()
                except RedisError:  # expired, or Redis gone: it expires by itself
                    log.warning("could not release the token lock of account %s", self.account_id)
