"""Packages: the list, a package's page with its label steps (edit, rates, buy, tracking, upload,
SellerHub's label, ship, cancel, tracking upload again), its label and packing slip, and the
tracking-number check as it is typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

import documents as docs
from fulfilment import printing, selectors, services
from fulfilment.forms import (
    CancelForm,
    OwnLabelForm,
    PackageEditForm,
    RatesForm,
    TrackingNumberForm,
    UploadLabelForm,
)
from fulfilment.models import Package
from fulfilment.views.common import PAGE_SIZE, VIEW, WORK, next_url, paper_size, pdf_response
from integrations.carriers import registry as carriers
from integrations.labels import provider_status
from sellerhub.access import RoleRequiredMixin


class PackageListView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/packages.html"
    permission_required = VIEW
    STATUSES = [("open", "To label or ship"), ("", "All")] + list(Package.Status.choices)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        q = self.request.GET.get("q", "")
        page = Paginator(selectors.package_list(status=status, q=q), PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(title="Packages", page=page, packages=list(page.object_list), status=status, q=q,
                       statuses=self.STATUSES)
        return context


class PackageView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/package.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            package = selectors.package_detail(self.kwargs["pk"])
        except Package.DoesNotExist:
            raise Http404("No such package.")
        context.update(package_context(self.request, package, forms=kwargs.get("forms") or {}))
        return context


def package_context(request, package: Package, *, forms: dict) -> dict:
    order = package.order
    configured, provider_text = provider_status()
    editable = not package.has_label and package.status == Package.Status.DRAFT
    problems = services.label_problems(package) if not package.has_label else []
    rates = package.rates if package.provider_shipment_id and not package.has_label else []
    position = printing.package_position(package)
    weight_initial = {"weight": package.weight_grams, "unit": "g", "box": package.box_id,
                      "length_mm": package.length_mm, "width_mm": package.width_mm, "height_mm": package.height_mm}
    return {
        "title": f"Package {package.pk} of order {order.external_id}", "package": package, "order": order,
        "position": position, "can_work": request.user.has_perm(WORK), "editable": editable,
        "label_problems": problems, "provider_configured": configured, "provider_text": provider_text,
        "rates": rates, "push": selectors.tracking_push(package),
        "edit_form": forms.get("edit") or PackageEditForm(initial=weight_initial),
        "rates_form": forms.get("rates") or RatesForm(initial={"label_format": package.provider_shipment_format
                                                               or "pdf"}),
        "tracking_form": forms.get("tracking") or TrackingNumberForm(),
        "upload_form": forms.get("upload") or UploadLabelForm(),
        "own_form": forms.get("own") or OwnLabelForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "open_form": forms.get("_open", ""),
        "scans": list(package.scans.all()),
    }


class PackageActionView(RoleRequiredMixin, View):
    """POST one step on a package: edit, rates, buy, tracking, upload, own, ship, cancel, push."""

    permission_required = WORK
    ACTIONS = ("edit", "rates", "buy", "tracking", "upload", "own", "ship", "cancel", "push")

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404("Unknown action.")
        package = get_object_or_404(Package.objects.select_related("order__account"), pk=pk)
        back = reverse("fulfilment:package", args=[pk])
        handler = getattr(self, f"do_{action}")
        try:
            result = handler(request, package)
        except services.FulfilmentError as exc:
            return self._again(request, package, action, error=exc)
        if isinstance(result, HttpResponse):
            return result
        return HttpResponseRedirect(next_url(request, back))

    def _again(self, request, package, action, *, form=None, error=None):
        """The package page again with the action's form and its errors (the reason where it was typed)."""
        forms = {}
        if form is not None:
            forms[action] = form
        elif action in ("tracking", "upload", "own", "cancel", "edit", "rates"):
            cls = {"tracking": TrackingNumberForm, "upload": UploadLabelForm, "own": OwnLabelForm,
                   "cancel": CancelForm, "edit": PackageEditForm, "rates": RatesForm}[action]
            bound = cls(request.POST, request.FILES)
            bound.is_valid()
            if error is not None:
                field = getattr(error, "field", "") or None
                if field in bound.fields:
                    bound.add_error(field, str(error))  # the reason, where it was typed
                else:
                    messages.error(request, str(error))
            forms[action] = bound
        elif error is not None:
            messages.error(request, str(error))
        forms["_open"] = action
        fresh = selectors.package_detail(package.pk)
        context = package_context(request, fresh, forms=forms)
        return render(request, "fulfilment/package.html", context, status=400)

    def do_edit(self, request, package):
        form = PackageEditForm(request.POST)
        if not form.is_valid():
            return self._again(request, package, "edit", form=form)
        data = form.cleaned_data
        services.update_package(package=package, weight_grams=form.grams, box=data.get("box"),
                                length_mm=data.get("length_mm"), width_mm=data.get("width_mm"),
                                height_mm=data.get("height_mm"), user=request.user)
        messages.success(request, f"Package {package.pk} updated.")

    def do_rates(self, request, package):
        form = RatesForm(request.POST)
        if not form.is_valid():
            return self._again(request, package, "rates", form=form)
        quote = services.quote_rates(package=package, label_format=form.cleaned_data["label_format"],
                                     user=request.user)
        messages.success(request, f"{len(quote.rates)} rate(s) for package {package.pk}: choose one to buy.")

    def do_buy(self, request, package):
        bought = services.buy_label(package=package, rate_id=request.POST.get("rate_id", ""), user=request.user)
        messages.success(request, f"Label bought: {bought.carrier_name} {bought.service}, tracking "
                                  f"{bought.tracking_number}. Print it, then ship.")

    def do_tracking(self, request, package):
        form = TrackingNumberForm(request.POST)
        if not form.is_valid():
            return self._again(request, package, "tracking", form=form)
        data = form.cleaned_data
        done = services.set_tracking_number(package=package, tracking_number=data["tracking_number"],
                                            carrier=data.get("carrier", ""), service=data.get("service", ""),
                                            user=request.user)
        messages.success(request, f"Tracking number {done.tracking_number} ({done.carrier_name}) recorded.")

    def do_upload(self, request, package):
        form = UploadLabelForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._again(request, package, "upload", form=form)
        data = form.cleaned_data
        done = services.upload_label(package=package, content=data["file"].read(),
                                     tracking_number=data.get("tracking_number", ""), carrier=data.get("carrier", ""),
                                     user=request.user)
        messages.success(request, f"Label uploaded: {done.carrier_name} {done.tracking_number}.")

    def do_own(self, request, package):
        form = OwnLabelForm(request.POST)
        if not form.is_valid():
            return self._again(request, package, "own", form=form)
        data = form.cleaned_data
        services.make_own_label(package=package, courier=data["courier"], service=data.get("service", ""),
                                tracking_number=data.get("tracking_number", ""), user=request.user)
        messages.success(request, f"SellerHub label ready for package {package.pk}.")

    def do_ship(self, request, package):
        done = services.ship_package(package=package, user=request.user)
        order = done.order
        order.refresh_from_db()
        text = f"Package {done.pk} shipped"
        if done.tracking_number:
            text += f" with {done.carrier_name or done.carrier} {done.tracking_number}"
            if order.account.channel != "manual":
                text += f"; the tracking number is being sent to {order.account.get_channel_display()}"
        messages.success(request, text + f". Order {order.external_id} is {order.get_status_display().lower()}.")

    def do_cancel(self, request, package):
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self._again(request, package, "cancel", form=form)
        services.cancel_package(package=package, reason=form.cleaned_data["reason"], user=request.user)
        messages.success(request, f"Package {package.pk} cancelled; its items can be packed again.")

    def do_push(self, request, package):
        services.retry_tracking_push(package=package, user=request.user)
        messages.success(request, "The tracking upload is queued again.")


