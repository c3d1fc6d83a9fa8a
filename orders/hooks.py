"""Hooks through which a higher layer takes part in what orders do, without orders importing it.

Fulfilment owns packages: when a channel's payload carries packages, the upsert hands them to the
recorder fulfilment registers at startup (``FulfilmentConfig.ready``). With none registered, the
channel's packages are not recorded and the upsert reports no package changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # apps import this module while models load: no model import at run time
    from orders.mapping import ChannelPackage
    from orders.models import Order

ChannelPackagesRecorder = Callable[..., list[str]]

_channel_packages_recorder: ChannelPackagesRecorder | None = None


def register_channel_packages_recorder(fn: ChannelPackagesRecorder) -> None:
    """Register ``fn(*, order, packages) -> list[str]`` (one note per package change) as the recorder
    of a channel's packages. Registering again replaces the previous one."""
    global _channel_packages_recorder
    _channel_packages_recorder = fn


def record_channel_packages(*, order: Order, packages: Sequence[ChannelPackage]) -> list[str]:
    """Record the channel's packages of ``order`` through the registered recorder; [] when none is."""
    if _channel_packages_recorder is None or not packages:
        return []
    return _channel_packages_recorder(order=order, packages=packages)


OrderConfirmed = Callable[..., None]

_order_confirmed: list[OrderConfirmed] = []


def register_order_confirmed(fn: OrderConfirmed) -> None:
    """Register ``fn(*, order_id)``, called once an order's confirmation is committed (fulfilment's
    shipping rules apply then). Registering the same function again changes nothing."""
    if fn not in _order_confirmed:
        _order_confirmed.append(fn)


def order_confirmed(*, order_id: int) -> None:
    """Tell every registered callback that the order was confirmed; nothing happens when none is.
    A failing callback is logged and never undoes the committed confirmation."""
    for fn in list(_order_confirmed):
        try:
            fn(order_id=order_id)
        except Exception:
            logging.getLogger("sellerhub.orders").exception("order-confirmed hook %r failed for order %s", fn,
                                                            order_id)
