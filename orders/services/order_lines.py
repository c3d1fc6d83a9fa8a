"""The channel's order lines: creating and updating them on upsert, and matching each to one of
our SKUs (the account's listing by the channel's ids, then the seller SKU, then ignoring case, then
a combined listing's components to the bundle made of them)."""

from __future__ import annotations

from django.db.models import Q

from inventory.models import SKU, ChannelListing
from orders.mapping import ChannelLine, ChannelOrder
from orders.models import Order, OrderLine
from orders.services.bundle_lines import components_json, match_combined
from sellerhub.models import ChannelAccount


def _match_skus(account: ChannelAccount, lines) -> dict[str, int]:
    """{line external id: sku id} for channel lines we can match: the account's listing by the
    channel's ids first, then the seller SKU exactly, then ignoring case."""
    matched: dict[str, int] = {}
    ids = {(ln.channel_product_id, ln.channel_variant_id) for ln in lines if ln.channel_variant_id or
           ln.channel_product_id}
    if ids:
        condition = Q(pk__in=[])
        for product_id, variant_id in ids:
            condition |= Q(external_product_id=product_id, external_variant_id=variant_id)
        listings = {(p, v): s for p, v, s in ChannelListing.objects.filter(condition, account=account, active=True,
                                                                            sku__isnull=False)
                    .values_list("external_product_id", "external_variant_id", "sku_id")}
        for ln in lines:
            sku_id = listings.get((ln.channel_product_id, ln.channel_variant_id))
            if sku_id:
                matched[ln.external_id] = sku_id
    wanted = {ln.channel_sku for ln in lines if ln.external_id not in matched and ln.channel_sku}
    if wanted:
        by_listing = dict(ChannelListing.objects.filter(account=account, active=True, sku__isnull=False,
                                                        channel_sku__in=wanted, external_product_id="",
                                                        external_variant_id="").values_list("channel_sku", "sku_id"))
        exact = dict(SKU.objects.filter(seller_sku__in=wanted).values_list("seller_sku", "pk"))
        folded = {}
        if len(exact) < len(wanted):
            lowered = {w.lower() for w in wanted if w not in exact}
            for seller_sku, pk in SKU.objects.filter(
                    Q(pk__in=[]) | _iexact_any("seller_sku", lowered)).values_list("seller_sku", "pk"):
                folded.setdefault(seller_sku.lower(), pk)
        for ln in lines:
            if ln.external_id in matched or not ln.channel_sku:
                continue
            sku_id = by_listing.get(ln.channel_sku) or exact.get(ln.channel_sku) or folded.get(ln.channel_sku.lower())
            if sku_id:
                matched[ln.external_id] = sku_id
    for ln, sku_id in match_combined(account, [ln for ln in lines if ln.external_id not in matched]).items():
        matched[ln.external_id] = sku_id  # a combined listing: the bundle made of its components
    return matched


def _iexact_any(field_name: str, values) -> Q:
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(**{f"{field_name}__iexact": value})
    return condition


def _line_key(line: ChannelLine, index: int) -> str:
    return line.external_id or f"{line.channel_sku}#{index}"


LINE_FIELDS = ("channel_sku", "channel_product_id", "channel_variant_id", "name", "quantity", "unit_price", "cancelled",
               "channel_components")


def sync_lines(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None, *, created: bool) -> list[str]:
    """Create and update lines (keyed by the channel's line id). A matched SKU is never unset."""
    changes = []
    existing = {line.external_id: line for line in order.lines.all()} if not created else {}
    prev_lines = {_line_key(ln, i): ln for i, ln in enumerate(previous.lines)} if previous else {}
    wanted = [(_line_key(ln, i), ln) for i, ln in enumerate(incoming.lines)]
    matched = _match_skus(order.account, [ln for _k, ln in wanted if _k not in existing
                                          or existing[_k].sku_id is None])
    new_lines = []
    for key, ln in wanted:
        values = {"channel_sku": ln.channel_sku, "channel_product_id": ln.channel_product_id,
                  "channel_variant_id": ln.channel_variant_id, "name": ln.name, "quantity": ln.quantity,
                  "unit_price": ln.unit_price, "cancelled": ln.cancelled}
        line = existing.get(key)
        if line is None:
            new_lines.append(OrderLine(order=order, external_id=key, sku_id=matched.get(ln.external_id),
                                       channel_components=components_json(ln), **values))
            if not created:
                changes.append(f"new line {key}")
            continue
        update = {}
        before = prev_lines.get(key)
        for name, value in values.items():
            if before is not None and getattr(before, name) == value:
                continue  # unchanged on the channel
            if getattr(line, name) != value:
                update[name] = value
        if line.channel_components != components_json(ln):
            update["channel_components"] = components_json(ln)
        if line.sku_id is None and matched.get(ln.external_id):
            update["sku_id"] = matched[ln.external_id]
        if update:
            OrderLine.objects.filter(pk=line.pk).update(**update)
            for name, value in update.items():
                setattr(line, name, value)
            changes.append(f"line {key}: " + ", ".join(sorted(update)))
    if new_lines:
        OrderLine.objects.bulk_create(new_lines)
    return changes
