"""Carrier tracking: following a shipped package's tracker at the label provider, its scans kept
once each and put on the order's timeline, the package and the order moved along (in transit,
delivered), and the provider's verified webhook events (each applied once)."""

from __future__ import annotations

import logging

import django_rq
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fulfilment import selectors
from fulfilment.models import Package, TrackingEvent
from fulfilment.services.common import P, S, all_lines_shipped, copy_package, timeline
from fulfilment.services.locks import lock_package
from integrations.carriers import registry as carriers
from integrations.labels import LabelProvider, ProviderEventData, TrackerUpdate, get_provider
from orders import services as orders
from orders.models import Order
from sellerhub import datetimes
from sellerhub.models import WebhookEvent

log = logging.getLogger("sellerhub.fulfilment")

FOLLOW_JOB = "fulfilment.jobs.follow_package_job"


def enqueue_follow(package_id: int) -> None:
    """Queue the job that starts the shipped package's tracker (call it on commit). With Redis down
    nothing is queued: the hourly refresh picks the package up."""
    try:
        django_rq.get_queue("default").enqueue(FOLLOW_JOB, package_id, job_timeout=300, result_ttl=3600,
                                               failure_ttl=7 * 86400)
    except Exception as exc:
        log.warning("could not queue tracking for package %s (%s); the hourly refresh will", package_id, exc)


def _scan_text(scan, carrier: str) -> str:
    when = datetimes.format_when(scan.occurred_at)
    where = f" ({scan.location})" if scan.location else ""
    what = scan.message or scan.status.replace("_", " ")
    return f"{carrier + ' ' if carrier else ''}scan {when}: {what}{where}"


def follow_scans(order: Order, user=None) -> None:
    """Move the order along its packages' scans (first scan: in transit, with dispatched_at; all
    shipped packages delivered: delivered), for channels that don't report them themselves."""
    if order.account.channel in selectors.CHANNELS_REPORTING_SCANS:
        return
    order.refresh_from_db()
    packages = list(order.packages.filter(status__in=[P.SHIPPED, P.IN_TRANSIT, P.DELIVERED]))
    firsts = [p.first_scan_at for p in packages if p.first_scan_at]
    if order.status == S.SHIPPED and firsts:
        orders.mark_in_transit(order=order, at=min(firsts), actor="carrier")
        order.refresh_from_db()
    delivered = [p.delivered_at for p in packages]
    if order.status == S.IN_TRANSIT and packages and all(delivered) and all_lines_shipped(order):
        orders.mark_delivered(order=order, at=max(delivered), actor="carrier")


def record_tracker_update(*, package: Package, update: TrackerUpdate, source: str = "easypost") -> list[str]:
    """Store a tracker's scans (each once), set the package's first scan and delivery times (once),
    put new scans on the order's timeline and move the order along. Repeats change nothing."""
    changes: list[str] = []
    with transaction.atomic():
        locked = lock_package(package)
        order = locked.order
        known = set(TrackingEvent.objects.filter(package=locked).values_list("occurred_at", "status", "message"))
        fresh = [s for s in sorted(update.scans, key=lambda s: s.occurred_at)
                 if (s.occurred_at, s.status, s.message) not in known]
        if fresh:
            TrackingEvent.objects.bulk_create([TrackingEvent(
                package=locked, status=s.status[:32], status_detail=s.status_detail[:64], message=s.message[:300],
                location=s.location[:200], occurred_at=s.occurred_at, source=source) for s in fresh],
                ignore_conflicts=True)
            carrier = locked.carrier_name or update.carrier
            for s in fresh:
                timeline(order, kind="carrier_scan", actor_name=f"carrier:{(update.carrier or source)}"[:60],
                         message=f"Package {locked.pk} {_scan_text(s, carrier)}",
                         data={"package": locked.pk, "status": s.status, "at": s.occurred_at.isoformat()})
            changes.append(f"{len(fresh)} scan(s)")
        first, delivered = update.first_scan_at, update.delivered_at
        if first and locked.first_scan_at is None:
            locked.first_scan_at = first
            changes.append("first scan")
        if delivered and locked.delivered_at is None:
            locked.delivered_at = delivered
            changes.append("delivered")
        if locked.is_shipped:
            target = P.DELIVERED if locked.delivered_at else (P.IN_TRANSIT if locked.first_scan_at else P.SHIPPED)
            rank = {P.SHIPPED: 0, P.IN_TRANSIT: 1, P.DELIVERED: 2}
            if rank[target] > rank[locked.status]:
                locked.status = target
        locked.tracker_status = update.status[:32]
        locked.tracker_updated_at = timezone.now()
        if update.tracker_id and not locked.provider_tracker_id:
            locked.provider_tracker_id = update.tracker_id
        if update.public_url and not locked.public_tracking_url:
            locked.public_tracking_url = update.public_url[:300]
        locked.save()
        if locked.is_shipped and changes:
            follow_scans(order)
        copy_package(package, locked)
    return changes


def follow_package(*, package: Package, provider: LabelProvider | None = None) -> list[str]:
    """Start (or refresh) the provider's tracker of a shipped package and record its scans."""
    current = Package.objects.get(pk=package.pk)
    if not current.tracking_number or current.status == P.CANCELLED:
        return []
    provider = provider or get_provider()
    if current.provider_tracker_id:
        update = provider.tracker(current.provider_tracker_id)
    else:
        update = provider.track(current.tracking_number, current.carrier)
    return record_tracker_update(package=current, update=update, source=provider.name)


def process_provider_event(*, event: ProviderEventData, source: str) -> tuple[str, str]:
    """Apply a tracker event (kept in the webhook inbox) to the packages with that tracker or
    tracking number; returns (inbox status, message)."""
    status, message = WebhookEvent.Status.IGNORED, f"{event.description}: nothing to do"
    tracker = event.tracker
    if tracker is not None and event.description in ("tracker.updated", "tracker.created"):
        code = carriers.normalise(tracker.tracking_code)
        packages = list(Package.objects.exclude(status=P.CANCELLED).filter(_tracker_q(tracker.tracker_id, code)))
        if packages:
            done = []
            for package in packages:
                changed = record_tracker_update(package=package, update=tracker, source=source)
                done.append(f"package {package.pk}: {', '.join(changed) or 'no change'}")
            status, message = WebhookEvent.Status.PROCESSED, "; ".join(done)
        else:
            message = f"no package has tracking number {code}"
    return status, message[:500]


def _tracker_q(tracker_id: str, code: str) -> Q:
    q = Q(tracking_number=code) if code else Q(pk__in=[])
    if tracker_id:
        q |= Q(provider_tracker_id=tracker_id)
    return q
