"""Reads for FBT: sales velocity, what to send, inbound shipments, FBT stock, alerts. Each list is
a constant number of queries, whatever its length."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils import timezone

from inventory.fbt import hooks
from inventory.fbt.models import (
    NOTIFICATION_SOURCE,
    FbtStock,
    InboundCarton,
    InboundCartonItem,
    InboundLine,
    InboundShipment,
    ReplenishmentAlert,
)
from inventory.models import SKU, ChannelListing, Location, StockLevel, StockMovement
from inventory.purchasing.selectors import on_order
from sellerhub.models import WebhookEvent

VELOCITY_DAYS = 30
COVER_DAYS = 30
OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)


def fbt_locations(active_only=True):
    locations = Location.objects.filter(kind=Location.Kind.FBT)
    return locations.filter(active=True) if active_only else locations


def own_warehouses():
    return Location.objects.filter(kind=Location.Kind.WAREHOUSE, active=True).order_by("pick_sequence", "code")


# ---------------------------------------------------------------------------------------------
# Velocity, transit, suggestions


def fbt_velocity(*, days: int = VELOCITY_DAYS, sku_ids=None) -> dict[int, int]:
    """{sku_id: units} on the lines of FBT orders placed in the last ``days`` days (cancelled
    orders and lines left out): what TikTok's warehouses sell. Orders provides the figures
    (``inventory.fbt.hooks.register_fbt_sales``)."""
    return hooks.fbt_sales(since=timezone.now() - timedelta(days=days), sku_ids=sku_ids)


def in_transit(*, destination=None) -> dict[tuple[int, int], int]:
    """{(sku_id, destination_id): units} shipped on open inbound shipments and not accounted for
    yet (received, damaged or settled)."""
    lines = InboundLine.objects.filter(shipment__status__in=InboundShipment.TRANSIT_STATUSES)
    if destination is not None:
        lines = lines.filter(shipment__destination=destination)
    rows = lines.order_by().values("sku_id", "shipment__destination_id").annotate(
        units=Sum(F("quantity") - F("received") - F("damaged") - F("resolved")))
    return {(r["sku_id"], r["shipment__destination_id"]): r["units"] for r in rows if r["units"] > 0}


def planned(*, destination=None) -> dict[tuple[int, int], int]:
    """{(sku_id, destination_id): units} on shipments still being planned."""
    lines = InboundLine.objects.filter(shipment__status=InboundShipment.Status.DRAFT)
    if destination is not None:
        lines = lines.filter(shipment__destination=destination)
    rows = lines.order_by().values("sku_id", "shipment__destination_id").annotate(units=Sum("quantity"))
    return {(r["sku_id"], r["shipment__destination_id"]): r["units"] for r in rows}


def own_available(*, source: Location, sku_ids=None) -> dict[int, int]:
    """{sku_id: on hand - reserved} at an own warehouse and its bins."""
    levels = StockLevel.objects.filter(Q(location=source) | Q(location__parent=source),
                                       location__kind__in=OWN_KINDS, location__active=True)
    if sku_ids is not None:
        levels = levels.filter(sku_id__in=list(sku_ids))
    return dict(levels.order_by().values("sku_id").annotate(units=Sum(F("on_hand") - F("reserved")))
                .values_list("sku_id", "units"))


def _alerts_by_sku(destination) -> dict[int, list[ReplenishmentAlert]]:
    alerts = ReplenishmentAlert.objects.filter(status=ReplenishmentAlert.Status.OPEN, sku__isnull=False).filter(
        Q(location=destination) | Q(location__isnull=True))
    out = defaultdict(list)
    for alert in alerts.order_by("-last_reported_at"):
        out[alert.sku_id].append(alert)
    return out


class Suggestion:
    """One SKU to send: its FBT stock, sales, cover and the suggested quantity."""

    def __init__(self, sku, *, on_hand, transit, planned, sold, own, alerts, days, cover_days, on_order=0):
        self.sku = sku
        self.on_hand = on_hand
        self.transit = transit
        self.planned = planned
        self.sold = sold
        self.own = max(own, 0)
        self.alerts = alerts
        self.per_day = sold / days if sold > 0 else 0.0
        covered = on_hand + transit
        self.cover_days = (covered / self.per_day) if self.per_day else None
        target = sku.reorder_point + math.ceil(self.per_day * cover_days)
        self.wanted = max(target - covered - planned, 0)
        self.suggested = min(self.wanted, self.own)
        self.short = self.wanted - self.suggested  # not enough own stock to send all of it
        self.on_order = on_order  # from suppliers, to the own warehouses (sent purchase orders)
        self.short_after_order = max(self.short - on_order, 0)  # short even once what is on order arrives

    @property
    def urgency(self):
        return (0 if self.alerts else 1, self.cover_days if self.cover_days is not None else float("inf"),
                self.sku.seller_sku)


def inbound_suggestions(*, destination: Location, source: Location, days: int = VELOCITY_DAYS,
                        cover_days: int = COVER_DAYS) -> list[Suggestion]:
    """What to send to ``destination``: SKUs that sell through FBT, have an open replenishment
    alert, or sit below their reorder point there. Suggested = reorder point + ``cover_days``
    days of FBT sales - (FBT on hand + in transit + already planned), at most the unreserved own
    stock at ``source``; what the own stock can't cover yet is set against the units on order
    from suppliers (``on_order``, ``short_after_order``). Most urgent first (alerts, then fewest
    days of cover)."""
    velocity = fbt_velocity(days=days)
    levels = dict(StockLevel.objects.filter(location=destination).values_list("sku_id", "on_hand"))
    transit = {sku: units for (sku, dest), units in in_transit(destination=destination).items()}
    plans = {sku: units for (sku, dest), units in planned(destination=destination).items()}
    alerts = _alerts_by_sku(destination)
    fbt_listed = set(ChannelListing.objects.filter(is_fbt=True, active=True, sku__isnull=False)
                     .values_list("sku_id", flat=True))
    candidates = set(velocity) | set(alerts) | set(levels) | fbt_listed
    skus = {s.pk: s for s in SKU.objects.filter(pk__in=candidates, active=True).select_related("product")}
    own = own_available(source=source, sku_ids=list(skus))
    ordered = on_order(sku_ids=list(skus))
    rows = []
    for pk, sku in skus.items():
        row = Suggestion(sku, on_hand=levels.get(pk, 0), transit=transit.get(pk, 0), planned=plans.get(pk, 0),
                         sold=velocity.get(pk, 0), own=own.get(pk, 0), alerts=alerts.get(pk, []), days=days,
                         cover_days=cover_days, on_order=ordered.get(pk, 0))
        if row.wanted or row.alerts or row.on_hand < sku.reorder_point:
            rows.append(row)
    rows.sort(key=lambda r: r.urgency)
    return rows


def fbt_threshold_rows() -> list[dict]:
    """Every (FBT SKU, FBT warehouse) with a reorder point: the SKU has stock or TikTok's figures
    there, or an active FBT listing. Three queries."""
    locations = {loc.pk: loc for loc in fbt_locations()}
    if not locations:
        return []
    pairs = set(StockLevel.objects.filter(location_id__in=locations).values_list("sku_id", "location_id"))
    pairs |= set(FbtStock.objects.filter(location_id__in=locations).values_list("sku_id", "location_id"))
    listed = set(ChannelListing.objects.filter(is_fbt=True, active=True, sku__isnull=False)
                 .values_list("sku_id", flat=True))
    pairs |= {(sku_id, loc) for sku_id in listed for loc in locations}
    skus = {pk: (code, point) for pk, code, point in SKU.objects.filter(
        pk__in={s for s, _l in pairs}, active=True, reorder_point__gt=0).values_list("pk", "seller_sku",
                                                                                       "reorder_point")}
    on_hand = {(s, loc): q for s, loc, q in StockLevel.objects.filter(location_id__in=locations, sku_id__in=skus)
               .values_list("sku_id", "location_id", "on_hand")}
    rows = []
    for sku_id, location_id in sorted(pairs):
        if sku_id not in skus:
            continue
        code, point = skus[sku_id]
        location = locations[location_id]
        rows.append({"sku_id": sku_id, "seller_sku": code, "reorder_point": point, "location_id": location_id,
                     "warehouse_key": location.external_id, "on_hand": on_hand.get((sku_id, location_id), 0)})
    return rows


# ---------------------------------------------------------------------------------------------
# Inbound shipments


def inbound_list(*, status: str = "open"):
    shipments = InboundShipment.objects.select_related("source", "destination").annotate(
        line_count=Count("lines", distinct=True),
        units=Sum("lines__quantity"),
        received_units=Sum("lines__received"),
        damaged_units=Sum("lines__damaged"),
    )
    if status == "open":
        shipments = shipments.filter(status__in=InboundShipment.OPEN_STATUSES)
    elif status in InboundShipment.Status.values:
        shipments = shipments.filter(status=status)
    return shipments.order_by("-created_at", "-id")


def carton_counts(shipment_ids) -> dict[int, int]:
    return dict(InboundCarton.objects.filter(shipment_id__in=list(shipment_ids)).values("shipment_id")
                .annotate(n=Count("pk")).values_list("shipment_id", "n"))


def inbound_detail(pk: int) -> InboundShipment:
    """A shipment with its lines (and SKUs), cartons (and their contents) and history."""
    return (InboundShipment.objects.select_related("source", "destination", "account", "created_by")
            .prefetch_related(
                Prefetch("lines", queryset=InboundLine.objects.select_related("sku").order_by("id")),
                Prefetch("cartons", queryset=InboundCarton.objects.prefetch_related(
                    Prefetch("items", queryset=InboundCartonItem.objects.select_related("line__sku")))),
                "events__user")
            .get(pk=pk))


def inbound_ledger(shipment: InboundShipment):
    return (StockMovement.objects.filter(reference=shipment.reference).select_related("sku", "location", "user")
            .order_by("created_at", "id"))


def shipment_for_ibr(ibr_id: str) -> InboundShipment | None:
    return InboundShipment.objects.select_related("destination", "account").filter(ibr_id=ibr_id.upper()).first()


def awaiting_tiktok(limit: int = 50):
    """Open shipments TikTok is receiving (an IBR id, stock in transit): the sync looks them up."""
    return (InboundShipment.objects.filter(status__in=InboundShipment.TRANSIT_STATUSES).exclude(ibr_id="")
            .select_related("destination", "account").order_by("shipped_at", "id")[:limit])


# ---------------------------------------------------------------------------------------------
# FBT stock and alerts


def fbt_stock(*, location=None, q: str = ""):
    """TikTok's figures with SellerHub's on hand at the same FBT location and what is in transit."""
    rows = FbtStock.objects.select_related("sku", "location")
    if location is not None:
        rows = rows.filter(location=location)
    if q:
        rows = rows.filter(Q(sku__seller_sku__icontains=q) | Q(sku__name__icontains=q) | Q(goods_id=q))
    return rows.order_by("location__code", "sku__seller_sku")


def attach_levels(rows):
    """Set ``row.on_hand`` (SellerHub's on hand at the row's location) and ``row.transit`` on
    FbtStock rows: two queries."""
    rows = list(rows)
    locations = {r.location_id for r in rows}
    skus = {r.sku_id for r in rows}
    levels = {(s, loc): q for s, loc, q in StockLevel.objects.filter(location_id__in=locations, sku_id__in=skus)
              .values_list("sku_id", "location_id", "on_hand")}
    transit = in_transit()
    for row in rows:
        row.on_hand = levels.get((row.sku_id, row.location_id), 0)
        row.transit = transit.get((row.sku_id, row.location_id), 0)
    return rows


def open_alerts():
    return (ReplenishmentAlert.objects.filter(status=ReplenishmentAlert.Status.OPEN)
            .select_related("sku", "location").order_by("-last_reported_at", "-id"))


def alerts(*, status: str = "open"):
    rows = ReplenishmentAlert.objects.select_related("sku", "location", "resolved_by")
    if status in ReplenishmentAlert.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-last_reported_at", "-id")


def attach_alert_context(alerts_list):
    """Set ``alert.fbt_on_hand`` and ``alert.transit`` (units on their way to its warehouse)."""
    alerts_list = list(alerts_list)
    sku_ids = {a.sku_id for a in alerts_list if a.sku_id}
    levels = defaultdict(int)
    for sku_id, location_id, on_hand in StockLevel.objects.filter(
            sku_id__in=sku_ids, location__kind=Location.Kind.FBT).values_list("sku_id", "location_id", "on_hand"):
        levels[(sku_id, location_id)] = on_hand
        levels[(sku_id, None)] += on_hand
    transit = defaultdict(int)
    for (sku_id, location_id), units in in_transit().items():
        transit[(sku_id, location_id)] = units
        transit[(sku_id, None)] += units
    for alert in alerts_list:
        alert.fbt_on_hand = levels.get((alert.sku_id, alert.location_id), 0) if alert.sku_id else None
        alert.transit = transit.get((alert.sku_id, alert.location_id), 0) if alert.sku_id else 0
    return alerts_list


def dashboard_summary(*, limit: int = 6) -> dict:
    """Open alerts (most recent first) and the inbound shipments under way: five queries."""
    open_rows = open_alerts()
    count = open_rows.count()
    rows = attach_alert_context(open_rows[:limit])
    inbound = list(inbound_list(status="open")[:limit])
    return {"alert_count": count, "alerts": rows, "inbound": inbound,
            "inbound_count": InboundShipment.objects.filter(status__in=InboundShipment.OPEN_STATUSES).count()}


def recent_notifications(limit: int = 20):
    return (WebhookEvent.objects.filter(source=NOTIFICATION_SOURCE).select_related("account")
            .order_by("-received_at", "-id")[:limit])
