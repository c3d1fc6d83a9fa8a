"""Pushing tracking to a channel: ``push_tracking(package_id)`` uploads a shipped package's
tracking number to its order's channel, once (queued when the fulfilment services mark a package
shipped; failed uploads are re-queued by ``jobs.sweep``).
"""

from __future__ import annotations

from channels import coordination, health, services
from channels.models import SyncRun
from channels.token_refresh import open_connector
from fulfilment.models import Package, PackageLine, TrackingPush
from integrations.carriers.registry import CARRIERS
from integrations.channels.connectors import ChannelError, ShipmentLine, ShipmentPush

Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status


def _shipment_for(package) -> ShipmentPush:
    order = package.order
    lines = [ShipmentLine(external_id=pl.order_line.external_id, channel_sku=pl.order_line.channel_sku,
                          quantity=pl.quantity) for pl in package.lines.select_related("order_line")]
    covered = set(PackageLine.objects.filter(package__order=order).exclude(package__tracking_number="")
                  .exclude(package__status="cancelled").values_list("order_line_id", flat=True))
    active = set(order.lines.filter(cancelled=False).values_list("pk", flat=True))
    carrier = CARRIERS.get(package.carrier)
    return ShipmentPush(order_external_id=order.external_id, tracking_number=package.tracking_number,
                        carrier_code=package.carrier, carrier_name=package.carrier_name or (carrier.name if carrier
                                                                                            else ""),
                        shipping_provider_id=package.shipping_provider_id, package_external_id=package.external_id,
                        lines=tuple(lines), shipped_at=package.tracking_uploaded_at,
                        all_lines_shipped=not lines or active <= covered)


def push_tracking(package_id: int, trigger: str = Trigger.SHIPMENT, retry_of=None) -> dict:
    """The job: upload a shipped package's tracking number to its order's channel, once."""
    package = Package.objects.select_related("order__account").filter(pk=package_id).first()
    if package is None or not package.tracking_number:
        return {"message": "no package or no tracking number"}
    account = package.order.account
    # disconnected, paused, or failing until its next retry
    waiting = health.skip_reason(account.pk, trigger, account=account)
    if waiting:
        return {"message": f"tracking not uploaded yet: {waiting}", "skipped": True}
    lock = coordination.AccountLock("tracking", package.pk)
    if not lock.acquire(wait=5):
        return {"message": "another job is uploading this package's tracking", "skipped": True}
    try:
        return _push_tracking_locked(package, account, trigger=trigger, retry_of=retry_of)
    finally:
        lock.release()


def _push_tracking_locked(package, account, *, trigger, retry_of) -> dict:
    push, _ = TrackingPush.objects.get_or_create(package=package, defaults={"tracking_number": package.tracking_number})
    if push.status == TrackingPush.Status.PUSHED and push.tracking_number == package.tracking_number:
        return {"message": "already pushed", "already": True}
    run = services.start_run(account=account, kind=Kind.PUSH_TRACKING, trigger=trigger, retry_of=retry_of,
                             args={"package_id": package.pk, "order": package.order.external_id,
                                   "tracking_number": package.tracking_number})
    connector = None
    try:
        connector = open_connector(account)
        outcome = connector.push_shipment(_shipment_for(package))
    except ChannelError as exc:
        services.record_tracking_result(push=push, number=package.tracking_number, error=exc)
        services.finish_run(run=run, status=Status.FAILED, items_failed=1, error=str(exc), retryable=exc.retryable,
                            message=f"Tracking {package.tracking_number} not uploaded: {exc}")
        if health.counts_against_account(exc):
            health.record_failure(account=account, error=exc, operation="tracking upload")
        return {"message": str(exc), "failed": True}
    finally:
        if connector is not None:
            connector.close()
    services.record_tracking_result(push=push, number=package.tracking_number, reference=outcome.reference)
    health.record_success(account=account)
    what = "was already on the channel" if outcome.already else "uploaded"
    message = f"Tracking {package.tracking_number} of order {package.order.external_id} {what}"
    if outcome.warning:
        message += f" (channel warning: {outcome.warning})"
    services.finish_run(run=run, status=Status.SUCCEEDED, items_ok=1, message=message)
    return {"message": message, "reference": outcome.reference, "already": outcome.already}
