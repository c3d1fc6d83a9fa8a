"""TikTok combined listings: matched to the bundle made of their components, or a fix for the Owner."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory.bundles import components_of
from inventory.models import SKU, ChannelListing, StockLevel
from orders import services as orders
from orders.mapping import PayloadError, map_order
from orders.models import AttentionReason, OrderStatus
from orders.samples import tiktok_payload
from orders.selectors import unmatched_channel_skus
from orders.services.bundle_lines import annotate_unmatched, create_bundle_from_listing
from sellerhub.models import Channel
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def combined(order_id, parts, seller_sku="TT-COMBO-1"):
    """A TikTok order of one combined listing made of `parts` ({seller sku: count})."""
    now = timezone.now()
    payload = tiktok_payload(order_id=order_id, lines=((seller_sku, 1, "40.00"),), created=now - dt.timedelta(hours=2),
                             paid=now - dt.timedelta(hours=1), rts_sla=now + dt.timedelta(days=1))
    for item in payload["line_items"]:
        item["sku_id"], item["product_id"] = "1729699999999999001", "1729599999999999000"
        item["combined_listing_skus"] = [{"sku_id": f"17290000{i}", "product_id": "172900000", "seller_sku": sku,
                                          "sku_count": count} for i, (sku, count) in enumerate(parts.items())]
    return payload


def reserved(sku):
    return StockLevel.objects.get(sku=sku, location__code="MAIN").reserved


def test_a_combined_listing_of_two_tees_is_the_bundle_of_them(tees):
    black, white, bundle = tees
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    incoming = map_order("tiktok", combined("576000000000000901", {"TEE-BLK-M": 1, "TEE-WHT-M": 1}))
    assert [c.channel_sku for c in incoming.lines[0].components] == ["TEE-BLK-M", "TEE-WHT-M"]
    order = orders.upsert_order(account=account, incoming=incoming, source="sync").order
    order.refresh_from_db()
    assert order.lines.get().sku == bundle
    assert order.status == OrderStatus.CONFIRMED
    assert (reserved(black), reserved(white)) == (1, 1)


def test_an_unknown_combination_waits_with_a_fix_that_makes_the_bundle(tees):
    black, white, _bundle = tees
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    payload = combined("576000000000000902", {"TEE-BLK-M": 2}, seller_sku="TT-TWO-BLACK")
    order = orders.upsert_order(account=account, incoming=map_order("tiktok", payload), source="sync").order
    order.refresh_from_db()
    assert order.attention_reason == AttentionReason.UNMATCHED_SKU
    rows = annotate_unmatched(unmatched_channel_skus())
    assert rows[0]["components"] == [("TEE-BLK-M", 2, "TEE-BLK-M")] and rows[0]["can_bundle"]

    result = create_bundle_from_listing(account=account, channel_sku="TT-TWO-BLACK", product_id=rows[0]["product_id"],
                                        variant_id=rows[0]["variant_id"])
    made = SKU.objects.get(seller_sku="TT-TWO-BLACK")
    assert components_of([made.pk]) == {made.pk: [(black.pk, 2)]}
    assert result.confirmations[0].confirmed and reserved(black) == 2
    assert ChannelListing.objects.get(account=account, external_variant_id="1729699999999999001").sku == made
    again = orders.upsert_order(account=account, source="sync",
                                incoming=map_order("tiktok", combined("576000000000000903", {"TEE-BLK-M": 2},
                                                                      seller_sku="TT-TWO-BLACK"))).order
    assert again.lines.get().sku == made


def test_a_fix_with_an_unknown_component_is_refused():
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    orders.upsert_order(account=account, source="sync",
                        incoming=map_order("tiktok", combined("576000000000000904", {"NOPE-1": 1})))
    with pytest.raises(orders.OrderError, match="No SKU matches component NOPE-1"):
        create_bundle_from_listing(account=account, channel_sku="TT-COMBO-1", variant_id="1729699999999999001")
    assert not SKU.objects.filter(seller_sku="TT-COMBO-1").exists()


def test_a_bad_combined_listing_is_a_payload_error():
    payload = combined("576000000000000905", {"TEE-BLK-M": 1})
    payload["line_items"][0]["combined_listing_skus"][0]["sku_count"] = 0
    with pytest.raises(PayloadError, match="sku_count"):
        map_order("tiktok", payload)
