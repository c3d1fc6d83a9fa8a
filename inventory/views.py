"""Inventory pages. Views read through inventory.selectors and write through inventory.services.
The stock count pages are in inventory/count_views.py."""

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from inventory import import_preview, selectors, services
from inventory.forms import AdjustmentForm, ImportForm, SKUForm, SKUSearchForm
from inventory.imports import COUNT_COLUMNS, SKU_COLUMNS, format_attributes
from inventory.jobs import ImportNotAwaitingConfirmation, confirm_import, start_import
from inventory.models import SKU, ImportFile, Location, Product, StockMovement
from inventory.purchasing import selectors as purchasing_selectors
from sellerhub import csv_export
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

Reason = StockMovement.Reason


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


class SKUListView(RoleRequiredMixin, TemplateView):
    """SKUs with their stock; search and filters; a constant number of queries per page."""

    template_name = "inventory/sku_list.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locations = list(Location.objects.filter(active=True).order_by("kind", "code"))
        form = SKUSearchForm(self.request.GET or None, locations=locations)
        filters = form.filters()
        per_page = (form.cleaned_data.get("per_page") or 50) if form.is_valid() else 50
        page = Paginator(selectors.search_skus(**filters), per_page).get_page(self.request.GET.get("page"))
        page.object_list = purchasing_selectors.attach_on_order(page.object_list)  # one query: stock on order
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, filters=filters, query=query.urlencode(), title="Inventory",
                       can_edit=self.request.user.has_perm(perm("manage_catalogue")),
                       can_count=self.request.user.has_perm(perm("work_warehouse")))
        return context


class ExportView(RoleRequiredMixin, View):
    """The SKU list as CSV (with the list's filters), streamed: one query for any number of rows."""

    permission_required = perm("view_operations")
    COLUMNS = ("seller_sku", "name", "barcode", "product", "attributes", "weight_grams", "length_mm", "width_mm",
               "height_mm", "reorder_point", "active", "on_hand", "reserved", "available", "fbt_on_hand")

    def get(self, request):
        form = SKUSearchForm(request.GET or None, locations=Location.objects.all())
        skus = selectors.search_skus(**form.filters())

        def rows():
            for sku in skus.iterator(chunk_size=2000):
                yield ([
                    sku.seller_sku, sku.name, sku.barcode, sku.product.name if sku.product else "",
                    format_attributes(sku.attributes), sku.weight_grams or "", sku.length_mm or "", sku.width_mm or "",
                    sku.height_mm or "", sku.reorder_point, "yes" if sku.active else "no", sku.on_hand, sku.reserved,
                    sku.available, sku.fbt_on_hand,
                ])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_export.streaming_response(self.COLUMNS, rows(), filename=f"skus-{stamp}.csv", bom=True)


class SKUDetailView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/sku_detail.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sku = get_object_or_404(selectors.with_stock(SKU.objects.select_related("product")), pk=kwargs["pk"])
        ledger = Paginator(selectors.sku_movements(sku), 50).get_page(self.request.GET.get("page"))
        context.update(
            sku=sku, title=sku.seller_sku, levels=selectors.sku_levels(sku), ledger=ledger,
            listings=selectors.sku_listings(sku), reservations=selectors.active_reservations(sku),
            attributes=format_attributes(sku.attributes),
            can_edit=self.request.user.has_perm(perm("manage_catalogue")),
            can_count=self.request.user.has_perm(perm("work_warehouse")),
        )
        return context


class SKUEditView(RoleRequiredMixin, View):
    """Create (no pk) or edit a SKU."""

    permission_required = perm("manage_catalogue")
    template_name = "inventory/sku_form.html"

    def get_sku(self, pk):
        return get_object_or_404(SKU.objects.select_related("product"), pk=pk) if pk else SKU()

    def get(self, request, pk=None):
        sku = self.get_sku(pk)
        return render(request, self.template_name, {"form": SKUForm(instance=sku), "sku": sku,
                                                    "title": f"Edit {sku.seller_sku}" if pk else "New SKU"})

    def post(self, request, pk=None):
        sku = self.get_sku(pk)
        form = SKUForm(request.POST, instance=sku)
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in SKUForm.Meta.fields}
            data["attributes"] = form.cleaned_data["attributes_text"]
            name = form.cleaned_data["product_name"].strip()
            data["product"] = Product.objects.get_or_create(name=name)[0] if name else None
            try:
                if pk:
                    sku = services.update_sku(sku=SKU.objects.get(pk=pk), user=request.user, **data)
                else:
                    sku = services.create_sku(user=request.user, **data)
            except services.StockError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Saved {sku.seller_sku}.")
                return redirect("inventory:sku_detail", pk=sku.pk)
        return render(request, self.template_name, {"form": form, "sku": sku,
                                                    "title": f"Edit {sku.seller_sku}" if pk else "New SKU"})


