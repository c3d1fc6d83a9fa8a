"""Importing a SKU's picture from its channel listing, once the listing is mapped to the SKU: an RQ
job (by listing ids) downloads the listing's ``image_url`` through the channel's client (size and
type limits in integrations/channels/images.py), outside any transaction and lock, then sets it
through inventory.services.images, unless the SKU (or its product) has a picture already."""

from __future__ import annotations

import logging

from django.db import transaction

from integrations.channels.connectors import ChannelError, connector_for
from inventory.images import image_of
from inventory.models import ChannelListing
from inventory.services import images as image_services
from sellerhub.jobs import JobQueueUnavailable, enqueue_job, tracked

log = logging.getLogger("inventory.services")
KIND = "inventory.import_listing_images"


def request_listing_images(listing_ids) -> None:
    """After the current transaction commits, queue the picture import for these (mapped) listings.
    Without a job queue (demo loading, Redis down) nothing is imported; mapping again retries."""
    ids = sorted({int(pk) for pk in listing_ids if pk})
    if not ids:
        return

    def _queue():
        if not ChannelListing.objects.filter(pk__in=ids, sku__isnull=False, sku__image="").exclude(
                image_url="").exists():
            return
        try:
            enqueue_job(kind=KIND, func=import_listing_images_job, args=[ids],
                        message="Waiting for a worker to import listing pictures")
        except JobQueueUnavailable:
            log.warning("listing pictures not imported (no job queue): listings %s", ids[:20])

    transaction.on_commit(_queue)


@tracked
def import_listing_images_job(run_id, listing_ids):
    listings = (ChannelListing.objects.filter(pk__in=listing_ids, sku__isnull=False).exclude(image_url="")
                .select_related("account", "sku__product").order_by("pk"))
    done, skipped, failed = 0, 0, []
    for listing in listings:
        if image_of(listing.sku) is not None:
            skipped += 1
            continue
        connector = connector_for(listing.account)
        try:
            data = connector.fetch_image(listing.image_url)  # no transaction, no lock: just HTTP
            if image_services.set_sku_image(sku=listing.sku, data=data, filename="the listing's picture",
                                            only_if_empty=True):
                done += 1
            else:
                skipped += 1
        except (ChannelError, image_services.ImageError) as exc:
            failed.append(f"{listing.sku.seller_sku}: {exc}")
        finally:
            connector.close()
    message = f"{done} picture(s) imported, {skipped} SKU(s) had one already"
    if failed:
        message += f"; not imported: {'; '.join(failed[:5])}"
    return {"imported": done, "skipped": skipped, "failed": len(failed), "message": message}
