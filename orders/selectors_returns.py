"""Reads of returns for the pages and the API: the list (a constant number of queries), one
return with its lines, timeline and decisions, and the returns a warehouse scan matches."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from orders.models import Return, ReturnDecision, ReturnEvent, ReturnLine

R = Return.Status
OPEN = (R.REQUESTED, R.RECEIVED, R.INSPECTED)
# List filters: name -> condition.
FILTERS = {
    "open": Q(status__in=OPEN) & ~Q(channel_status__in=("RETURN_OR_REFUND_REQUEST_REJECT",
                                                         "RETURN_OR_REFUND_REQUEST_CANCEL")),
    "decide": Q(channel_status__in=("RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM")),
    "receive": Q(status=R.REQUESTED, channel_status__in=("AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM")),
    "auto_approved": Q(auto_approved=True),
    "all": Q(),
}


def return_list(filter_name: str = "open") -> QuerySet:
    """Returns for the list page and the API, soonest deadline first (3 queries with their lines)."""
    condition = FILTERS.get(filter_name)
    if condition is None:
        condition = Q(status=filter_name) if filter_name in R.values else Q()
    return (Return.objects.filter(condition)
            .select_related("order__account", "account", "restock_location", "replacement_order")
            .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related(
                "order_line__sku", "restock_location").order_by("pk")))
            .order_by("respond_by", "-created_at", "-pk"))


def return_detail(pk: int) -> Return | None:
    return (Return.objects.select_related("order__account", "account", "restock_location", "replacement_order")
            .prefetch_related(
                Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line__sku", "restock_location")
                         .order_by("pk")),
                Prefetch("timeline", queryset=ReturnEvent.objects.order_by("occurred_at", "pk")),
                Prefetch("decisions", queryset=ReturnDecision.objects.select_related("requested_by")
                         .order_by("created_at", "pk")))
            .filter(pk=pk).first())


def returns_for_scan(code: str) -> list[Return]:
    """Returns waiting for their parcel whose return tracking number or order number is ``code``."""
    code = (code or "").strip()
    if not code:
        return []
    return list(Return.objects.filter(status=R.REQUESTED).exclude(kind="refund_only")
                .filter(Q(return_tracking_number__iexact=code) | Q(order__external_id=code))
                .select_related("order").order_by("pk")[:10])
