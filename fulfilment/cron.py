"""Fulfilment schedules for RQ's cron (collected by sellerhub/cron.py)."""

from fulfilment.jobs import refresh_trackers


def register(cron):
    # Carrier scans come by webhook; this reads the trackers of packages on their way in case
    # a delivery was lost (or the webhook is not registered yet).
    cron.register(refresh_trackers, "default", cron="23 * * * *", name="fulfilment_refresh_trackers")
