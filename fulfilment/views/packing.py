"""The packing station: scan an order (its slip or tote) to open its station, then each item; the
page itself writes nothing (the first scan opens the packing session), then verifying by hand,
starting over and closing the box, or (at a station with a label printer) closing it and shipping it
with one Enter (``scan_to_ship``); the order's packing slip."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

import documents as docs
from fulfilment import printing, selectors, services
from fulfilment.forms import OverrideForm, PackForm, ScanForm
from fulfilment.models import PackScan
from fulfilment.printers import selectors as printer_selectors
from fulfilment.printers import stations
from fulfilment.services import scan_to_ship
from fulfilment.views.common import VIEW, WORK, form_errors, is_htmx, paper_size, pdf_response
from inventory.selectors import find_sku
from orders.models import Order
from sellerhub.access import RoleRequiredMixin


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
        station = stations.current(self.request)
        context.update(title="Packing station", form=ScanForm(), waiting=waiting, station=station,
                       jobs=printer_selectors.recent_jobs(station=station, limit=5) if station else [])
        shipped = self.request.GET.get("shipped", "")
        if shipped.isdigit():  # the label just bought at a browser-printing station: open it to print
            context["print_label"] = reverse("fulfilment:package_label", args=[int(shipped), "pdf"])
        return context


def _pack_context(request, order, session, *, result=None, pack_form=None, override_form=None):
    """The station's context; ``session`` is None until the first scan opens one."""
    state = selectors.pack_state(session, order=order)
    boxes = selectors.boxes()
    default_box = boxes[0] if boxes else None
    estimate = selectors.estimated_weight([(pl.line, pl.to_pack) for pl in state.active_lines], default_box)
    initial = {"box": _chosen_box(request, boxes, default_box), "unit": "g"}
    if settings.PACK_WEIGHT_FROM_ESTIMATE and estimate:
        initial["weight"] = estimate
    station = stations.current(request)
    return {
        "title": f"Pack order {order.external_id}", "order": order, "session": session, "state": state,
        "scans": selectors.recent_scans(session) if session is not None else [], "result": result,
        "scan_form": ScanForm(auto_id="scan_%s"),
        "pack_form": pack_form or PackForm(initial=initial), "station": station,
        "ships": station is not None and station.label_printer_id is not None,
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
        """The station of the order: its open packing session if there is one; opening the page
        writes nothing (the first scan opens the session)."""
        order = _station_order(pk)
        try:
            services.check_packable(order)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("fulfilment:pack"))
        session = selectors.open_session(order)
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
        if find_sku(code) is None:
            box = selectors.box_for_scan(code)
            if box is not None:  # a box's barcode chooses the box
                return self._box(request, order, session, box)
            other = selectors.find_order_for_scan(code)
            if other is not None and other.pk != order.pk:
                target = reverse("fulfilment:pack_order", args=[other.pk])
                if is_htmx(request):
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
        if not is_htmx(request):
            messages.success(request, message)
            return HttpResponseRedirect(reverse("fulfilment:pack_order", args=[order.pk]) + f"?box={box.pk}")
        state = selectors.pack_state(session, order=order)
        result = services.ScanResult(outcome="box", message=message, ok=True, state=state)
        response = render(request, "fulfilment/_pack_panel.html", _pack_context(request, order, session, result=result))
        response["X-Scan-Outcome"] = "box"
        response["X-Select-Box"] = str(box.pk)
        response["X-Pack-Complete"] = "1" if state.complete else "0"
        response["X-Pack-Verified"] = str(state.verified)
        response["X-Pack-To-Pack"] = str(state.to_pack)
        return response

    def _answer(self, request, order, session, *, result=None, error=""):
        if not is_htmx(request):
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
                                         state=selectors.pack_state(session, order=order))
        response = render(request, "fulfilment/_pack_panel.html", _pack_context(request, order, session,
                                                                                 result=result))
        response["X-Scan-Outcome"] = str(result.outcome)
        response["X-Pack-Complete"] = "1" if result.state.complete else "0"
        response["X-Pack-Verified"] = str(result.state.verified)
        response["X-Pack-To-Pack"] = str(result.state.to_pack)
        return response


class PackOverrideView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        order = _station_order(pk)
        form = OverrideForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the items are verified without scanning.")
            return render(request, "fulfilment/pack.html",
                          _pack_context(request, order, selectors.open_session(order), override_form=form), status=400)
        try:  # the first step at the station (a scan or this) opens the packing session
            session = selectors.open_session(order) or services.start_packing(order=order, user=request.user)
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
            messages.error(request, "Check the box and weight: " + form_errors(form))
            return render(request, "fulfilment/pack.html", _pack_context(request, order, session, pack_form=form),
                          status=400)
        data = form.cleaned_data
        station = stations.current(request)
        if request.POST.get("action") == "ship" and station is not None and station.label_printer_id:
            return self._ship(request, order, session, form, station)
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

    def _ship(self, request, order, session, form, station):
        """Scan-to-ship: pack, buy the rule's label, print it and ship; a label that can't be bought
        leaves the package packed and its page says why (red)."""
        data = form.cleaned_data
        try:
            result = scan_to_ship.scan_to_ship(
                session=session, weight_grams=form.grams, box=data.get("box"), length_mm=data.get("length_mm"),
                width_mm=data.get("width_mm"), height_mm=data.get("height_mm"), partial=data.get("partial", False),
                station=station, user=request.user)
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
            return render(request, "fulfilment/pack.html", _pack_context(request, order, session, pack_form=form),
                          status=400)
        if not result.shipped:
            messages.error(request, result.message)
            return HttpResponseRedirect(reverse("fulfilment:package", args=[result.package.pk]))
        messages.success(request, result.message)
        target = reverse("fulfilment:pack")
        if result.print_job is None:  # the browser prints: the next page opens the label
            target += f"?shipped={result.package.pk}"
        return HttpResponseRedirect(target)


class OrderSlipView(RoleRequiredMixin, View):
    """The order's packing slip (every line), Letter, A4 or 4x6."""

    permission_required = VIEW

    def get(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("account").prefetch_related("lines__sku"), pk=pk)
        size = paper_size(request)
        try:
            content = docs.render_packing_slip_pdf(printing.slip_data(order), page_size=size)
        except docs.DocumentError as exc:
            raise Http404(f"No packing slip: {exc}")
        return pdf_response(content, f"packing-slip-{order.external_id}-{size}.pdf")
