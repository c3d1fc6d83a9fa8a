"""Replenishment alerts: TikTok's inventory status notifications, the shop's own reorder-point
thresholds at the FBT warehouses, and alerts dismissed by hand."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inventory.fbt import selectors
from inventory.fbt.models import ReplenishmentAlert
from inventory.fbt.services.inbound_rules import InboundError, user_or_none
from inventory.fbt.services.locks import lock_open_alert
from inventory.models import SKU, ChannelListing, Location


def _open_or_update(*, key: dict, values: dict, now) -> tuple[ReplenishmentAlert, bool]:
    """The open alert of (sku_key, warehouse_key, alert_type), reported once more; or a new one.
    Safe against two notifications arriving at once (the partial unique index decides)."""
    for _attempt in range(2):
        with transaction.atomic():
            alert = lock_open_alert(**key)
            if alert is not None:
                update = {k: v for k, v in values.items() if k not in ("notification_id",)}
                ReplenishmentAlert.objects.filter(pk=alert.pk).update(
                    **update, times_reported=F("times_reported") + 1, last_reported_at=now)
                alert.refresh_from_db()
                return alert, False
            try:
                with transaction.atomic():
                    alert = ReplenishmentAlert.objects.create(**key, **values, first_reported_at=now,
                                                              last_reported_at=now)
                return alert, True
            except IntegrityError:
                continue  # opened by a concurrent notification: update that one
    raise InboundError("the alert could not be recorded (concurrent updates); try again")


def _resolve(query, *, reason: str, user=None) -> int:
    return query.filter(status=ReplenishmentAlert.Status.OPEN).update(
        status=ReplenishmentAlert.Status.RESOLVED, resolved_at=timezone.now(), resolution=reason[:300],
        resolved_by=user_or_none(user))


def _sku_for_tiktok(account, sku_id) -> SKU | None:
    if account is not None:
        listing = ChannelListing.objects.filter(account=account, external_variant_id=sku_id).exclude(sku=None) \
            .select_related("sku").first()
        if listing is not None:
            return listing.sku
    return None


def _fbt_location_for(account, warehouse_id: str) -> Location | None:
    if warehouse_id:
        return Location.objects.filter(kind=Location.Kind.FBT, external_id=warehouse_id).first()
    candidates = list(Location.objects.filter(kind=Location.Kind.FBT, active=True)[:2])
    return candidates[0] if len(candidates) == 1 else None


def record_tiktok_alert(*, account, notice, notification_id: str = "") -> tuple[ReplenishmentAlert | None, str]:
    """A TikTok inventory status notification (type 27). LOW_STOCK / OUT_OF_STOCK / a predicted
    stock-out opens an alert or reports the open one again; SUFFICIENT_STOCK resolves TikTok's
    open alerts of the SKU. Returns (alert, "opened" | "updated" | "resolved" | "ignored")."""
    sku = _sku_for_tiktok(account, notice.sku_id)
    location = _fbt_location_for(account, notice.warehouse_id)
    sku_key = sku.seller_sku if sku else f"tiktok:{notice.sku_id}"
    warehouse_key = location.external_id if location else notice.warehouse_id
    now = timezone.now()
    base = ReplenishmentAlert.objects.filter(source=ReplenishmentAlert.Source.TIKTOK, sku_key=sku_key)
    if notice.alert_type == "REALTIME" and notice.inventory_status == "SUFFICIENT_STOCK":
        done = _resolve(base, reason="TikTok reports sufficient stock")
        return None, "resolved" if done else "ignored"
    if notice.alert_type == "PREDICTION":
        alert_type = ReplenishmentAlert.AlertType.PREDICTED
    elif notice.inventory_status in ("LOW_STOCK", "OUT_OF_STOCK"):
        alert_type = notice.inventory_status
    else:
        return None, "ignored"
    values = {"source": ReplenishmentAlert.Source.TIKTOK, "sku": sku, "location": location, "account": account,
              "external_sku_id": notice.sku_id, "external_product_id": notice.product_id,
              "inventory_status": notice.inventory_status, "lead_days": notice.lead_days,
              "threshold": notice.threshold, "quantity": notice.available,
              "details": {"inventory_distribution": notice.distribution}, "notification_id": notification_id[:64]}
    alert, created = _open_or_update(key={"sku_key": sku_key, "warehouse_key": warehouse_key,
                                          "alert_type": alert_type}, values=values, now=now)
    if alert_type == ReplenishmentAlert.AlertType.OUT_OF_STOCK:  # supersedes low stock
        _resolve(base.filter(alert_type=ReplenishmentAlert.AlertType.LOW_STOCK, warehouse_key=warehouse_key),
                 reason="now out of stock (see that alert)")
    return alert, "opened" if created else "updated"


def check_thresholds() -> dict:
    """The shop's own thresholds: an FBT SKU (with FBT stock, an FBT listing or a plan to send
    it) whose on hand at an FBT warehouse is below its reorder point gets an open alert; one
    back at or above it has its alert resolved."""
    rows = selectors.fbt_threshold_rows()
    now = timezone.now()
    opened = resolved = 0
    below_keys = set()
    for row in rows:
        key = {"sku_key": row["seller_sku"], "warehouse_key": row["warehouse_key"],
               "alert_type": ReplenishmentAlert.AlertType.REORDER_POINT}
        if row["on_hand"] < row["reorder_point"]:
            below_keys.add((row["seller_sku"], row["warehouse_key"]))
            _alert, created = _open_or_update(key=key, values={
                "source": ReplenishmentAlert.Source.THRESHOLD, "sku_id": row["sku_id"],
                "location_id": row["location_id"], "threshold": row["reorder_point"], "quantity": row["on_hand"],
                "details": {}}, now=now)
            opened += int(created)
    stale = ReplenishmentAlert.objects.filter(status=ReplenishmentAlert.Status.OPEN,
                                              alert_type=ReplenishmentAlert.AlertType.REORDER_POINT)
    for pk, sku_key, warehouse_key in stale.values_list("pk", "sku_key", "warehouse_key"):
        if (sku_key, warehouse_key) not in below_keys:
            resolved += _resolve(ReplenishmentAlert.objects.filter(pk=pk), reason="FBT stock back at the reorder point")
    return {"opened": opened, "resolved": resolved, "checked": len(rows)}


def dismiss_alert(*, alert: ReplenishmentAlert, user=None, note: str = "") -> bool:
    done = ReplenishmentAlert.objects.filter(pk=alert.pk, status=ReplenishmentAlert.Status.OPEN).update(
        status=ReplenishmentAlert.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=user_or_none(user),
        resolution=(note or "dismissed")[:300])
    return bool(done)
