"""Pages of buyer cancellation requests (docs/after-sales/cancellation-requests.md): the queue, each
request's deadline counting down (the shared ``static/js/countdown.js``), approving,
rejecting with one of the channel's reasons, and sending a refused decision again.

Who: Ops reads; Warehouse decides for orders not packed yet; the Owner decides any. Reads go
through ``orders.cancellation_selectors``, writes through ``orders.services.cancellation_requests``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from integrations.channels.connectors import ChannelError
from integrations.tiktok import cancellations as tiktok
from integrations.tiktok import client
from orders import cancellation_selectors as selectors
from orders.models import CancellationRequest, CancellationRequestStatus
from orders.services import cancellation_requests as services
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

PAGE_SIZE = 50
# What a person may pick from when the channel's own list is not at hand (TikTok's reject reasons,
# as the emulator serves them; the reject page says so).
KNOWN_REJECT_REASONS = [
    ("seller_reject_apply_product_has_been_packed", "The product has already been packed"),
    ("seller_reject_apply_product_has_been_shipped", "The product has already been shipped"),
    ("seller_reject_apply_buyer_agreed_to_keep", "The buyer agreed to keep the order"),
    ("seller_reject_apply_other", "Other reason"),
]


def _request(pk: int) -> CancellationRequest:
    return get_object_or_404(CancellationRequest.objects.select_related("order__account", "account"), pk=pk)


def _back(request, item: CancellationRequest) -> str:
    if request.POST.get("next") == "order":
        return reverse("orders:detail", args=[item.order_id])
    return reverse("orders:cancellation_requests")


class CancellationQueueView(RoleRequiredMixin, TemplateView):
    template_name = "orders/cancellation_requests/queue.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "pending")
        if status not in selectors.FILTERS and status not in CancellationRequestStatus.values:
            status = "pending"
        page = Paginator(selectors.queue(status), PAGE_SIZE).get_page(self.request.GET.get("page"))
        user = self.request.user
        rows = [(item, item.status == CancellationRequestStatus.PENDING and services.may_decide(user, item))
                for item in page.object_list]
        context.update(title="Cancellation requests", page=page, rows=rows, status=status,
                       statuses=CancellationRequestStatus.choices, query=f"status={status}")
        return context


class CancellationRejectView(RoleRequiredMixin, View):
    """The reject form: one of the channel's reasons (read from TikTok for this request)."""

    permission_required = perm("work_warehouse")
    template_name = "orders/cancellation_requests/reject.html"

    def get(self, request, pk):
        item = _request(pk)
        if not services.may_decide(request.user, item):
            raise PermissionDenied("Only the Owner can decide requests of orders already packed.")
        reasons, live = KNOWN_REJECT_REASONS, False
        try:
            connector = client.open_connector(item.account)
            try:
                found = tiktok.reject_reasons(connector, item.external_id)
            finally:
                connector.close()
            if found:
                reasons, live = [(r.name, r.text) for r in found], True
        except (ChannelError, client.TikTokError):  # unreachable: offer the known list, and say so
            live = False
        return render(request, self.template_name, {"item": item, "reasons": reasons, "live": live,
                                                    "title": f"Reject cancellation request {item.external_id}"})


class CancellationDecisionView(RoleRequiredMixin, View):
    """POST approve, reject (``reject_reason``, ``comment``) or resend on one request."""

    permission_required = perm("work_warehouse")

    def post(self, request, pk):
        item = _request(pk)
        action = request.POST.get("action", "")
        if action not in ("approve", "reject", "resend"):
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(_back(request, item))
        if not services.may_decide(request.user, item):
            raise PermissionDenied("Only the Owner can decide requests of orders already packed.")
        try:
            if action == "resend":
                services.resend(request=item, user=request.user)
                messages.success(request, f"Sending the decision on request {item.external_id} again.")
            else:
                services.decide(request=item, approve=action == "approve", user=request.user,
                                reject_reason=request.POST.get("reject_reason", ""),
                                comment=request.POST.get("comment", ""))
                word = "Approval" if action == "approve" else "Rejection"
                messages.success(request, f"{word} of order {item.order.external_id}'s cancellation request is being "
                                          f"sent to {item.account.get_channel_display()}.")
        except services.CancellationRequestError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(_back(request, item))
