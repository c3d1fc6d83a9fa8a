"""Background jobs of the orders app.

Re-fetching orders from their channel needs that channel's connector, which the channel-sync
issue adds under ``integrations.channels.connectors``. The contract this module relies on:

    integrations.channels.connectors.connector_for(account) -> connector or None
    connector.fetch_order_payloads(external_ids: list[str]) -> list[dict]  # the channel's order JSON

Where there is no connector (or the account has no credentials), ``start_refetch`` enqueues
nothing and says so.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict

from orders.mapping import PayloadError, map_order, supports
from orders.models import Order
from orders.services.confirmation import reconfirm_short_stock
from orders.services.upsert import upsert_order
from sellerhub.jobs import enqueue_job, progress, tracked
from sellerhub.models import Channel, ChannelAccount

log = logging.getLogger(__name__)


def connector_for(account: ChannelAccount):
    """The account's channel connector, or None while there is none for its channel."""
    if account.channel == Channel.MANUAL:
        return None
    try:
        module = importlib.import_module("integrations.channels.connectors")
    except ImportError:
        return None
    factory = getattr(module, "connector_for", None)
    if factory is None:
        return None
    try:
        connector = factory(account)
    except Exception:  # no connector for this channel, or it can't be built: treated as unavailable
        log.info("no connector for %s", account, exc_info=True)
        return None
    return connector if hasattr(connector, "fetch_order_payloads") else None


def start_refetch(*, orders, user=None) -> tuple[list, list[str]]:
    """Enqueue one re-fetch job per account for these orders. Returns (job runs, messages about
    the accounts that can't be re-fetched yet)."""
    by_account = defaultdict(list)
    accounts = {}
    for order in orders:
        by_account[order.account_id].append(order.external_id)
        accounts[order.account_id] = order.account
    runs, refused = [], []
    for account_id, external_ids in by_account.items():
        account = accounts[account_id]
        if account.channel == Channel.MANUAL:
            refused.append(f"{account.name}: manual orders have no channel to re-fetch from.")
            continue
        if connector_for(account) is None or not supports(account.channel):
            refused.append(f"{account.name}: re-fetching from {account.get_channel_display()} is not available "
                           f"until its channel connector exists (channel sync); nothing was queued.")
            continue
        if not account.credentials:
            refused.append(f"{account.name}: no credentials are stored for this account; connect it under Channels "
                           f"first. Nothing was queued.")
            continue
        runs.append(enqueue_job(kind="orders.refetch", func=refetch_orders_job, args=[account.pk, external_ids],
                                queue="sync", user=user, message=f"Re-fetch {len(external_ids)} order(s)"))
    return runs, refused


@tracked
def refetch_orders_job(run_id, account_id, external_ids):
    """Fetch the orders again from the channel and upsert them (idempotent: unchanged orders stay so)."""
    account = ChannelAccount.objects.get(pk=account_id)
    connector = connector_for(account)
    if connector is None:
        raise RuntimeError(f"No connector for {account.get_channel_display()}: cannot re-fetch.")
    counts = defaultdict(int)
    payloads = connector.fetch_order_payloads(list(external_ids))
    total = max(len(payloads), 1)
    for index, payload in enumerate(payloads, start=1):
        try:
            result = upsert_order(account=account, incoming=map_order(account.channel, payload), source="refetch")
            counts[result.outcome] += 1
        except PayloadError as exc:
            counts["rejected"] += 1
            log.warning("re-fetch of %s: payload rejected: %s", account, exc)
        progress(run_id, index * 100 // total, f"{index} of {len(payloads)} orders")
    missing = set(external_ids) - set(
        Order.objects.filter(account=account, external_id__in=external_ids).values_list("external_id", flat=True))
    message = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing returned"
    return {"message": f"Re-fetched: {message}", **counts, "missing": sorted(missing)}


def reconfirm_waiting_orders(limit: int = 500) -> dict:
    """Scheduled: try again to confirm the orders that wait for stock (see
    ``orders.services.confirmation.reconfirm_short_stock``). Idempotent."""
    return {"confirmed": reconfirm_short_stock(limit=limit)}
