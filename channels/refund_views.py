"""The order page's refund form (Owner, WooCommerce orders): checks the refund and queues the job
that creates it on the channel (``channels.refunds``); the page shows the job's progress."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from channels import refunds
from orders.models import Order
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class RefundCreateView(RoleRequiredMixin, View):
    permission_required = perm("manage_orders")

    def post(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("account"), pk=pk)
        back = reverse("orders:detail", args=[pk]) + "#refunds"
        try:
            amount = Decimal((request.POST.get("amount") or "").strip()).quantize(Decimal("0.01"))
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            messages.error(request, "Enter the amount to refund, e.g. 12.50.")
            return HttpResponseRedirect(back)
        try:
            run = refunds.request_refund(order=order, amount=amount, reason=(request.POST.get("reason") or "").strip(),
                                         api_refund=request.POST.get("api_refund") == "1", user=request.user)
        except refunds.RefundError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        messages.success(request, f"{run.message}: the refund appears below once "
                                  f"{order.account.get_channel_display()} has made it (job {run.pk}).")
        return HttpResponseRedirect(back)
