"""Admin for ops: box presets and carrier mappings editable; packages, pick lists, packing
sessions, carrier scans and print batches read-only (they change through the fulfilment pages,
which write the order's timeline and move stock through the ledger). The provider's webhook
events are in the kernel's inbox (sellerhub/admin.py)."""

from django.contrib import admin

from fulfilment.models import (
    BoxPreset,
    CarrierMapping,
    Package,
    PackageLine,
    PackingSession,
    PackScan,
    PickList,
    PickListLine,
    PickListOrder,
    PrintBatch,
    TrackingEvent,
)
from sellerhub.admin_read_only import ReadOnlyAdminMixin


@admin.register(BoxPreset)
class BoxPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "length_mm", "width_mm", "height_mm", "tare_grams", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(CarrierMapping)
class CarrierMappingAdmin(admin.ModelAdmin):
    list_display = ["account", "carrier", "provider_id", "provider_name", "updated_at"]
    list_filter = ["account"]
    list_select_related = ["account"]


class PackageLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PackageLine
    raw_id_fields = ["order_line"]


class TrackingEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TrackingEvent


@admin.register(Package)
class PackageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "order", "status", "label_source", "carrier", "tracking_number", "tracking_uploaded_at",
                    "first_scan_at", "delivered_at"]
    list_filter = ["status", "label_source", "carrier"]
    search_fields = ["tracking_number", "order__external_id", "provider_shipment_id"]
    list_select_related = ["order"]
    inlines = [PackageLineInline, TrackingEventInline]


class PickListOrderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PickListOrder
    raw_id_fields = ["order"]


class PickListLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PickListLine
    raw_id_fields = ["order_line", "sku", "location"]


@admin.register(PickList)
class PickListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "status", "created_by", "created_at", "completed_at"]
    list_filter = ["status"]
    inlines = [PickListOrderInline, PickListLineInline]


class PackScanInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PackScan
    raw_id_fields = ["sku", "order_line"]


@admin.register(PackingSession)
class PackingSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "status", "user", "started_at", "finished_at", "override_reason"]
    list_filter = ["status"]
    list_select_related = ["order", "user"]
    inlines = [PackScanInline]


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "status", "fmt", "with_slips", "label_policy", "package_count", "page_count",
                    "created_by", "created_at"]
    list_filter = ["status", "fmt"]


from fulfilment.tiktok import admin as tiktok_admin  # noqa: E402,F401  (TikTok Shipping models)
