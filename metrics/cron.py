"""Schedules of the metrics app (collected by config/cron.py)."""

from metrics.jobs import take_snapshots_now


def register(cron):
    # Hourly, so each shop's day is stored soon after it ends in its own time zone; days that
    # are already final are skipped, so a run costs a few small queries.
    cron.register(take_snapshots_now, "default", cron="7 * * * *", name="metrics_daily_snapshots")
