"""TikTok's FBT API (Fulfilled by TikTok, docs/domain/tiktok-shop.md#fbt) as pure functions.

Requests are ``ApiRequest`` values built by ``integrations.tiktok.client.request`` (signed and
sent through the account's connector: token refresh, retries with backoff); answers and
notifications are mapped to the small dataclasses below by pure functions, so they are tested
without HTTP. ``call(connector, request)`` (the client's) is the only call site;
``open_connector(account)`` opens the account's connection.

Field names follow the domain page (``on_hand_detail{total,available,reserved,unfulfillable}``);
the ``*_quantity`` spellings some SDKs use are read too.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from integrations.tiktok.client import TikTokError, call, open_connector
from integrations.tiktok.client import request as _request

log = logging.getLogger("sellerhub.fbt")

INVENTORY_PAGE_SIZE = 100
INBOUND_BATCH = 20

# Notification types (docs/domain/tiktok-shop.md#webhooks, #fbt).
PACKAGE_UPDATE = 4
INBOUND_STATUS = 21
GOODS_MATCH = 23
FBT_INVENTORY = 24
INVENTORY_STATUS = 27
# The event_type names to register each of them under (PUT /event/202309/webhooks).
EVENT_TYPES = {
    PACKAGE_UPDATE: "PACKAGE_UPDATE",
    INBOUND_STATUS: "INBOUND_FBT_ORDER_STATUS_CHANGE",
    FBT_INVENTORY: "FBT_INVENTORY_UPDATE",
    INVENTORY_STATUS: "INVENTORY_STATUS_CHANGE",
}
INBOUND_STATUSES = ("TO_BE_RECEIVED", "ARRIVE_HUB", "RECEIVING", "PARTIALLY_RECEIVED", "RECEIVED", "CANCELLED")
RECEIPT_STATUSES = ("RECEIVING", "PARTIALLY_RECEIVED", "RECEIVED")


# The error FBT callers catch: the client's one TikTok error type.
FbtError = TikTokError


# ---------------------------------------------------------------------------------------------
# Requests


def warehouses_request():
    return _request("GET", "/fbt/202408/warehouses", operation="fbt.warehouses")


def inventory_request(*, warehouse_ids=(), sku_ids=(), page_token: str = ""):
    body: dict[str, Any] = {}
    if warehouse_ids:
        body["fbt_warehouse_ids"] = [str(w) for w in warehouse_ids]
    if sku_ids:
        body["sku_ids"] = [str(s) for s in sku_ids]
    params = [("page_size", str(INVENTORY_PAGE_SIZE))]
    if page_token:
        params.append(("page_token", page_token))
    return _request("POST", "/fbt/202408/inventory/search", params=params, json=body, operation="fbt.inventory")


def inbound_orders_request(ids):
    ids = [str(i) for i in ids if i]
    if not 1 <= len(ids) <= INBOUND_BATCH:
        raise ValueError(f"inbound orders take 1 to {INBOUND_BATCH} ids, got {len(ids)}")
    return _request("GET", "/fbt/202409/inbound_orders", params=[("ids", ",".join(ids))],
                    operation="fbt.inbound_orders")


def webhook_request(event_type: str, address: str):
    return _request("PUT", "/event/202309/webhooks", json={"address": address, "event_type": event_type},
                    operation="event.webhooks")


def goods_search_request(reference_codes=()):
    body = {"reference_codes": [str(c) for c in reference_codes]} if reference_codes else {}
    return _request("POST", "/fbt/202409/goods/search", json=body, operation="fbt.goods")


# ---------------------------------------------------------------------------------------------
# Answers


def _int(value, default=0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, float):
        return int(value)
    return default


def _str(value) -> str:
    return "" if value is None else str(value).strip()


def _time(value) -> dt.datetime | None:
    seconds = _int(value)
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds > 0 else None


def _detail(detail, name) -> int:
    if not isinstance(detail, dict):
        return 0
    return _int(detail.get(name, detail.get(f"{name}_quantity")))


@dataclass(frozen=True)
class FbtWarehouse:
    id: str
    name: str
    city: str = ""
    state: str = ""
    country: str = "US"


@dataclass(frozen=True)
class FbtStockRow:
    warehouse_id: str
    goods_id: str
    goods_name: str
    reference_code: str
    sku_ids: tuple[str, ...]
    total: int
    available: int
    reserved: int
    unfulfillable: int
    in_transit: int = 0


@dataclass(frozen=True)
class InboundGoods:
    goods_id: str
    reference_code: str = ""
    sku_ids: tuple[str, ...] = ()
    quantity: int = 0


@dataclass(frozen=True)
class InboundOrder:
    id: str
    status: str
    warehouse_id: str
    planned: tuple[InboundGoods, ...]
    # goods id -> (sellable units received, defective units), summed over the received batches
    received: dict[str, tuple[int, int]] = field(default_factory=dict)
    goods_skus: dict[str, tuple[str, ...]] = field(default_factory=dict)  # goods id -> TikTok SKU ids
    updated_at: dt.datetime | None = None


def parse_warehouses(data) -> list[FbtWarehouse]:
    out = []
    for row in (data or {}).get("warehouses") or []:
        if not isinstance(row, dict) or not row.get("id"):
            continue
        address = row.get("address") if isinstance(row.get("address"), dict) else {}
        out.append(FbtWarehouse(id=_str(row["id"]), name=_str(row.get("name")) or f"FBT {row['id']}",
                                city=_str(address.get("city")), state=_str(address.get("state")),
                                country=_str(address.get("region_code")) or "US"))
    return out


def parse_inventory(data) -> tuple[list[FbtStockRow], str]:
    """(rows, next page token) of an FBT inventory search answer."""
    rows = []
    for entry in (data or {}).get("inventory") or []:
        if not isinstance(entry, dict):
            continue
        goods = entry.get("goods") if isinstance(entry.get("goods"), dict) else {}
        goods_id = _str(goods.get("id"))
        if not goods_id:
            continue
        detail = entry.get("on_hand_detail") or {}
        sku_ids = tuple(_str(s.get("id")) for s in goods.get("skus") or [] if isinstance(s, dict) and s.get("id"))
        rows.append(FbtStockRow(
            warehouse_id=_str(entry.get("fbt_warehouse_id")), goods_id=goods_id, goods_name=_str(goods.get("name")),
            reference_code=_str(goods.get("reference_code")), sku_ids=sku_ids,
            total=max(_detail(detail, "total"), 0), available=max(_detail(detail, "available"), 0),
            reserved=max(_detail(detail, "reserved"), 0), unfulfillable=max(_detail(detail, "unfulfillable"), 0),
            in_transit=max(_int(entry.get("in_transit_quantity")), 0)))
    return rows, _str((data or {}).get("next_page_token"))


def parse_inbound_orders(data) -> list[InboundOrder]:
    out = []
    for row in (data or {}).get("inbound_orders") or []:
        if not isinstance(row, dict) or not row.get("id"):
            continue
        warehouse = row.get("warehouse") if isinstance(row.get("warehouse"), dict) else {}
        planned, goods_skus = [], {}
        for goods in row.get("planned_goods") or []:
            if not isinstance(goods, dict):
                continue
            goods_id = _str(goods.get("id") or goods.get("goods_id"))
            sku_ids = tuple(_str(s) for s in goods.get("sku_ids") or [] if s)
            planned.append(InboundGoods(goods_id=goods_id, reference_code=_str(goods.get("reference_code")),
                                        sku_ids=sku_ids, quantity=_int(goods.get("quantity"))))
            if goods_id and sku_ids:
                goods_skus[goods_id] = sku_ids
        received: dict[str, tuple[int, int]] = {}
        for batch in row.get("received_batches") or []:
            if not isinstance(batch, dict):
                continue
            goods_id = _str(batch.get("goods_id"))
            if not goods_id:
                continue
            normal = _int(batch.get("normal_quantity"))
            defective = _int(batch.get("defective_quantity"))
            if not normal and not defective:
                normal = _int(batch.get("total_quantity"))
            sellable, damaged = received.get(goods_id, (0, 0))
            received[goods_id] = (sellable + max(normal, 0), damaged + max(defective, 0))
            sku_ids = tuple(_str(s) for s in batch.get("sku_ids") or [] if s)
            if sku_ids:
                goods_skus.setdefault(goods_id, sku_ids)
        out.append(InboundOrder(
            id=_str(row["id"]), status=_str(row.get("status") or row.get("order_status")).upper(),
            warehouse_id=_str(warehouse.get("fbt_warehouse_id") or row.get("fbt_warehouse_id")),
            planned=tuple(planned), received=received, goods_skus=goods_skus,
            updated_at=_time(row.get("update_time"))))
    return out


# ---------------------------------------------------------------------------------------------
# Notifications


@dataclass(frozen=True)
class InboundNotice:
    inbound_order_id: str
    status: str
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class InventoryAlertNotice:
    sku_id: str
    product_id: str
    alert_type: str  # REALTIME or PREDICTION
    inventory_status: str  # SUFFICIENT_STOCK, LOW_STOCK, OUT_OF_STOCK
    lead_days: int | None
    threshold: int | None
    available: int | None
    distribution: dict
    updated_at: dt.datetime | None
    warehouse_id: str = ""


def _data(payload) -> dict:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise FbtError("the notification has no data object")
    return data


def parse_inbound_notice(payload) -> InboundNotice:
    data = _data(payload)
    ibr = _str(data.get("inbound_order_id"))
    status = _str(data.get("order_status")).upper()
    if not ibr:
        raise FbtError("the notification names no inbound_order_id")
    if status not in INBOUND_STATUSES:
        raise FbtError(f"unknown inbound order status {status or '(none)'}")
    return InboundNotice(inbound_order_id=ibr, status=status, updated_at=_time(data.get("update_time")))


def parse_inventory_alert(payload) -> InventoryAlertNotice:
    data = _data(payload)
    sku_id = _str(data.get("sku_id"))
    if not sku_id:
        raise FbtError("the notification names no sku_id")
    reason = data.get("trigger_reason") if isinstance(data.get("trigger_reason"), dict) else {}
    alert_type = _str(reason.get("alert_type")).upper() or "REALTIME"
    if alert_type not in ("REALTIME", "PREDICTION"):
        raise FbtError(f"unknown alert_type {alert_type}")
    distribution = data.get("inventory_distribution") if isinstance(data.get("inventory_distribution"), dict) else {}
    status = _str(data.get("current_inventory_status")).upper()
    lead = reason.get("lead_days")
    threshold = reason.get("low_stock_threshold")
    available = distribution.get("available_quantity")
    return InventoryAlertNotice(
        sku_id=sku_id, product_id=_str(data.get("product_id")), alert_type=alert_type, inventory_status=status,
        lead_days=_int(lead) if lead is not None else None,
        threshold=_int(threshold) if threshold is not None else None,
        available=_int(available) if available is not None else None,
        distribution={k: _int(v) for k, v in distribution.items()}, updated_at=_time(data.get("update_time")),
        warehouse_id=_str(data.get("fbt_warehouse_id") or data.get("warehouse_id")))


def package_ids_of(payload) -> list[str]:
    """The package ids a PACKAGE_UPDATE (type 4) notification names."""
    data = _data(payload)
    ids = [_str(p.get("package_id")) for p in data.get("package_list") or [] if isinstance(p, dict)]
    if data.get("package_id"):
        ids.append(_str(data["package_id"]))
    return [i for i in dict.fromkeys(ids) if i]


# ---------------------------------------------------------------------------------------------
# The call site


def register_webhooks(account, address: str) -> list[str]:
    """Register ``address`` with TikTok for the FBT and logistics event types (TikTok keeps one
    address per event type). Returns the event types registered."""
    connector = open_connector(account)
    try:
        for event_type in EVENT_TYPES.values():
            call(connector, webhook_request(event_type, address))
    finally:
        connector.close()
    return list(EVENT_TYPES.values())


__all__ = [
    "EVENT_TYPES", "FBT_INVENTORY", "GOODS_MATCH", "INBOUND_BATCH", "INBOUND_STATUS", "INBOUND_STATUSES",
    "INVENTORY_PAGE_SIZE", "INVENTORY_STATUS", "PACKAGE_UPDATE", "RECEIPT_STATUSES", "FbtError", "FbtStockRow",
    "FbtWarehouse", "InboundGoods", "InboundNotice", "InboundOrder", "InventoryAlertNotice", "call",
    "goods_search_request", "inbound_orders_request", "inventory_request", "open_connector", "package_ids_of",
    "parse_inbound_notice", "parse_inbound_orders", "parse_inventory", "parse_inventory_alert", "parse_warehouses",
    "register_webhooks", "warehouses_request", "webhook_request",
]
