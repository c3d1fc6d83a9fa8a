"""Fulfilment pages: the dispatch board, pick lists, the packing station, packages and their
labels, batch printing, box presets and carrier mappings. Views read through
``fulfilment.selectors`` and write through ``fulfilment.services``; every write checks its
capability (viewing needs view_operations, working needs work_warehouse)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

import documents as docs
from fulfilment import printing, selectors, services
from fulfilment.forms import (
    PAPER,
    BatchForm,
    BoxForm,
    CancelForm,
    CarrierMappingForm,
    OverrideForm,
    OwnLabelForm,
    PackageEditForm,
    PackForm,
    RatesForm,
    ScanForm,
    TrackingNumberForm,
    UploadLabelForm,
    WebhookForm,
)
from fulfilment.models import BoxPreset, Package, PackScan, PickList, PrintBatch
from integrations.carriers import registry as carriers
from integrations.labels import NotConfigured, ProviderError, get_provider, provider_status
from orders.models import Order
from sellerhub.access import RoleRequiredMixin
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm

VIEW = perm("view_operations")
WORK = perm("work_warehouse")
PAGE_SIZE = 50


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _pdf(content: bytes, filename: str, *, download: bool = False, content_type: str = "application/pdf"):
    response = HttpResponse(content, content_type=content_type)
    how = "attachment" if download or content_type != "application/pdf" else "inline"
    response["Content-Disposition"] = f'{how}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _paper(request) -> str:
    size = (request.GET.get("size") or "letter").lower()
    return size if size in dict(PAPER) or size == "4x6" else "letter"


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[k].label if k in form.fields and form.fields[k].label else k}: {' '.join(v)}"
                    if k != "__all__" else " ".join(v) for k, v in form.errors.items())


# ---------------------------------------------------------------------------------------------
# Dispatch board


class IndexView(RoleRequiredMixin, TemplateView):
    """The dispatch board: today's work by deadline, with a countdown to each cut-off."""

    template_name = "fulfilment/index.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = selectors.dispatch_board()
        context.update(title="Dispatch board", board=board, groups=[
            ("overdue", "Overdue", board.overdue, "Past their dispatch deadline: ship these first."),
            ("soon", "Due within 4 hours", board.soon, ""),
            ("today", "Due later today", board.today, ""),
        ], can_work=self.request.user.has_perm(WORK))
        return context


# ---------------------------------------------------------------------------------------------
# Pick lists


class PickPackView(RoleRequiredMixin, TemplateView):
    """Orders ready to pick (choose some, or everything due today) and the pick lists."""

    template_name = "fulfilment/pick_pack.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(selectors.orders_to_pick()[:300])
        _start, end = selectors.today_range()
        context.update(title="Pick & pack", orders=rows, due_today=sum(
            1 for o in rows if o.dispatch_due_at and o.dispatch_due_at < end),
            open_lists=list(selectors.pick_lists(status=PickList.Status.OPEN)[:50]),
            done_lists=list(selectors.pick_lists(status=PickList.Status.DONE)[:10]), now=timezone.now())
        return context


class PickListCreateView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request):
        due_today = request.POST.get("due_today") == "1"
        try:
            result = services.create_pick_list(order_ids=request.POST.getlist("order"), due_today=due_today,
                                               user=request.user, note=request.POST.get("note", ""))
        except (services.FulfilmentError, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, services.FulfilmentError) else "Choose orders.")
            return HttpResponseRedirect(reverse("fulfilment:pick_pack"))
        pick_list = result.pick_list
        count = pick_list.entries.count()
        messages.success(request, f"Pick list {pick_list.reference}: {count} order(s) to pick.")
        if result.skipped:
            messages.warning(request, "Left out: " + "; ".join(f"{o.external_id} {why}"
                                                                for o, why in result.skipped[:20]))
        return HttpResponseRedirect(reverse("fulfilment:pick_list", args=[pick_list.pk]))


class PickListView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/pick_list.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            pick_list = selectors.pick_list_detail(self.kwargs["pk"])
        except PickList.DoesNotExist:
            raise Http404("No such pick list.")
        data = printing.pick_list_data(pick_list) if pick_list.lines.all() else None
        context.update(title=f"Pick list {pick_list.reference}", pick_list=pick_list,
                       groups=data.groups() if data else [], unit_count=data.unit_count if data else 0,
                       entries=[e for e in pick_list.entries.all() if e.active],
                       can_work=self.request.user.has_perm(WORK))
        return context


