"""Every change of stock, each in one transaction with its ledger row(s).

Stock allocation follows Saleor: the StockLevel rows a change touches are locked through ONE
helper (``locks.lock_levels``: ``select_for_update(of=("self",))``, always in primary-key order, so
two orders locking the same SKUs in opposite orders never deadlock); every shortfall is collected
into one ``InsufficientStock`` error; counters move with ``F()`` updates (``ledger``); the outbox
rows that tell the channels about a new available-to-sell are written in the same transaction
(``outbox``), and anything outside the database runs in ``transaction.on_commit``. On PostgreSQL
one order's reserve, release and consume are one call each of a database function that does the
same (``stock_functions``, inventory migration 0018).

Modules: ``errors``, ``locks``, ``ledger``, ``outbox``, ``reservations``, ``stock_functions``,
``adjustments``, ``receiving``, ``catalogue``. Public API (all keyword-only), re-exported here:

    reserve(reference=, requests=[StockRequest(...)], location_codes=None, user=None) -> [Reservation]
    release(reference=, user=None, note="") -> units released
    consume(reference=, line_keys=None, user=None) -> units shipped
    reserve_page(orders=[PageOrder(reference, requests, location_codes)], user=None)
        -> {reference: None | InsufficientStock}
    adjust(sku=, location=, quantity=, reason=, user=None, note="", reference="") -> StockMovement
    count(sku=, location=, counted=, user=None, note="") -> StockMovement
    receive(sku=, location=, quantity=, user=None, reference="", note="", reason="receipt") -> StockMovement
    undo_last_scan(reference=, seen_up_to=None, user=None) -> the reversing StockMovement
    transfer(sku=, from_location=, to_location=, quantity=, reason="transfer", ...) -> (out, in) movements
    apply_counts(counts=[(sku_id, location_id, counted)], user=None, note="") -> [StockMovement]
    record_count(location=, counts=[(sku, counted)], user=None, note="") -> CountResult (counts.py: a
        count below reserved releases the newest reservations; inventory.hooks tells orders)
    create_sku / update_sku / delete_sku / import_skus
    restock_returned / write_off_returned(sku=, location=, quantity=, ...) (returns.py: returned units)
    on_outbox_written(callback)   register callback(outbox_ids), called after commit
    expand_changes() -> account ids; close_unchanged(up_to={listing: id})   the push job's side of the outbox
"""

from inventory.services.adjustments import ADJUST_REASONS, adjust, apply_counts, count, transfer
from inventory.services.catalogue import SKU_FIELDS, CatalogueError, create_sku, delete_sku, import_skus, update_sku
from inventory.services.counts import CountResult, record_count
from inventory.services.errors import InsufficientStock, ScanAlreadyUndone, Shortfall, StockError, StockRequest
from inventory.services.ledger import Reason
from inventory.services.outbox import _outbox_listeners, close_unchanged, expand_changes, on_outbox_written
from inventory.services.receiving import receive, undo_last_scan
from inventory.services.reservations import (
    DEFAULT_LOCATION_CODES,
    OWN_KINDS,
    SELLABLE_OWN,
    PageOrder,
    consume,
    release,
    reserve,
    reserve_page,
)
from inventory.services.returns import restock_returned, write_off_returned

__all__ = [
    "ADJUST_REASONS", "DEFAULT_LOCATION_CODES", "OWN_KINDS", "SELLABLE_OWN", "SKU_FIELDS", "CatalogueError",
    "CountResult", "InsufficientStock", "PageOrder", "Reason", "ScanAlreadyUndone", "Shortfall", "StockError",
    "StockRequest", "_outbox_listeners", "adjust", "apply_counts", "consume", "count", "create_sku", "delete_sku",
    "import_skus", "on_outbox_written", "receive", "record_count", "release", "reserve", "reserve_page",
    "restock_returned", "transfer", "undo_last_scan", "update_sku", "write_off_returned",
    "close_unchanged", "expand_changes",
]
