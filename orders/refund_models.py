"""Seller cancellations sent to the channels (an outbox row per order) and refunds read from or
created on the channels.

- ``SellerCancellation``: written in the same transaction as the seller's cancellation of an
  order; the channels app sends it (``push_cancellation`` of the account's connector) and writes
  the result back here. Its state tells the truth: queued, sent, failed (with the error and
  whether a retry may help) or not supported (the channel has no such call: the seller cancels on
  the channel, SellerHub follows the channel's status).
- ``Refund``: one money refund of an order on its channel (read from WooCommerce or Square, or
  created from SellerHub on WooCommerce), unique per account and channel refund id, linked to the
  order's return when they match.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orders.cancel_reasons import SELLER_REASON_CHOICES

__all__ = ["Refund", "SellerCancellation"]


class SellerCancellation(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENT = "sent", "Sent to the channel"
        FAILED = "failed", "Failed"
        NOT_SUPPORTED = "not_supported", "Cancel it on the channel"

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="seller_cancellation")
    reason = models.CharField(max_length=30, choices=SELLER_REASON_CHOICES,
                              help_text="One of the connectors' CANCEL_REASONS.")
    note = models.CharField(max_length=500, blank=True, help_text="The seller's words, shown to the buyer where "
                                                                  "the channel has a place for them.")
    line_external_ids = models.JSONField(default=list, blank=True, help_text="Empty: the whole order.")
    idempotency_key = models.CharField(max_length=64, unique=True, help_text="The same for every try.")
    state = models.CharField(max_length=14, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retryable = models.BooleanField(default=False, help_text="The last failure may pass on a retry.")
    channel_reference = models.CharField(max_length=100, blank=True, help_text="The channel's id of the "
                                                                               "cancellation.")
    channel_status = models.CharField(max_length=60, blank=True, help_text="The channel's status after the call.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]

    def __str__(self):
        return f"seller cancellation of order {self.order_id} ({self.state})"


class Refund(models.Model):
    class Source(models.TextChoices):
        CHANNEL = "channel", "Made on the channel"
        SELLERHUB = "sellerhub", "Made from SellerHub"

    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="refunds")
    ret = models.ForeignKey("orders.Return", null=True, blank=True, on_delete=models.SET_NULL, related_name="refunds",
                            help_text="The return this refund pays for, when they match.")
    external_id = models.CharField(max_length=100, help_text="The channel's refund id.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    reason = models.CharField(max_length=500, blank=True)
    channel_status = models.CharField(max_length=30, blank=True, help_text="The refund's status on the channel.")
    through_gateway = models.BooleanField(null=True, blank=True,
                                          help_text="Paid back through the payment gateway; empty when unknown.")
    refunded_at = models.DateTimeField(null=True, blank=True, help_text="When the channel created it.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CHANNEL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    raw = models.JSONField(default=dict, blank=True, help_text="The channel's refund as last read.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-refunded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="refund_unique_account_external_id"),
        ]

    def __str__(self):
        return f"refund {self.external_id} of order {self.order_id}"
