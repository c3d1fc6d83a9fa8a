"""FBT pages under /inventory/fbt/: inbound shipments (plan, pack, label, ship, receive, close),
FBT stock from TikTok, replenishment alerts. Views read through inventory.fbt.selectors and write
through inventory.fbt.services.

Who does what: the owner (manage_catalogue) plans shipments, enters TikTok's IBR number and
receipts, closes differences, synchronises and dismisses alerts; the warehouse (work_warehouse)
packs cartons, prints carton labels and ships; everyone with view_operations reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from integrations.tiktok import fbt as tiktok
from inventory.fbt import forms as fbt_forms
from inventory.fbt import jobs, labels, selectors, services
from inventory.fbt.models import InboundCarton, InboundShipment, ReplenishmentAlert
from sellerhub.access import RoleRequiredMixin
from sellerhub.downloads import content_disposition
from sellerhub.jobs import enqueue_job
from sellerhub.models import JobRun
from sellerhub.roles import perm

Status = InboundShipment.Status


def _detail_url(shipment):
    return reverse("inventory:fbt:inbound_detail", args=[shipment.pk])


def _shipment(pk):
    try:
        return selectors.inbound_detail(pk)
    except InboundShipment.DoesNotExist:
        raise Http404("No such inbound shipment.") from None


class InboundListView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/fbt/inbound_list.html"
    permission_required = perm("view_operations")
    STATUSES = [("open", "Open"), *Status.choices, ("all", "All")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status") or "open"
        if status not in dict(self.STATUSES):
            status = "open"
        page = Paginator(selectors.inbound_list(status=status), 50).get_page(self.request.GET.get("page"))
        cartons = selectors.carton_counts([s.pk for s in page])
        for shipment in page:
            shipment.carton_count = cartons.get(shipment.pk, 0)
            shipment.missing_units = max((shipment.units or 0) - (shipment.received_units or 0)
                                         - (shipment.damaged_units or 0), 0)
        context.update(title="FBT inbound shipments", page=page, status=status, statuses=self.STATUSES,
                       query=f"status={status}", can_plan=self.request.user.has_perm(perm("manage_catalogue")))
        return context


class InboundCreateView(RoleRequiredMixin, View):
    """Choose the FBT warehouse and the own warehouse, then the SKUs and quantities (suggested
    from FBT sales velocity and open replenishment alerts)."""

    permission_required = perm("manage_catalogue")
    template_name = "inventory/fbt/inbound_new.html"

    def _setup(self, data):
        destinations = selectors.fbt_locations().order_by("code")
        sources = selectors.own_warehouses()
        plan = fbt_forms.PlanForm(data, destinations=destinations, sources=sources)
        if data is None or not plan.is_valid():
            plan = fbt_forms.PlanForm({"destination": getattr(destinations.first(), "code", ""),
                                       "source": getattr(sources.filter(code="MAIN").first() or sources.first(),
                                                         "code", "")}, destinations=destinations, sources=sources)
            plan.is_valid()
        destination = plan.cleaned_data.get("destination")
        source = plan.cleaned_data.get("source")
        suggestions = selectors.inbound_suggestions(destination=destination, source=source) \
            if destination and source else []
        return destinations, sources, destination, source, suggestions

    def get(self, request):
        destinations, sources, destination, source, suggestions = self._setup(request.GET or None)
        form = fbt_forms.CreateInboundForm(
            initial={"destination": getattr(destination, "code", ""), "source": getattr(source, "code", "")},
            destinations=destinations, sources=sources, suggestions=suggestions)
        return self._render(request, form, destination, source, suggestions)

    def post(self, request):
        destinations, sources, destination, source, suggestions = self._setup(request.POST)
        form = fbt_forms.CreateInboundForm(request.POST, destinations=destinations, sources=sources,
                                           suggestions=suggestions)
        if form.is_valid():
            lines = form.lines()
            if form.is_valid():
                account = next(iter(jobs.tiktok_accounts()), None)
                try:
                    shipment = services.create_inbound(destination=form.cleaned_data["destination"],
                                                       source=form.cleaned_data["source"], lines=lines,
                                                       account=account, note=form.cleaned_data["note"],
                                                       user=request.user)
                except services.InboundError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"{shipment.reference} planned: pack its cartons, then ship it.")
                    return redirect(_detail_url(shipment))
        return self._render(request, form, destination, source, suggestions, status=400)

    def _render(self, request, form, destination, source, suggestions, status=200):
        rows = [(row, form[f"qty_{row.sku.pk}"]) for row in suggestions]
        extras = [(form[f"extra_sku_{i}"], form[f"extra_qty_{i}"]) for i in range(form.EXTRA)]
        return render(request, self.template_name, {
            "title": "New FBT inbound shipment", "form": form, "rows": rows, "extras": extras,
            "destination": destination, "source": source, "days": selectors.VELOCITY_DAYS,
            "cover_days": selectors.COVER_DAYS, "no_fbt": destination is None}, status=status)


class InboundDetailView(RoleRequiredMixin, View):
    permission_required = perm("view_operations")
    template_name = "inventory/fbt/inbound_detail.html"

    def get(self, request, pk):
        return render(request, self.template_name, detail_context(request, _shipment(pk)))


def detail_context(request, shipment, **forms):
    user = request.user
    lines = list(shipment.lines.all())
    packed = {}
    for carton in shipment.cartons.all():
        for item in carton.items.all():
            packed[item.line_id] = packed.get(item.line_id, 0) + item.quantity
    for line in lines:
        line.packed = packed.get(line.pk, 0)
        line.to_pack = max(line.quantity - line.packed, 0)
    can_plan = user.has_perm(perm("manage_catalogue"))
    can_work = user.has_perm(perm("work_warehouse"))
    draft = shipment.status == Status.DRAFT
    context = {
        "title": shipment.reference, "shipment": shipment, "lines": lines, "cartons": list(shipment.cartons.all()),
        "events": list(shipment.events.all()), "ledger": list(selectors.inbound_ledger(shipment)),
        "all_packed": bool(lines) and all(line.to_pack == 0 for line in lines),
        "units": sum(line.quantity for line in lines), "packed_units": sum(line.packed for line in lines),
        "received_units": sum(line.received for line in lines), "damaged_units": sum(line.damaged for line in lines),
        "missing_units": sum(line.missing for line in lines) if shipment.status != Status.DRAFT else 0,
        "outstanding_units": sum(line.outstanding for line in lines),
        "can_plan": can_plan, "can_work": can_work, "draft": draft,
    }
    if draft and can_plan:
        context["lines_form"] = forms.get("lines_form") or fbt_forms.LinesForm(lines=lines)
    if draft and can_work and not context["all_packed"]:
        context["carton_form"] = forms.get("carton_form") or fbt_forms.CartonForm(lines=lines, packed=packed)
    if can_plan and shipment.status not in (Status.CLOSED, Status.CANCELLED):
        context["details_form"] = forms.get("details_form") or fbt_forms.DetailsForm(initial={
            "ibr_id": shipment.ibr_id, "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
            "note": shipment.note})
    if can_plan and shipment.in_transit:
        context["close_form"] = forms.get("close_form") or fbt_forms.CloseForm()
    if "lines_form" in context:
        context["line_fields"] = [(line, context["lines_form"][f"qty_{line.pk}"]) for line in lines]
    if "carton_form" in context:
        context["carton_fields"] = [(line, context["carton_form"][f"qty_{line.pk}"]) for line in lines
                                    if line.to_pack]
    return context


class ShipmentActionView(RoleRequiredMixin, View):
    """Base of the POST actions on one shipment: redirect back with a message, or the detail
    page with the form's errors (status 400)."""

    form_name = ""

    def get(self, request, pk):
        return redirect(_detail_url(get_object_or_404(InboundShipment, pk=pk)))

    def post(self, request, pk):
        shipment = _shipment(pk)
        form = self.make_form(request, shipment)
        if form is None or form.is_valid():
            try:
                text = self.apply(request, shipment, form)
            except services.InboundError as exc:
                if form is None:
                    messages.error(request, str(exc))
                    return redirect(_detail_url(shipment))
                form.add_error(None, str(exc))
            else:
                messages.success(request, text)
                return redirect(self.success_url(shipment))
        context = detail_context(request, _shipment(pk), **{self.form_name: form})
        return render(request, InboundDetailView.template_name, context, status=400)

    def make_form(self, request, shipment):
        return None

    def success_url(self, shipment):
        return _detail_url(shipment)


