"""The channel upsert of one order: sync, webhooks, import, the API and manual orders all store
through the page ingest (``page_ingest.store_page``); one order is a page of one."""

from __future__ import annotations

from orders.mapping import ChannelOrder
from orders.services.errors import UpsertResult
from orders.services.page_ingest import store_page
from sellerhub.models import ChannelAccount


def upsert_order(*, account: ChannelAccount, incoming: ChannelOrder, source: str = "sync", user=None,
                 confirm: bool = True) -> UpsertResult:
    """Create or update the Order for a channel's payload (already mapped to a ChannelOrder).

    Idempotent: the same payload again reports "unchanged" and writes nothing; a payload older
    than the stored one (by the channel's update time) reports "stale" and writes nothing. A field
    the channel did not change since its last payload keeps any local correction. Status follows
    the channel forward only (``channel_updates``). Orders awaiting confirmation then run through
    automatic confirmation (the rules of ``run_confirmation(on_arrival=True)``)."""
    return store_page(account=account, incoming=[incoming], source=source, user=user, confirm=confirm)[0]
