"""Ops admin for purchasing (registered from inventory/admin.py). Suppliers and their SKUs are
editable; purchase orders are read-only (receiving moves stock and goes through the receiving
page or API), with an action that cancels through inventory.purchasing.services."""

from django.contrib import admin, messages

from inventory.purchasing import services
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderSend, Supplier, SupplierSKU
from sellerhub.admin_read_only import ReadOnlyAdminMixin


class SupplierSKUInline(admin.TabularInline):
    model = SupplierSKU
    fields = ["sku", "supplier_code", "unit_cost", "pack_size", "minimum_quantity", "preferred"]
    autocomplete_fields = ["sku"]
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "email", "lead_time_days", "minimum_order_value", "currency", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["name", "contact_name", "email"]
    inlines = [SupplierSKUInline]


@admin.register(SupplierSKU)
class SupplierSKUAdmin(admin.ModelAdmin):
    list_display = ["supplier", "sku", "supplier_code", "unit_cost", "pack_size", "preferred"]
    list_filter = ["supplier", "preferred"]
    search_fields = ["sku__seller_sku", "supplier_code", "supplier__name"]
    list_select_related = ["supplier", "sku"]
    autocomplete_fields = ["sku"]


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PurchaseOrderLine
    fields = ["sku", "quantity_ordered", "quantity_received", "unit_cost"]
    extra = 0


class SendInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PurchaseOrderSend
    fields = ["sent_at", "to_email", "filename", "sent_by"]
    extra = 0


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "supplier", "status", "deliver_to", "expected_on", "created_at", "sent_at", "closed_at"]
    list_filter = ["status", "supplier"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier", "deliver_to"]
    inlines = [LineInline, SendInline]
    actions = ["cancel_orders"]

    @admin.action(description="Cancel the selected purchase orders (what is outstanding is no longer on order)",
                  permissions=["view"])
    def cancel_orders(self, request, queryset):
        done, refused = 0, []
        for po in queryset:
            try:
                services.cancel_po(purchase_order=po, user=request.user)
            except services.PurchasingError as exc:
                refused.append(str(exc))
            else:
                done += 1
        self.message_user(request, f"Cancelled {done} purchase order(s).", messages.SUCCESS)
        for text in refused:
            self.message_user(request, text, messages.WARNING)
