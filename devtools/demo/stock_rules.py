"""Demo channel stock rules (docs/channel-stock-rules.md): the TikTok demo shop never shows more
than 30 of anything (a viral video can't sell the whole warehouse there), the Etsy demo shop
shows 0 at or below 2 (the last units stay for the other channels), and the Square listing of
the cap has its own rule: half of what is available. The listing page of each SKU shows the
numbers pushed and why; the pushes go to the loopback emulator with the others."""

from __future__ import annotations

from channels import listing_edits, services
from inventory.models import ChannelListing
from sellerhub.models import Channel, ChannelAccount

ACCOUNT_RULES = {Channel.TIKTOK: {"stock_max_shown": 30}, Channel.ETSY: {"stock_zero_at_or_below": 2}}
LISTING_RULES = [(Channel.SQUARE, "CAP-BLK", {"stock_share_percent": 50})]


def load(*, users):
    for channel, fields in ACCOUNT_RULES.items():
        for account in ChannelAccount.objects.filter(channel=channel):
            ChannelAccount.objects.filter(pk=account.pk).update(**fields)
            services.request_full_push(account=account)
    for channel, seller_sku, fields in LISTING_RULES:
        listings = ChannelListing.objects.filter(account__channel=channel, channel_sku=seller_sku, sku__isnull=False)
        for listing in listings:
            listing_edits.save_listing_rule(listing_id=listing.pk, values=fields)
