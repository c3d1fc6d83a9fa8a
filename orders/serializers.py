"""API representations of orders (read-only shapes; writes go through orders.services); returns are in
serializers_returns.py."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, OrderEvent, OrderLine, OrderStatus
from orders.refund_serializers import SellerCancellationSerializer
from sellerhub.api_base import AmountField


@extend_schema_field({"type": "string", "enum": OrderStatus.values,
                      "description": "The order's status in SellerHub's lifecycle."}, component_name="OrderStatus")
class OrderStatusField(serializers.CharField):
    """The order status, described inline (a named enum would collide with the other "status" enums)."""


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.SerializerMethodField(help_text="Our seller SKU, or null while the line is unmatched.")

    class Meta:
        model = OrderLine
        fields = ["id", "external_id", "channel_sku", "sku", "sku_id", "name", "quantity", "unit_price", "cancelled"]

    def get_sku(self, line) -> str | None:
        return line.sku.seller_sku if line.sku_id else None


class OrderListSerializer(serializers.ModelSerializer):
    status = OrderStatusField(read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    channel = serializers.CharField(source="account.channel", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "external_id", "account", "account_name", "channel", "status", "channel_status",
            "attention_reason", "attention_detail", "buyer_name", "currency", "total", "fulfilment", "label_source",
            "is_sample", "created_at", "paid_at", "dispatch_due_at", "delivery_due_at", "tracking_uploaded_at",
            "dispatched_at", "delivered_at", "cancelled_at", "cancel_initiator", "cancel_reason", "tracking_number",
            "lines", "cancel_reason_code",
        ]


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_name", read_only=True)
    company = serializers.CharField(source="ship_company", read_only=True)
    street1 = serializers.CharField(source="ship_street1", read_only=True)
    street2 = serializers.CharField(source="ship_street2", read_only=True)
    city = serializers.CharField(source="ship_city", read_only=True)
    state = serializers.CharField(source="ship_state", read_only=True)
    postal_code = serializers.CharField(source="ship_postal_code", read_only=True)
    country = serializers.CharField(source="ship_country", read_only=True)
    phone = serializers.CharField(source="ship_phone", read_only=True)


class PackageSerializer(serializers.ModelSerializer):
    """An order's package as fulfilment stores it, read through the reverse relation ``order.packages``
    (orders does not import fulfilment)."""

    class Meta:
        model = Order.packages.rel.related_model
        fields = ["id", "external_id", "status", "carrier", "carrier_name", "tracking_number", "tracking_format_valid",
                  "tracking_uploaded_at", "first_scan_at", "delivered_at"]


class OrderEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["created_at", "actor", "kind", "from_status", "to_status", "message"]


class OrderDetailSerializer(OrderListSerializer):
    shipping_address = AddressSerializer(source="*", read_only=True)
    packages = PackageSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    returns = serializers.SerializerMethodField()
    seller_cancellation = SellerCancellationSerializer(read_only=True, allow_null=True)

    class Meta(OrderListSerializer.Meta):
        fields = OrderListSerializer.Meta.fields + [
            "buyer_email", "buyer_phone", "shipping_address", "subtotal", "shipping_total", "tax_total",
            "deadline_source", "completed_at", "shipping_provider", "channel_updated_at", "last_synced_at", "note",
            "packages", "events", "returns", "seller_cancellation",
        ]

    def get_returns(self, order) -> list[dict]:
        return [{"id": r.pk, "status": r.status} for r in order.returns.all()]


# --- input ------------------------------------------------------------------------------------


class ManualLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="Your seller SKU.")
    quantity = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    unit_price = AmountField(required=False)


class ManualBuyerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ManualAddressInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ManualOrderInSerializer(serializers.Serializer):
    lines = serializers.ListField(child=ManualLineInSerializer(), allow_empty=False, min_length=1, max_length=500)
    buyer = ManualBuyerInSerializer(required=False)
    address = ManualAddressInSerializer(required=False)
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                        help_text="Your own order number; posting it again returns the same order.")
    paid_at = serializers.DateTimeField(required=False, help_text="Default: now. Deadlines count from it.")
    currency = serializers.CharField(max_length=3, required=False, default="USD", validators=[RegexValidator(
        r"^[A-Za-z]{3}$", "Use a three-letter currency code, e.g. USD.")])
    shipping_total = AmountField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ReasonInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Required: why (shown on the order's timeline).")


class ShortLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.IntegerField())


class ConfirmConflictSerializer(serializers.Serializer):
    error = serializers.CharField()
    status = serializers.IntegerField()
    # Only with short stock or unmatched SKUs; a state refusal (cancelled order...) answers error + status.
    reason = serializers.CharField(required=False)
    short_lines = ShortLineSerializer(many=True, required=False)
    unmatched_lines = serializers.ListField(child=serializers.DictField(), required=False)
    order = serializers.IntegerField(required=False)
