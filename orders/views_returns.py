"""Return pages: the returns list (next action, deadline countdown), one return (its lines, timeline
and the Owner's decision buttons), the warehouse's "Receive returns" scan page and the inspection of
each line, and the local return forms of the order page. Reads through orders.selectors_returns,
writes through orders.services; Warehouse receives and inspects, the Owner decides, Ops reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from integrations.tiktok.returns import REJECT_REASONS
from inventory import services as stock
from inventory.models import Location
from orders import selectors, selectors_returns, services
from orders.forms import ReturnActionForm, ReturnRequestForm
from orders.forms_returns import ReturnDecisionForm, ReturnScanForm
from orders.models import Order, Return, ReturnDecisionKind
from orders.services.returns import AWAITING_SELLER, CHANNEL_STATUS_LABELS
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

PAGE_SIZE = 50
LIST_FILTERS = (("open", "Open"), ("decide", "Waiting for your decision"), ("receive", "To receive"),
                ("auto_approved", "Approved by the channel (deadline missed)"), ("all", "All"))


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else "Form"
        messages.error(request, f"{label}: {' '.join(errors)}")


class ReturnRequestView(RoleRequiredMixin, View):
    """A local return, opened from a shipped order's page."""

    permission_required = perm("manage_orders")

    def post(self, request, pk):
        order = get_object_or_404(Order, pk=pk)
        form = ReturnRequestForm(request.POST)
        back = reverse("orders:detail", args=[pk])
        if not form.is_valid():
            _form_errors(request, form)
            return HttpResponseRedirect(back)
        lines = []
        for line in order.lines.filter(cancelled=False):
            raw = (request.POST.get(f"line_{line.pk}") or "").strip()
            if raw:
                if not raw.isdigit():
                    messages.error(request, f"Quantity for {line.channel_sku or line.pk} must be a whole number.")
                    return HttpResponseRedirect(back)
                if int(raw):
                    lines.append((line.pk, int(raw)))
        try:
            ret = services.request_return(order=order, reason=form.cleaned_data["reason"], lines=lines or None,
                                          refund_amount=form.cleaned_data.get("refund_amount") or 0,
                                          external_id=form.cleaned_data.get("external_id") or "", user=request.user)
        except services.OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        messages.success(request, f"Return {ret.pk} opened for order {order.external_id}.")
        return HttpResponseRedirect(back)


RETURN_ACTION_PERMISSIONS = {
    "receive": perm("work_warehouse"),
    "inspect": perm("work_warehouse"),
    "restock": perm("work_warehouse"),
    "write_off": perm("manage_orders"),
}


class ReturnActionView(RoleRequiredMixin, View):
    """The steps of a local return (receive, inspect, restock, write off)."""

    permission_required = perm("view_operations")

    def post(self, request, pk):
        ret = get_object_or_404(Return.objects.select_related("order"), pk=pk)
        form = ReturnActionForm(request.POST)
        back = _next_url(request, reverse("orders:returns"))
        if not form.is_valid():
            _form_errors(request, form)
            return HttpResponseRedirect(back)
        action = form.cleaned_data["action"]
        if not request.user.has_perm(RETURN_ACTION_PERMISSIONS[action]):
            raise PermissionDenied
        note = form.cleaned_data.get("note") or ""
        try:
            if action == "receive":
                services.receive_return(ret=ret, note=note, user=request.user)
            elif action == "inspect":
                services.inspect_return(ret=ret, note=note, user=request.user)
            elif action == "restock":
                location = form.cleaned_data.get("location")
                if location is None:
                    raise services.ReturnError("Choose the location to restock into.")
                services.restock_return(ret=ret, location=location, note=note, user=request.user)
            elif action == "write_off":
                services.write_off_return(ret=ret, note=note, user=request.user)
        except (services.OrderError, stock.StockError) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        messages.success(request, f"Return {ret.pk}: {ret.get_status_display().lower()}.")
        return HttpResponseRedirect(back)


class ReturnListView(RoleRequiredMixin, TemplateView):
    template_name = "orders/returns.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        if status not in dict(LIST_FILTERS) and status not in Return.Status.values:
            status = "open"
        page = Paginator(selectors_returns.return_list(status), PAGE_SIZE).get_page(self.request.GET.get("page"))
        user = self.request.user
        context.update(title="Returns", page=page, status=status, filters=LIST_FILTERS,
                       statuses=Return.Status.choices, labels=CHANNEL_STATUS_LABELS, awaiting=AWAITING_SELLER,
                       locations=selectors.restock_locations(), full_path=self.request.get_full_path(),
                       can_work=user.has_perm(perm("work_warehouse")),
                       can_manage=user.has_perm(perm("manage_orders")), query=f"status={status}")
        return context


