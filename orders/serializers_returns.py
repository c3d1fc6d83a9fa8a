"""API representations of returns: the return with its channel fields, lines, timeline and
decisions, and the bodies of the writes (local return, decision, parcel scan, inspection)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.tiktok.returns import REJECT_REASONS
from orders.models import Return, ReturnDecision, ReturnDecisionKind, ReturnEvent, ReturnLine
from sellerhub.api_filters import MAX_ID, MAX_INT


class ReturnLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="order_line_id")
    sku = serializers.SerializerMethodField()

    class Meta:
        model = ReturnLine
        fields = ["line", "sku", "quantity"]

    def get_sku(self, rl) -> str | None:
        return rl.order_line.sku.seller_sku if rl.order_line.sku_id else rl.order_line.channel_sku or None


class ReturnLineInspectionSerializer(ReturnLineSerializer):
    """A return line with its id (the key of an inspection), refund and what inspection did."""

    restock_location = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta(ReturnLineSerializer.Meta):
        fields = ["id", *ReturnLineSerializer.Meta.fields, "external_id", "refund_amount", "restocked_quantity",
                  "restock_location", "written_off_quantity", "write_off_reason"]


class ReturnEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnEvent
        fields = ["occurred_at", "actor", "kind", "message"]


class ReturnDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnDecision
        fields = ["id", "decision", "reject_reason", "comment", "partial_refund", "state", "attempts", "error",
                  "created_at", "sent_at"]


@extend_schema_field({"type": "string", "enum": Return.Status.values,
                      "description": "The warehouse's side: requested, received, inspected, restocked, written off."},
                     component_name="ReturnWarehouseStatus")
class ReturnStatusField(serializers.CharField):
    """The warehouse status, named apart from the other status enums."""


class ReturnSerializer(serializers.ModelSerializer):
    status = ReturnStatusField(read_only=True)
    order_external_id = serializers.CharField(source="order.external_id", read_only=True)
    restock_location = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    replacement_order = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = ["id", "order", "order_external_id", "account", "external_id", "kind", "status", "channel_status",
                  "arbitration_status", "reason", "reason_code", "seller_fault", "buyer_note", "buyer_images",
                  "requested_at", "next_action", "respond_by", "decided_at", "auto_approved", "refund_amount",
                  "refund_total", "refund_shipping", "refund_tax", "partial_refund", "currency",
                  "return_tracking_number", "return_carrier", "replacement_order", "restock_location", "note",
                  "lines", "created_at", "updated_at"]


class ReturnDetailSerializer(ReturnSerializer):
    inspection = ReturnLineInspectionSerializer(source="lines", many=True, read_only=True)
    timeline = ReturnEventSerializer(many=True, read_only=True)
    decisions = ReturnDecisionSerializer(many=True, read_only=True)

    class Meta(ReturnSerializer.Meta):
        fields = [*ReturnSerializer.Meta.fields, "inspection", "timeline", "decisions"]


class ReturnLineInSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The order line id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class ReturnInSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The order id (shipped or later).")
    reason = serializers.CharField(max_length=300)
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, default=0)
    lines = ReturnLineInSerializer(many=True, required=False,
                                   help_text="Default: every unit not returned yet.")
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ReturnNoteInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RestockInSerializer(ReturnNoteInSerializer):
    location = serializers.CharField(max_length=32, help_text="The code of an own warehouse or bin, e.g. MAIN.")


class DecisionInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReturnDecisionKind.choices,
                                       help_text="The channel's decision; which are possible depends on the "
                                                 "return's type and channel status.")
    reject_reason = serializers.ChoiceField(choices=list(REJECT_REASONS), required=False, allow_blank=True,
                                            help_text="Required for the REJECT_* decisions.")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)
    partial_refund = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                              min_value=0, help_text="Required for OFFER_PARTIAL_REFUND.")


class ScanInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The return tracking number or the order number.")


class LineInspectionInSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The return line id (`inspection[].id`).")
    restock = serializers.IntegerField(min_value=0, max_value=MAX_INT, default=0)
    location = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                     help_text="The bin to restock into (its code).")
    write_off = serializers.IntegerField(min_value=0, max_value=MAX_INT, default=0)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   help_text="Why the written-off units are written off.")


class InspectionInSerializer(serializers.Serializer):
    lines = LineInspectionInSerializer(many=True, help_text="One entry per return line.")
