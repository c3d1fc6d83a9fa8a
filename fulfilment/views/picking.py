"""The dispatch board and pick lists: today's work by deadline, the orders ready to pick, a pick
list's page and PDF, and its steps (picked, cancelled, an order's tote)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

import documents as docs
from fulfilment import printing, selectors, services
from fulfilment.models import PickList
from fulfilment.views.common import VIEW, WORK, paper_size, pdf_response
from orders import dispatch_windows
from orders.models import Order
from sellerhub.access import RoleRequiredMixin


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


class PickPackView(RoleRequiredMixin, TemplateView):
    """Orders ready to pick (choose some, or everything due today) and the pick lists."""

    template_name = "fulfilment/pick_pack.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(selectors.orders_to_pick()[:300])
        now = timezone.now()
        dispatch = dispatch_windows.dispatch_counts(now)
        ready_due = selectors.orders_to_pick(due_today=True, now=now).count()
        context.update(title="Pick & pack", orders=rows, dispatch=dispatch, ready_due=ready_due,
            not_ready_due=dispatch.due_by_end_of_today - ready_due,
            open_lists=list(selectors.pick_lists(status=PickList.Status.OPEN)[:50]),
            done_lists=list(selectors.pick_lists(status=PickList.Status.DONE)[:10]), now=now)
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
        size = paper_size(request)
        if size == "4x6":
            size = "letter"
        try:
            content = docs.render_pick_list_pdf(printing.pick_list_data(pick_list), page_size=size)
        except docs.DocumentError as exc:
            messages.error(request, f"The pick list can't be printed: {exc}.")
            return HttpResponseRedirect(reverse("fulfilment:pick_list", args=[pk]))
        return pdf_response(content, f"{pick_list.reference}-{size}.pdf")


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
