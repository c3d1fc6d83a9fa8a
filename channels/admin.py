"""Ops admin for channel sync: accounts (their secrets are never displayed; their endpoint is
read-only for Ops), sync runs, cursors and tracking pushes (webhook deliveries: the kernel's
inbox, sellerhub/admin.py)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html_join

from channels import services
from channels.models import SyncCursor, SyncRun
from fulfilment.models import TrackingPush
from integrations.channels import hosts
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class ChannelAccountAdminForm(forms.ModelForm):
    class Meta:
        model = ChannelAccount
        exclude = ("credentials",)  # noqa: DJ006 -- the admin picks the fields; credentials never
        field_classes = {"api_base_url": HttpsURLField}

    def clean(self):
        data = super().clean()
        channel = data.get("channel") or self.instance.channel
        if "api_base_url" in self.fields:
            try:
                hosts.check_base_url(channel, (data.get("api_base_url") or "").rstrip("/"))
            except hosts.UntrustedHost as exc:
                self.add_error("api_base_url", exc.message)
        return data


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    """Only who may manage channels (the Owner's right; superusers) changes where an account
    connects; Ops read the endpoint and the shop, never change them (least privilege)."""

    form = ChannelAccountAdminForm
    list_display = ("name", "channel", "state", "active", "shop_id", "api_base_url", "created_at")
    list_filter = ("channel", "state", "active")
    search_fields = ("name", "shop_id")
    # The credentials never reach a form or a page: only which keys are stored is shown.
    exclude = ("credentials",)
    # The connection state is channels.health's (Disconnect, Reconnect on the account's page).
    HEALTH_FIELDS = ("state", "active", "state_changed_at", "failing_since", "failures", "last_attempt_at",
                     "next_retry_at", "last_error", "authorization_expires_at")
    readonly_fields = ("stored_credentials", "created_at", *HEALTH_FIELDS)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    ENDPOINT_FIELDS = ("channel", "api_base_url", "shop_id")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(perm("manage_channels")):
            fields += self.ENDPOINT_FIELDS
        return fields

    def has_add_permission(self, request):
        return request.user.has_perm(perm("manage_channels")) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(perm("manage_channels")) and super().has_delete_permission(request, obj)

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
