"""How many units each channel listing (and each SKU, per channel account) is shown: THE one path
used by the stock push, ``available_to_sell``, the listing pages and the API.

1. Available: sellable own on hand minus reserved, plus sellable FBT stock on a TikTok listing
   fulfilled by TikTok (per SKU: when the SKU has an active FBT listing on that account). A bundle
   (``inventory.bundles``) holds no stock: its available is the whole bundles its components make.
2. Shown: the channel stock rule of the account and listing (``inventory.stock_rules.rule_for``)
   applied by ``shown_quantity``.

The sums come from the database in one query for any number of SKUs; everything else is Python
over plain values, so a figure on a page is the figure pushed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When

from inventory.bundles import bundles_containing, components_of, whole_bundles
from inventory.models import SKU, ChannelListing, Location, StockLevel
from inventory.stock_rules import Shown, StockRule, rule_for, shown_quantity
from sellerhub.models import Channel

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)


@dataclass(frozen=True)
class ListingStock:
    available: int  # units available to sell on this listing before its stock rule
    rule: StockRule
    shown: Shown  # what is pushed, and why

    @property
    def quantity(self) -> int:
        return self.shown.quantity


def level_sums(sku_ids=None) -> dict[int, tuple[int, int]]:
    """{sku id: (sellable own on hand - reserved, sellable FBT on hand - reserved)}; one query
    (``sku_ids=None``: every SKU with stock)."""
    rows = StockLevel.objects.filter(location__sellable=True, location__active=True)
    if sku_ids is not None:
        rows = rows.filter(sku_id__in=sorted(set(sku_ids)))
    free = F("on_hand") - F("reserved")
    rows = rows.order_by().values("sku_id").annotate(
        own=Sum(Case(When(Q(location__kind__in=OWN_KINDS), then=free), default=Value(0),
                     output_field=IntegerField())),
        fbt=Sum(Case(When(location__kind=Location.Kind.FBT, then=free), default=Value(0),
                     output_field=IntegerField())))
    return {row["sku_id"]: (int(row["own"] or 0), int(row["fbt"] or 0)) for row in rows}


class _Available:
    """Available units per SKU from the level sums and the bundles' components."""

    def __init__(self, sku_ids):
        sku_ids = set(sku_ids)
        self.components = components_of(sku_ids) if sku_ids else {}
        parts = {pk for comps in self.components.values() for pk, _units in comps}
        self.sums = level_sums(sku_ids | parts) if sku_ids else {}

    def units(self, sku_id: int, with_fbt: bool) -> int:
        parts = self.components.get(sku_id)
        if parts:
            return whole_bundles({pk: self._plain(pk, with_fbt) for pk, _n in parts}, parts)
        return max(0, self._plain(sku_id, with_fbt))

    def _plain(self, sku_id, with_fbt):
        own, fbt = self.sums.get(sku_id, (0, 0))
        return own + (fbt if with_fbt else 0)


def listing_stock(listings) -> dict[int, ListingStock]:
    """{listing id: ListingStock} for these ChannelListing objects (their accounts loaded, e.g.
    ``select_related("account")``). A listing not mapped to a SKU shows 0. Two queries."""
    listings = list(listings)
    available = _Available({lst.sku_id for lst in listings if lst.sku_id})
    result = {}
    for lst in listings:
        rule = rule_for(lst.account, lst)
        if lst.sku_id is None:
            result[lst.pk] = ListingStock(0, rule, Shown(0, "not mapped to a SKU"))
            continue
        with_fbt = lst.is_fbt and lst.account.channel == Channel.TIKTOK
        units = available.units(lst.sku_id, with_fbt)
        result[lst.pk] = ListingStock(units, rule, shown_quantity(units, rule))
    return result


def attach(listings) -> list[ChannelListing]:
    """Set ``quantity`` (what is pushed), ``stock`` (ListingStock: available, rule, reason) and
    ``previous`` (the quantity last pushed) on each listing; returns them."""
    listings = list(listings)
    figures = listing_stock(listings)
    for lst in listings:
        lst.stock = figures[lst.pk]
        lst.quantity = lst.stock.quantity
        lst.previous = lst.last_pushed_quantity
    return listings


def available_to_sell(*, sku_ids=None, account) -> dict[int, int]:
    """{sku id: units this channel account is shown} (``sku_ids=None``: every SKU), by the
    account's rule. Four queries at most, whatever the number of SKUs."""
    ids = sorted({int(pk) for pk in sku_ids}) if sku_ids is not None else list(
        SKU.objects.order_by("pk").values_list("pk", flat=True))
    available = _Available(ids)
    fbt_listed = set()
    if account.channel == Channel.TIKTOK:
        fbt_listed = set(ChannelListing.objects.filter(account_id=account.pk, is_fbt=True, active=True,
                                                       sku_id__in=ids).values_list("sku_id", flat=True))
    rule = rule_for(account)
    return {pk: shown_quantity(available.units(pk, pk in fbt_listed), rule).quantity for pk in ids}


def quantities_by_listing(*, sku_ids) -> list[tuple[int, int, int | None]]:
    """[(listing id, quantity shown now, quantity last pushed)] for the active listings of these SKUs
    (and of the bundles made of them)."""
    sku_ids = {int(pk) for pk in sku_ids}
    sku_ids |= bundles_containing(sku_ids)
    listings = list(ChannelListing.objects.filter(sku_id__in=sorted(sku_ids), active=True)
                    .select_related("account").order_by("pk"))
    figures = listing_stock(listings)
    return [(lst.pk, figures[lst.pk].quantity, lst.last_pushed_quantity) for lst in listings]

