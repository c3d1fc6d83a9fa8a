"""Admin for ops: the daily snapshots, read-only (they are the history as it was reported; the
hourly job writes them, and "Store the daily figures now" on the metrics page refreshes them)."""

from django.contrib import admin

from metrics.models import MetricSnapshot


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = ("day", "account", "metric", "numerator", "denominator", "value", "is_final", "computed_at")
    list_filter = ("metric", "is_final", "account__channel", "account")
    date_hierarchy = "day"
    list_select_related = ("account",)
    search_fields = ("account__name",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
