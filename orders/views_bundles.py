"""The needs-attention fix for an unknown combined listing: make the bundle of its components
(``orders.services.bundle_lines.create_bundle_from_listing``), map the listing to it and confirm
the orders that waited. The Owner only (it creates a SKU and maps a channel SKU)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from orders.services.bundle_lines import create_bundle_from_listing
from orders.services.errors import OrderError
from sellerhub.access import RoleRequiredMixin
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm


class CombinedListingForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    channel_sku = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    product_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    variant_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    seller_sku = forms.CharField(required=False, max_length=64, label="Bundle SKU",
                                 help_text="Leave empty to use the channel SKU.")


class CreateBundleFromListingView(RoleRequiredMixin, View):
    permission_required = perm("manage_orders")

    def post(self, request):
        if not request.user.has_perm(perm("manage_catalogue")):
            raise PermissionDenied
        back = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = reverse("orders:attention")
        form = CombinedListingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a combined listing from the list of unmatched SKUs.")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        account = get_object_or_404(ChannelAccount, pk=data["account"])
        try:
            result = create_bundle_from_listing(account=account, channel_sku=data["channel_sku"],
                                                product_id=data["product_id"], variant_id=data["variant_id"],
                                                seller_sku=data["seller_sku"], user=request.user)
        except OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        confirmed = sum(1 for c in result.confirmations if c.confirmed)
        messages.success(request, f"Bundle {result.sku.seller_sku} made of the listing's components; "
                                  f"{result.lines} line(s) in {len(result.order_ids)} order(s) matched, "
                                  f"{confirmed} confirmed.")
        for c in result.confirmations:
            if not c.confirmed:
                messages.warning(request, f"Order {c.order.external_id} still waits: {c.message}")
        return HttpResponseRedirect(back)
