"""Hooks through which a higher layer takes part in what orders do, without orders importing it.

Fulfilment owns packages: when a channel's payload carries packages, the upsert hands them to the
recorder fulfilment registers at startup (``FulfilmentConfig.ready``). With none registered, the
channel's packages are not recorded and the upsert reports no package changes.

When orders are confirmed (a stored page of orders at once, or a single order), the callbacks
registered with ``register_orders_confirmed`` hear of it after the commit, with the orders' ids.
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


OrdersConfirmed = Callable[..., None]

_orders_confirmed: list[OrdersConfirmed] = []


def register_orders_confirmed(fn: OrdersConfirmed) -> None:
    """Register ``fn(*, order_ids)``, called once the confirmation of orders is committed, with the
    ids of the orders confirmed together (a stored page of a channel's orders, or one order
    confirmed by hand); fulfilment's shipping rules apply then. Registering it again changes nothing."""
    if fn not in _orders_confirmed:
        _orders_confirmed.append(fn)


def orders_confirmed(*, order_ids: Sequence[int]) -> None:
    """Tell every registered callback that these orders were confirmed (committed); nothing happens
    when none is registered or no id is given. A failing callback is logged and never undoes the
    committed confirmation."""
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return
    for fn in list(_orders_confirmed):
        try:
            fn(order_ids=ids)
        except Exception:
            logging.getLogger("sellerhub.orders").exception("orders-confirmed hook %r failed for orders %s", fn,
                                                            ids[:20])


def order_confirmed(*, order_id: int) -> None:
    """One order confirmed (committed): ``orders_confirmed`` with a page of one."""
    orders_confirmed(order_ids=[order_id])