class PickListPDFView(RoleRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        try:
            pick_list = selectors.pick_list_detail(pk)
        except PickList.DoesNotExist:
            raise Http404("No such pick list.")
        size = _paper(request)
        if size == "4x6":
            size = "letter"
        try:
            content = docs.render_pick_list_pdf(printing.pick_list_data(pick_list), page_size=size)
        except docs.DocumentError as exc:
            messages.error(request, f"The pick list can't be printed: {exc}.")
            return HttpResponseRedirect(reverse("fulfilment:pick_list", args=[pk]))
        return _pdf(content, f"{pick_list.reference}-{size}.pdf")


class PickListActionView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        pick_list = get_object_or_404(PickList, pk=pk)
        action = request.POST.get("action", "")
        back = reverse("fulfilment:pick_list", args=[pk])
        try:
            if action == "done":
                services.complete_pick_list(pick_list=pick_list, user=request.user)
                messages.success(request, f"Pick list {pick_list.reference} picked. Pack the orders next.")
                return HttpResponseRedirect(reverse("fulfilment:pack"))
            if action == "cancel":
                services.cancel_pick_list(pick_list=pick_list, user=request.user)
                messages.success(request, f"Pick list {pick_list.reference} cancelled; its orders can be picked "
                                          f"again.")
                return HttpResponseRedirect(reverse("fulfilment:pick_pack"))
            if action == "tote":
                order = get_object_or_404(Order, pk=request.POST.get("order") or 0)
                entry = services.set_tote(pick_list=pick_list, order=order, tote=request.POST.get("tote", ""),
                                          user=request.user)
                text = f"Order {order.external_id} goes in tote {entry.tote}." if entry.tote else \
                    f"Order {order.external_id} has no tote."
                messages.success(request, text)
            else:
                messages.error(request, "Unknown action.")
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# Packing station


class PackStationView(RoleRequiredMixin, TemplateView):
    """Scan an order's number (its packing slip) or its tote to start packing it."""

    template_name = "fulfilment/pack_start.html"
    permission_required = WORK

    def get(self, request, *args, **kwargs):
        code = (request.GET.get("code") or "").strip()
        if code:
            order = selectors.find_order_for_scan(code)
            if order is not None:
                return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[order.pk]))
            messages.error(request, f"No order or tote {code}. Scan the packing slip or the tote label.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        waiting = selectors.orders_to_pack()
        context.update(title="Packing station", form=ScanForm(), waiting=waiting)
        return context


def _pack_context(request, order, session, *, result=None, pack_form=None, override_form=None):
    state = selectors.pack_state(session)
    boxes = selectors.boxes()
    default_box = boxes[0] if boxes else None
    estimate = selectors.estimated_weight([(pl.line, pl.to_pack) for pl in state.active_lines], default_box)
    return {
        "title": f"Pack order {order.external_id}", "order": order, "session": session, "state": state,
        "scans": selectors.recent_scans(session), "result": result,
        "scan_form": ScanForm(auto_id="scan_%s"),
        "pack_form": pack_form or PackForm(initial={"box": _chosen_box(request, boxes, default_box), "unit": "g"}),
        "override_form": override_form or OverrideForm(), "boxes": boxes, "estimate": estimate,
        "packages": selectors.order_packages(order),
    }


def _chosen_box(request, boxes, default_box):
    wanted = request.GET.get("box", "")
    for box in boxes:
        if str(box.pk) == wanted:
            return box.pk
    return default_box.pk if default_box else None


def _station_order(pk) -> Order:
    order = Order.objects.select_related("account").filter(pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    return order


class PackOrderView(RoleRequiredMixin, View):
    permission_required = WORK

    def get(self, request, pk):
        order = _station_order(pk)
        try:
            session = services.start_packing(order=order, user=request.user)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("fulfilment:pack"))
        return render(request, "fulfilment/pack.html", _pack_context(request, order, session))


class PackScanView(RoleRequiredMixin, View):
    """One scan at the station. With htmx/fetch: the station panel, with ``X-Scan-Outcome``
    (ok, wrong_item, too_many, unknown) for the page's sound; scanning another order's number
    or tote answers ``X-Redirect`` to its station."""

    permission_required = WORK

    def post(self, request, pk):
        order = _station_order(pk)
        code = (request.POST.get("code") or "").strip()
        session = selectors.open_session(order)
        if session is None:
            try:
                session = services.start_packing(order=order, user=request.user)
            except services.FulfilmentError as exc:
                return self._answer(request, order, None, error=str(exc))
        if not code:
            return self._answer(request, order, session, error="Scan an item's barcode.")
        from inventory.selectors import find_sku  # noqa: PLC0415

        if find_sku(code) is None:
            box = selectors.box_for_scan(code)
            if box is not None:  # a box's barcode chooses the box
                return self._box(request, order, session, box)
            other = selectors.find_order_for_scan(code)
            if other is not None and other.pk != order.pk:
                target = reverse("fulfilment:pack_order", args=[other.pk])
                if _is_htmx(request):
                    response = HttpResponse(status=204)
                    response["X-Redirect"] = target
                    return response
                return HttpResponseRedirect(target)
        try:
            result = services.scan_item(session=session, code=code, user=request.user)
        except services.FulfilmentError as exc:
            return self._answer(request, order, selectors.open_session(order), error=str(exc))
        return self._answer(request, order, session, result=result)

    def _box(self, request, order, session, box):
        message = f"Box: {box.name} ({box.dimensions_text})."
        if not _is_htmx(request):
            messages.success(request, message)
            return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[order.pk]) + f"?box={box.pk}")
        state = selectors.pack_state(session)
        result = services.ScanResult(outcome="box", message=message, ok=True, state=state)
        response = render(request, "fulfilment/_pack_panel.html", _pack_context(request, order, session, result=result))
        response["X-Scan-Outcome"] = "box"
        response["X-Select-Box"] = str(box.pk)
        response["X-Pack-Complete"] = "1" if state.complete else "0"
        response["X-Pack-Verified"] = str(state.verified)
        return response

    def _answer(self, request, order, session, *, result=None, error=""):
        if not _is_htmx(request):
            if error:
                messages.error(request, error)
            elif result is not None:
                (messages.success if result.ok else messages.error)(request, result.message)
            return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[order.pk]))
        if session is None:
            response = HttpResponse(status=204)
            response["X-Redirect"] = reverse("fulfilment:pack")
            return response
        if error:
            result = services.ScanResult(outcome=PackScan.Outcome.UNKNOWN, message=error, ok=False,
                                         state=selectors.pack_state(session))
        response = render(request, "fulfilment/_pack_panel.html", _pack_context(request, order, session,
                                                                                 result=result))
        response["X-Scan-Outcome"] = str(result.outcome)
        response["X-Pack-Complete"] = "1" if result.state.complete else "0"
        response["X-Pack-Verified"] = str(result.state.verified)
        return response


