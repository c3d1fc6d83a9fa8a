"""Ops admin for TikTok Shipping (registered from fulfilment/admin.py): read-only, since every
change is a call to TikTok made through fulfilment/collection.py and tiktok_shipping.py."""

from django.contrib import admin

from fulfilment.tiktok.models import CollectionRequest, PlatformPackage
from sellerhub.admin_read_only import ReadOnlyAdminMixin


class PlatformPackageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlatformPackage
    fields = ["package", "collection_status", "tiktok_status", "handover_method", "scheduled_at", "collected_at",
              "collection_error"]
    extra = 0


@admin.register(CollectionRequest)
class CollectionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "account", "handover_method", "handover_date", "slot_start", "carrier_name", "status"]
    list_filter = ["status", "handover_method"]
    list_select_related = ["account"]
    inlines = [PlatformPackageInline]


@admin.register(PlatformPackage)
class PlatformPackageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["package", "provider_name", "tiktok_status", "collection_status", "doc_urls_fetched",
                    "document_downloaded_at"]
    list_filter = ["collection_status", "tiktok_status"]
    search_fields = ["package__external_id", "package__tracking_number"]
    list_select_related = ["package"]
