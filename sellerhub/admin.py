"""Ops admin of the kernel's webhook inbox: read-only, with "Process again" (``inbox.replay``)."""

from django.contrib import admin, messages

from sellerhub import inbox
from sellerhub.models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "account", "topic", "key", "status", "attempts", "processed_at",
                    "message")
    list_filter = ("status", "source", "account")
    list_select_related = ("account",)
    search_fields = ("key", "topic", "message")
    date_hierarchy = "received_at"
    actions = ["process_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Process again")
    def process_again(self, request, queryset):
        counts = inbox.replay(event_ids=queryset.values_list("pk", flat=True))
        text = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing to do"
        messages.success(request, f"Processed again: {text}.")
