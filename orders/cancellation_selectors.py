"""Reads of buyer cancellation requests: the queue (a constant number of queries), an order's
requests, which orders have one pending (the warehouse's picking and packing check), and the
decisions still to send. See docs/after-sales/cancellation-requests.md."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from orders.models import CancellationRequest, CancellationRequestStatus, DecisionDelivery, Order

R = CancellationRequestStatus
FILTERS = ("pending", "decided", "all")


def queue(status: str = "pending") -> QuerySet[CancellationRequest]:
    """The queue: pending requests by deadline (the most urgent first); "decided" newest first."""
    qs = CancellationRequest.objects.select_related("order", "account", "decided_by")
    if status == "pending":
        return qs.filter(status=R.PENDING).order_by("respond_by", "pk")
    if status == "decided":
        return qs.exclude(status=R.PENDING).order_by("-decided_at", "-pk")
    if status in R.values:
        return qs.filter(status=status).order_by("-requested_at", "-pk")
    return qs.order_by("-requested_at", "-pk")


def for_order(order: Order) -> list[CancellationRequest]:
    return list(order.cancellation_requests.select_related("decided_by").order_by("-requested_at", "-pk"))


def pending_order_ids(order_ids) -> set[int]:
    """The orders among ``order_ids`` with a buyer's cancellation request waiting (one query)."""
    ids = [int(i) for i in order_ids]
    if not ids:
        return set()
    return set(CancellationRequest.objects.filter(order_id__in=ids, status=R.PENDING)
               .values_list("order_id", flat=True))


def pending_for(order: Order) -> CancellationRequest | None:
    return order.cancellation_requests.filter(status=R.PENDING).order_by("pk").first()


def decisions_to_send(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> list[int]:
    """Decisions queued longer than ``older_than`` (their job was lost): send them again."""
    before = timezone.now() - older_than
    return list(CancellationRequest.objects.filter(delivery=DecisionDelivery.QUEUED, status=R.PENDING,
                                                   updated_at__lt=before).values_list("pk", flat=True)[:500])


def pending_count() -> int:
    return CancellationRequest.objects.filter(status=R.PENDING).count()
