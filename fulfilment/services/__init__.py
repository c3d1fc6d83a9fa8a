"""Every write of Fulfilled by Seller, one sub-module per part of the work:

* ``picking``: pick lists and totes;
* ``packing``: the packing station (sessions opened by the first scan, verified scans, closing the box);
* ``packages``: packages made, corrected and cancelled;
* ``labels``: labels quoted and bought, uploaded, typed or made by SellerHub, and their bytes;
* ``shipping``: the handover, with the tracking upload queued (``tracking_uploads``, the outbox
  row announced through ``fulfilment.hooks``);
* ``tracking``: carrier scans from the label provider's trackers and webhooks;
* ``batches``: print batches and the label policy of their packages;
* ``boxes`` and ``carrier_mappings``: the station's box presets and the channels' provider ids;
* ``locks`` (the one lock helper per model family), ``common`` and ``errors`` (``FulfilmentError``).

Functions are keyword-only. Each database change runs in one transaction; a label provider's
HTTP call never runs inside one (a purchase is claimed, bought, then stored, each step short and
safe to repeat: a label is never bought twice). Order status changes go through
``orders.services`` only; stock only moves there (shipping consumes the reservation). Jobs are
enqueued by their dotted path: ``fulfilment.jobs`` imports these services, never the reverse.
"""

from fulfilment.services.batches import (
    batch_started,
    create_print_batch,
    ensure_batch_label,
    ensure_batch_package,
    fail_batch,
    finish_batch,
    reprint_batch,
)
from fulfilment.services.boxes import save_box
from fulfilment.services.carrier_mappings import set_carrier_mapping
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.labels import (
    buy_best_rate,
    buy_label,
    label_bytes,
    label_problems,
    make_own_label,
    quote_rates,
    set_tracking_number,
    upload_label,
)
from fulfilment.services.packages import cancel_package, create_package, update_package
from fulfilment.services.packing import (
    ScanResult,
    check_packable,
    finish_packing,
    override_packing,
    restart_packing,
    scan_item,
    start_packing,
)
from fulfilment.services.picking import (
    MAX_PICK_ORDERS,
    PickListResult,
    cancel_pick_list,
    complete_pick_list,
    create_pick_list,
    set_tote,
)
from fulfilment.services.shipping import retry_tracking_push, ship_package
from fulfilment.services.tracking import follow_package, process_provider_event, record_tracker_update
from fulfilment.services.tracking_uploads import queue_tracking_push, record_tracking_result

__all__ = [
    "MAX_PICK_ORDERS", "FulfilmentError", "PickListResult", "ScanResult", "batch_started", "buy_best_rate",
    "buy_label", "cancel_package", "cancel_pick_list", "check_packable", "complete_pick_list", "create_package",
    "create_pick_list", "create_print_batch", "ensure_batch_label", "ensure_batch_package", "fail_batch",
    "finish_batch", "finish_packing", "follow_package", "label_bytes", "label_problems",
    "make_own_label", "override_packing", "process_provider_event", "queue_tracking_push", "quote_rates",
    "record_tracker_update", "record_tracking_result", "reprint_batch",
    "restart_packing", "retry_tracking_push", "save_box", "scan_item", "set_carrier_mapping", "set_tote",
    "set_tracking_number", "ship_package", "start_packing", "update_package", "upload_label",
]
