"""Every FBT write, each in one transaction. Stock moves only through inventory.services (ledger
reason ``fbt_inbound`` for the inbound legs, ``count`` for TikTok's figures, ``adjustment`` for
units written off), with the shipment's reference (IB-00012) on every ledger row.

Modules: ``locks`` (the shipment lock), ``inbound_rules`` (error, limits, history), ``planning``,
``cartons``, ``shipping``, ``receiving``, ``fbt_stock``, ``alerts`` (notifications: the webhook inbox). Public API
(all keyword-only), re-exported here:

    create_inbound(destination=, lines=[(sku, quantity, suggested)], source=None, account=None, note="", user=None)
    set_line_quantities(shipment=, quantities={line_id: quantity}, add=[(sku, quantity)], user=None)
    update_inbound_details(shipment=, ibr_id=, carrier=, tracking_number=, note=, user=None)
    add_carton(shipment=, contents={line_id: quantity}, weight_grams=None, dims=(l, w, h), user=None)
    delete_carton(carton=, user=None)
    ship_inbound(shipment=, user=None)                 own warehouse (and its bins) -> TRANSIT
    receive_inbound(shipment=, counts={line_id: (received, damaged)}, actor=, user=None, tolerate_excess=False)
                                                       TRANSIT -> FBT warehouse (damaged: written off)
    record_tiktok_status(shipment=, status=, at=None)
    close_inbound(shipment=, action="write_off"|"return", user=None, note="")
    cancel_inbound(shipment=, user=None)
    ensure_fbt_location(warehouse=FbtWarehouse, account=None) -> Location
    apply_fbt_stock(account=, rows=[FbtStockRow], locations={warehouse id: Location}) -> summary
    record_tiktok_alert(account=, notice=InventoryAlertNotice, notification_id=) -> (alert or None, outcome)
    check_thresholds() -> {"opened", "resolved"}
    dismiss_alert(alert=, user=None, note="")
"""

from inventory.fbt.services.alerts import check_thresholds, dismiss_alert, record_tiktok_alert
from inventory.fbt.services.cartons import add_carton, delete_carton, packing_state
from inventory.fbt.services.fbt_stock import apply_fbt_stock, ensure_fbt_location, match_skus
from inventory.fbt.services.inbound_rules import MAX_LINES, MAX_QUANTITY, InboundError, own_levels
from inventory.fbt.services.planning import create_inbound, set_line_quantities, update_inbound_details
from inventory.fbt.services.receiving import close_inbound, lines_for_goods, receive_inbound, record_tiktok_status
from inventory.fbt.services.shipping import cancel_inbound, ship_inbound

__all__ = [
    "MAX_LINES", "MAX_QUANTITY", "InboundError", "add_carton", "apply_fbt_stock", "cancel_inbound", "check_thresholds",
    "close_inbound", "create_inbound", "delete_carton", "dismiss_alert", "ensure_fbt_location",
    "lines_for_goods", "match_skus", "own_levels", "packing_state", "receive_inbound",
    "record_tiktok_alert", "record_tiktok_status", "set_line_quantities", "ship_inbound", "update_inbound_details",
]
