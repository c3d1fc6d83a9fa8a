"""The stock side of an order's moves, through the inventory services: reserving its lines,
consuming on shipping, and holding again what changed lines need.

A bundle line holds no stock of its own: ``stock_requests`` turns it into one request per
component (quantity × units per bundle, line key ``"<line id>:<component SKU id>"``), so every
path that reserves an order (confirmation, a page of orders, shipping unconfirmed) reserves, and
shipping consumes, the components."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, Sum

from inventory import services as stock
from inventory.bundles import components_of
from inventory.models import Reservation
from orders.models import Fulfilment, Order, OrderLine
from orders.services.attention import unmatched_detail
from orders.services.errors import OrderError
from orders.services.timeline import active_lines


def bundle_line_key(line_id: int, component_sku_id: int) -> str:
    """The reservation line key of one component of a bundle line."""
    return f"{line_id}:{component_sku_id}"


def stock_requests(lines: list[OrderLine]) -> list[stock.StockRequest]:
    """The stock requests of these lines (matched, not cancelled): one per line, or one per
    component of a bundle line. One query (the bundles' components), whatever the lines."""
    lines = [line for line in lines if line.sku_id and not line.cancelled]
    parts = components_of({line.sku_id for line in lines})
    requests = []
    for line in lines:
        if line.sku_id not in parts:
            requests.append(stock.StockRequest(line_key=str(line.pk), sku_id=line.sku_id, quantity=line.quantity))
            continue
        requests.extend(stock.StockRequest(line_key=bundle_line_key(line.pk, component_id), sku_id=component_id,
                                           quantity=line.quantity * units)
                        for component_id, units in parts[line.sku_id])
    return requests


def reserve_lines(order: Order, user) -> list:
    lines = active_lines(order)
    unmatched = [line for line in lines if line.sku_id is None]
    if unmatched:
        raise OrderError(unmatched_detail(order))
    return stock.reserve(reference=order.reservation_reference, requests=stock_requests(lines),
                         location_codes=list(order.account.location_priority or []) or None, user=user)


def consume_on_ship(order: Order, user) -> dict:
    """Shipping takes the reserved units off the shelf (ledger reason sale). An order shipped on
    the channel without ever being confirmed here is reserved and consumed in one go when its
    stock allows; otherwise the event says that stock was not deducted."""
    if order.fulfilment == Fulfilment.FBT:
        return {"stock": "fulfilled by TikTok: no own stock"}
    reference = order.reservation_reference
    if not Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE).exists():
        lines = active_lines(order)
        if not lines or any(line.sku_id is None for line in lines):
            return {"stock": "not deducted: the order has lines without a SKU; count the shelf"}
        try:
            with transaction.atomic():
                stock.reserve(reference=reference, requests=stock_requests(lines),
                              location_codes=list(order.account.location_priority or []) or None, user=user)
        except stock.InsufficientStock as exc:
            return {"stock": f"not deducted: {exc}"}
    units = stock.consume(reference=reference, user=user)
    return {"stock": f"{units} unit(s) left the shelf"}


def resync_reservation(order: Order, *, user) -> list[str]:
    """The channel changed the lines of a confirmed order (a line cancelled or added): hold exactly
    what the active lines need. Returns notes for the timeline."""
    reference = order.reservation_reference
    lines = active_lines(order)
    cancelled = [str(pk) for pk in order.lines.filter(cancelled=True).values_list("pk", flat=True)]
    try:
        with transaction.atomic():
            of_cancelled = Q(line_key__in=cancelled)
            for pk in cancelled:  # a cancelled bundle line's components
                of_cancelled |= Q(line_key__startswith=f"{pk}:")
            released = Reservation.objects.filter(of_cancelled, reference=reference, state=Reservation.State.ACTIVE,
                                                  ).aggregate(n=Sum("quantity"))["n"] or 0
            if released:  # release everything, then hold again what the active lines need
                stock.release(reference=reference, user=user, note="line cancelled on the channel")
            if lines and all(line.sku_id for line in lines):
                stock.reserve(reference=reference, requests=stock_requests(lines),
                              location_codes=list(order.account.location_priority or []) or None, user=user)
    except stock.InsufficientStock as exc:
        return [f"the channel changed the lines after confirmation and not all could be reserved: {exc}"]
    return [f"a line was cancelled on the channel: its {released} reserved unit(s) are free again"] if released else []
