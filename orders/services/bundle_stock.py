"""What a bundle line is short of: its components (its own SKU holds no stock), for the
short-stock rows of confirmation."""

from __future__ import annotations

from collections import defaultdict

from inventory.models import SKU
from orders.services.stock_effects import stock_requests


def bundle_shortfalls(lines, exc=None, requests=None) -> dict[int, tuple[str, int, list[int]]]:
    """{component SKU id: (seller SKU, units the order's bundle lines ask for, their line ids)}:
    the components the reservation found short (``exc``), or every component when not given.
    Nothing (and no query) when the order has no bundle line short. ``requests``: the order's
    stock requests when the caller has them (a page's), else read from its lines."""
    if exc is not None and not any(":" in short.line_key for short in exc.shortfalls):
        return {}
    wanted = {short.sku_id for short in exc.shortfalls} if exc is not None else None
    names = {short.sku_id: short.seller_sku for short in exc.shortfalls} if exc is not None else {}
    found: dict[int, list] = defaultdict(lambda: ["", 0, []])
    for request in stock_requests(list(lines)) if requests is None else requests:
        if ":" in request.line_key and (wanted is None or request.sku_id in wanted):
            row = found[request.sku_id]  # "<line id>:<component id>": a bundle line's component
            row[1] += request.quantity
            row[2].append(int(request.line_key.split(":")[0]))
    missing = [sku_id for sku_id in found if sku_id not in names]
    if missing:
        names.update(SKU.objects.filter(pk__in=missing).values_list("pk", "seller_sku"))
    for sku_id, row in found.items():
        row[0] = names.get(sku_id, str(sku_id))
    return {sku_id: tuple(row) for sku_id, row in found.items()}
