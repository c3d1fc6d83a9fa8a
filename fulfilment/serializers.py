"""API shapes of pick lists and packages (read side) and of the requests that change them.
Serializers only shape and check input; the services decide."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from fulfilment.models import Package, PackageLine, PickList
from sellerhub.api_filters import MAX_ID, MAX_INT


class ShipmentLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="order_line_id")
    sku = serializers.SerializerMethodField()

    class Meta:
        model = PackageLine
        fields = ["line", "sku", "quantity"]

    def get_sku(self, obj) -> str:
        line = obj.order_line
        return line.sku.seller_sku if line.sku_id else line.channel_sku


def _values(choices) -> str:
    return ", ".join(value or '""' for value, _label in choices)


class ShipmentSerializer(serializers.ModelSerializer):
    # Choice fields as plain strings: their values are listed in the help text (the Package
    # enums already belong to the orders API's schema).
    status = serializers.CharField(help_text=_values(Package.Status.choices))
    label_source = serializers.CharField(help_text=_values(Package.LabelSource.choices))
    label_format = serializers.CharField(help_text=_values(Package.LabelFormat.choices))
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.external_id")
    account = serializers.CharField(source="order.account.name")
    lines = ShipmentLineSerializer(many=True)
    box = serializers.CharField(source="box.name", default=None, allow_null=True)
    rate = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    tracking_push = serializers.SerializerMethodField()

    class Meta:
        model = Package
        fields = ["id", "order", "order_number", "account", "status", "lines", "weight_grams", "length_mm",
                  "width_mm", "height_mm", "box", "carrier", "carrier_name", "service", "tracking_number",
                  "tracking_format_valid", "reference", "label_source", "label_format", "label", "rate",
                  "shipping_provider_id", "tracking_uploaded_at", "first_scan_at", "delivered_at", "tracker_status",
                  "tracking_push", "created_at", "updated_at"]

    def get_rate(self, obj) -> dict | None:
        if obj.rate_amount is None:
            return None
        return {"amount": str(obj.rate_amount), "currency": obj.rate_currency, "days": obj.delivery_days,
                "provider": obj.provider, "shipment_id": obj.provider_shipment_id}

    def get_label(self, obj) -> dict | None:
        if not obj.label_source:
            return None
        own = obj.label_source in (Package.LabelSource.OWN, Package.LabelSource.TYPED)
        out = {}
        for fmt in ("pdf", "zpl"):
            if own or obj.label_format == fmt:
                out[fmt] = reverse("package-label-" + fmt, args=[obj.pk])
        return out

    def get_tracking_push(self, obj) -> dict | None:
        try:
            push = obj.tracking_push
        except Exception:  # no push (not shipped, manual order)
            return None
        return {"status": push.status, "attempts": push.attempts, "error": push.last_error,
                "pushed_at": push.pushed_at.isoformat() if push.pushed_at else None}


class ShipmentCreateSerializer(serializers.Serializer):
    class LineIn(serializers.Serializer):
        line = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        quantity = serializers.IntegerField(min_value=1, max_value=MAX_INT)

    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lines = LineIn(many=True, required=False)
    weight_grams = serializers.IntegerField(required=False, min_value=1, max_value=70000)
    box = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    length_mm = serializers.IntegerField(required=False, min_value=1, max_value=3000)
    width_mm = serializers.IntegerField(required=False, min_value=1, max_value=3000)
    height_mm = serializers.IntegerField(required=False, min_value=1, max_value=3000)


class RatesRequestSerializer(serializers.Serializer):
    label_format = serializers.ChoiceField(choices=["pdf", "zpl"], default="pdf")


class RateSerializer(serializers.Serializer):
    id = serializers.CharField()
    carrier = serializers.CharField()
    carrier_code = serializers.CharField()
    service = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    days = serializers.IntegerField(allow_null=True)


class BuyRequestSerializer(serializers.Serializer):
    rate_id = serializers.CharField(max_length=64)


class TrackingRequestSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=64)
    carrier = serializers.CharField(max_length=32, required=False, allow_blank=True)
    service = serializers.CharField(max_length=100, required=False, allow_blank=True)


class OwnLabelRequestSerializer(serializers.Serializer):
    courier = serializers.CharField(max_length=100)
    service = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True)


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PickListSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=_values(PickList.Status.choices))
    reference = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    order_count = serializers.IntegerField(default=0)
    unit_count = serializers.IntegerField(default=0)

    class Meta:
        model = PickList
        fields = ["id", "reference", "status", "note", "created_by", "created_at", "completed_at", "order_count",
                  "unit_count"]


class PickListDetailSerializer(PickListSerializer):
    orders = serializers.SerializerMethodField()
    stops = serializers.SerializerMethodField()

    class Meta(PickListSerializer.Meta):
        fields = PickListSerializer.Meta.fields + ["orders", "stops"]

    def get_orders(self, obj) -> list[dict]:
        return [{"id": e.order_id, "number": e.order.external_id, "status": e.order.status, "tote": e.tote}
                for e in obj.entries.all() if e.active]

    def get_stops(self, obj) -> list[dict]:
        groups = self.context.get("groups") or []
        return [{"bin": g.bin_code or None, "sku": g.sku, "name": g.name, "barcode": g.barcode, "quantity": g.total,
                 "orders": [{"number": n, "quantity": q} for n, q in g.orders]} for g in groups]


class PickListCreateSerializer(serializers.Serializer):
    orders = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                   max_length=300)
    due_today = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs.get("orders") and not attrs.get("due_today"):
            raise serializers.ValidationError("Give the order ids, or due_today: true.")
        return attrs
