"""Admin for ops: the daily snapshots, read-only (they are the history as it was reported; the
hourly job writes them, and "Store the daily figures now" on the metrics page refreshes them)."""

from django.contrib import admin

from metrics.models import AfterSalesSnapshot, MetricSnapshot
from sellerhub.admin_read_only import ReadOnlyAdminMixin


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "account", "metric", "numerator", "denominator", "value", "is_final", "computed_at")
    list_filter = ("metric", "is_final", "account__channel", "account")
    date_hierarchy = "day"
    list_select_related = ("account",)
    search_fields = ("account__name",)


@admin.register(AfterSalesSnapshot)
class AfterSalesSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "account", "cancelled_out_of_stock", "cancelled_missed_sla", "cancelled_seller_request",
                    "cancelled_other", "decided", "judged", "on_time", "auto_approved", "is_final", "computed_at")
    list_filter = ("is_final", "account__channel", "account")
    date_hierarchy = "day"
    list_select_related = ("account",)
    search_fields = ("account__name",)
    # Stored packed (metrics/fields.py, not a form field): shown as the list of numbers.
    readonly_fields = ("returned_orders", "response_times")
