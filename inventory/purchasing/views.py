"""The Owner's purchasing pages (capability manage_catalogue): suppliers and their SKUs, purchase
orders (list with a status filter, a draft's lines, send as PDF by email, cancel, the PDF).
Receiving against an order is the warehouse's: inventory/purchasing/receive_views.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from documents.errors import DocumentError
from inventory.models import Location
from inventory.purchasing import receiving, selectors, sending, services
from inventory.purchasing.forms import (
    POFilterForm,
    POLineFormSet,
    PurchaseOrderForm,
    SupplierForm,
    SupplierSKUFormSet,
)
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderStatus, Supplier
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

OWNER = perm("manage_catalogue")


class SupplierListView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/purchasing/supplier_list.html"
    permission_required = OWNER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Suppliers", suppliers=selectors.suppliers())
        return context


class SupplierEditView(RoleRequiredMixin, View):
    """Create (no pk) or edit a supplier and the SKUs it supplies (costs, pack size, preferred)."""

    permission_required = OWNER
    template_name = "inventory/purchasing/supplier_form.html"

    def _initial_rows(self, supplier):
        if supplier.pk is None:
            return []
        return [{"sku": row.sku.seller_sku, "supplier_code": row.supplier_code, "unit_cost": row.unit_cost,
                 "pack_size": row.pack_size, "minimum_quantity": row.minimum_quantity, "preferred": row.preferred}
                for row in selectors.supplier_skus(supplier)]

    def _render(self, request, supplier, form, formset, status=200):
        orders = selectors.purchase_orders(supplier_id=supplier.pk)[:20] if supplier.pk else []
        return render(request, self.template_name, {
            "form": form, "formset": formset, "supplier": supplier, "orders": orders,
            "title": f"Supplier {supplier.name}" if supplier.pk else "New supplier"}, status=status)

    def get(self, request, pk=None):
        supplier = get_object_or_404(Supplier, pk=pk) if pk else Supplier()
        return self._render(request, supplier, SupplierForm(instance=supplier),
                            SupplierSKUFormSet(initial=self._initial_rows(supplier), prefix="skus"))

    def post(self, request, pk=None):
        supplier = get_object_or_404(Supplier, pk=pk) if pk else Supplier()
        form = SupplierForm(request.POST, instance=supplier)
        formset = SupplierSKUFormSet(request.POST, prefix="skus")
        if form.is_valid() and formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms
                    if f.cleaned_data.get("sku") and not f.cleaned_data.get("DELETE")]
            try:
                with_skus = services.save_supplier(
                    supplier=Supplier.objects.get(pk=pk) if pk else None, user=request.user,
                    **{name: form.cleaned_data[name] for name in SupplierForm.Meta.fields})
                services.set_supplier_skus(supplier=with_skus, rows=rows, user=request.user)
            except services.PurchasingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Saved {with_skus.name} ({len(rows)} SKU{'s' if len(rows) != 1 else ''}).")
                return redirect("inventory:purchasing:supplier_edit", pk=with_skus.pk)
        return self._render(request, supplier, form, formset, status=400)


class POListView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/purchasing/po_list.html"
    permission_required = OWNER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = POFilterForm(self.request.GET or None)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        page = Paginator(selectors.purchase_orders(status=status), 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title="Purchase orders", form=form, page=page, status=status, query=query.urlencode(),
                       statuses=PurchaseOrderStatus.choices)
        return context


def _lines_from(formset, supplier_id):
    """[(sku, quantity, unit_cost)] from the filled rows; a blank cost is the supplier's."""
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("sku") and not f.cleaned_data.get("DELETE")]
    costs = selectors.supplier_cost(supplier_id, [row["sku"].pk for row in rows])
    return [(row["sku"], row["quantity"],
             row["unit_cost"] if row.get("unit_cost") is not None else costs.get(row["sku"].pk, 0)) for row in rows]


