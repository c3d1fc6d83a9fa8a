"""The reorder suggestions page (/inventory/reorder/): what to buy, grouped by supplier, and the
one action that drafts a purchase order per supplier. Reads through inventory.replenishment,
writes through inventory.replenishment_services.

Who: everyone who sees operations reads the page; drafting purchase orders is the Owner's
(manage_catalogue)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import TemplateView

from inventory import replenishment
from inventory.demand import BASE_DAYS, RECENT_DAYS
from inventory.purchasing.services import PurchasingError
from inventory.replenishment_services import draft_purchase_orders
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

MAX_SELECTED = 5000


class ReorderSuggestionsView(RoleRequiredMixin, TemplateView):
    """The SKUs to order now, grouped by supplier; a constant number of queries."""

    template_name = "inventory/reorder.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = replenishment.suggestions()
        context.update(title="Reorder suggestions", groups=replenishment.by_supplier(rows), count=len(rows),
                       can_draft=self.request.user.has_perm(perm("manage_catalogue")), recent_days=RECENT_DAYS,
                       base_days=BASE_DAYS, cover_days=replenishment.ORDER_COVER_DAYS,
                       orderable=any(row.supplier for row in rows))
        return context


class DraftPurchaseOrdersView(RoleRequiredMixin, View):
    """POST the ticked SKUs (``sku``): one draft purchase order per supplier."""

    permission_required = perm("manage_catalogue")

    def post(self, request):
        raw = request.POST.getlist("sku")
        ids = {int(value) for value in raw if value.isascii() and value.isdigit() and len(value) < 12}
        if not raw or len(ids) != len(set(raw)) or len(ids) > MAX_SELECTED:
            messages.error(request, "Tick the SKUs to order (from this page's list), then draft the purchase orders.")
            return redirect("inventory:reorder")
        try:
            orders = draft_purchase_orders(sku_ids=ids, user=request.user)
        except PurchasingError as exc:  # ReplenishmentError included
            messages.error(request, str(exc))
        else:
            made = ", ".join(f"{po.number} ({po.supplier.name})" for po in orders)
            messages.success(request, f"Drafted {len(orders)} purchase order{'s' if len(orders) != 1 else ''}: "
                                      f"{made}. Review and send them to the suppliers.")
            try:  # the drafts, where they are reviewed and sent
                return redirect(reverse("inventory:purchasing:po_list") + "?status=draft")
            except NoReverseMatch:
                pass
        return redirect("inventory:reorder")
