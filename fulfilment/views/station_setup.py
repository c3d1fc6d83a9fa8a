"""The station's setup: this browser as a packing station (its name and its label and document
printers, remembered by a signed cookie, with its recent print jobs), box presets, each account's
carriers mapped to its channel's provider ids, and the label provider (its status and tracking
webhook)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from fulfilment import selectors, services
from fulfilment.forms import BoxForm, CarrierMappingForm, WebhookForm
from fulfilment.models import BoxPreset
from fulfilment.printers import selectors as printer_selectors
from fulfilment.printers import services as printer_services
from fulfilment.printers import stations
from fulfilment.printers.forms import StationForm
from fulfilment.views.common import WORK, form_errors, require
from integrations.carriers import registry as carriers
from integrations.labels import NotConfigured, ProviderError, get_provider, provider_status
from sellerhub.access import RoleRequiredMixin
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm


class StationView(RoleRequiredMixin, TemplateView):
    """This browser's packing station: name it, choose its printers (or take an existing one)."""

    template_name = "fulfilment/station.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = stations.current(self.request)
        initial = ({"name": station.name, "label_printer": station.label_printer_id,
                    "document_printer": station.document_printer_id} if station else None)
        context.update(title="Packing station setup", station=station, stations=printer_selectors.stations(),
                       form=kwargs.get("form") or StationForm(initial=initial),
                       jobs=printer_selectors.recent_jobs(station=station) if station else [])
        return context

    def post(self, request):
        action = request.POST.get("action", "save")
        if action == "forget":
            messages.success(request, "This browser is no longer a packing station.")
            return stations.forget(HttpResponseRedirect(reverse("fulfilment:station")))
        if action == "use":
            chosen = printer_selectors.station(request.POST.get("station") or 0)
            if chosen is None:
                messages.error(request, "No such station.")
                return HttpResponseRedirect(reverse("fulfilment:station"))
            messages.success(request, f"This browser is now station {chosen.name}.")
            return stations.remember(HttpResponseRedirect(reverse("fulfilment:pack")), chosen)
        form = StationForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            saved = printer_services.save_station(station=stations.current(request), name=data["name"],
                                                  label_printer=data.get("label_printer"),
                                                  document_printer=data.get("document_printer"), user=request.user)
        except services.FulfilmentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"Station {saved.name} saved" + (
            f": labels print on {saved.label_printer.name}." if saved.label_printer else "."))
        return stations.remember(HttpResponseRedirect(reverse("fulfilment:pack")), saved)


class BoxListView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/boxes.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_edit = self.request.user.has_perm(perm("manage_catalogue"))
        editing = None
        if self.request.GET.get("edit"):
            editing = BoxPreset.objects.filter(pk=self.request.GET.get("edit")).first()
        context.update(title="Box presets", boxes=selectors.boxes(active_only=False), can_edit=can_edit,
                       editing=editing, form=kwargs.get("form") or (BoxForm(instance=editing) if can_edit else None))
        return context

    def post(self, request):
        require(request, perm("manage_catalogue"))
        box = BoxPreset.objects.filter(pk=request.POST.get("box") or 0).first()
        form = BoxForm(request.POST, instance=box)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            saved = services.save_box(box=box, name=data["name"], length_mm=data["length_mm"],
                                      width_mm=data["width_mm"], height_mm=data["height_mm"],
                                      tare_grams=data["tare_grams"], barcode=data.get("barcode", ""),
                                      active=data.get("active", True), position=data.get("position") or 0,
                                      user=request.user)
        except services.FulfilmentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"Box {saved.name} saved.")
        return HttpResponseRedirect(reverse("fulfilment:boxes"))


class CarriersView(RoleRequiredMixin, TemplateView):
    """Each account's carriers mapped to the channel's provider ids, and the label provider."""

    template_name = "fulfilment/carriers.html"
    permission_required = perm("manage_channels")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        configured, text = provider_status()
        context.update(title="Carriers and labels", accounts=selectors.carrier_mappings(),
                       carrier_choices=carriers.choices(), provider_configured=configured, provider_text=text,
                       webhook_form=kwargs.get("webhook_form") or WebhookForm(initial={
                           "url": self.request.build_absolute_uri(reverse("easypost_webhook"))}))
        return context

    def post(self, request):
        if request.POST.get("action") == "webhook":
            form = WebhookForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(webhook_form=form), status=400)
            try:
                hook = get_provider().register_webhook(form.cleaned_data["url"])
                messages.success(request, f"The label provider now sends tracking updates to "
                                          f"{form.cleaned_data['url']} (webhook {hook}).")
            except (NotConfigured, ProviderError) as exc:
                messages.error(request, f"The webhook was not registered: {exc}")
            return HttpResponseRedirect(reverse("fulfilment:carriers"))
        form = CarrierMappingForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return HttpResponseRedirect(reverse("fulfilment:carriers"))
        account = get_object_or_404(ChannelAccount, pk=form.cleaned_data["account"])
        try:
            mapping = services.set_carrier_mapping(account=account, carrier=form.cleaned_data["carrier"],
                                                   provider_id=form.cleaned_data.get("provider_id", ""),
                                                   provider_name=form.cleaned_data.get("provider_name", ""),
                                                   user=request.user)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{account.name}: {form.cleaned_data['carrier']} is now provider "
                                      f"{mapping.provider_id}." if mapping else
                             f"{account.name}: {form.cleaned_data['carrier']} mapping removed.")
        return HttpResponseRedirect(reverse("fulfilment:carriers"))
