"""A channel shows a listing's stock up to its own limit (Etsy 999, TikTok 99,998): a push sends
at most the limit, records what the channel shows, and a change above the limit costs no call,
over real HTTP against the emulator. During a spike this keeps Etsy's ten calls a second for
the listings whose shown quantity really moves."""

from __future__ import annotations

from channels import jobs
from channels.stock_push import push_stock_job
from inventory import services as stock
from inventory.models import ChannelListing, Location, StockOutbox
from tests.sync.test_stock_push import channel_quantity


def test_a_change_above_etsys_999_costs_no_call_and_one_below_is_pushed(listed, skus, emulator):
    etsy, main = listed["etsy"], Location.objects.get(code="MAIN")
    for account in listed.values():
        assert not jobs.push_stock(account).get("failed")
    sku = skus["MUG-RED"]
    listing = ChannelListing.objects.get(account=etsy, sku=sku)

    stock.receive(sku=sku, location=main, quantity=4900)  # 5,000 units
    assert push_stock_job(etsy.pk)["pushed"] == 1
    listing.refresh_from_db()
    assert (channel_quantity(emulator, "etsy", "MUG-RED"), listing.last_pushed_quantity) == (999, 999)

    calls = len(emulator.state.received("etsy"))
    stock.adjust(sku=sku, location=main, quantity=-10, reason="adjustment", note="breakage")  # 4,990
    result = push_stock_job(etsy.pk)
    assert result.get("pushed", 0) == 0 and not result.get("failed")
    assert len(emulator.state.received("etsy")) == calls, "no call for a quantity Etsy shows as 999 anyway"
    assert not StockOutbox.objects.filter(listing=listing, pushed_at__isnull=True).exists()

    stock.adjust(sku=sku, location=main, quantity=-4490, reason="adjustment", note="recount")  # 500
    assert push_stock_job(etsy.pk)["pushed"] == 1
    assert channel_quantity(emulator, "etsy", "MUG-RED") == 500


def test_tiktok_is_sent_at_most_99998(listed, skus, emulator):
    tiktok, main = listed["tiktok"], Location.objects.get(code="MAIN")
    sku = skus["MUG-RED"]
    stock.receive(sku=sku, location=main, quantity=150_000)
    assert push_stock_job(tiktok.pk)["pushed"] >= 1
    assert channel_quantity(emulator, "tiktok", "MUG-RED") == 99998
    assert ChannelListing.objects.get(account=tiktok, sku=sku).last_pushed_quantity == 99998
