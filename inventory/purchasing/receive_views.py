"""Receiving against a purchase order by scanning (capability work_warehouse): the open orders
to receive, and one order's scan page. Keyboard and scanner only: each Enter in the scan box
receives one unit (or the units per scan typed) and the focus stays in the scan box; the lines
below show ordered, received, the remainder and any over-receipt. Works without JavaScript (one
page load per scan) and, with inventory/static/inventory/receive.js (shared with free receiving),
without reloading."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from inventory import selectors as stock_selectors
from inventory import services as stock
from inventory.models import Location
from inventory.purchasing import receiving, selectors
from inventory.purchasing_models import PurchaseOrder
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

WAREHOUSE = perm("work_warehouse")


def _bins():
    return (Location.objects.filter(active=True, kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN])
            .order_by("pick_sequence", "code"))


class ReceivableListView(RoleRequiredMixin, TemplateView):
    """Sent and partly received orders: scan or pick the one the delivery belongs to."""

    template_name = "inventory/purchasing/receive_list.html"
    permission_required = WAREHOUSE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Receive a purchase order", orders=selectors.purchase_orders(receivable=True)[:200])
        return context

    def post(self, request):
        """The PO number scanned or typed (from the delivery note): open its scan page."""
        number = request.POST.get("number", "").strip().upper()
        po = PurchaseOrder.objects.filter(number=number).first() if number else None
        if po is None:
            messages.error(request, f"No purchase order has the number {number}." if number
                           else "Scan or type the purchase order number.")
            return HttpResponseRedirect(reverse("inventory:purchasing:receive_list"))
        return HttpResponseRedirect(reverse("inventory:purchasing:receive", args=[po.pk]))


class POReceiveView(RoleRequiredMixin, View):
    permission_required = WAREHOUSE
    template_name = "inventory/purchasing/receive.html"

    def context(self, po, *, location_code="", quantity=1, result=None, error=None):
        reference = receiving.reference_for(po)
        location = None
        if location_code:
            location = _bins().filter(code=location_code).first()
        return {
            "title": f"Receive {po.number}", "po": po, "lines": selectors.po_lines(po),
            "location_code": location_code or po.deliver_to.code, "location": location or po.deliver_to,
            "locations": _bins(), "quantity": quantity, "result": result, "error": error,
            "ledger_mark": selectors.receipt_mark(reference),
        }

    def get(self, request, pk):
        po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "deliver_to"), pk=pk)
        return render(request, self.template_name, self.context(po, location_code=request.GET.get("location", "")))

    def post(self, request, pk):
        po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "deliver_to"), pk=pk)
        location_code = request.POST.get("location", "").strip()[:32]
        code = request.POST.get("code", "").strip()[:100]
        raw_quantity = (request.POST.get("quantity") or "1").strip()
        quantity = int(raw_quantity) if raw_quantity.isdigit() and len(raw_quantity) < 7 else 0
        result = error = None
        location = _bins().filter(code=location_code).first() if location_code else po.deliver_to
        if request.POST.get("undo"):
            seen = request.POST.get("seen", "")
            try:
                undone = receiving.undo_last_po_scan(purchase_order_id=po.pk, user=request.user,
                                                     seen_up_to=int(seen) if seen.isdigit() else None)
            except stock.StockError as exc:
                error = str(exc)
            else:
                result = f"Undid the last scan: {undone.on_hand_change} {undone.sku.seller_sku} from " \
                         f"{undone.location.code}"
        elif location is None:
            error = f"No bin or warehouse has the code {location_code}: nothing received."
        elif not code:
            pass  # the bin was chosen (Enter in the bin field without JavaScript): ready for items
        elif quantity < 1 or quantity > receiving.MAX_UNITS_PER_SCAN:
            error = f"Units per scan must be between 1 and {receiving.MAX_UNITS_PER_SCAN}: nothing received."
        else:
            sku = stock_selectors.find_sku(code)
            if sku is None:
                error = f"Unknown barcode {code}: nothing received. Check the item or add its barcode to the SKU."
            else:
                try:
                    receipt = receiving.receive_against_po(purchase_order_id=po.pk, sku=sku, quantity=quantity,
                                                           location=location, user=request.user,
                                                           note=f"scanned {code}")
                except stock.StockError as exc:
                    error = str(exc)
                else:
                    line = receipt.line
                    result = (f"+{quantity} {sku.seller_sku} into {location.code}: {line.quantity_received} of "
                              f"{line.quantity_ordered} received")
                    if receipt.over:
                        result += f" ({receipt.over} over the order)"
                    elif line.outstanding:
                        result += f", {line.outstanding} to come"
        po.refresh_from_db()
        context = self.context(po, location_code=location_code, quantity=quantity or 1, result=result, error=error)
        if request.headers.get("HX-Request") == "true":
            return render(request, "inventory/purchasing/_receive_lines.html", context,
                          status=400 if error else 200)
        if error:
            messages.error(request, error)
        elif result:
            messages.success(request, result)
        query = urlencode({"location": location_code}) if location_code else ""
        return HttpResponseRedirect(reverse("inventory:purchasing:receive", args=[po.pk]) + (f"?{query}" if query
                                                                                            else ""))
