"""Hooks through which a higher layer takes part in what orders do, without orders importing it.

Fulfilment owns packages: when a channel's payload carries packages, the upsert hands them to the
recorder fulfilment registers at startup (``FulfilmentConfig.ready``). With none registered, the
channel's packages are not recorded and the upsert reports no package changes.
"""

from __future__ import annotations

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