class PackOverrideView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        order = _station_order(pk)
        session = selectors.open_session(order)
        form = OverrideForm(request.POST)
        if session is None:
            return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[pk]))
        if not form.is_valid():
            messages.error(request, "Say why the items are verified without scanning.")
            return render(request, "fulfilment/pack.html", _pack_context(request, order, session, override_form=form),
                          status=400)
        try:
            services.override_packing(session=session, reason=form.cleaned_data["reason"], user=request.user)
            messages.warning(request, "Every remaining item is verified by hand; the reason is on the order's "
                                      "timeline.")
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[pk]))


class PackRestartView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        order = _station_order(pk)
        session = selectors.open_session(order)
        if session is not None:
            try:
                services.restart_packing(session=session, user=request.user)
                messages.success(request, f"Packing of order {order.external_id} starts over: scan every item.")
            except services.FulfilmentError as exc:
                messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[pk]))


class PackFinishView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        order = _station_order(pk)
        session = selectors.open_session(order)
        if session is None:
            messages.error(request, f"Order {order.external_id} is not being packed; scan it again.")
            return HttpResponseRedirect(reverse("fulfilment:pack"))
        form = PackForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the box and weight: " + _form_errors(form))
            return render(request, "fulfilment/pack.html", _pack_context(request, order, session, pack_form=form),
                          status=400)
        data = form.cleaned_data
        try:
            package = services.finish_packing(session=session, weight_grams=form.grams, box=data.get("box"),
                                              length_mm=data.get("length_mm"), width_mm=data.get("width_mm"),
                                              height_mm=data.get("height_mm"), partial=data.get("partial", False),
                                              user=request.user)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
            return render(request, "fulfilment/pack.html", _pack_context(request, order, session, pack_form=form),
                          status=400)
        messages.success(request, f"Order {order.external_id}: package {package.pk} packed. Now its label.")
        return HttpResponseRedirect(reverse("fulfilment:package", args=[package.pk]))


