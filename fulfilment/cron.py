"""Fulfilment schedules for RQ's cron (collected by sellerhub/cron.py)."""

from fulfilment.jobs import refresh_trackers
from fulfilment.tiktok.jobs import sync_collections


def register(cron):
    # Carrier scans come by webhook; this reads the trackers of packages on their way in case
    # a delivery was lost (or the webhook is not registered yet).
    cron.register(refresh_trackers, "default", cron="23 * * * *", name="fulfilment_refresh_trackers")
    # TikTok Shipping: packages of open collection requests read back from TikTok (lost webhooks).
    cron.register(sync_collections, "sync", cron="*/10 * * * *", name="fulfilment_sync_collections")
