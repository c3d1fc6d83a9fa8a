"""Ops admin for channel sync: accounts (their secrets are never displayed), sync runs,
cursors and tracking pushes (webhook deliveries: the kernel's inbox, sellerhub/admin.py)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html_join

from channels import services
from channels.models import SyncCursor, SyncRun
from fulfilment.models import TrackingPush
from sellerhub.models import ChannelAccount


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "active", "shop_id", "api_base_url", "created_at")
    list_filter = ("channel", "active")
    search_fields = ("name", "shop_id")
    # The credentials never reach a form or a page: only which keys are stored is shown.
    exclude = ("credentials",)
    readonly_fields = ("stored_credentials", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Credentials")
    def stored_credentials(self, obj):
        keys = sorted((obj.credentials or {}).keys()) if obj.pk else []
        if not keys:
            return "None stored."
        return format_html_join(", ", "{}", ((key,) for key in keys)) + " (stored encrypted; values never shown)"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "account", "kind", "trigger", "status", "pages", "items_ok", "items_failed",
                    "message")
    list_filter = ("status", "kind", "trigger", "account")
    list_select_related = ("account",)
    date_hierarchy = "started_at"
    search_fields = ("message", "error")
    actions = ["retry"]

    @admin.action(description="Retry the selected runs")
    def retry(self, request, queryset):
        queued = sum(1 for run in queryset.select_related("account")
                     if services.queue_retry(run=run, user=request.user))
        messages.success(request, f"{queued} retr{'y' if queued == 1 else 'ies'} queued on the sync queue.")


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdmin):
    list_display = ("account", "stream", "since", "last_success_at", "failures", "last_error")
    list_select_related = ("account",)


@admin.register(TrackingPush)
class TrackingPushAdmin(ReadOnlyAdmin):
    list_display = ("package", "tracking_number", "status", "attempts", "pushed_at", "last_error")
    list_filter = ("status",)
    list_select_related = ("package",)
    search_fields = ("tracking_number",)