class StockFormView(RoleRequiredMixin, View):
    """Base of the adjustment and stock-count forms: prefilled from ?sku=&location=."""

    form_class = None
    template_name = None
    title = ""

    def initial(self, request):
        initial = {"location": request.GET.get("location") or "MAIN"}
        if request.GET.get("sku"):
            initial["sku"] = request.GET["sku"]
        return initial

    def get(self, request):
        return render(request, self.template_name, {"form": self.form_class(initial=self.initial(request)),
                                                    "title": self.title})

    def post(self, request):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                text = self.apply(form.cleaned_data, request.user)
            except services.StockError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, text)
                return redirect("inventory:sku_detail", pk=form.cleaned_data["sku"].pk)
        return render(request, self.template_name, {"form": form, "title": self.title}, status=400)


class AdjustView(StockFormView):
    permission_required = perm("manage_catalogue")
    form_class = AdjustmentForm
    template_name = "inventory/adjust.html"
    title = "Adjust stock"

    def apply(self, data, user):
        move = services.adjust(sku=data["sku"], location=data["location"], quantity=data["quantity"],
                               reason=data["reason"], user=user, note=data["note"])
        return (f"{Reason(move.reason).label}: {move.on_hand_change:+d} {data['sku'].seller_sku} at "
                f"{data['location'].code}.")


class ReceiveView(RoleRequiredMixin, View):
    """Receiving by scanning: pick (scan) a bin, then scan each item; Enter ends a scan.

    Works as a plain form (one POST per scan, redirect back) and, with JavaScript, without
    reloading: each scan is posted in order and the tally below updates."""

    permission_required = perm("work_warehouse")
    template_name = "inventory/receive.html"

    @staticmethod
    def new_reference():
        return f"RCV-{timezone.localdate():%Y%m%d}-{secrets.token_hex(2).upper()}"

    def context(self, *, location_code, reference, quantity=1, result=None, error=None):
        location = Location.objects.filter(code=location_code, active=True,
                                           kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN]).first()
        return {
            "title": "Receive stock",
            "location_code": location_code, "location": location, "reference": reference, "quantity": quantity,
            "locations": Location.objects.filter(active=True, kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN])
            .order_by("pick_sequence", "code"),
            "tally": selectors.delivery_tally(reference), "ledger_mark": selectors.delivery_mark(reference),
            "result": result, "error": error,
        }

    def get(self, request):
        reference = request.GET.get("reference") or self.new_reference()
        return render(request, self.template_name, self.context(location_code=request.GET.get("location", ""),
                                                                 reference=reference))

    def post(self, request):
        location_code = request.POST.get("location", "").strip()
        reference = request.POST.get("reference", "").strip()[:100] or self.new_reference()
        code = request.POST.get("code", "").strip()
        try:
            quantity = int(request.POST.get("quantity") or 1)
        except ValueError:
            quantity = 0
        result = error = None
        location = Location.objects.filter(code=location_code, active=True,
                                           kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN]).first()
        if request.POST.get("undo"):
            seen = request.POST.get("seen", "")
            try:
                undone = services.undo_last_scan(reference=reference, user=request.user,
                                                 seen_up_to=int(seen) if seen.isdigit() else None)
            except services.StockError as exc:
                error = str(exc)
            else:
                result = (f"Undid the last scan: {undone.on_hand_change} {undone.sku.seller_sku} "
                          f"from {undone.location.code}")
        elif location is None:
            error = (f"No bin or warehouse has the code {location_code}." if location_code
                     else "Scan or choose the bin to receive into first.")
        elif not code:
            pass  # the bin was scanned (Enter in the bin field without JavaScript): ready for items
        elif quantity < 1 or quantity > 100000:
            error = "Units per scan must be between 1 and 100000."
        else:
            sku = selectors.find_sku(code)
            if sku is None:
                error = f"Unknown barcode {code}: nothing received. Check the item or add its barcode to the SKU."
            elif not sku.active:
                error = f"{sku.seller_sku} is inactive: nothing received."
            else:
                try:
                    services.receive(sku=sku, location=location, quantity=quantity, user=request.user,
                                     reference=reference, note=f"scanned {code}")
                except services.StockError as exc:
                    error = str(exc)
                else:
                    result = f"+{quantity} {sku.seller_sku} ({sku.name}) into {location.code}"
        context = self.context(location_code=location_code, reference=reference, quantity=quantity or 1,
                               result=result, error=error)
        if _is_htmx(request):
            return render(request, "inventory/_receive_log.html", context, status=200)
        if error:
            messages.error(request, error)
        elif result:
            messages.success(request, result)
        params = urlencode({"location": location_code, "reference": reference})
        return HttpResponseRedirect(f"{reverse('inventory:receive')}?{params}")