class OrderSlipView(RoleRequiredMixin, View):
    """The order's packing slip (every line), Letter, A4 or 4x6."""

    permission_required = VIEW

    def get(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("account").prefetch_related("lines__sku"), pk=pk)
        size = _paper(request)
        try:
            content = docs.render_packing_slip_pdf(printing.slip_data(order), page_size=size)
        except docs.DocumentError as exc:
            raise Http404(f"No packing slip: {exc}")
        return _pdf(content, f"packing-slip-{order.external_id}-{size}.pdf")


# ---------------------------------------------------------------------------------------------
# Packages


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
    problems = services._label_problems(package) if not package.has_label else []
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
        return HttpResponseRedirect(_next(request, back))

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
        return _pdf(content, name, download=request.GET.get("download") == "1", content_type=content_type)


class PackageSlipView(RoleRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        package = get_object_or_404(Package.objects.select_related("order__account"), pk=pk)
        size = _paper(request)
        try:
            content = docs.render_packing_slip_pdf(printing.slip_data(package.order, package), page_size=size)
        except docs.DocumentError as exc:
            raise Http404(f"No packing slip: {exc}")
        return _pdf(content, f"packing-slip-{package.order.external_id}-{package.pk}-{size}.pdf")


class TrackingCheckView(RoleRequiredMixin, View):
    """htmx: the verdict on a tracking number as it is typed (the reason, next to the field)."""

    permission_required = WORK

    def get(self, request):
        number = request.GET.get("tracking_number") or request.GET.get("number") or ""
        carrier = request.GET.get("carrier") or ""
        verdict = carriers.validate(number, carrier=carrier or None) if number.strip() else None
        return render(request, "fulfilment/_tracking_check.html", {"verdict": verdict})


# ---------------------------------------------------------------------------------------------
# Batch printing


class BatchListView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/batches.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = list(selectors.orders_for_batch()[:PrintBatch.MAX_PACKAGES])
        context.update(title="Print labels", orders=orders, batches=selectors.batches(),
                       form=kwargs.get("form") or BatchForm(), max=PrintBatch.MAX_PACKAGES)
        return context

    def post(self, request):
        form = BatchForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            batch = services.create_print_batch(
                order_ids=request.POST.getlist("order"), package_ids=request.POST.getlist("package"),
                fmt=data["fmt"], with_slips=data["with_slips"], label_policy=data["label_policy"],
                own_carrier=data.get("own_carrier", ""), user=request.user)
        except (services.FulfilmentError, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, services.FulfilmentError) else "Choose orders.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return HttpResponseRedirect(reverse("fulfilment:batch", args=[batch.pk]))


class BatchView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/batch.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            batch = selectors.batch_detail(self.kwargs["pk"])
        except PrintBatch.DoesNotExist:
            raise Http404("No such batch.")
        context.update(title=f"Print batch {batch.pk}", batch=batch, packages=selectors.batch_packages(batch))
        return context


class BatchProgressView(RoleRequiredMixin, View):
    """htmx fragment: the batch's progress, polling itself until the file is ready."""

    permission_required = WORK

    def get(self, request, pk):
        batch = get_object_or_404(PrintBatch.objects.select_related("run"), pk=pk)
        return render(request, "fulfilment/_batch_progress.html", {"batch": batch})


class BatchFileView(RoleRequiredMixin, View):
    permission_required = WORK

    def get(self, request, pk):
        batch = get_object_or_404(PrintBatch, pk=pk)
        if not batch.file:
            raise Http404("The batch's file is not ready.")
        ext = "zpl" if batch.fmt == "zpl" else "pdf"
        content_type = "application/zpl" if ext == "zpl" else "application/pdf"
        response = FileResponse(batch.file.open("rb"), content_type=content_type)
        how = "attachment" if ext == "zpl" or request.GET.get("download") == "1" else "inline"
        response["Content-Disposition"] = f'{how}; filename="labels-batch-{batch.pk}.{ext}"'
        response["Cache-Control"] = "private, no-store"
        return response


class BatchReprintView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        batch = get_object_or_404(PrintBatch, pk=pk)
        try:
            services.reprint_batch(batch=batch, user=request.user)
            messages.success(request, f"Batch {batch.pk} is being printed again (nothing is bought twice).")
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("fulfilment:batch", args=[pk]))


# ---------------------------------------------------------------------------------------------
# Box presets


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
        _require(request, perm("manage_catalogue"))
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


# ---------------------------------------------------------------------------------------------
# Carriers and the label provider


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
            messages.error(request, _form_errors(form))
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
