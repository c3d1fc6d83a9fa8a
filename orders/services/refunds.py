"""Refunds read from the channels (or created from SellerHub) stored once per channel refund id,
each linked to its order and, where they match, to the order's return.

``record_refunds`` is what a pull calls with the channel's refunds of one account: set-based
(one query for the known refunds, one for the orders, one for the returns, one insert, one update
per refund that changed), idempotent (the same refunds twice change nothing the second time).
A new refund is linked to a return of the same order whose refund (``refund_total``, else
``refund_amount``) is the refund's amount; else, when it is its order's one new unlinked refund
and the order has one return left, to that one. A stored refund keeps its return.
See docs/after-sales/seller-cancellations-and-refunds.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from integrations.channels.connectors.refunds import RemoteRefund
from orders.models import Order, Refund, Return
from orders.services.timeline import record_event

# The fields a pull may change on a stored refund.
_UPDATED = ("amount", "currency", "reason", "channel_status", "through_gateway", "refunded_at", "raw")


def _orders_for(account, refunds: list[RemoteRefund]) -> dict[str, Order]:
    """{refund id: order}: by the refund's order id, else (Square) by the payment id in the order's
    tenders."""
    wanted = {r.order_external_id for r in refunds if r.order_external_id}
    orders = {o.external_id: o for o in Order.objects.filter(account=account, external_id__in=wanted)}
    out = {}
    payments = {r.payment_id for r in refunds if r.order_external_id not in orders and r.payment_id}
    by_payment: dict[str, Order] = {}
    if payments:
        for order in Order.objects.filter(account=account, raw__has_key="tenders"):
            for tender in order.raw.get("tenders") or []:
                if isinstance(tender, dict) and tender.get("payment_id", tender.get("id")) in payments:
                    by_payment[str(tender.get("payment_id", tender.get("id")))] = order
    for refund in refunds:
        order = orders.get(refund.order_external_id) or by_payment.get(refund.payment_id)
        if order is not None:
            out[refund.external_id] = order
    return out


def _return_amount(ret: Return) -> Decimal:
    total = getattr(ret, "refund_total", None)
    return Decimal(total) if total else Decimal(ret.refund_amount or 0)


def _link_returns(new: list[Refund], returns: dict[int, list[Return]], taken: set[int]) -> None:
    """Set ``ret`` on new refunds: the same amount first; then an order's one refund left and its
    one return left."""
    for refund in new:
        match = next((r for r in returns.get(refund.order_id, []) if r.pk not in taken
                      and _return_amount(r) == refund.amount), None)
        if match is not None:
            refund.ret = match
            taken.add(match.pk)
    for order_id, candidates in returns.items():
        left = [r for r in candidates if r.pk not in taken]
        unlinked = [f for f in new if f.order_id == order_id and f.ret is None]
        if len(left) == 1 and len(unlinked) == 1:
            unlinked[0].ret = left[0]
            taken.add(left[0].pk)


def record_refunds(*, account, refunds: Iterable[RemoteRefund], source: str = Refund.Source.CHANNEL,
                   user=None) -> dict:
    """Store the channel's refunds of ``account``: new ones created (and written on the order's
    timeline), changed ones updated, the same ones left alone. Refunds of orders SellerHub does not
    have are counted as ``unknown_order`` and skipped."""
    refunds = list({r.external_id: r for r in refunds}.values())
    counts = {"created": 0, "updated": 0, "unchanged": 0, "unknown_order": 0}
    if not refunds:
        return counts
    with transaction.atomic():
        known = {r.external_id: r for r in Refund.objects.filter(
            account=account, external_id__in=[r.external_id for r in refunds])}
        orders = _orders_for(account, refunds)
        returns: dict[int, list[Return]] = {}
        for ret in Return.objects.filter(order__in={o.pk for o in orders.values()}).order_by("pk"):
            returns.setdefault(ret.order_id, []).append(ret)
        taken = set(Refund.objects.filter(order__in={o.pk for o in orders.values()}, ret__isnull=False)
                    .values_list("ret_id", flat=True))
        new = []
        for remote in refunds:
            order = orders.get(remote.external_id)
            values = {"amount": remote.amount, "currency": remote.currency, "reason": remote.reason[:500],
                      "channel_status": remote.status[:30], "through_gateway": remote.through_gateway,
                      "refunded_at": remote.created_at, "raw": remote.raw}
            stored = known.get(remote.external_id)
            if stored is not None:
                changed = [f for f in _UPDATED if getattr(stored, f) != values[f]]
                if changed:
                    for name in changed:
                        setattr(stored, name, values[name])
                    stored.save(update_fields=changed)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
                continue
            if order is None:
                counts["unknown_order"] += 1
                continue
            new.append(Refund(account=account, order=order, external_id=remote.external_id, source=source,
                              created_by=user if getattr(user, "is_authenticated", False) else None, **values))
        _link_returns(new, returns, taken)
        Refund.objects.bulk_create(new)
        for refund in new:
            record_event(refund.order, kind="refund", user=user, actor=f"sync:{account.channel}",
                         message=f"Refund {refund.external_id} of {refund.amount} {refund.currency} on "
                                 f"{account.get_channel_display()}" + (f": {refund.reason}" if refund.reason else "")
                                 + (f" (return {refund.ret_id})" if refund.ret_id else ""))
        counts["created"] = len(new)
    return counts

