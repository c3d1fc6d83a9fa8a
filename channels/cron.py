"""Schedules of channel sync (collected by sellerhub/cron.py).

Pulls run every minute per connected account (webhooks bring changes sooner); the stock sweep
catches pushes a failure or a lost request left behind; tokens are refreshed before they
expire; the sweep re-queues notifications and tracking uploads whose job was lost; old sync runs
and webhook deliveries are pruned nightly.
"""

from channels.jobs import prune, pull_all, push_backlogs, refresh_tokens, sweep


def register(cron):
    cron.register(pull_all, "sync", cron="* * * * *", name="channels_pull_orders")
    cron.register(push_backlogs, "sync", cron="* * * * *", name="channels_push_stock_backlog")
    cron.register(refresh_tokens, "sync", cron="23 * * * *", name="channels_refresh_tokens")
    cron.register(sweep, "sync", cron="*/5 * * * *", name="channels_sweep")
    cron.register(prune, "default", cron="41 3 * * *", name="channels_prune_sync_log")
