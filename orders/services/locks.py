"""The row locks of the order family: the one place orders (and returns) are locked for a write.

``select_for_update(of=("self",))`` locks only the order's own row: the account joined for
reading (``select_related("account")``) is not locked, so a write to one order never waits for
another order of the same shop. Several orders are locked in primary-key order, so two writers
never wait for each other in opposite orders. Hold a lock only for database work; side effects go
in ``transaction.on_commit``.
"""

from __future__ import annotations

from orders.models import Order, Return


def lock_orders(*, defer: tuple[str, ...] = (), **lookup) -> list[Order]:
    """Lock the orders matching ``lookup`` (their own rows, in primary-key order) and return them
    with their account. Call inside ``transaction.atomic()``. ``defer``: columns not read now
    (e.g. the channel's payload and the account's encrypted credentials, for a page of orders
    whose rules read neither)."""
    queryset = Order.objects.select_for_update(of=("self",)).select_related("account").filter(**lookup)
    if defer:
        queryset = queryset.defer(*defer)
    return list(queryset.order_by("pk"))


def lock_order(order: Order | int) -> Order:
    """Lock one order's row (``Order.DoesNotExist`` when there is none)."""
    pk = order if isinstance(order, int) else order.pk
    found = lock_orders(pk=pk)
    if not found:
        raise Order.DoesNotExist(f"No order {pk}.")
    return found[0]


def lock_return(ret: Return | int, *, with_order: bool = False) -> Return:
    """Lock one return's row; ``with_order`` reads its order along (the order's row is not locked)."""
    pk = ret if isinstance(ret, int) else ret.pk
    queryset = Return.objects.select_for_update(of=("self",))
    if with_order:
        queryset = queryset.select_related("order")
    return queryset.get(pk=pk)


def sync_instance(target: Order, source: Order) -> None:
    """Copy the locked row's state onto the caller's instance so it sees what was written."""
    if target is source:
        return
    for f in Order._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
