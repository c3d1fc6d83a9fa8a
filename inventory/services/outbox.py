"""The stock outbox: in the stock change's transaction, one "SKU changed" row per SKU it touched
(one INSERT, no quantities); after commit, the listeners are told. The push job later turns the
waiting changes into one row per channel listing to push (``expand_changes``), whose quantity is
computed when it is pushed (``inventory.stock_quantities``), so many changes of a SKU make one
push per listing and nothing but the insert runs while the stock levels are locked.

Code outside inventory (channel sync) registers a callable with ``on_outbox_written``; it is
called with the ids of the new rows after the transaction that wrote them commits."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inventory.bundles import bundles_containing
from inventory.models import ChannelListing, StockOutbox
from inventory.services import sql

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


def write_outbox(sku_ids, *, cursor=None) -> None:
    """One "SKU changed" row per SKU, in the caller's transaction (one INSERT), and the listeners
    told after commit. Which listings that concerns (bundles included) and their quantities are
    the push job's business."""
    sku_ids = sorted({int(pk) for pk in sku_ids})
    if not sku_ids:
        return
    now = sql.stamp(timezone.now())
    n = len(sku_ids)
    statement = sql.text(("outbox", n), lambda: (
        f"INSERT INTO {sql.table(StockOutbox)} (sku_id, created_at, attempts, last_error) "
        f"VALUES {sql.marks(n, '(%s, %s, 0, %s)')} RETURNING id"))
    with sql.cursor(cursor) as cur:
        cur.execute(statement, [x for pk in sku_ids for x in (pk, now, "")])
        ids = [row[0] for row in cur.fetchall()]
    notify_written(ids)


def notify_written(ids) -> None:
    """Tell the listeners about these new outbox rows once the caller's transaction commits (at
    once outside a transaction)."""
    ids = list(ids)
    if ids and _outbox_listeners:
        transaction.on_commit(lambda: _notify_outbox(ids))


def expand_changes(*, limit: int = 5000) -> list[int]:
    """Turn waiting "SKU changed" rows into one row per active, pushable listing of those SKUs and
    of the bundles they are part of, and mark the changes done; one transaction. Rows another
    push job is expanding at the same moment are skipped (it does them). Returns the ids of the
    accounts that got listing rows (so their pushes can be requested once this commits)."""
    with transaction.atomic():
        changes = list(
            StockOutbox.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(listing__isnull=True, pushed_at__isnull=True)
            .order_by("pk").values_list("pk", "sku_id")[:limit]
        )
        if not changes:
            return []
        sku_ids = {sku_id for _pk, sku_id in changes if sku_id is not None}
        sku_ids |= bundles_containing(sku_ids)
        first_change: dict[int, int] = {}
        for pk, sku_id in changes:
            first_change.setdefault(sku_id, pk)
        # The listing rows keep the order of the changes (bundles after them), so a push that
        # stops early sends the longest-waiting first (channels.selectors.listings_to_push).
        listings = sorted(
            ChannelListing.objects.filter(sku_id__in=sku_ids, active=True, is_fbt=False, account__active=True)
            .values_list("pk", "account_id", "sku_id"),
            key=lambda row: (first_change.get(row[2], changes[-1][0] + 1), row[0]),
        )
        StockOutbox.objects.bulk_create([StockOutbox(listing_id=pk) for pk, _account, _sku in listings],
                                        batch_size=1000)
        StockOutbox.objects.filter(pk__in=[pk for pk, _sku in changes]).update(pushed_at=timezone.now())
        return sorted({account_id for _pk, account_id, _sku in listings})


def changes_waiting() -> bool:
    """Whether any "SKU changed" row still waits to be expanded (a sweep's question)."""
    return StockOutbox.objects.filter(listing__isnull=True, pushed_at__isnull=True).exists()


def close_unchanged(*, up_to: dict[int, int]) -> int:
    """Mark the waiting rows of these listings ({listing id: highest row id read}) done without a
    push: each listing's quantity is the one last pushed. One UPDATE."""
    if not up_to:
        return 0
    condition = Q(pk__in=[])
    for listing_id, top in up_to.items():
        condition |= Q(listing_id=listing_id, pk__lte=top)
    return StockOutbox.objects.filter(condition, pushed_at__isnull=True).update(
        pushed_at=timezone.now(), last_error="Not pushed: the quantity is the one last pushed.")


def prune_pushed(*, older_than_days: int = 7, batch: int = 10000) -> int:
    """Delete outbox rows done more than `older_than_days` ago (pushed listing rows and expanded
    changes), in batches so no transaction grows with a busy week. Returns rows deleted. Rows not
    done yet (waiting, or failing and retried) are never deleted."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(StockOutbox.objects.filter(pushed_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += StockOutbox.objects.filter(pk__in=ids).delete()[0]
