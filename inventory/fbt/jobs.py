"""FBT background work (RQ, queue "sync"): synchronising FBT stock and inbound receipts from
TikTok, and processing TikTok's FBT and logistics notifications. Every job is idempotent: stock
figures are absolute (counts) and receipts are running totals.

    sync_account(account)            warehouses -> FBT locations, FBT inventory -> FBT stock (ledger
                                     reason count), open inbound shipments' receipts, own thresholds
    sync_fbt_job(run_id, account_id) the same as a tracked job with progress ("Sync FBT now")
    sync_all()                       cron: every connected TikTok account
    process_notification(pk)         one stored notification (types 4, 21, 24, 27)
    sweep_notifications()            cron: notifications whose job was lost
"""

from __future__ import annotations

import logging
from datetime import timedelta

import django_rq
from django.db import transaction
from django.utils import timezone

from integrations.tiktok import fbt as tiktok
from inventory.fbt import hooks, selectors, services
from inventory.fbt.models import NOTIFICATION_SOURCE, InboundShipment
from sellerhub import inbox
from sellerhub.jobs import progress, tracked
from sellerhub.models import Channel, ChannelAccount, WebhookEvent

log = logging.getLogger("sellerhub.fbt")
QUEUE = "sync"
Notice = WebhookEvent.Status


def _enqueue(func, *args):
    def run():
        try:
            django_rq.get_queue(QUEUE).enqueue(func, *args, job_timeout=900)
        except Exception:  # Redis down: the sweep picks it up later
            log.exception("could not enqueue %s%r", func.__name__, args)

    transaction.on_commit(run)


def tiktok_accounts() -> list[ChannelAccount]:
    """Active TikTok accounts that are connected (credentials are encrypted: checked here, not in SQL)."""
    accounts = ChannelAccount.objects.filter(channel=Channel.TIKTOK, active=True).order_by("pk")
    return [a for a in accounts if (a.credentials or {}).get("app_key")]


# ---------------------------------------------------------------------------------------------
# Synchronising from TikTok


def _inventory_rows(connector, warehouse_ids, report=None):
    rows, token, pages = [], "", 0
    while True:
        data = tiktok.call(connector, tiktok.inventory_request(warehouse_ids=warehouse_ids, page_token=token))
        page, token = tiktok.parse_inventory(data)
        rows.extend(page)
        pages += 1
        if report:
            report(pages, len(rows))
        if not token or pages >= 500:
            return rows


def sync_receipts(connector, account, shipments) -> dict:
    """Look up TikTok's inbound orders of shipments in transit and apply what was received."""
    shipments = [s for s in shipments if s.ibr_id]
    applied = {"shipments": 0, "received": 0, "damaged": 0, "unknown_goods": []}
    for start in range(0, len(shipments), tiktok.INBOUND_BATCH):
        batch = shipments[start:start + tiktok.INBOUND_BATCH]
        data = tiktok.call(connector, tiktok.inbound_orders_request([s.ibr_id for s in batch]))
        orders = {o.id.upper(): o for o in tiktok.parse_inbound_orders(data)}
        for shipment in batch:
            order = orders.get(shipment.ibr_id.upper())
            if order is None:
                continue
            result = apply_inbound_order(shipment, order, account=account)
            applied["shipments"] += 1
            applied["received"] += result.get("received", 0)
            applied["damaged"] += result.get("damaged", 0)
            applied["unknown_goods"] += result.get("unknown_goods", [])
    return applied


def apply_inbound_order(shipment: InboundShipment, order, *, account=None) -> dict:
    """TikTok's view of an IBR: its status, and (while receiving or once received) its receipts."""
    if order.status:
        services.record_tiktok_status(shipment=shipment, status=order.status, at=order.updated_at)
    if order.status not in tiktok.RECEIPT_STATUSES or not order.received:
        return {"status": order.status}
    shipment.refresh_from_db()
    if shipment.status not in InboundShipment.TRANSIT_STATUSES + (InboundShipment.Status.RECEIVED,):
        return {"status": order.status, "skipped": f"{shipment.reference} is {shipment.get_status_display()}"}
    counts, unknown = services.lines_for_goods(shipment, order, account=account)
    result = services.receive_inbound(shipment=shipment, counts=counts, actor="tiktok", tolerate_excess=True,
                                      note=("TikTok received goods not on this shipment: " + ", ".join(unknown))
                                      if unknown else "")
    result["unknown_goods"] = unknown
    return result


