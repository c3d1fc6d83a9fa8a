"""Admin for ops: orders searchable by external id and filtered by channel and status. Status
never changes here by hand: the actions call orders.services (re-run confirmation) or queue a
re-fetch from the channel."""

from django.contrib import admin, messages

from orders.jobs import start_refetch
from orders.models import Order, OrderEvent, OrderLine, Return, ReturnLine
from orders.services.confirmation import rerun_confirmations


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["external_id", "channel_sku", "sku", "name", "quantity", "unit_price", "cancelled"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "actor", "kind", "from_status", "to_status", "message"]
    readonly_fields = fields
    ordering = ["created_at", "id"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "account", "status", "channel_status", "attention_reason", "fulfilment",
                    "dispatch_due_at", "created_at", "total"]
    list_filter = ["account__channel", "status", "attention_reason", "fulfilment", "account"]
    search_fields = ["external_id", "tracking_number", "buyer_email"]
    list_select_related = ["account"]
    date_hierarchy = None
    show_full_result_count = False  # one COUNT less on big tables
    ordering = ["-id"]
    actions = ["rerun_confirmation", "refetch_from_channel"]
    inlines = [LineInline, EventInline]
    fieldsets = [
        (None, {"fields": ["account", "external_id", "status", "channel_status", "attention_reason",
                           "attention_detail", "note"]}),
        ("Buyer and address", {"fields": ["buyer_name", "buyer_email", "buyer_phone", "ship_name", "ship_company",
                                          "ship_street1", "ship_street2", "ship_city", "ship_state",
                                          "ship_postal_code", "ship_country", "ship_phone"]}),
        ("Money", {"fields": ["currency", "subtotal", "shipping_total", "tax_total", "total"]}),
        ("Fulfilment", {"fields": ["fulfilment", "label_source", "is_sample", "tracking_number",
                                   "shipping_provider"]}),
        ("Times", {"fields": ["created_at", "paid_at", "dispatch_due_at", "delivery_due_at", "deadline_source",
                              "tracking_uploaded_at", "dispatched_at", "delivered_at", "completed_at",
                              "cancelled_at", "cancel_initiator", "cancel_reason"]}),
        ("Sync", {"fields": ["channel_updated_at", "last_synced_at", "raw", "recorded_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Everything but the note: status and stock move only through the services.
        return [f.name for f in Order._meta.concrete_fields if f.name not in ("note", "id")]

    def has_add_permission(self, request):
        return False  # orders come from channels, the manual order form or the API

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: deleting would orphan reservations and metrics

    @admin.action(description="Re-run confirmation (reserve stock if everything is fine)")
    def rerun_confirmation(self, request, queryset):
        outcome = rerun_confirmations(order_ids=queryset.values_list("pk", flat=True), user=request.user)
        for order, why in outcome["waiting"]:
            self.message_user(request, f"{order.external_id}: {why}", messages.WARNING)
        self.message_user(request, f"Confirmed {len(outcome['confirmed'])}; still waiting {len(outcome['waiting'])}; "
                                   f"skipped {len(outcome['skipped'])} not awaiting confirmation.", messages.SUCCESS)

    @admin.action(description="Re-fetch from the channel")
    def refetch_from_channel(self, request, queryset):
        runs, refused = start_refetch(orders=list(queryset.select_related("account")[:1000]), user=request.user)
        for message in refused:
            self.message_user(request, message, messages.WARNING)
        if runs:
            self.message_user(request, f"Queued {len(runs)} re-fetch job(s): see the job dashboard.", messages.SUCCESS)


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["order_line", "quantity"]
    readonly_fields = fields


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["pk", "order", "status", "reason", "refund_amount", "restock_location", "created_at"]
    list_filter = ["status"]
    search_fields = ["=order__external_id", "external_id"]
    list_select_related = ["order", "restock_location"]
    readonly_fields = ["order", "status", "restock_location", "created_at", "updated_at"]
    inlines = [ReturnLineInline]

    def has_add_permission(self, request):
        return False


from orders import admin_cancellations  # noqa: E402,F401 -- registers the cancellation requests admin
