"""FBT API (read-only; registered by inventory/api.py): /api/v1/fbt/inbound-shipments,
/api/v1/fbt/stock, /api/v1/fbt/alerts. Writes move stock and go through the pages' services."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from inventory.fbt import selectors
from inventory.fbt.models import FbtStock, InboundLine, InboundShipment, ReplenishmentAlert
from sellerhub.roles import perm


class InboundLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku")
    missing = serializers.IntegerField(read_only=True, help_text="Shipped units TikTok has not received.")

    class Meta:
        model = InboundLine
        fields = ["sku", "goods_id", "quantity", "received", "damaged", "missing", "resolved"]


class InboundShipmentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    source = serializers.CharField(source="source.code")
    destination = serializers.CharField(source="destination.code")
    lines = InboundLineSerializer(many=True)

    class Meta:
        model = InboundShipment
        fields = ["id", "reference", "status", "source", "destination", "ibr_id", "tiktok_status", "carrier",
                  "tracking_number", "note", "created_at", "shipped_at", "received_at", "closed_at", "lines"]


class InboundShipmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Inbound shipments to TikTok's FBT warehouses (newest first), with their lines:
    planned/shipped, received, damaged and missing units."""

    serializer_class = InboundShipmentSerializer
    read_permission = perm("view_operations")

    def get_queryset(self):
        status = self.request.query_params.get("status") or "all"
        return selectors.inbound_list(status=status).prefetch_related(
            Prefetch("lines", queryset=InboundLine.objects.select_related("sku").order_by("id")))


class FbtStockSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku")
    location = serializers.CharField(source="location.code")

    class Meta:
        model = FbtStock
        fields = ["sku", "location", "goods_id", "total", "available", "reserved", "unfulfillable", "in_transit",
                  "synced_at"]


class FbtStockViewSet(viewsets.ReadOnlyModelViewSet):
    """TikTok's FBT figures per SKU and FBT warehouse, as last synchronised."""

    serializer_class = FbtStockSerializer
    read_permission = perm("view_operations")
    queryset = FbtStock.objects.select_related("sku", "location").order_by("location__code", "sku__seller_sku")


class AlertSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku", default=None, allow_null=True)
    location = serializers.CharField(source="location.code", default=None, allow_null=True)

    class Meta:
        model = ReplenishmentAlert
        fields = ["id", "source", "alert_type", "status", "sku", "sku_key", "location", "external_sku_id",
                  "inventory_status", "lead_days", "threshold", "quantity", "times_reported", "first_reported_at",
                  "last_reported_at", "resolved_at", "resolution"]


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Replenishment alerts (open by default; ?status=resolved|dismissed|all)."""

    serializer_class = AlertSerializer
    read_permission = perm("view_operations")

    def get_queryset(self):
        return selectors.alerts(status=self.request.query_params.get("status") or "open")


def register(router):
    router.register("fbt/inbound-shipments", InboundShipmentViewSet, basename="fbt-inbound")
    router.register("fbt/stock", FbtStockViewSet, basename="fbt-stock")
    router.register("fbt/alerts", AlertViewSet, basename="fbt-alert")
