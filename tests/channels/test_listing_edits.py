"""Listings over the loopback emulators: importing reads each channel's title, price and quantity;
the Owner's title and price edit is pushed by a job with the channel's own call (TikTok
partial_edit, WooCommerce variation and product update, Etsy listing update and inventory,
Square catalog upsert) and its answer is shown on the listing page; Warehouse and Ops are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from channels import services
from channels.models import ListingEdit
from integrations.channels.connectors import connector_for
from inventory.models import ChannelListing
from tests.sync.test_stock_push import run_sync_jobs

CHANNELS = ("tiktok", "woocommerce", "etsy", "square")


def import_from_channel(account):
    connector = connector_for(account)
    try:
        return services.import_listings(account=account, listings=list(connector.list_listings()))
    finally:
        connector.close()


def mug_listing(account):
    return ChannelListing.objects.get(account=account, channel_sku="MUG-RED")


@pytest.mark.django_db
def test_owner_edits_title_and_price_on_all_four_channels(listed, skus, emulator, owner_client,
                                                          django_capture_on_commit_callbacks):
    ChannelListing.objects.update(channel_price=None, channel_quantity=None, channel_read_at=None)
    for account in listed.values():
        import_from_channel(account)
    tiktok = mug_listing(listed["tiktok"])
    assert (tiktok.channel_price, tiktok.channel_quantity) == (Decimal("16.00"), 50)
    assert tiktok.title == "Enamel Mug" and tiktok.channel_read_at is not None
    read = {c: (mug_listing(listed[c]).channel_price, mug_listing(listed[c]).channel_quantity) for c in CHANNELS}
    assert read == dict.fromkeys(CHANNELS, (Decimal("16.00"), 50))

    for channel in CHANNELS:
        listing = mug_listing(listed[channel])
        with django_capture_on_commit_callbacks(execute=True):
            answer = owner_client.post(reverse("channels:listing_edit", args=[listing.pk]), {
                f"edit-{listing.pk}-title": f"Enamel Mug on {channel}", f"edit-{listing.pk}-price": "18.50"})
        assert answer.status_code == 302, answer.content.decode()[:2000]
    run_sync_jobs()

    edits = {e.listing.account.channel: e for e in ListingEdit.objects.select_related("listing__account")}
    assert {c: e.status for c, e in edits.items()} == dict.fromkeys(CHANNELS, "sent"), \
        {c: e.message for c, e in edits.items()}
    state = emulator.state
    ids = state.catalogue.ids("MUG-RED")
    tt = state.tiktok.skus[ids["tiktok"]["sku_id"]]
    assert (tt["product"]["title"], tt["sku"]["price"]["sale_price"]) == ("Enamel Mug on tiktok", "18.50")
    woo = ids["woocommerce"]
    assert state.woocommerce.variations[woo["product_id"]][woo["variation_id"]]["regular_price"] == "18.50"
    assert state.woocommerce.products[woo["product_id"]]["name"] == "Enamel Mug on woocommerce"
    assert state.etsy.listings[ids["etsy"]["listing_id"]]["title"] == "Enamel Mug on etsy"
    sq = state.square.objects[ids["square"]["variation_id"]]["item_variation_data"]
    assert sq["price_money"]["amount"] == 1850
    assert state.square.objects[sq["item_id"]]["item_data"]["name"] == "Enamel Mug on square"
    assert len(state.received("tiktok", "listing_edit")) == 2
    # the other variant of the Etsy listing keeps its price; the edited one is read back as sent
    for account in listed.values():
        import_from_channel(account)
    assert {c: mug_listing(listed[c]).channel_price for c in CHANNELS} == dict.fromkeys(CHANNELS, Decimal("18.50"))
    assert ChannelListing.objects.get(account=listed["etsy"], channel_sku="MUG-BLU").channel_price == Decimal("16.00")

    page = owner_client.get(reverse("channels:sku_listings", args=[skus["MUG-RED"].pk])).content.decode()
    assert page.count("Sent: the channel accepted it") == 4
    assert "Title “Enamel Mug on square” and price 18.50 USD accepted by the channel." in page


@pytest.mark.django_db
def test_a_refused_edit_says_why_and_changes_nothing(listed, skus, emulator, owner_client,
                                                     django_capture_on_commit_callbacks):
    listing = mug_listing(listed["tiktok"])
    ChannelListing.objects.filter(pk=listing.pk).update(external_product_id="999")  # gone from TikTok
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("channels:listing_edit", args=[listing.pk]), {f"edit-{listing.pk}-price": "9.99"})
    run_sync_jobs()
    edit = ListingEdit.objects.get()
    assert edit.status == "failed" and "Product does not exist" in edit.message
    listing.refresh_from_db()
    assert listing.channel_price == Decimal("16.00"), "nothing changes until the channel accepts"
    page = owner_client.get(reverse("channels:sku_listings", args=[skus["MUG-RED"].pk])).content.decode()
    assert "Product does not exist" in page

    bad = owner_client.post(reverse("channels:listing_edit", args=[listing.pk]), {f"edit-{listing.pk}-price": "-1"})
    assert bad.status_code == 400 and "greater than or equal to 0.01" in bad.content.decode()
    empty = owner_client.post(reverse("channels:listing_edit", args=[listing.pk]), {})
    assert empty.status_code == 400 and "Enter a new title, a new price, or both." in empty.content.decode()
    rule = owner_client.post(reverse("channels:listing_rule", args=[listing.pk]),
                             {f"rule-{listing.pk}-stock_share_percent": "150"})
    assert rule.status_code == 400
    assert ListingEdit.objects.count() == 1
    listing.refresh_from_db()
    assert listing.stock_share_percent is None

    lost = ListingEdit.objects.create(listing=listing, price=Decimal("5.00"),
                                      created_at=timezone.now() - dt.timedelta(minutes=30))  # its job never ran
    again = owner_client.post(reverse("channels:listing_edit", args=[listing.pk]), {f"edit-{listing.pk}-price": "6"})
    assert again.status_code == 302
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.message.startswith("Never sent")


@pytest.mark.django_db
def test_only_the_owner_edits_listings_and_rules(listed, skus, client, warehouse_user, ops_user, owner_user):
    listing = mug_listing(listed["etsy"])
    page = reverse("channels:sku_listings", args=[skus["MUG-RED"].pk])
    edit_url = reverse("channels:listing_edit", args=[listing.pk])
    rule_url = reverse("channels:listing_rule", args=[listing.pk])
    for user in (warehouse_user, ops_user):
        client.force_login(user)
        assert client.post(edit_url, {f"edit-{listing.pk}-title": "Hacked"}).status_code == 403
        assert client.post(rule_url, {f"rule-{listing.pk}-stock_max_shown": "1"}).status_code == 403
        assert client.post(reverse("channels:account_edit", args=[listed["etsy"].pk]),
                           {"stock_max_shown": "1"}).status_code == 403
    client.force_login(warehouse_user)
    assert client.get(page).status_code == 403
    client.force_login(ops_user)
    seen = client.get(page).content.decode()
    assert "Enamel Mug" in seen and "Push title and price" not in seen and "own stock rule" not in seen
    assert not ListingEdit.objects.exists()
    listing.refresh_from_db()
    assert listing.stock_max_shown is None and listing.title != "Hacked"

    client.force_login(owner_user)
    answer = client.post(rule_url, {f"rule-{listing.pk}-stock_max_shown": "3"})
    assert answer.status_code == 302
    html = client.get(page).content.decode()
    assert f'data-testid="pushed-{listing.pk}">3<' in html and "max 3 shown (this listing)" in html


@pytest.mark.django_db
def test_the_listing_page_runs_a_constant_number_of_queries(listed, skus, owner_client,
                                                            django_assert_max_num_queries):
    sku = skus["MUG-RED"]
    for listing in ChannelListing.objects.filter(sku=sku):
        ListingEdit.objects.create(listing=listing, price=Decimal("1.00"), status="sent", message="ok")
    with django_assert_max_num_queries(14):
        assert owner_client.get(reverse("channels:sku_listings", args=[sku.pk])).status_code == 200
