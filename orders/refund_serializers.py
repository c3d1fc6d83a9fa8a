"""API shapes of the after-sales money side: the seller cancellation's push to the channel, the cancel
action's input (a reason from the list, and a note) and the refunds."""

from decimal import Decimal

from rest_framework import serializers

from integrations.channels.connectors.base import CANCEL_REASONS
from orders.models import Refund, SellerCancellation


class SellerCancellationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SellerCancellation
        fields = ["state", "reason", "note", "attempts", "last_error", "retryable", "channel_reference",
                  "channel_status", "queued_at", "sent_at"]


class CancelInSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(
        choices=list(CANCEL_REASONS), required=False, allow_blank=True,
        error_messages={"invalid_choice": f"“{{input}}” is not a cancellation reason; use one of: "
                                          f"{', '.join(CANCEL_REASONS)}."},
        help_text=f"Why the seller cancels, one of: {', '.join(CANCEL_REASONS)}. Required for a channel's order "
                  f"(the channel is told); a manual order may give `reason` alone.")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   help_text="A note in the seller's words (the reason itself for a manual order).")


class RefundSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="account.channel", read_only=True)
    order_external_id = serializers.CharField(source="order.external_id", read_only=True)
    ret = serializers.IntegerField(source="ret_id", read_only=True, allow_null=True,
                                   help_text="The return this refund pays for, when they match.")

    class Meta:
        model = Refund
        fields = ["id", "account", "channel", "order", "order_external_id", "ret", "external_id", "amount", "currency",
                  "reason", "channel_status", "through_gateway", "refunded_at", "source", "recorded_at"]
        read_only_fields = fields


class RefundInSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The WooCommerce order's id in "
                                                                                  "SellerHub.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    api_refund = serializers.BooleanField(default=False, help_text="True: refund through the payment gateway; "
                                                                   "false (default): WooCommerce only records it.")
