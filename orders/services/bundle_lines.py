"""Combined listings (TikTok ``combined_listing_skus``): a channel line made of several SKUs.

At upsert, a line whose own SKU matches nothing is matched through its components: each to one
of our SKUs (the account's listing by the channel's ids, then the seller SKU), then to the
bundle SKU made of exactly those SKUs in those counts. An unknown combination leaves the line
unmatched (needs attention) with two fixes for the Owner: map the channel SKU to a bundle, or
``create_bundle_from_listing``: a bundle of exactly those components, mapped at once."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from inventory.bundles import bundles_containing, components_of
from inventory.models import SKU, ChannelListing
from inventory.services.bundles import BundleError, create_bundle
from inventory.services.errors import StockError
from orders.mapping.types import ChannelComponent, ChannelLine
from orders.models import OrderLine, OrderStatus
from orders.services.errors import MappingResult, OrderError
from orders.services.sku_mapping import map_channel_sku
from sellerhub.models import ChannelAccount

PRE_SHIP = (OrderStatus.AWAITING_PAYMENT, OrderStatus.ON_HOLD, OrderStatus.AWAITING_CONFIRMATION,
            OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PACKED)


def components_json(line: ChannelLine) -> list[dict]:
    """The line's components as stored on ``OrderLine.channel_components``."""
    return line.channel_components


def _from_json(rows) -> tuple[ChannelComponent, ...]:
    return tuple(ChannelComponent(channel_sku=r.get("channel_sku", ""), channel_product_id=r.get("product_id", ""),
                                  channel_variant_id=r.get("variant_id", ""), count=int(r.get("count") or 1))
                 for r in rows or [])


def _component_skus(account: ChannelAccount, components) -> dict[ChannelComponent, int]:
    """{component: our SKU id} for the components we can match (two queries at most)."""
    components = set(components)
    matched: dict[ChannelComponent, int] = {}
    ids = {(c.channel_product_id, c.channel_variant_id) for c in components if c.channel_variant_id}
    if ids:
        condition = Q(pk__in=[])
        for product_id, variant_id in ids:
            condition |= Q(external_product_id=product_id, external_variant_id=variant_id)
        listings = {(p, v): s for p, v, s in ChannelListing.objects.filter(
            condition, account=account, active=True, sku__isnull=False)
            .values_list("external_product_id", "external_variant_id", "sku_id")}
        for c in components:
            if (c.channel_product_id, c.channel_variant_id) in listings:
                matched[c] = listings[(c.channel_product_id, c.channel_variant_id)]
    wanted = {c.channel_sku for c in components if c not in matched and c.channel_sku}
    if wanted:
        by_sku = dict(SKU.objects.filter(seller_sku__in=wanted).values_list("seller_sku", "pk"))
        for c in components:
            if c not in matched and c.channel_sku in by_sku:
                matched[c] = by_sku[c.channel_sku]
    return matched


def _recipe(components, skus: dict[ChannelComponent, int]) -> tuple[tuple[int, int], ...] | None:
    """The components as ((sku id, units), ...) sorted, or None when one is unknown."""
    units: dict[int, int] = defaultdict(int)
    for c in components:
        if c not in skus:
            return None
        units[skus[c]] += c.count
    return tuple(sorted(units.items()))


def _bundles_by_recipe(sku_ids) -> dict[tuple[tuple[int, int], ...], int]:
    """{((component id, units), ...): bundle id} for the bundles holding any of these SKUs."""
    parts = components_of(bundles_containing(sku_ids))
    return {tuple(sorted(components)): bundle_id for bundle_id, components in sorted(parts.items(), reverse=True)}


def match_combined(account: ChannelAccount, lines) -> dict[ChannelLine, int]:
    """{line: bundle SKU id} for the combined-listing lines whose components make a known bundle.
    A constant number of queries, whatever the number of lines."""
    lines = [ln for ln in lines if ln.components]
    if not lines:
        return {}
    skus = _component_skus(account, [c for ln in lines for c in ln.components])
    if not skus:
        return {}
    bundles = _bundles_by_recipe(set(skus.values()))
    matched = {}
    for ln in lines:
        recipe = _recipe(ln.components, skus)
        if recipe is not None and recipe in bundles:
            matched[ln] = bundles[recipe]
    return matched


