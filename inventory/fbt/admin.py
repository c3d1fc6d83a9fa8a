"""Ops admin for FBT (registered from inventory/admin.py): read-only, since every change of an
inbound shipment moves stock and must go through inventory.fbt.services (the pages)."""

from django.contrib import admin

from inventory.fbt.models import (
    FbtStock,
    InboundCarton,
    InboundEvent,
    InboundLine,
    InboundShipment,
    ReplenishmentAlert,
)
from sellerhub.admin_read_only import ReadOnlyAdminMixin


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InboundLine
    fields = ["sku", "goods_id", "quantity", "received", "damaged", "resolved"]
    extra = 0


class CartonInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InboundCarton
    fields = ["number", "weight_grams", "length_mm", "width_mm", "height_mm"]
    extra = 0


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InboundEvent
    fields = ["created_at", "actor", "kind", "message"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(InboundShipment)
class InboundShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "tiktok_status", "ibr_id", "source", "destination", "created_at",
                    "shipped_at"]
    list_filter = ["status", "destination"]
    search_fields = ["ibr_id", "tracking_number", "note"]
    list_select_related = ["source", "destination"]
    inlines = [LineInline, CartonInline, EventInline]


@admin.register(FbtStock)
class FbtStockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "location", "goods_id", "total", "available", "reserved", "unfulfillable", "in_transit",
                    "synced_at"]
    list_filter = ["location"]
    search_fields = ["sku__seller_sku", "goods_id"]
    list_select_related = ["sku", "location"]


@admin.register(ReplenishmentAlert)
class ReplenishmentAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku_key", "alert_type", "source", "status", "warehouse_key", "times_reported",
                    "last_reported_at"]
    list_filter = ["status", "source", "alert_type"]
    search_fields = ["sku_key", "external_sku_id", "notification_id"]
