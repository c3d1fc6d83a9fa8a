"""The listing page of a SKU: per channel listing the channel's title, price and quantity as last
read, the number SellerHub pushes now and the stock rule that made it; the Owner edits a
listing's title and price (pushed to the channel by a job) and its own stock rule.

Reading needs ``view_channels``; editing a title or price ``manage_catalogue``; a listing's stock
rule ``manage_channels`` (both Owner only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from channels import listing_edits
from channels.listing_forms import ListingEditForm, ListingRuleForm
from channels.listing_selectors import listing_rows
from inventory.models import SKU, ChannelListing
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

TEMPLATE = "channels/sku_listings.html"


def render_page(request, sku, *, bound=None, status=200):
    """The page; ``bound`` = (listing id, form) re-shown with its errors."""
    rows = listing_rows(sku)
    for row in rows:
        listing = row.listing
        row.edit_form = ListingEditForm(prefix=f"edit-{listing.pk}", initial={
            "title": listing.title, "price": listing.channel_price})
        row.rule_form = ListingRuleForm(prefix=f"rule-{listing.pk}", initial={
            name: getattr(listing, name) for name in listing_edits.RULE_OVERRIDES})
        if bound and bound[0] == listing.pk:
            setattr(row, "edit_form" if isinstance(bound[1], ListingEditForm) else "rule_form", bound[1])
    return render(request, TEMPLATE, {
        "sku": sku, "rows": rows, "title": f"Listings of {sku.seller_sku}",
        "can_edit": request.user.has_perm(perm("manage_catalogue")),
        "can_rule": request.user.has_perm(perm("manage_channels")),
    }, status=status)


class SkuListingsView(RoleRequiredMixin, View):
    permission_required = perm("view_channels")

    def get(self, request, pk):
        return render_page(request, get_object_or_404(SKU, pk=pk))


class _ListingPost(RoleRequiredMixin, View):
    form_class: type = ListingEditForm
    prefix = "edit"

    def post(self, request, pk):
        listing = get_object_or_404(ChannelListing.objects.select_related("sku"), pk=pk)
        if listing.sku is None:
            messages.error(request, "This listing sells no SKU yet: map it on its channel's listings page first.")
            return HttpResponseRedirect(reverse("channels:listings", args=[listing.account_id]))
        form = self.form_class(request.POST, prefix=f"{self.prefix}-{listing.pk}")
        if form.is_valid():
            try:
                message = self.save(request, listing, form.cleaned_data)
            except listing_edits.ListingEditError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("channels:sku_listings", args=[listing.sku_id]) +
                                            f"#listing-{listing.pk}")
        return render_page(request, listing.sku, bound=(listing.pk, form), status=400)


class ListingEditView(_ListingPost):
    permission_required = perm("manage_catalogue")

    def save(self, request, listing, data):
        edit = listing_edits.request_edit(listing_id=listing.pk, title=data.get("title"), price=data.get("price"),
                                          user=request.user)
        return (f"Edit of {listing.channel_sku or listing.title or 'the listing'} queued for "
                f"{listing.account.get_channel_display()}: its answer shows below (edit #{edit.pk}).")


class ListingRuleView(_ListingPost):
    permission_required = perm("manage_channels")
    form_class = ListingRuleForm
    prefix = "rule"

    def save(self, request, listing, data):
        listing_edits.save_listing_rule(listing_id=listing.pk, values=data)
        return "Stock rule saved; the listing's quantity is pushed again."
