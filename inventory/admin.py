"""Admin for ops: catalogue, locations and listings editable; stock levels, the ledger,
reservations and the outbox read-only. Stock changes go through admin actions that call
inventory.services, so every change writes the ledger."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render

from inventory import services
from inventory.bundle_admin import bundle_components
from inventory.models import (
    SKU,
    ChannelListing,
    ImportFile,
    Location,
    Product,
    Reservation,
    StockLevel,
    StockMovement,
    StockOutbox,
)
from sellerhub.admin_read_only import ReadOnlyAdminMixin


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "created_at"]
    search_fields = ["name", "brand"]


class LevelInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StockLevel
    fields = ["location", "on_hand", "reserved", "updated_at"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "Stock levels (change them with the stock level actions)"


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ["seller_sku", "name", "barcode", "product", "reorder_point", "active"]
    list_filter = ["active"]
    search_fields = ["seller_sku", "name", "barcode"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    inlines = [LevelInline]
    readonly_fields = ["bundle_components"]
    bundle_components = staticmethod(bundle_components)

    def save_model(self, request, obj, form, change):
        fields = {f: getattr(obj, f) for f in services.SKU_FIELDS if f not in ("seller_sku", "name")}
        try:
            if change:
                services.update_sku(sku=obj, user=request.user)
            else:
                saved = services.create_sku(seller_sku=obj.seller_sku, name=obj.name, user=request.user, **fields)
                obj.pk = saved.pk
        except services.StockError as exc:  # e.g. a concurrent duplicate: the form had passed
            self.message_user(request, str(exc), messages.ERROR)
            raise


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "sellable", "pick_sequence", "active"]
    list_filter = ["kind", "sellable", "active"]
    search_fields = ["code", "name", "external_id"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "parent", "sellable", "active", "pick_sequence", "external_id"]}),
        ("Address (own warehouses: the ship-from on labels)", {
            "fields": ["contact_name", "company", "street1", "street2", "city", "state", "postal_code", "country",
                       "phone"]}),
    ]


class CountActionForm(forms.Form):
    note = forms.CharField(label="Reason or note", max_length=500)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "location", "on_hand", "reserved", "available", "updated_at"]
    list_filter = ["location__kind", "location"]
    search_fields = ["sku__seller_sku", "sku__barcode", "location__code"]
    list_select_related = ["sku", "location"]
    actions = ["count_levels"]

    @admin.display(description="available")
    def available(self, obj):
        return obj.available

    @admin.action(description="Record a stock count of the selected levels (writes the ledger)")
    def count_levels(self, request, queryset):
        levels = list(queryset.select_related("sku", "location").order_by("sku__seller_sku", "location__code")[:200])
        if "apply" in request.POST:
            form = CountActionForm(request.POST)
            counts, problems = [], []
            for level in levels:
                raw = request.POST.get(f"counted_{level.pk}", "").strip()
                if raw == "":
                    continue
                try:
                    counted = int(raw)
                except ValueError:
                    problems.append(f"{level.sku.seller_sku} at {level.location.code}: {raw!r} is not a number")
                    continue
                counts.append((level.sku_id, level.location_id, counted))
            if form.is_valid() and not problems and counts:
                try:
                    moves = services.apply_counts(counts=counts, user=request.user, note=form.cleaned_data["note"])
                except services.StockError as exc:
                    problems.append(str(exc))
                else:
                    changed = sum(1 for m in moves if m.on_hand_change)
                    self.message_user(request, f"Recorded {len(moves)} counts ({changed} changed on hand).",
                                      messages.SUCCESS)
                    return None
            if not counts and not problems:
                problems.append("Enter at least one counted figure.")
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
        else:
            form = CountActionForm()
        return render(request, "inventory/admin_count.html", {
            **self.admin_site.each_context(request), "title": "Record a stock count", "levels": levels,
            "form": form, "opts": self.model._meta, "action": "count_levels",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "sku", "location", "on_hand_change", "reserved_change", "reason", "reference",
                    "user", "note"]
    list_filter = ["reason", "location"]
    search_fields = ["sku__seller_sku", "reference", "note"]
    list_select_related = ["sku", "location", "user"]
    date_hierarchy = "created_at"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "line_key", "sku", "location", "quantity", "state", "created_at", "closed_at"]
    list_filter = ["state", "location"]
    search_fields = ["reference", "sku__seller_sku"]
    list_select_related = ["sku", "location"]
    actions = ["release_references"]

    @admin.action(description="Release every active reservation of the selected orders (writes the ledger)")
    def release_references(self, request, queryset):
        references = sorted(set(queryset.filter(state=Reservation.State.ACTIVE).values_list("reference", flat=True)))
        units = sum(services.release(reference=ref, user=request.user, note="released in the admin")
                    for ref in references)
        self.message_user(request, f"Released {units} units of {len(references)} order(s).", messages.SUCCESS)


@admin.register(ChannelListing)
class ChannelListingAdmin(admin.ModelAdmin):
    list_display = ["account", "channel_sku", "sku", "external_product_id", "external_variant_id", "is_fbt",
                    "last_pushed_quantity", "active"]
    list_filter = ["account", "is_fbt", "active"]
    search_fields = ["channel_sku", "external_product_id", "external_variant_id", "sku__seller_sku"]
    list_select_related = ["account", "sku"]
    autocomplete_fields = ["sku"]


@admin.register(StockOutbox)
class StockOutboxAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "sku", "listing", "quantity", "created_at", "pushed_at", "attempts", "last_error"]
    list_filter = ["pushed_at"]
    list_select_related = ["sku", "listing", "listing__account"]


@admin.register(ImportFile)
class ImportFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["filename", "kind", "status", "row_count", "created_by", "created_at", "applied_at"]
    list_filter = ["kind", "status"]
    exclude = ["content"]


from inventory.fbt import admin as _fbt_admin  # noqa: E402,F401  (registers the FBT models)
from inventory.purchasing import admin as _purchasing_admin  # noqa: E402,F401  (suppliers, purchase orders)
