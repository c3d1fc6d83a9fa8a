"""Acceptance 3 over the loopback emulators: with "max 5" on TikTok and "show 0 at or below 2" on
Etsy, a SKU with 20 available is pushed as 5 to TikTok and 20 to Etsy, at 2 available as 2 and 0,
and the listing page says which rule made each number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.stock_push import push_stock_job
from inventory import services as stock
from inventory.models import ChannelListing, Location
from sellerhub.models import ChannelAccount
from tests.sync.test_stock_push import channel_quantity


def settings_form(account):
    return {"name": account.name, "channel": account.channel, "shop_id": account.shop_id,
            "api_base_url": account.api_base_url, "time_zone": "America/Los_Angeles", "handling_days": 2,
            "cutoff_time": "23:59", "transit_days": 5, "holiday_country": "US", "stock_buffer_units": 0,
            "stock_buffer_percent": 0, "stock_share_percent": 100, "stock_zero_at_or_below": 0,
            "location_codes": "MAIN"}


def pushed_now(client, sku):
    page = client.get(reverse("channels:sku_listings", args=[sku.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    return html


@pytest.mark.django_db
def test_max_5_on_tiktok_and_show_0_at_or_below_2_on_etsy(listed, skus, emulator, owner_client):
    tiktok, etsy = listed["tiktok"], listed["etsy"]
    for account, rule in ((tiktok, {"stock_max_shown": 5}), (etsy, {"stock_zero_at_or_below": 2})):
        answer = owner_client.post(reverse("channels:account_edit", args=[account.pk]), {**settings_form(account),
                                                                                         **rule})
        assert answer.status_code == 302, answer.content.decode()[-3000:]
    bad = owner_client.post(reverse("channels:account_edit", args=[etsy.pk]),
                            {**settings_form(etsy), "stock_share_percent": 120})
    assert bad.status_code == 400 and "The share is a percentage: enter 0 to 100." in bad.content.decode()
    assert ChannelAccount.objects.get(pk=etsy.pk).stock_share_percent == 100
    sku, main = skus["CAP-BLK"], Location.objects.get(code="MAIN")
    stock.adjust(sku=sku, location=main, quantity=-80, reason="adjustment", note="to 20")

    for account in (tiktok, etsy):
        assert not push_stock_job(account.pk).get("failed")
    assert (channel_quantity(emulator, "tiktok", "CAP-BLK"), channel_quantity(emulator, "etsy", "CAP-BLK")) == (5, 20)
    html = pushed_now(owner_client, sku)
    on = {lst.account_id: lst.pk for lst in ChannelListing.objects.filter(sku=sku)}
    assert f'data-testid="pushed-{on[tiktok.pk]}">5<' in html
    assert f'data-testid="reason-{on[tiktok.pk]}">20 available, max 5 shown<' in html
    assert f'data-testid="pushed-{on[etsy.pk]}">20<' in html
    assert f'data-testid="reason-{on[etsy.pk]}">20 available<' in html

    stock.adjust(sku=sku, location=main, quantity=-18, reason="adjustment", note="to 2")
    for account in (tiktok, etsy):
        assert not push_stock_job(account.pk).get("failed")
    assert (channel_quantity(emulator, "tiktok", "CAP-BLK"), channel_quantity(emulator, "etsy", "CAP-BLK")) == (2, 0)
    html = pushed_now(owner_client, sku)
    assert f'data-testid="reason-{on[tiktok.pk]}">2 available<' in html
    assert f'data-testid="pushed-{on[etsy.pk]}">0<' in html
    assert f'data-testid="reason-{on[etsy.pk]}">2 available, show 0 at or below 2<' in html
