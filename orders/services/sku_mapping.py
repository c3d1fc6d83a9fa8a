"""Mapping a channel's SKU to one of ours (a fix from the needs-attention queue): the account's
ChannelListing, the unmatched lines it matches, then confirmation again for the orders waiting."""

from __future__ import annotations

from django.db import transaction

from inventory import image_jobs
from inventory.models import SKU, ChannelListing
from orders.models import Order, OrderLine, OrderStatus
from orders.services.confirmation import run_confirmation
from orders.services.errors import MappingResult, OrderError
from orders.services.timeline import record_event
from sellerhub.models import ChannelAccount

S = OrderStatus


def map_channel_sku(*, account: ChannelAccount, sku: SKU, channel_sku: str = "", product_id: str = "",
                    variant_id: str = "", user=None, actor: str = "") -> MappingResult:
    """Map a channel's SKU (by seller SKU, or by the channel's product and variant ids when the line
    has no seller SKU) to one of our SKUs: records it as the account's ChannelListing, matches every
    unmatched line of the account with that channel SKU, then runs confirmation again for the
    orders that were waiting for it (each in its own transaction)."""
    channel_sku = (channel_sku or "").strip()
    if not (channel_sku or variant_id or product_id):
        raise OrderError("Give the channel SKU (or the channel's product and variant ids) to map.")
    if not sku.active:
        raise OrderError(f"SKU {sku.seller_sku} is inactive; activate it or choose another.")
    lines = OrderLine.objects.filter(order__account=account, sku__isnull=True)
    if channel_sku:
        lines = lines.filter(channel_sku=channel_sku)
    else:
        lines = lines.filter(channel_sku="", channel_product_id=product_id, channel_variant_id=variant_id)
    with transaction.atomic():
        found = list(lines.select_for_update(of=("self",)).order_by("pk"))  # the lines only, not their orders
        if not product_id and not variant_id:
            with_ids = next((line for line in found if line.channel_product_id or line.channel_variant_id), None)
            if with_ids:
                product_id, variant_id = with_ids.channel_product_id, with_ids.channel_variant_id
        listing = None
        if product_id or variant_id:
            listing, _created = ChannelListing.objects.update_or_create(
                account=account, external_product_id=product_id, external_variant_id=variant_id,
                defaults={"sku": sku, "channel_sku": channel_sku, "active": True,
                          "title": (found[0].name if found else "")[:200]},
            )
        elif channel_sku:
            listing = ChannelListing.objects.filter(account=account, channel_sku=channel_sku,
                                                    external_product_id="", external_variant_id="").first()
            if listing is None:
                listing = ChannelListing.objects.create(account=account, channel_sku=channel_sku, sku=sku,
                                                        title=(found[0].name if found else "")[:200])
            elif listing.sku_id != sku.pk:
                listing.sku = sku
                listing.save(update_fields=["sku"])
        OrderLine.objects.filter(pk__in=[line.pk for line in found]).update(sku=sku)
        order_ids = sorted({line.order_id for line in found})
        label = channel_sku or f"{product_id}/{variant_id}"
        for order_obj in Order.objects.filter(pk__in=order_ids):
            count = sum(1 for line in found if line.order_id == order_obj.pk)
            record_event(order_obj, kind="sku_mapped", user=user, actor=actor,
                   message=f"Channel SKU {label} mapped to {sku.seller_sku} ({count} line(s))",
                   data={"channel_sku": channel_sku, "sku": sku.seller_sku, "lines": count})
        if listing is not None:
            image_jobs.request_listing_images([listing.pk])  # the listing's picture, if the SKU has none
    result = MappingResult(sku=sku, lines=len(found), order_ids=order_ids, listing=listing)
    for order_obj in Order.objects.filter(pk__in=order_ids, status=S.AWAITING_CONFIRMATION).select_related("account"):
        result.confirmations.append(run_confirmation(order=order_obj, user=user, actor=actor))
    return result