def sync_account(account: ChannelAccount, *, report=None) -> dict:
    """Everything FBT of one TikTok account, from TikTok; returns a summary for the job page."""
    report = report or (lambda pct, msg: None)
    connector = tiktok.open_connector(account)
    try:
        report(5, f"{account.name}: FBT warehouses")
        warehouses = tiktok.parse_warehouses(tiktok.call(connector, tiktok.warehouses_request()))
        locations = {w.id: services.ensure_fbt_location(warehouse=w, account=account) for w in warehouses}
        report(15, f"{account.name}: FBT inventory of {len(locations)} warehouse(s)")
        rows = _inventory_rows(connector, list(locations),
                               lambda pages, n: report(min(15 + pages * 5, 60), f"FBT inventory: {n:,} goods read"))
        report(65, f"Applying {len(rows):,} FBT stock figures")
        stock = services.apply_fbt_stock(account=account, rows=rows, locations=locations)
        report(75, "Inbound shipments in transit")
        receipts = sync_receipts(connector, account, list(selectors.awaiting_tiktok()))
    finally:
        connector.close()
    report(90, "Replenishment thresholds")
    thresholds = services.check_thresholds()
    parts = [f"{stock['matched']:,} SKUs at {len(locations)} FBT warehouse(s), {stock['changed']:,} changed"]
    if stock["unmatched"]:
        parts.append(f"{len(stock['unmatched'])} goods not matched to a SKU ({', '.join(stock['unmatched'][:5])})")
    if receipts["received"] or receipts["damaged"]:
        parts.append(f"{receipts['received']:,} units received on inbound shipments")
    if thresholds["opened"] or thresholds["resolved"]:
        parts.append(f"alerts: {thresholds['opened']} opened, {thresholds['resolved']} resolved")
    return {"message": f"{account.name}: " + "; ".join(parts), "warehouses": len(locations), "stock": stock,
            "receipts": receipts, "thresholds": thresholds}


def sync_goods(account: ChannelAccount, sku_ids) -> dict:
    """The FBT figures of some TikTok SKUs (an FBT_INVENTORY_UPDATE notification), then the own
    thresholds. A warehouse SellerHub does not know yet makes it a full sync."""
    connector = tiktok.open_connector(account)
    try:
        rows, token, pages = [], "", 0
        while True:
            data = tiktok.call(connector, tiktok.inventory_request(sku_ids=sku_ids, page_token=token))
            page, token = tiktok.parse_inventory(data)
            rows.extend(page)
            pages += 1
            if not token or pages >= 20:
                break
    finally:
        connector.close()
    locations = {loc.external_id: loc for loc in selectors.fbt_locations(active_only=False).exclude(external_id="")}
    if any(row.warehouse_id not in locations for row in rows):
        return sync_account(account)
    stock = services.apply_fbt_stock(account=account, rows=rows, locations=locations)
    services.check_thresholds()
    return {"message": f"{account.name}: FBT stock of {stock['matched']} SKU(s) read, {stock['changed']} changed",
            "stock": stock}


@tracked
def sync_fbt_job(run_id, account_id):
    account = ChannelAccount.objects.get(pk=account_id)
    try:
        return sync_account(account, report=lambda pct, msg: progress(run_id, pct, msg))
    except tiktok.FbtError as exc:
        raise RuntimeError(str(exc)) from exc


def sync_account_job(account_id: int) -> dict:
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "account gone or inactive"}
    try:
        return sync_account(account)
    except tiktok.FbtError as exc:
        log.warning("FBT sync of %s failed: %s", account, exc)
        return {"message": str(exc), "failed": True}


def sync_all() -> dict:
    """Cron: an FBT sync of every connected TikTok account (each its own job)."""
    ids = [a.pk for a in tiktok_accounts()]
    for pk in ids:
        django_rq.get_queue(QUEUE).enqueue(sync_account_job, pk, job_timeout=900)
    if not ids:  # no account: the shop's thresholds still apply to stock entered by hand
        services.check_thresholds()
    return {"accounts": ids}


# ---------------------------------------------------------------------------------------------
# Notifications


