"""A listing's picture comes with it: importing TikTok's listings from the loopback emulator reads
each product's main image URL, and once a listing is mapped to a SKU without a picture a job
downloads it over HTTP (no lock held) and stores it with its thumbnail; a SKU with a picture keeps it."""

import django_rq
import pytest
from rq import SimpleWorker

from channels import services
from integrations.channels.connectors import connector_for
from integrations.channels.images import ImageRefused, fetch_image
from inventory.images import sku_images
from inventory.models import ChannelListing
from inventory.services import images as image_services
from sellerhub.models import JobRun

pytestmark = pytest.mark.django_db


def test_a_mapped_listing_brings_its_picture(accounts, skus, emulator, settings, tmp_path,
                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = accounts["tiktok"]
    kept = skus["MUG-BLU"]
    image_services.set_sku_image(sku=kept, data=_png(emulator, "KEPT"))
    before = kept.__class__.objects.get(pk=kept.pk).image.name
    connector = connector_for(account)
    try:
        remote = list(connector.list_listings())
        with django_capture_on_commit_callbacks(execute=True):
            services.import_listings(account=account, listings=remote)
        with pytest.raises(ImageRefused, match="not a picture"):
            fetch_image(f"{emulator.base_url}/_emulator/state", session=connector.session)
    finally:
        connector.close()
    listing = ChannelListing.objects.get(account=account, channel_sku="TEE-BLK-M")
    assert listing.image_url.startswith(emulator.base_url) and listing.sku_id == skus["TEE-BLK-M"].pk
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    run = JobRun.objects.get(kind="inventory.import_listing_images")
    assert run.status == "succeeded", run.error
    pictures = sku_images(s.pk for s in skus.values())
    assert set(pictures) == set(s.pk for s in skus.values())  # every listed SKU has a picture now
    assert pictures[kept.pk].name == before  # the one it had is kept


def _png(emulator, key):
    from devtools.emulators.product_images import png_for

    return png_for(key)


# What each channel's answer names as a SKU's picture on the emulators: a WooCommerce variation's own
# ``image``, an Etsy listing's rank-1 picture (its first SKU's), a Square variation's own IMAGE when
# its item has several variations, else the item's (fetched by id: related objects are one level deep).
def _expected_key(channel, item, catalogue):
    group = [i for i in catalogue.items if i.group_key == item.group_key and channel in i.channels]
    return group[0].sku if channel == "etsy" else item.sku


@pytest.mark.parametrize("channel", ["woocommerce", "etsy", "square"])
def test_a_listing_imported_from_each_channel_brings_its_picture(channel, accounts, skus, emulator, settings,
                                                                 tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = accounts[channel]
    connector = connector_for(account)
    try:
        remote = list(connector.list_listings())
        with django_capture_on_commit_callbacks(execute=True):
            services.import_listings(account=account, listings=remote)
    finally:
        connector.close()
    catalogue = emulator.state.catalogue
    listed = {i.sku: i for i in catalogue.items if channel in i.channels}
    assert listed and {r.channel_sku for r in remote} == set(listed)
    for listing in ChannelListing.objects.filter(account=account):
        key = _expected_key(channel, listed[listing.channel_sku], catalogue)
        assert listing.image_url == f"{emulator.url(channel)}/images/{key}.png", listing.channel_sku
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    run = JobRun.objects.get(kind="inventory.import_listing_images")
    assert run.status == "succeeded" and run.result["imported"] == len(listed), (run.error, run.result)
    pictures = sku_images(skus[sku].pk for sku in listed)
    assert set(pictures) == {skus[sku].pk for sku in listed}