class POEditView(RoleRequiredMixin, View):
    """A new purchase order (no pk; ?supplier=<id> chooses it) or a draft's header and lines."""

    permission_required = OWNER
    template_name = "inventory/purchasing/po_form.html"

    def _render(self, request, po, form, formset, status=200):
        return render(request, self.template_name, {
            "po": po, "form": form, "formset": formset,
            "title": f"Edit {po.number}" if po else "New purchase order"}, status=status)

    def _draft(self, pk):
        po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "deliver_to"), pk=pk) if pk else None
        return po

    def get(self, request, pk=None):
        po = self._draft(pk)
        if po is not None and po.status != PurchaseOrderStatus.DRAFT:
            messages.error(request, f"{po.number} is {po.get_status_display().lower()}: only a draft can be edited.")
            return redirect("inventory:purchasing:po_detail", pk=po.pk)
        if po is None:
            main = Location.objects.filter(code="MAIN").first()
            initial = {"supplier": request.GET.get("supplier") if str(request.GET.get("supplier", "")).isdigit()
                       else None, "deliver_to": main.code if main else None}
            lines = []
        else:
            initial = {"supplier": po.supplier_id, "deliver_to": po.deliver_to.code, "expected_on": po.expected_on,
                       "notes": po.notes}
            lines = [{"sku": line.sku.seller_sku, "quantity": line.quantity_ordered, "unit_cost": line.unit_cost}
                     for line in selectors.po_lines(po)]
        return self._render(request, po, PurchaseOrderForm(initial=initial, editing=po is not None),
                            POLineFormSet(initial=lines, prefix="lines"))

    def post(self, request, pk=None):
        po = self._draft(pk)
        form = PurchaseOrderForm(request.POST, editing=po is not None,
                                 initial={"supplier": po.supplier_id} if po else None)
        formset = POLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            supplier = po.supplier if po else data["supplier"]
            try:
                lines = _lines_from(formset, supplier.pk)
                if po is None:
                    po = services.create_draft_po(supplier=supplier, lines=lines, user=request.user,
                                                  deliver_to=data["deliver_to"], notes=data["notes"],
                                                  expected_on=data["expected_on"])
                else:
                    services.update_draft_po(purchase_order=po, lines=lines, deliver_to=data["deliver_to"],
                                             expected_on=data["expected_on"], notes=data["notes"], user=request.user)
            except services.PurchasingError as exc:
                form.add_error(None, str(exc))
                po = self._draft(pk)
            else:
                messages.success(request, f"Saved {po.number} (draft).")
                return redirect("inventory:purchasing:po_detail", pk=po.pk)
        return self._render(request, po, form, formset, status=400)


class PODetailView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/purchasing/po_detail.html"
    permission_required = OWNER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "deliver_to", "created_by"),
                               pk=kwargs["pk"])
        lines = selectors.po_lines(po)
        context.update(
            title=po.number, po=po, lines=lines, sends=selectors.po_sends(po),
            total=sum((line.amount for line in lines), 0),
            receipts=selectors.po_receipts(po, receiving.reference_for(po))[:50],
            can_receive=self.request.user.has_perm(perm("work_warehouse")) and po.status in receiving.RECEIVABLE,
        )
        return context


class POActionView(RoleRequiredMixin, View):
    """POST send | cancel; back to the order with what happened."""

    permission_required = OWNER
    action = ""

    def post(self, request, pk):
        po = get_object_or_404(PurchaseOrder.objects.select_related("supplier"), pk=pk)
        try:
            if self.action == "send":
                record = sending.send_po(purchase_order=po, user=request.user)
                messages.success(request, f"Sent {po.number} to {record.to_email} (PDF attached).")
            else:
                services.cancel_po(purchase_order=po, user=request.user)
                messages.success(request, f"Cancelled {po.number}.")
        except (services.PurchasingError, DocumentError) as exc:
            messages.error(request, str(exc))
        return redirect("inventory:purchasing:po_detail", pk=po.pk)


class POPdfView(RoleRequiredMixin, View):
    permission_required = OWNER

    def get(self, request, pk):
        po = get_object_or_404(PurchaseOrder, pk=pk)
        if not po.lines.exists():
            messages.error(request, f"{po.number} has no lines: nothing to print.")
            return redirect("inventory:purchasing:po_detail", pk=po.pk)
        response = HttpResponse(sending.purchase_order_pdf(po), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{sending.filename_for(po)}"'
        return response


class PurchasingHomeView(RoleRequiredMixin, View):
    """/inventory/purchasing/: the Owner lands on the purchase orders, the warehouse on receiving."""

    permission_required = perm("view_operations")

    def get(self, request):
        if request.user.has_perm(perm("manage_catalogue")):
            return HttpResponseRedirect(reverse("inventory:purchasing:po_list"))
        if request.user.has_perm(perm("work_warehouse")):
            return HttpResponseRedirect(reverse("inventory:purchasing:receive_list"))
        raise PermissionDenied
