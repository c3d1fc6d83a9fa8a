"""Channel returns beyond the ``Return`` row itself: the return's timeline (``ReturnEvent``) and the
decisions sent to the channel (``ReturnDecision``, one row per decision with its idempotency key).
See docs/after-sales/returns.md."""

from django.conf import settings
from django.db import models

__all__ = ["ReturnDecision", "ReturnDecisionKind", "ReturnEvent"]


class ReturnEvent(models.Model):
    """One step of a return's life, from the channel (its records, a status change) or from
    SellerHub (a decision, a scan, an inspection). ``key`` makes a channel step idempotent."""

    ret = models.ForeignKey("orders.Return", on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=60, blank=True, help_text='A username, "TikTok", "buyer", "system".')
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True, help_text="What makes a channel step unique.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ret", "key"], condition=~models.Q(key=""),
                                    name="returnevent_unique_key"),
        ]

    def __str__(self):
        return f"{self.ret_id} {self.kind}"


class ReturnDecisionKind(models.TextChoices):
    """TikTok's decisions on a return (docs/after-sales/returns.md#decisions)."""

    APPROVE_REFUND = "APPROVE_REFUND", "Approve the refund"
    APPROVE_RETURN = "APPROVE_RETURN", "Approve the return"
    APPROVE_REPLACEMENT = "APPROVE_REPLACEMENT", "Approve a replacement"
    OFFER_PARTIAL_REFUND = "OFFER_PARTIAL_REFUND", "Offer a partial refund"
    APPROVE_RECEIVED_PACKAGE = "APPROVE_RECEIVED_PACKAGE", "Accept the returned package"
    REJECT_REFUND = "REJECT_REFUND", "Reject the refund"
    REJECT_RETURN = "REJECT_RETURN", "Reject the return"
    REJECT_REPLACEMENT = "REJECT_REPLACEMENT", "Reject the replacement"
    REJECT_RECEIVED_PACKAGE = "REJECT_RECEIVED_PACKAGE", "Reject the returned package"


class ReturnDecision(models.Model):
    """A decision on a channel return, sent by a job with its idempotency key; the row says
    truthfully whether the channel has it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Accepted by the channel"
        FAILED = "failed", "Failed"

    ret = models.ForeignKey("orders.Return", on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=30, choices=ReturnDecisionKind.choices)
    reject_reason = models.CharField(max_length=120, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    partial_refund = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.decision} on return {self.ret_id} ({self.state})"
