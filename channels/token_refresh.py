"""Channel tokens in the sync jobs: the connector every job opens (refreshing an expiring token
first, against the kernel's token store), and the token refresh job (hourly for the tokens that
expire soon, and on demand).

The refresh itself is the integrations' ``store_refresher`` over
``sellerhub.channel_tokens.AccountTokenStore``: under the account's refresh lock, once (a job that
finds the token refreshed by another uses the stored one), the fresh tokens saved on the account.
"""

from __future__ import annotations

import time

from channels import health, services
from channels.models import SyncRun
from integrations.channels.connectors import ChannelError, connector_for
from integrations.channels.connectors.tokens import store_refresher
from sellerhub.channel_tokens import AccountTokenStore
from sellerhub.models import ChannelAccount

Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status


def token_refresher_for(account_id: int):
    """The refresher the jobs give their connectors (other apps' TikTok calls use the same store)."""
    return store_refresher(AccountTokenStore(account_id))


def _sleeper(lock):
    """The connector's wait between retries, keeping the job's lock alive while it waits."""

    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 5.0))
            lock.extend()

    return sleep


def open_connector(account: ChannelAccount, lock=None):
    """The account's connector for a sync job: tokens from the account's store, waits that keep
    ``lock`` alive, and a token that expires soon refreshed before the first call."""
    connector = connector_for(account)
    connector.use_token_store(AccountTokenStore(account.pk))
    if lock is not None:
        connector.sleep = _sleeper(lock)
    if connector.needs_refresh():
        connector.use_credentials(connector.token_refresher(connector))
    return connector


def refresh_token(account: ChannelAccount, *, trigger: str = Trigger.SCHEDULE, force: bool = False) -> dict:
    connector = connector_for(account)
    if not connector.can_refresh():
        return {"message": f"{account.name}: no refresh token (this channel's keys do not expire)"}
    if not force and not connector.needs_refresh():
        return {"message": f"{account.name}: the token is still fresh"}
    run = services.start_run(account=account, kind=Kind.REFRESH_TOKEN, trigger=trigger)
    try:
        token_refresher_for(account.pk)(connector)
    except ChannelError as exc:
        services.finish_run(run=run, status=Status.FAILED, error=str(exc), retryable=exc.retryable,
                            message="The token could not be refreshed")
        health.record_failure(account=account, error=exc, operation="token refresh")
        return {"message": str(exc), "failed": True}
    finally:
        connector.close()
    services.finish_run(run=run, status=Status.SUCCEEDED, items_ok=1, message="Token refreshed")
    return {"message": f"{account.name}: token refreshed"}


def refresh_token_job(account_id: int, trigger: str = Trigger.SCHEDULE) -> dict:
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return {"message": "account gone"}
    waiting = health.skip_reason(account_id, trigger)  # disconnected, paused, or failing until its next retry
    if waiting:
        return {"message": f"token not refreshed: {waiting}", "skipped": True}
    return refresh_token(account, trigger=trigger)
