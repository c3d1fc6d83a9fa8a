"""Why an order was cancelled, as one code the figures can count (``Order.cancel_reason_code``),
and the seller's reasons to cancel (the channel-neutral ``CANCEL_REASONS`` of the connectors).

Pure: no database. ``classify`` turns what a channel reports (the initiator and the channel's
reason text) into a code where the words allow it; ``code_for_seller_reason`` turns the reason
the Owner picked into the code. See docs/after-sales/seller-cancellations-and-refunds.md.
"""

from __future__ import annotations

from django.db import models

from integrations.channels.connectors.base import CANCEL_REASONS


class CancelReasonCode(models.TextChoices):
    NONE = "", "Not known"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    MISSED_SLA = "missed_sla", "Auto-cancelled for a missed deadline"
    SELLER_REQUEST = "seller_request", "Seller's request"
    BUYER_REQUEST = "buyer_request", "Buyer's request"
    PRICING_ERROR = "pricing_error", "Pricing error"
    UNABLE_TO_DELIVER = "unable_to_deliver", "Unable to deliver"
    OTHER = "other", "Other"


# The reasons the Owner picks from when cancelling, in the seller's words (CANCEL_REASONS order).
SELLER_REASON_LABELS = {
    "out_of_stock": "Out of stock",
    "pricing_error": "Pricing error",
    "unable_to_deliver": "Unable to deliver to the buyer's address",
    "buyer_requested": "The buyer asked to cancel",
    "other": "Other reason",
}
SELLER_REASON_CHOICES = tuple((code, SELLER_REASON_LABELS[code]) for code in CANCEL_REASONS)

_SELLER_REASON_CODES = {
    "out_of_stock": CancelReasonCode.OUT_OF_STOCK,
    "pricing_error": CancelReasonCode.PRICING_ERROR,
    "unable_to_deliver": CancelReasonCode.UNABLE_TO_DELIVER,
    "buyer_requested": CancelReasonCode.BUYER_REQUEST,
    "other": CancelReasonCode.OTHER,
}

# Words in a channel's cancel reason and the code they mean (first match wins; lower case).
_WORDS = (
    (("out of stock", "out_of_stock", "no stock", "sold out", "inventory"), CancelReasonCode.OUT_OF_STOCK),
    (("overdue", "late dispatch", "not shipped in time", "failed to ship", "shipping sla", "auto-cancel",
      "auto cancel", "automatically cancel", "timeout", "time out", "exceeded"), CancelReasonCode.MISSED_SLA),
    (("pricing", "price error", "wrong price"), CancelReasonCode.PRICING_ERROR),
    (("buyer asked", "buyer requested", "buyer changed", "customer asked", "customer requested"),
     CancelReasonCode.BUYER_REQUEST),
    (("unable to deliver", "undeliverable", "address", "cannot deliver", "can't deliver"),
     CancelReasonCode.UNABLE_TO_DELIVER),
)


def code_for_seller_reason(reason: str) -> str:
    """The code of a reason from CANCEL_REASONS; ValueError for anything else."""
    try:
        return str(_SELLER_REASON_CODES[reason])
    except KeyError:
        raise ValueError(f"{reason!r} is not a cancellation reason") from None


def classify(initiator: str, reason: str) -> str:
    """The code for a channel's cancellation: the reason's words first, then the initiator
    (buyer -> buyer's request, seller -> seller's request, system -> a missed deadline only when
    the words say so). "" when nothing tells."""
    text = (reason or "").strip().lower()
    for words, code in _WORDS:
        if any(word in text for word in words):
            return str(code)
    who = (initiator or "").upper()
    if who == "BUYER":
        return str(CancelReasonCode.BUYER_REQUEST)
    if who == "SELLER":
        return str(CancelReasonCode.SELLER_REQUEST)
    return ""