def annotate_unmatched(rows: list[dict]) -> list[dict]:
    """Add to each unmatched-SKU row of the needs-attention page the combined listing's components
    (``row["components"]``: [(channel SKU, count, our seller SKU or "")]) and whether a bundle can
    be made of them (``row["can_bundle"]``). Two to four queries for any number of rows."""
    if not rows:
        return rows
    keys = {(r["account_id"], r["channel_sku"], r["variant_id"]) for r in rows}
    found = {}
    for account_id, channel_sku, variant_id, parts in (
            OrderLine.objects.filter(sku__isnull=True, order__status__in=PRE_SHIP)
            .exclude(channel_components=[])
            .values_list("order__account_id", "channel_sku", "channel_variant_id", "channel_components")
            .order_by("-pk")[:500]):
        if (account_id, channel_sku, variant_id) in keys:
            found.setdefault((account_id, channel_sku, variant_id), _from_json(parts))
    names = dict(SKU.objects.filter(seller_sku__in={c.channel_sku for parts in found.values() for c in parts})
                 .values_list("seller_sku", "seller_sku"))
    for r in rows:
        parts = found.get((r["account_id"], r["channel_sku"], r["variant_id"]), ())
        r["components"] = [(c.channel_sku or c.channel_variant_id, c.count, names.get(c.channel_sku, ""))
                           for c in parts]
        r["can_bundle"] = bool(parts)
    return rows


def _line_components(account: ChannelAccount, channel_sku: str, variant_id: str) -> tuple[ChannelComponent, ...]:
    rows = (OrderLine.objects.filter(order__account=account, sku__isnull=True, channel_sku=channel_sku,
                                     channel_variant_id=variant_id).exclude(channel_components=[])
            .values_list("channel_components", flat=True).order_by("-pk")[:1])
    return _from_json(rows[0]) if rows else ()


def create_bundle_from_listing(*, account: ChannelAccount, channel_sku: str = "", product_id: str = "",
                               variant_id: str = "", seller_sku: str = "", name: str = "", user=None,
                               actor: str = "") -> MappingResult:
    """The fix for an unknown combined listing: a bundle SKU made of exactly its components (or the
    existing bundle with that recipe), the channel SKU mapped to it, then confirmation again for
    the orders that waited. Refused (nothing written) when a component matches none of our SKUs."""
    channel_sku, variant_id = (channel_sku or "").strip(), (variant_id or "").strip()
    components = _line_components(account, channel_sku, variant_id)
    if not components:
        raise OrderError(f"No waiting order has a combined listing {channel_sku or variant_id}; map it to a SKU.")
    skus = _component_skus(account, components)
    unknown = sorted({c.channel_sku or c.channel_variant_id for c in components if c not in skus})
    if unknown:
        raise OrderError(f"No SKU matches component {', '.join(unknown)}: create or map it first, then make the "
                         f"bundle.")
    recipe = _recipe(components, skus)
    with transaction.atomic():
        bundle_id = _bundles_by_recipe({sku_id for sku_id, _u in recipe}).get(recipe)
        if bundle_id is None:
            seller_sku = (seller_sku or channel_sku or f"BUNDLE-{variant_id}").strip()[:64]
            try:
                bundle = create_bundle(seller_sku=seller_sku, name=(name or channel_sku or seller_sku)[:200],
                                       components=list(recipe), user=user)
            except (BundleError, StockError) as exc:
                raise OrderError(str(exc)) from exc
        else:
            bundle = SKU.objects.get(pk=bundle_id)
    return map_channel_sku(account=account, sku=bundle, channel_sku=channel_sku, product_id=product_id,
                           variant_id=variant_id, user=user, actor=actor)
