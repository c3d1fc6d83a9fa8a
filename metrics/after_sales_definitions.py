"""The after-sales figures of shop health: their keys, names, windows and the words the pages
show, and the limit that makes a pending request "about to be auto-approved".

The rules are in ``metrics/selectors/after_sales.py`` and follow docs/domain/metrics.md,
"After-sales figures" (#after-sales-figures). TikTok feeds the non-buyer-fault return rate, the
after-sales response time and seller-fault cancellations into its Shop Performance Score but
does not publish the exact formulas or lines of the first two; the definitions here are
SellerHub's reading, and the pages say so (``OWN_READING``).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

NON_BUYER_FAULT_RETURNS = "non_buyer_fault_return_rate"
RESPONSE_TIME = "after_sales_response_time"
CANCELLATIONS_BY_REASON = "seller_fault_cancellations_by_reason"
AFTER_SALES_KEYS = (NON_BUYER_FAULT_RETURNS, RESPONSE_TIME, CANCELLATIONS_BY_REASON)

# The default window of each figure (the last N full days): TikTok's Shop Performance Score reads
# returns over 60 days and cancellations over 30; the response time uses the page's 30 days.
DEFAULT_DAYS = {NON_BUYER_FAULT_RETURNS: 60, RESPONSE_TIME: 30, CANCELLATIONS_BY_REASON: 30}

# Seller-fault cancellation reasons (``Order.cancel_reason_code``), in the order of the page.
OUT_OF_STOCK = "out_of_stock"
MISSED_SLA = "missed_sla"
SELLER_REQUEST = "seller_request"
OTHER_REASON = "other"
REASONS = {
    OUT_OF_STOCK: "Out of stock",
    MISSED_SLA: "Auto-cancelled for a missed deadline",
    SELLER_REQUEST: "Cancelled by the seller",
    OTHER_REASON: "Other seller-fault reasons",
}

# The parts of a figure one can open.
NUMERATOR = "numerator"
DENOMINATOR = "denominator"
LATE = "late"
DECIDED = "decided"

# TikTok return statuses (``Return.channel_status``) that end a request without a refund:
# the seller's rejection stood, or the buyer withdrew it.
RETURN_REJECTED = "RETURN_OR_REFUND_REQUEST_REJECT"
RETURN_WITHDRAWN = "RETURN_OR_REFUND_REQUEST_CANCEL"
# TikTok return statuses in which the seller must act before a deadline (decide the request, or
# decide on the parcel that came back).
RETURN_AWAITING_SELLER = ("RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM")
# TikTok return statuses after which nothing waits for the seller.
RETURN_CLOSED = (RETURN_REJECTED, RETURN_WITHDRAWN, "RETURN_OR_REFUND_REQUEST_SUCCESS",
                 "RETURN_OR_REFUND_REQUEST_COMPLETE")

OWN_READING = ("TikTok uses these figures in its Shop Performance Score but does not publish their exact "
               "formulas or lines: SellerHub's definitions are its own reading (see the docs).")


@dataclass(frozen=True)
class AfterSalesFigure:
    key: str
    name: str
    short: str
    days: int
    description: str


FIGURES = {
    NON_BUYER_FAULT_RETURNS: AfterSalesFigure(
        NON_BUYER_FAULT_RETURNS, "Non-buyer-fault return rate", "NBFRR", DEFAULT_DAYS[NON_BUYER_FAULT_RETURNS],
        "Paid, non-sample orders with a return or refund requested in the window for a reason that is not the "
        "buyer's fault (not rejected, not withdrawn), among the paid, non-sample orders placed in the window.",
    ),
    RESPONSE_TIME: AfterSalesFigure(
        RESPONSE_TIME, "After-sales response time", "ART", DEFAULT_DAYS[RESPONSE_TIME],
        "Buyer cancellation requests and channel returns decided in the window: the median time from the "
        "request to the decision, and the share decided by the channel's deadline. A request the channel "
        "approved itself because the deadline passed counts as late; withdrawn requests are left out.",
    ),
    CANCELLATIONS_BY_REASON: AfterSalesFigure(
        CANCELLATIONS_BY_REASON, "Seller-fault cancellations by reason", "SFC", DEFAULT_DAYS[CANCELLATIONS_BY_REASON],
        "The orders the seller-fault cancellation rate counts (paid, non-sample orders placed in the window and "
        "cancelled by the seller or the system), split by the cancellation's reason.",
    ),
}


def at_risk_within():
    """How close to its deadline a pending request counts as about to be auto-approved
    (``AFTER_SALES_AT_RISK_HOURS``, default 24)."""
    return timedelta(hours=settings.AFTER_SALES_AT_RISK_HOURS)
