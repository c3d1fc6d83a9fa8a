"""Order-page actions of the after-sales money side: sending a failed seller cancellation to its
channel again (Owner). Writes go through ``orders.services.seller_cancellation``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from orders.models import SellerCancellation
from orders.services import OrderError, seller_cancellation
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class RetryCancellationView(RoleRequiredMixin, View):
    """POST: queue a failed cancellation for its channel again."""

    permission_required = perm("manage_orders")

    def post(self, request, pk):
        row = get_object_or_404(SellerCancellation.objects.select_related("order__account"), order_id=pk)
        try:
            seller_cancellation.retry_cancellation(cancellation=row, user=request.user)
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Sending the cancellation of order {row.order.external_id} to "
                                      f"{row.order.account.get_channel_display()} again.")
        return HttpResponseRedirect(reverse("orders:detail", args=[pk]) + "#channel-cancellation")
