"""Reads of a SKU's channel listings for its listing page: per listing the channel's title, price
and quantity as last read, the quantity SellerHub pushes now and the stock rule that made it (the
push's own computation, ``inventory.stock_quantities``, so the page shows the number pushed),
and the latest edits. A constant number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from channels.models import ListingEdit
from inventory.models import ChannelListing
from inventory.stock_quantities import listing_stock
from inventory.stock_rules import Shown, StockRule

EDITS_SHOWN = 5


@dataclass
class ListingRow:
    listing: ChannelListing
    available: int  # units available to sell on this listing before its stock rule
    rule: StockRule
    shown: Shown
    edits: list[ListingEdit]


def listing_rows(sku) -> list[ListingRow]:
    """The SKU's listings on every channel account, each with what is pushed and why (4 queries)."""
    listings = list(ChannelListing.objects.filter(sku=sku).select_related("account")
                    .prefetch_related(Prefetch("edits", queryset=ListingEdit.objects.select_related("created_by")))
                    .order_by("-active", "account__channel", "account__name", "pk"))
    figures = listing_stock(listings) if listings else {}
    return [ListingRow(listing=lst, available=figures[lst.pk].available, rule=figures[lst.pk].rule,
                       shown=figures[lst.pk].shown, edits=list(lst.edits.all())[:EDITS_SHOWN]) for lst in listings]
