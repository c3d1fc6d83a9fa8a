"""Every write to orders, split by sub-domain; this package re-exports the public services so
``from orders import services`` keeps working:

* ``errors``: typed errors (``OrderError`` ...) and results (``ConfirmResult``, ``UpsertResult``);
* ``locks``: the one lock helper of the order family (``lock_order``, ``lock_orders``);
* ``timeline``: the order's events; ``shop_calendar``: deadlines from the shop's calendar;
* ``transitions``: the transition table and ``transition``, the seller's status moves;
* ``stock_effects``: reserving, consuming and re-reserving stock for an order;
* ``attention``: the needs-attention reasons; ``addresses``: address corrections;
* ``confirmation``: confirming (by hand, on arrival, again), releasing holds, bulk actions;
* ``sku_mapping``: mapping a channel SKU to ours; ``order_lines``: the channel's lines;
* ``upsert``: the channel upsert of one order; ``page_ingest``: a page of orders in one transaction
  (``channel_updates``: a stored order following its channel); ``manual``: manual orders;
  ``returns``: returns.
* ``seller_cancellation``: a seller's cancellation on its way to the channel (outbox row, hook,
  results, retry); ``refunds``: the channels' refunds stored once.

Functions are keyword-only and each runs in one transaction; status changes only through
``transition``.
"""

from orders.services.addresses import ADDRESS_LABELS, EDITABLE_ADDRESS, address_editable, update_address
from orders.services.attention import ADDRESS_FIELDS, address_problems
from orders.services.confirmation import (
    bulk_apply,
    confirm_order,
    possible_actions,
    reconfirm_short_stock,
    release_hold,
    rerun_confirmations,
    run_confirmation,
)
from orders.services.errors import (
    ConfirmResult,
    ManualOrderError,
    MappingResult,
    OrderError,
    ReturnError,
    TransitionNotAllowed,
    UpsertResult,
)
from orders.services.locks import lock_order, lock_orders
from orders.services.manual import MANUAL_ACCOUNT_NAME, create_manual_order, first_account, manual_account
from orders.services.order_lines import LINE_FIELDS
from orders.services.returns import (
    RETURN_FLOW,
    LineInspection,
    RecordResult,
    decide_return,
    decision_attempted,
    decision_failed,
    decision_sent,
    inspect_return,
    inspect_returned_lines,
    possible_decisions,
    receive_return,
    receive_returned_parcel,
    record_channel_return,
    request_return,
    restock_return,
    write_off_return,
)
from orders.services.shop_calendar import computed_deadlines, shop_calendar
from orders.services.sku_mapping import map_channel_sku
from orders.services.transitions import (
    ALLOWED,
    BOTH,
    CHANNEL,
    CHANNEL_ONLY,
    SELLER,
    SELLER_ONLY,
    allowed,
    cancel_order,
    hold_order,
    mark_delivered,
    mark_in_transit,
    mark_packed,
    mark_shipped,
    send_to_picking,
    transition,
)
from orders.services.upsert import upsert_order

__all__ = [
    "LineInspection", "RecordResult", "decide_return", "decision_attempted", "decision_failed", "decision_sent",
    "inspect_returned_lines", "possible_decisions", "receive_returned_parcel", "record_channel_return",
    "ADDRESS_FIELDS", "ADDRESS_LABELS", "ALLOWED", "BOTH", "CHANNEL", "CHANNEL_ONLY", "ConfirmResult",
    "EDITABLE_ADDRESS", "LINE_FIELDS", "MANUAL_ACCOUNT_NAME", "ManualOrderError", "MappingResult", "OrderError",
    "RETURN_FLOW", "ReturnError", "SELLER", "SELLER_ONLY", "TransitionNotAllowed", "UpsertResult",
    "address_editable", "address_problems", "allowed", "bulk_apply", "cancel_order", "computed_deadlines",
    "confirm_order", "create_manual_order", "first_account", "hold_order", "inspect_return", "lock_order",
    "lock_orders", "manual_account", "map_channel_sku", "mark_delivered", "mark_in_transit", "mark_packed",
    "mark_shipped", "possible_actions", "receive_return", "reconfirm_short_stock", "release_hold", "request_return",
    "rerun_confirmations", "restock_return", "run_confirmation", "send_to_picking", "shop_calendar", "transition",
    "update_address", "upsert_order", "write_off_return",
]
