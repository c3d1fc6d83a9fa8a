"""Returns: local returns (``local``), channel returns recorded from the channel (``channel``),
decisions sent to the channel (``decisions``) and the warehouse's receiving and inspection
(``inspection``). docs/after-sales/returns.md"""

from orders.services.returns.channel import (
    AWAITING_SELLER,
    CHANNEL_STATUS_LABELS,
    RecordResult,
    record_channel_return,
    seller_fault_of,
)
from orders.services.returns.decisions import (
    decide_return,
    decision_attempted,
    decision_failed,
    decision_sent,
    possible_decisions,
    register_return_decision_queued,
)
from orders.services.returns.inspection import LineInspection, inspect_returned_lines, receive_returned_parcel
from orders.services.returns.local import (
    RETURN_FLOW,
    inspect_return,
    receive_return,
    request_return,
    restock_return,
    write_off_return,
)

__all__ = [
    "AWAITING_SELLER", "CHANNEL_STATUS_LABELS", "RETURN_FLOW", "LineInspection", "RecordResult", "decide_return",
    "decision_attempted", "decision_failed", "decision_sent", "inspect_return", "inspect_returned_lines",
    "possible_decisions", "receive_return", "receive_returned_parcel", "record_channel_return",
    "register_return_decision_queued",
    "request_return", "restock_return", "seller_fault_of", "write_off_return",
]
