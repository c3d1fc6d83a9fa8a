"""Shipping a package: the handover with its (checked) tracking number, the order shipped once
all its units are, the tracking upload written as an outbox row in the same transaction, and the
carrier's scans followed after commit; queuing a failed upload again."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fulfilment import selectors
from fulfilment.models import Package, TrackingPush
from fulfilment.services.common import P, actor, all_lines_shipped, check_open, copy_package, label_name, timeline
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.locks import lock_package
from fulfilment.services.tracking import enqueue_follow, follow_scans
from fulfilment.services.tracking_uploads import queue_tracking_push
from fulfilment.tiktok import shipping as tiktok_shipping
from integrations.carriers import registry as carriers
from orders import services as orders
from sellerhub.models import Channel


def ship_package(*, package: Package, user=None, at: dt.datetime | None = None) -> Package:
    """Hand the package over: with a valid tracking number (a carrier's) it is shipped now,
    ``tracking_uploaded_at`` is set, the order moves to shipped once all its units have shipped
    (consuming its reservation through the ledger), the tracking number is queued for upload to
    the channel and the carrier's scans are followed."""
    when = at or timezone.now()
    with transaction.atomic():
        locked = lock_package(package)
        order = locked.order
        if locked.is_shipped:
            return copy_package(package, locked)
        if locked.status == P.CANCELLED:
            raise FulfilmentError(f"{label_name(locked).capitalize()} is cancelled.")
        check_open(order, "shipped")
        refusal = tiktok_shipping.ship_refusal(locked)  # TikTok's label: TikTok is told the handover first
        if refusal:
            raise FulfilmentError(refusal)
        if not locked.has_label:
            raise FulfilmentError(f"{label_name(locked).capitalize()} has no label yet: buy one, upload one, type "
                                  f"its tracking number or print SellerHub's label.")
        if locked.tracking_number and locked.carrier in carriers.CARRIERS:
            verdict = carriers.validate(locked.tracking_number, carrier=locked.carrier)
            if not verdict.valid:
                raise FulfilmentError(f"{locked.tracking_number} is not a valid tracking number: {verdict.reason}.")
            locked.tracking_format_valid = True
        elif not locked.tracking_number:
            if order.account.channel == Channel.TIKTOK:
                raise FulfilmentError(f"TikTok needs a tracking number to ship order {order.external_id}; this "
                                      f"package has none.")
            locked.tracking_format_valid = None
        mapping = selectors.provider_for(order.account_id, carrier=locked.carrier, carrier_name=locked.carrier_name)
        if mapping is not None:
            locked.shipping_provider_id = mapping.provider_id
            if mapping.provider_name and not locked.carrier_name:
                locked.carrier_name = mapping.provider_name
        locked.status, locked.tracking_uploaded_at = P.SHIPPED, when
        if locked.first_scan_at:
            locked.status = P.DELIVERED if locked.delivered_at else P.IN_TRANSIT
        locked.save()
        what = f"{locked.carrier_name or locked.carrier} {locked.tracking_number}".strip() or "without tracking"
        timeline(order, kind="shipped", user=user, message=f"Package {locked.pk} shipped: {what}",
                 data={"package": locked.pk, "tracking": locked.tracking_number})
        if order.status in selectors.PACKABLE_STATUSES and all_lines_shipped(order):
            try:
                orders.mark_shipped(order=order, user=user, actor=actor(user), at=when)
            except orders.OrderError as exc:
                raise FulfilmentError(str(exc)) from None
            order.refresh_from_db()
        if locked.tracking_number:
            queue_tracking_push(package=locked, user=user)
            follow_scans(order)
            package_id = locked.pk
            transaction.on_commit(lambda: enqueue_follow(package_id))
        return copy_package(package, locked)


def retry_tracking_push(*, package: Package, user=None) -> TrackingPush:
    """Queue the package's tracking upload again (after a failure)."""
    current = Package.objects.select_related("order__account").get(pk=package.pk)
    if not current.is_shipped or not current.tracking_number:
        raise FulfilmentError(f"{label_name(current).capitalize()} has not shipped with a tracking number.")
    push = queue_tracking_push(package=current, user=user, on_demand=True)
    if push is None:
        raise FulfilmentError(f"{current.order.account.get_channel_display()} orders have no tracking upload.")
    return push
