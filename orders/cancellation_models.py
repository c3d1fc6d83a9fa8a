"""Buyer cancellation requests from the channels (TikTok ``return_refund`` cancellations): one
row per channel request, with its deadline and the seller's decision (and whether that decision
reached the channel). See docs/after-sales/cancellation-requests.md."""

from django.conf import settings
from django.db import models

__all__ = ["CancellationDecision", "CancellationRequest", "CancellationRequestStatus", "DecisionDelivery"]


class CancellationRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the seller"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    AUTO_APPROVED = "auto_approved", "Approved by the channel (deadline missed)"
    WITHDRAWN = "withdrawn", "Withdrawn by the buyer"


class CancellationDecision(models.TextChoices):
    NONE = "", "None"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class DecisionDelivery(models.TextChoices):
    NONE = "", "Nothing to send"
    QUEUED = "queued", "Being sent to the channel"
    SENT = "sent", "Accepted by the channel"
    FAILED = "failed", "The channel refused it or could not be reached"


class CancellationRequest(models.Model):
    """A buyer's (or the channel's) request to cancel an order, as the channel reports it, plus the
    seller's decision. ``respond_by`` is the seller's deadline; past it the channel approves on its
    own (``auto_approved``)."""

    class Initiator(models.TextChoices):
        BUYER = "buyer", "Buyer"
        SELLER = "seller", "Seller"
        SYSTEM = "system", "System"

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.PROTECT,
                                related_name="cancellation_requests")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="cancellation_requests")
    external_id = models.CharField(max_length=64, help_text="The request's id on its channel (TikTok cancel_id).")
    status = models.CharField(max_length=16, choices=CancellationRequestStatus.choices,
                              default=CancellationRequestStatus.PENDING, db_index=True)
    channel_status = models.CharField(max_length=40, blank=True, help_text="The status as the channel reports it.")
    initiator = models.CharField(max_length=6, choices=Initiator.choices, default=Initiator.BUYER)
    reason = models.CharField(max_length=300, blank=True, help_text="The buyer's reason, in the channel's words.")
    requested_at = models.DateTimeField(help_text="When the request was opened on the channel.")
    respond_by = models.DateTimeField(null=True, blank=True, db_index=True,
                                      help_text="The seller's deadline; the channel approves on its own after it.")
    decided_at = models.DateTimeField(null=True, blank=True)
    auto_approved = models.BooleanField(default=False,
                                        help_text="The channel approved it because the seller missed the deadline.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    refund_total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    line_ids = models.JSONField(default=list, blank=True, help_text="The channel's ids of the lines concerned.")
    # The seller's decision and its delivery to the channel.
    decision = models.CharField(max_length=8, choices=CancellationDecision.choices, blank=True, default="")
    reject_reason = models.CharField(max_length=120, blank=True, help_text="The channel's reject reason code.")
    reject_comment = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=8, choices=DecisionDelivery.choices, blank=True, default="")
    delivery_key = models.CharField(max_length=100, blank=True,
                                    help_text="The idempotency key every try of the decision carries.")
    delivery_error = models.CharField(max_length=500, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    channel_updated_at = models.DateTimeField(null=True, blank=True, help_text="The channel's own update time.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["respond_by", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="cancellationrequest_unique_channel_id"),
        ]
        indexes = [models.Index(fields=["status", "respond_by"], name="cancelreq_status_due")]

    def __str__(self) -> str:
        return f"Cancellation request {self.external_id} ({self.get_status_display()})"
