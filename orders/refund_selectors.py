"""Reads of the after-sales money side: a seller cancellation's push to the channel and the refunds
of an order, of a return, or of every order (the API's list, a constant number of queries)."""

from __future__ import annotations

from django.db.models import QuerySet

from orders.models import Refund, SellerCancellation


def seller_cancellation(order_id: int) -> SellerCancellation | None:
    return SellerCancellation.objects.filter(order_id=order_id).first()


def order_refunds(order_id: int) -> list[Refund]:
    return list(Refund.objects.filter(order_id=order_id).select_related("ret").order_by("refunded_at", "pk"))


def return_refunds(return_id: int) -> list[Refund]:
    return list(Refund.objects.filter(ret_id=return_id).order_by("refunded_at", "pk"))


def refunds() -> QuerySet[Refund]:
    """Every refund with its account and order (one query per page)."""
    return Refund.objects.select_related("account", "order").order_by("-refunded_at", "-pk")
