"""Inventory schedules for RQ's cron (collected by sellerhub/cron.py)."""

import logging

from inventory import selectors
from inventory.services.outbox import prune_pushed

log = logging.getLogger(__name__)


def reconcile_stock_job():
    """Nightly: compare stock levels with the ledger; drift is logged as an error (and shown in the
    job's result on the ops job dashboard). `manage.py reconcile_stock` prints the details."""
    checked, drifts = selectors.reconcile()
    for d in drifts:
        log.error("stock drift: %s at %s: level %s/%s, ledger %s/%s, active reservations %s", d["sku"], d["location"],
                  d["level_on_hand"], d["level_reserved"], d["ledger_on_hand"], d["ledger_reserved"],
                  d["active_reservations"])
    return {"checked": checked, "drifted": len(drifts), "drift": drifts[:100]}


def prune_stock_outbox_job():
    """Nightly: every stock change writes outbox rows; those pushed over a week ago are deleted."""
    return {"deleted": prune_pushed(older_than_days=7)}


def register(cron):
    cron.register(prune_stock_outbox_job, "default", cron="53 2 * * *", name="inventory_prune_stock_outbox")
    cron.register(reconcile_stock_job, "default", cron="41 2 * * *", name="inventory_reconcile_stock")
