"""The SKU page's bundle form: the Owner sets (or clears) a bundle's components through
``inventory.services.bundles.set_components``; a refusal is shown with what to change."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from inventory.bundles import parse_components
from inventory.models import SKU
from inventory.services.bundles import set_components
from inventory.services.errors import StockError
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class SKUBundleView(RoleRequiredMixin, View):
    permission_required = perm("manage_catalogue")

    def post(self, request, pk):
        sku = get_object_or_404(SKU, pk=pk)
        back = redirect("inventory:sku_detail", pk=sku.pk)
        try:
            typed = parse_components(request.POST.get("components", "")[:4000])
            names = [name for name, _u in typed]
            found = dict(SKU.objects.filter(seller_sku__in=names).values_list("seller_sku", "pk"))
            unknown = [name for name, _u in typed if name not in found]
            if unknown:
                raise ValueError(f"There is no SKU {', '.join(unknown)}: create it first, or check the spelling.")
            set_components(bundle=sku, components=[(found[name], units) for name, units in typed], user=request.user)
        except (ValueError, StockError) as exc:
            messages.error(request, f"Components of {sku.seller_sku} not saved: {exc}")
            return back
        messages.success(request, f"{sku.seller_sku} is now a bundle of {len(typed)} SKU(s)." if typed
                         else f"{sku.seller_sku} is an ordinary SKU again.")
        return back