def handle_inline(notification: WebhookEvent) -> tuple[str, str] | None:
    """Notifications processed while TikTok waits (database only, no call to TikTok):
    replenishment alerts. Returns (status, message), or None when a job must do it."""
    if notification_type(notification) != tiktok.INVENTORY_STATUS:
        return None
    notice = tiktok.parse_inventory_alert(notification.payload)
    alert, outcome = services.record_tiktok_alert(account=notification.account, notice=notice,
                                                  notification_id=notification.key)
    if alert is None:
        return (Notice.PROCESSED if outcome == "resolved" else Notice.IGNORED), f"inventory status: {outcome}"
    return Notice.PROCESSED, f"alert {alert.pk} {outcome}: {alert.get_alert_type_display()} {alert.sku_key}"


def notification_type(notification: WebhookEvent) -> int:
    """The TikTok notification type of an inbox row (its topic)."""
    return int(notification.topic) if notification.topic.isdigit() else 0


def process(notification: WebhookEvent) -> tuple[str, str]:
    account = notification.account
    kind = notification_type(notification)
    if kind == tiktok.INVENTORY_STATUS:
        return handle_inline(notification)
    if kind == tiktok.INBOUND_STATUS:
        notice = tiktok.parse_inbound_notice(notification.payload)
        shipment = selectors.shipment_for_ibr(notice.inbound_order_id)
        if shipment is None:
            return Notice.IGNORED, f"no inbound shipment has IBR {notice.inbound_order_id}"
        services.record_tiktok_status(shipment=shipment, status=notice.status, at=notice.updated_at)
        if notice.status not in tiktok.RECEIPT_STATUSES:
            return Notice.PROCESSED, f"{shipment.reference}: TikTok status {notice.status}"
        connector = tiktok.open_connector(shipment.account or account)
        try:
            data = tiktok.call(connector, tiktok.inbound_orders_request([notice.inbound_order_id]))
        finally:
            connector.close()
        orders = tiktok.parse_inbound_orders(data)
        if not orders:
            return Notice.FAILED, f"TikTok has no inbound order {notice.inbound_order_id}"
        result = apply_inbound_order(shipment, orders[0], account=account)
        return Notice.PROCESSED, (f"{shipment.reference}: {result.get('received', 0)} received, "
                                  f"{result.get('damaged', 0)} damaged")
    if kind == tiktok.FBT_INVENTORY:
        data = notification.payload.get("data") or {}
        sku_id = str(data.get("sku_id") or "")
        result = sync_goods(account, [sku_id]) if sku_id else sync_account(account)
        return Notice.PROCESSED, result["message"][:500]
    if kind == tiktok.PACKAGE_UPDATE:
        handler = hooks.package_update_handler()  # fulfilment's collection requests, registered at startup
        if handler is None:
            return Notice.IGNORED, "package updates are not followed here"
        return handler(account=account, payload=notification.payload)
    return Notice.IGNORED, f"notification type {kind} is not handled"


def process_notification(pk: int) -> dict:
    notification = (WebhookEvent.objects.select_related("account")
                    .filter(pk=pk, source=NOTIFICATION_SOURCE, account__isnull=False).first())
    if notification is None or notification.status in (Notice.PROCESSED, Notice.IGNORED):
        return {"message": "nothing to do"}
    try:
        status, message = process(notification)
    except tiktok.FbtError as exc:
        status, message = Notice.FAILED, str(exc)
    except services.InboundError as exc:
        status, message = Notice.FAILED, str(exc)
    inbox.finish(event=notification, outcome=inbox.Outcome(status, message, message if status == Notice.FAILED else ""))
    return {"status": status, "message": message}


def enqueue_notification(pk: int) -> None:
    _enqueue(process_notification, pk)


def sweep_notifications(*, older_than_minutes: int = 5, retry_failed_hours: int = 24) -> dict:
    """Cron: notifications still waiting (their job was lost) and recent failures (TikTok was
    unreachable) are processed again; an old failure is left for ops to read."""
    now = timezone.now()
    notices = WebhookEvent.objects.filter(source=NOTIFICATION_SOURCE)
    waiting = notices.filter(status=Notice.RECEIVED, received_at__lt=now - timedelta(minutes=older_than_minutes))
    failed = notices.filter(status=Notice.FAILED, attempts__lt=5,
                            received_at__gte=now - timedelta(hours=retry_failed_hours))
    ids = list(waiting.values_list("pk", flat=True)[:500]) + list(failed.values_list("pk", flat=True)[:500])
    for pk in ids:
        django_rq.get_queue(QUEUE).enqueue(process_notification, pk, job_timeout=900)
    return {"requeued": len(ids)}
