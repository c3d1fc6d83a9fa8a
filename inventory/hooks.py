"""Hooks of the inventory app that higher layers register from their ``AppConfig.ready``.

``register_reservations_released_after_count(fn)``: a stock count found fewer units on the shelf
than were reserved, so the newest reservations were released (``inventory.services.counts``).
After the count commits, ``fn(released)`` is called with a list of ``ReleasedAfterCount`` (the
reservation reference, e.g. ``"order:42"``, the SKU, the location and the units released). Orders
registers the service that moves those orders back to needs-attention. With nothing registered
the count is recorded all the same and nothing else happens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

log = logging.getLogger("inventory.services")

_released_after_count = []


@dataclass(frozen=True)
class ReleasedAfterCount:
    reference: str
    line_key: str
    sku_id: int
    seller_sku: str
    location_code: str
    quantity: int


def register_reservations_released_after_count(fn):
    """Register ``fn(released: list[ReleasedAfterCount])``, called after a short count commits."""
    if fn not in _released_after_count:
        _released_after_count.append(fn)
    return fn


def _fire(released):
    for fn in list(_released_after_count):
        try:
            fn(released)
        except Exception:  # the count is committed; a failing listener must not hide that
            log.exception("reservations-released-after-count listener %r failed", fn)


def reservations_released_after_count(released) -> None:
    """Tell the listeners, once the caller's transaction commits, which reservations a count released."""
    released = list(released)
    if released and _released_after_count:
        transaction.on_commit(lambda: _fire(released))