class LinesView(ShipmentActionView):
    permission_required = perm("manage_catalogue")
    form_name = "lines_form"

    def make_form(self, request, shipment):
        return fbt_forms.LinesForm(request.POST, lines=shipment.lines.all())

    def apply(self, request, shipment, form):
        add = [(form.cleaned_data["add_sku"], form.cleaned_data["add_quantity"] or 0)] \
            if form.cleaned_data.get("add_sku") else []
        left = services.set_line_quantities(shipment=shipment, quantities=form.quantities(), add=add,
                                            user=request.user)
        return f"Saved: {left} SKU{'s' if left != 1 else ''} on {shipment.reference}."


class DetailsView(ShipmentActionView):
    permission_required = perm("manage_catalogue")
    form_name = "details_form"

    def make_form(self, request, shipment):
        return fbt_forms.DetailsForm(request.POST)

    def apply(self, request, shipment, form):
        services.update_inbound_details(shipment=shipment, user=request.user, **form.cleaned_data)
        return f"Saved the details of {shipment.reference}."


class CartonView(ShipmentActionView):
    permission_required = perm("work_warehouse")
    form_name = "carton_form"

    def make_form(self, request, shipment):
        return fbt_forms.CartonForm(request.POST, lines=shipment.lines.all(),
                                    packed=services.packing_state(shipment))

    def apply(self, request, shipment, form):
        carton = services.add_carton(shipment=shipment, contents=form.contents(),
                                     weight_grams=form.cleaned_data.get("weight_grams"), dims=form.dims(),
                                     user=request.user)
        units = sum(form.contents().values())
        return f"Carton {carton.number} packed with {units} unit{'s' if units != 1 else ''}."


