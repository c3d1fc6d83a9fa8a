"""Hooks through which higher layers take part in FBT, without inventory importing them. Each
is registered once at startup from the higher app's ``AppConfig.ready``.

- FBT sales per SKU (orders registers it): the units sold through TikTok's warehouses, behind
  the inbound suggestions. With none registered, FBT has no sales history (velocity 0).
- The handler of TikTok's PACKAGE_UPDATE notifications (fulfilment registers it: the packages
  of its collection requests). With none registered, package updates are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

FbtSalesProvider = Callable[..., dict[int, int]]
PackageUpdateHandler = Callable[..., tuple[str, str]]

_fbt_sales: FbtSalesProvider | None = None
_package_update_handler: PackageUpdateHandler | None = None


def register_fbt_sales(fn: FbtSalesProvider) -> None:
    """Register ``fn(*, since, sku_ids=None) -> {sku_id: units}``: units on the lines of FBT orders
    placed since ``since`` (cancelled orders and lines left out). Registering again replaces it."""
    global _fbt_sales
    _fbt_sales = fn


def fbt_sales(*, since: dt.datetime, sku_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{sku_id: units sold through FBT since ``since``} from the registered provider; {} when none is."""
    if _fbt_sales is None:
        return {}
    return _fbt_sales(since=since, sku_ids=None if sku_ids is None else list(sku_ids))


def register_package_update_handler(fn: PackageUpdateHandler) -> None:
    """Register ``fn(*, account, payload) -> (notification status, message)`` for TikTok's
    PACKAGE_UPDATE notifications (type 4). Registering again replaces it."""
    global _package_update_handler
    _package_update_handler = fn


def package_update_handler() -> PackageUpdateHandler | None:
    return _package_update_handler