class ReturnDetailView(RoleRequiredMixin, TemplateView):
    template_name = "orders/return_detail.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ret = selectors_returns.return_detail(self.kwargs["pk"])
        if ret is None:
            raise Http404("No such return.")
        user = self.request.user
        can_manage = user.has_perm(perm("manage_orders"))
        possible = services.possible_decisions(ret) if can_manage else []
        pending = [d for d in ret.decisions.all() if d.state == "pending"]
        labels = dict(ReturnDecisionKind.choices)
        context.update(
            title=f"Return {ret.pk}", ret=ret, channel_label=CHANNEL_STATUS_LABELS.get(ret.channel_status, ""),
            awaiting=ret.channel_status in AWAITING_SELLER,
            approvals=[(d, labels[d]) for d in possible if not d.startswith("REJECT") and d != "OFFER_PARTIAL_REFUND"],
            rejections=[(d, labels[d]) for d in possible if d.startswith("REJECT")] if not pending else [],
            can_offer=("OFFER_PARTIAL_REFUND" in possible) and not pending, pending=pending,
            reject_reasons=REJECT_REASONS.items(), can_work=user.has_perm(perm("work_warehouse")),
            can_manage=can_manage, locations=selectors.restock_locations(),
        )
        if pending:
            context["approvals"] = []
        return context


class ReturnDecisionView(RoleRequiredMixin, View):
    """The Owner's decision on a channel return, sent to the channel by a job."""

    permission_required = perm("manage_orders")

    def post(self, request, pk):
        ret = get_object_or_404(Return, pk=pk)
        back = reverse("orders:return_detail", args=[pk])
        form = ReturnDecisionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            row = services.decide_return(ret=ret, decision=data["decision"], user=request.user,
                                         reject_reason=data.get("reject_reason") or "",
                                         comment=data.get("comment") or "", partial_refund=data.get("partial_refund"))
        except services.OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        messages.success(request, f"{row.get_decision_display()}: sending to the channel.")
        return HttpResponseRedirect(back)


class ReturnReceiveView(RoleRequiredMixin, View):
    """The warehouse scans a returned parcel (return tracking number or order number)."""

    permission_required = perm("work_warehouse")
    template_name = "orders/return_receive.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ReturnScanForm(), "title": "Receive returns"})

    def post(self, request):
        form = ReturnScanForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "title": "Receive returns"}, status=400)
        code = form.cleaned_data["code"].strip()
        found = selectors_returns.returns_for_scan(code)
        if not found:
            form.add_error("code", f"No return waiting for its parcel matches {code}.")
            return render(request, self.template_name, {"form": form, "title": "Receive returns"}, status=400)
        if len(found) > 1:
            form.add_error("code", f"{code} matches {len(found)} returns: scan the return tracking number instead.")
            return render(request, self.template_name, {"form": form, "title": "Receive returns"}, status=400)
        try:
            ret = services.receive_returned_parcel(ret=found[0], user=request.user)
        except services.OrderError as exc:
            form.add_error("code", str(exc))
            return render(request, self.template_name, {"form": form, "title": "Receive returns"}, status=400)
        messages.success(request, f"Return {ret.pk} received: inspect each line.")
        return HttpResponseRedirect(reverse("orders:return_detail", args=[ret.pk]))  # focus: the first line


class ReturnInspectView(RoleRequiredMixin, View):
    """Each line's units restocked to a bin or written off with a reason."""

    permission_required = perm("work_warehouse")

    def post(self, request, pk):
        ret = get_object_or_404(Return.objects.prefetch_related("lines"), pk=pk)
        back = reverse("orders:return_detail", args=[pk])
        locations = {str(loc.pk): loc for loc in Location.objects.filter(kind__in=stock.OWN_KINDS, active=True)}
        inspections, problems = [], []
        for line in ret.lines.all():
            restock_raw = (request.POST.get(f"restock_{line.pk}") or "0").strip()
            write_off_raw = (request.POST.get(f"write_off_{line.pk}") or "0").strip()
            if not restock_raw.isdigit() or not write_off_raw.isdigit():
                problems.append(f"Line {line.pk}: quantities must be whole numbers.")
                continue
            location_raw = request.POST.get(f"location_{line.pk}") or ""
            location = locations.get(location_raw)
            if location_raw and location is None:
                problems.append(f"Line {line.pk}: choose an active bin.")
                continue
            inspections.append(services.LineInspection(
                line_id=line.pk, restock=int(restock_raw), location=location, write_off=int(write_off_raw),
                reason=(request.POST.get(f"reason_{line.pk}") or "").strip()[:300]))
        if problems:
            for problem in problems:
                messages.error(request, problem)
            return HttpResponseRedirect(back + "#inspect")
        try:
            services.inspect_returned_lines(ret=ret, inspections=inspections, user=request.user)
        except services.OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back + "#inspect")
        messages.success(request, f"Return {ret.pk} inspected.")
        return HttpResponseRedirect(back)
