"""Schedules of channel sync (collected by sellerhub/cron.py).

Pulls run every minute per connected account (webhooks bring changes sooner); the stock sweep
catches pushes a failure or a lost request left behind; tokens are refreshed before they
expire; the sweep re-queues notifications and tracking uploads whose job was lost; old sync runs
and webhook deliveries are pruned nightly.
"""

from channels import cancellation_push, refunds
from channels.jobs import prune, pull_all, push_backlogs, refresh_tokens, sweep
from channels.returns_sync import pull_all_returns, sweep_decisions


def register(cron):
    cron.register(pull_all, "sync", cron="* * * * *", name="channels_pull_orders")
    cron.register(push_backlogs, "sync", cron="* * * * *", name="channels_push_stock_backlog")
    cron.register(refresh_tokens, "sync", cron="23 * * * *", name="channels_refresh_tokens")
    cron.register(sweep, "sync", cron="*/5 * * * *", name="channels_sweep")
    cron.register(prune, "default", cron="41 3 * * *", name="channels_prune_sync_log")
    cron.register(refunds.pull_all_refunds, "sync", cron="*/10 * * * *", name="channels_pull_refunds")
    cron.register(cancellation_push.sweep, "sync", cron="*/5 * * * *", name="channels_cancellation_sweep")
    cron.register(pull_all_returns, "sync", cron="*/5 * * * *", name="channels_pull_returns")
    cron.register(sweep_decisions, "sync", cron="* * * * *", name="channels_sweep_return_decisions")
