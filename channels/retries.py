"""Running a failed sync run's work again (the sync log's Retry button and the admin action,
queued by ``services.queue_retry``): ``retry_run_job(run_id, sync_run_id)``.
"""

from __future__ import annotations

from channels.models import SyncRun
from channels.pulls import pull_orders
from channels.stock_push import push_stock
from channels.token_refresh import refresh_token
from channels.tracking_push import push_tracking
from sellerhub.jobs import progress, tracked

Kind, Trigger = SyncRun.Kind, SyncRun.Trigger


def retry_run(run: SyncRun, *, user=None) -> dict:
    """Run a failed sync run's work again (the sync log's Retry button)."""
    account = run.account
    if run.kind == Kind.PULL_ORDERS:
        return pull_orders(account, trigger=Trigger.RETRY, user=user, retry_of=run, wait_for_lock=20)
    if run.kind == Kind.PUSH_STOCK:
        return push_stock(account, trigger=Trigger.RETRY, user=user, retry_of=run, wait_for_lock=20)
    if run.kind == Kind.PUSH_TRACKING and run.args.get("package_id"):
        return push_tracking(run.args["package_id"], trigger=Trigger.RETRY, retry_of=run)
    if run.kind == Kind.REFRESH_TOKEN:
        return refresh_token(account, trigger=Trigger.RETRY, force=True)
    raise ValueError(f"{run.get_kind_display()} runs cannot be retried from here")


@tracked
def retry_run_job(run_id: int, sync_run_id: int, user_id: int | None = None) -> dict:
    run = SyncRun.objects.select_related("account").get(pk=sync_run_id)
    progress(run_id, 5, f"Retrying {run.get_kind_display().lower()} for {run.account.name}")
    result = retry_run(run)
    if result.get("failed"):
        raise RuntimeError(result["message"])
    return {"message": result.get("message", "Done")}
