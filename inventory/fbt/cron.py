"""FBT schedules for RQ's cron (collected by sellerhub/cron.py as "inventory.fbt")."""

from inventory.fbt import jobs


def register(cron):
    cron.register(jobs.sync_all, "sync", cron="*/30 * * * *", name="fbt_sync_all")
    cron.register(jobs.sweep_notifications, "sync", cron="*/5 * * * *", name="fbt_sweep_notifications")
