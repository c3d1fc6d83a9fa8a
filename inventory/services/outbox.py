"""The stock outbox: one row per channel listing whose available-to-sell a stock change moved,
written in the change's transaction, and the listeners told after commit.

Code outside inventory (channel sync) registers a callable with ``on_outbox_written``; it is
called with the ids of new StockOutbox rows after the transaction that wrote them commits."""

from __future__ import annotations

import logging

from django.db import transaction

from inventory.models import StockOutbox
from inventory.selectors import listing_quantities

# The name the demo loader quiets ("inventory.services") and this module's own logger both apply.
log = logging.getLogger("inventory.services")

_outbox_listeners = []


def on_outbox_written(callback):
    """Register `callback(outbox_ids)` to run after commit whenever outbox rows were written."""
    if callback not in _outbox_listeners:
        _outbox_listeners.append(callback)
    return callback


def _notify_outbox(ids):
    for callback in list(_outbox_listeners):
        try:
            callback(ids)
        except Exception as exc:  # never let a push hook (Redis down, ...) break a committed stock change
            log.warning("stock outbox listener %r failed (%s); the rows stay in the outbox", callback, exc)


def write_outbox(sku_ids) -> None:
    """One outbox row per active listing of these SKUs whose available-to-sell changed (compared
    with the last row written for it, or what was last pushed), in the caller's transaction."""
    if not sku_ids:
        return
    rows = [
        StockOutbox(listing_id=listing_id, quantity=quantity)
        for listing_id, quantity, previous in listing_quantities(sku_ids=sku_ids)
        if quantity != previous
    ]
    if not rows:
        return
    created = StockOutbox.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    if _outbox_listeners:
        transaction.on_commit(lambda: _notify_outbox(ids))
