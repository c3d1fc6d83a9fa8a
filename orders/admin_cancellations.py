"""Admin of buyer cancellation requests: read-only (Ops looks; decisions are taken on the queue
page or through the API, so they reach the channel)."""

from django.contrib import admin

from orders.models import CancellationRequest


@admin.register(CancellationRequest)
class CancellationRequestAdmin(admin.ModelAdmin):
    list_display = ["external_id", "account", "order", "status", "respond_by", "decided_at", "auto_approved",
                    "delivery"]
    list_filter = ["status", "delivery", "auto_approved", "account"]
    search_fields = ["external_id", "order__external_id"]
    list_select_related = ["account", "order"]
    readonly_fields = [f.name for f in CancellationRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