class CartonDeleteView(RoleRequiredMixin, View):
    permission_required = perm("work_warehouse")

    def get(self, request, pk, carton_pk):
        return redirect(_detail_url(get_object_or_404(InboundShipment, pk=pk)))

    def post(self, request, pk, carton_pk):
        carton = get_object_or_404(InboundCarton, pk=carton_pk, shipment_id=pk)
        try:
            services.delete_carton(carton=carton, user=request.user)
        except services.InboundError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Carton {carton.number} unpacked.")
        return redirect(reverse("inventory:fbt:inbound_detail", args=[pk]))


class CartonLabelsView(RoleRequiredMixin, View):
    """The carton labels as one 4x6 PDF (all cartons, or ?carton=<id>)."""

    permission_required = perm("work_warehouse")

    def get(self, request, pk):
        shipment = get_object_or_404(InboundShipment.objects.select_related("source", "destination"), pk=pk)
        cartons = None
        if request.GET.get("carton"):
            cartons = list(InboundCarton.objects.filter(shipment=shipment, pk=request.GET["carton"]))
            if not cartons:
                raise Http404("No such carton on this shipment.")
        try:
            pdf = labels.render_carton_labels(shipment, cartons)
        except labels.LabelError as exc:
            messages.error(request, str(exc))
            return redirect(_detail_url(shipment))
        response = HttpResponse(pdf, content_type="application/pdf")
        suffix = f"-C{cartons[0].number:02d}" if cartons else ""
        response["Content-Disposition"] = content_disposition(f"{shipment.reference}{suffix}-carton-labels.pdf",
                                                              attachment=False)
        return response


class ShipView(ShipmentActionView):
    permission_required = perm("work_warehouse")

    def apply(self, request, shipment, form):
        services.ship_inbound(shipment=shipment, user=request.user)
        return (f"{shipment.reference} shipped: its stock is in transit to {shipment.destination.code}. "
                f"Enter TikTok's IBR number so its receipts are applied automatically.")


class ReceiveView(RoleRequiredMixin, View):
    """Enter what TikTok received (running totals from Seller Center), when no notification
    brought it."""

    permission_required = perm("manage_catalogue")
    template_name = "inventory/fbt/inbound_receive.html"

    def get(self, request, pk):
        shipment = _shipment(pk)
        form = fbt_forms.ReceiveForm(lines=shipment.lines.all())
        return self._render(request, shipment, form)

    def post(self, request, pk):
        shipment = _shipment(pk)
        form = fbt_forms.ReceiveForm(request.POST, lines=shipment.lines.all())
        if form.is_valid():
            try:
                result = services.receive_inbound(shipment=shipment, counts=form.counts(), user=request.user,
                                                  note=form.cleaned_data["note"])
            except services.InboundError as exc:
                form.add_error(None, str(exc))
            else:
                if result["received"] or result["damaged"]:
                    messages.success(request, f"Recorded {result['received']} received and {result['damaged']} "
                                              f"damaged on {shipment.reference}.")
                else:
                    messages.info(request, "Nothing new to record.")
                return redirect(_detail_url(shipment))
        return self._render(request, shipment, form, status=400)

    def _render(self, request, shipment, form, status=200):
        if not shipment.in_transit and shipment.status != Status.RECEIVED:
            messages.error(request, f"{shipment.reference} is {shipment.get_status_display().lower()}: "
                                    f"nothing to receive.")
            return redirect(_detail_url(shipment))
        rows = [(line, form[f"received_{line.pk}"], form[f"damaged_{line.pk}"]) for line in form.lines]
        return render(request, self.template_name, {"title": f"Receive {shipment.reference}", "shipment": shipment,
                                                    "form": form, "rows": rows}, status=status)