class PackageLabelView(RoleRequiredMixin, View):
    """The package's label, as PDF or ZPL (``/label.pdf``, ``/label.zpl``)."""

    permission_required = VIEW

    def get(self, request, pk, fmt):
        package = get_object_or_404(Package.objects.select_related("order__account"), pk=pk)
        try:
            content, content_type = services.label_bytes(package, fmt)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("fulfilment:package", args=[pk]))
        name = f"label-{package.order.external_id}-{package.pk}.{fmt}"
        return pdf_response(content, name, download=request.GET.get("download") == "1", content_type=content_type)


class PackageSlipView(RoleRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        package = get_object_or_404(Package.objects.select_related("order__account"), pk=pk)
        size = paper_size(request)
        try:
            content = docs.render_packing_slip_pdf(printing.slip_data(package.order, package), page_size=size)
        except docs.DocumentError as exc:
            raise Http404(f"No packing slip: {exc}")
        return pdf_response(content, f"packing-slip-{package.order.external_id}-{package.pk}-{size}.pdf")


class TrackingCheckView(RoleRequiredMixin, View):
    """htmx: the verdict on a tracking number as it is typed (the reason, next to the field)."""

    permission_required = WORK

    def get(self, request):
        number = request.GET.get("tracking_number") or request.GET.get("number") or ""
        carrier = request.GET.get("carrier") or ""
        verdict = carriers.validate(number, carrier=carrier or None) if number.strip() else None
        return render(request, "fulfilment/_tracking_check.html", {"verdict": verdict})