class LowStockView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/low_stock.html"
    permission_required = perm("view_operations")
    DAYS = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.low_stock(days=self.DAYS), 500).get_page(self.request.GET.get("page"))
        context.update(title="Low stock", page=page, rows=selectors.attach_cover(page.object_list, self.DAYS),
                       days=self.DAYS, recent_days=selectors.RECENT_DAYS)
        return context


class ImportView(RoleRequiredMixin, View):
    permission_required = perm("manage_catalogue")
    template_name = "inventory/import.html"

    def render_page(self, request, form, status=200):
        recent = ImportFile.objects.select_related("run", "created_by").defer("content")[:10]
        return render(request, self.template_name, {"form": form, "recent": recent, "title": "Import CSV",
                                                    "sku_columns": SKU_COLUMNS, "count_columns": COUNT_COLUMNS},
                      status=status)

    def get(self, request):
        return self.render_page(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        filename, content = form.cleaned_data["file"]
        upload = start_import(kind=form.cleaned_data["kind"], filename=filename, content=content, user=request.user)
        return redirect("inventory:import_detail", pk=upload.pk)


class ImportDetailView(RoleRequiredMixin, TemplateView):
    """An import's live progress, then what it did or each bad row and why."""

    permission_required = perm("manage_catalogue")
    template_name = "inventory/import_detail.html"
    fragment = False

    def get_template_names(self):
        return ["inventory/_import_result.html"] if self.fragment else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = get_object_or_404(ImportFile.objects.select_related("run").defer("content"), pk=kwargs["pk"])
        finished = upload.status in (ImportFile.Status.APPLIED, ImportFile.Status.REJECTED, ImportFile.Status.FAILED,
                                     ImportFile.Status.PREVIEW)
        context.update(upload=upload, run=upload.run, finished=finished, title=f"Import {upload.filename}",
                       preview=upload.summary.get("preview") if upload.status == ImportFile.Status.PREVIEW else None)
        if context["preview"]:
            context["token"] = import_preview.token_for(ImportFile.objects.only("pk", "content").get(pk=upload.pk))
        return context


class ImportConfirmView(RoleRequiredMixin, View):
    """The second POST of an import that changes existing SKUs or stock: the preview's token."""

    permission_required = perm("manage_catalogue")

    def post(self, request, pk):
        upload = get_object_or_404(ImportFile.objects.only("pk", "content", "status"), pk=pk)
        if not import_preview.token_matches(upload, request.POST.get("token", "")):
            messages.error(request, "This preview is out of date or not this file's: upload the file again.")
            return redirect("inventory:import_detail", pk=pk)
        try:
            confirm_import(import_id=upload.pk, user=request.user)
        except ImportNotAwaitingConfirmation as exc:
            messages.error(request, str(exc))
        return redirect("inventory:import_detail", pk=pk)


class ImportTemplateView(RoleRequiredMixin, View):
    """An example CSV for each import kind. Its SKUs (``EXAMPLE-...``) are in no catalogue, the
    demo's included, so importing an example as it is changes nothing that exists: the SKU file adds
    two example SKUs, the count file counts them (and is refused until they exist)."""

    permission_required = perm("manage_catalogue")

    def get(self, request, kind):
        if kind == "skus":
            note = "(example SKU: not in your catalogue)"
            rows = [SKU_COLUMNS,
                    ("EXAMPLE-MUG-WHT", f"Example mug white {note}", "", "Example mug", "color=White",
                     "350", "120", "90", "100", "5", "yes", "MAIN", "24"),
                    ("EXAMPLE-MUG-BLK", f"Example mug black {note}", "", "Example mug", "color=Black",
                     "350", "120", "90", "100", "5", "yes", "MAIN", "12")]
        elif kind == "counts":
            rows = [COUNT_COLUMNS, ("EXAMPLE-MUG-WHT", "", "MAIN", "23"), ("EXAMPLE-MUG-BLK", "", "MAIN", "11")]
        else:
            raise Http404
        return csv_export.response(rows, filename=f"sellerhub-{kind}-example.csv")