class CloseView(ShipmentActionView):
    permission_required = perm("manage_catalogue")
    form_name = "close_form"

    def make_form(self, request, shipment):
        return fbt_forms.CloseForm(request.POST)

    def apply(self, request, shipment, form):
        result = services.close_inbound(shipment=shipment, action=form.cleaned_data["action"], user=request.user,
                                        note=form.cleaned_data["note"])
        return f"{shipment.reference} closed; {result['units']} missing units settled."


class CancelView(ShipmentActionView):
    permission_required = perm("manage_catalogue")

    def apply(self, request, shipment, form):
        services.cancel_inbound(shipment=shipment, user=request.user)
        return f"{shipment.reference} cancelled."

    def success_url(self, shipment):
        return reverse("inventory:fbt:inbound_list")


# ---------------------------------------------------------------------------------------------
# FBT stock and alerts


class StockView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/fbt/stock.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locations = list(selectors.fbt_locations(active_only=False).order_by("code"))
        code = self.request.GET.get("location") or ""
        location = next((loc for loc in locations if loc.code == code), None)
        q = (self.request.GET.get("q") or "").strip()
        page = Paginator(selectors.fbt_stock(location=location, q=q), 100).get_page(self.request.GET.get("page"))
        rows = selectors.attach_levels(page.object_list)
        run = None
        if self.request.GET.get("run"):
            run = JobRun.objects.filter(pk=self.request.GET["run"], kind="inventory.fbt_sync").first()
        accounts = list(jobs.tiktok_accounts())
        for account in accounts:
            account.fbt_webhook = webhook_address(self.request, account)
        context.update(title="FBT stock", page=page, rows=rows, locations=locations, location=location, q=q,
                       run=run, accounts=accounts,
                       can_sync=self.request.user.has_perm(perm("manage_catalogue")),
                       query=f"location={code}&q={q}")
        return context


class SyncView(RoleRequiredMixin, View):
    """Synchronise FBT stock (and receipts of inbound shipments) from TikTok now, as a job."""

    permission_required = perm("manage_catalogue")

    def get(self, request):
        return redirect("inventory:fbt:stock")

    def post(self, request):
        accounts = list(jobs.tiktok_accounts())
        if not accounts:
            messages.error(request, "Connect a TikTok Shop account first (Channels).")
            return redirect("inventory:fbt:stock")
        run = None
        for account in accounts:
            run = enqueue_job(kind="inventory.fbt_sync", func=jobs.sync_fbt_job, args=[account.pk], queue="sync",
                              user=request.user, message=f"Waiting for a worker to read {account.name}'s FBT stock")
        return redirect(f"{reverse('inventory:fbt:stock')}?run={run.pk}")


def webhook_address(request, account) -> str:
    return request.build_absolute_uri(reverse("tiktok_fulfilment_webhook", args=[account.pk]))


class RegisterWebhooksView(RoleRequiredMixin, View):
    """Register SellerHub's FBT and logistics notification address with TikTok (event types 4,
    21, 24 and 27), for every connected TikTok account."""

    permission_required = perm("manage_channels")

    def get(self, request):
        return redirect("inventory:fbt:stock")

    def post(self, request):
        accounts = list(jobs.tiktok_accounts())
        if not accounts:
            messages.error(request, "Connect a TikTok Shop account first (Channels).")
        for account in accounts:
            try:
                events = tiktok.register_webhooks(account, webhook_address(request, account))
            except tiktok.FbtError as exc:
                messages.error(request, f"{account.name}: {exc}")
            else:
                messages.success(request, f"{account.name}: TikTok sends {', '.join(events)} to "
                                          f"{webhook_address(request, account)}.")
        return redirect("inventory:fbt:stock")


class AlertsView(RoleRequiredMixin, TemplateView):
    template_name = "inventory/fbt/alerts.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status") or "open"
        page = Paginator(selectors.alerts(status=status), 100).get_page(self.request.GET.get("page"))
        context.update(title="Replenishment alerts", page=page, rows=selectors.attach_alert_context(page.object_list),
                       status=status, statuses=[("open", "Open"), ("resolved", "Resolved"),
                                                ("dismissed", "Dismissed"), ("all", "All")],
                       query=f"status={status}", can_dismiss=self.request.user.has_perm(perm("manage_catalogue")),
                       fbt_locations=list(selectors.fbt_locations()))
        return context


class DismissView(RoleRequiredMixin, View):
    permission_required = perm("manage_catalogue")

    def get(self, request, pk):
        return redirect("inventory:fbt:alerts")

    def post(self, request, pk):
        alert = get_object_or_404(ReplenishmentAlert, pk=pk)
        form = fbt_forms.DismissForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        if services.dismiss_alert(alert=alert, user=request.user, note=note):
            messages.success(request, f"Alert for {alert.sku_key} dismissed.")
        else:
            messages.info(request, "That alert was no longer open.")
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("inventory:fbt:alerts")
        return redirect(target)

