"""Reads for the order pages, the API and the dashboard. Every list here runs a constant number
of queries, whatever the number of orders: rows come with their account (select_related) and
their lines (one prefetch), and filters are plain WHERE clauses or EXISTS subqueries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from inventory.bundles import components_of, whole_bundles
from inventory.models import Location, Reservation, StockLevel
from orders import dispatch_windows
from orders.bundle_selectors import bundle_line_counts
from orders.models import (
    PRE_SHIP_STATUSES,
    SHIPPED_STATUSES,
    AttentionReason,
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Return,
    ReturnLine,
)
from orders.selectors_search import search_condition  # noqa: F401 -- the queue's and the API's search
from sellerhub.models import Channel, ChannelAccount

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)

# The queue's status views: "to_ship" (default) is the warehouse's work list.
STATUS_VIEWS = {
    "to_ship": ("To ship (not shipped yet)", PRE_SHIP_STATUSES),
    "all": ("All orders", None),
    "shipped": ("Shipped or later", SHIPPED_STATUSES),
}
SORTS = {
    "due": ("Dispatch deadline, soonest first", (F("dispatch_due_at").asc(nulls_last=True), "id")),
    "-due": ("Dispatch deadline, latest first", (F("dispatch_due_at").desc(nulls_last=True), "-id")),
    "new": ("Newest first", ("-created_at", "-id")),
    "old": ("Oldest first", ("created_at", "id")),
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = "to_ship"  # a STATUS_VIEWS key or an OrderStatus value
    channel: str = ""
    account: int | None = None
    due: str = ""  # "", "today", "overdue"
    fulfilment: str = ""
    attention: str = ""  # "", "any", or an AttentionReason value
    q: str = ""
    sort: str = "due"


def due_condition(due: str, now: dt.datetime) -> Q:
    """Due today (in each shop's own time zone) or overdue, as ``orders/dispatch_windows.py``
    defines them (the one definition every page uses)."""
    if due == "today":
        return dispatch_windows.due_today(dispatch_windows.shop_days(now))
    return dispatch_windows.overdue(now)


def order_rows(queryset: QuerySet | None = None) -> QuerySet:
    """Orders as list pages and the API show them: account joined, lines (with SKU) prefetched."""
    queryset = Order.objects.all() if queryset is None else queryset
    return queryset.select_related("account").prefetch_related(  # the SKUs' products: their pictures
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("pk")))


def order_queue(filters: QueueFilters, *, now: dt.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    qs = Order.objects.all()
    if filters.status in STATUS_VIEWS:
        statuses = STATUS_VIEWS[filters.status][1]
        if statuses is not None:
            qs = qs.filter(status__in=statuses)
    elif filters.status in OrderStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(account__channel=filters.channel)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.fulfilment in Fulfilment.values:
        qs = qs.filter(fulfilment=filters.fulfilment)
    if filters.due in ("today", "overdue"):
        qs = qs.filter(due_condition(filters.due, now))
    if filters.attention == "any":
        qs = qs.exclude(attention_reason="")
    elif filters.attention in AttentionReason.values and filters.attention:
        qs = qs.filter(attention_reason=filters.attention)
    if filters.q:
        qs = qs.filter(search_condition(filters.q))
    ordering = SORTS.get(filters.sort, SORTS["due"])[1]
    return order_rows(qs.order_by(*ordering))


def queue_counts(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The counts the queue's shortcuts and the dashboard show, in two queries (the shops' time
    zones, then one aggregate); "overdue" and "due today" as ``orders/dispatch_windows.py`` says."""
    days = dispatch_windows.shop_days(now)
    open_ = Q(status__in=PRE_SHIP_STATUSES)
    return Order.objects.filter(status__in=PRE_SHIP_STATUSES + (OrderStatus.AWAITING_CONFIRMATION,)).aggregate(
        to_ship=Count("pk", filter=open_),
        overdue=Count("pk", filter=dispatch_windows.overdue(days.now)),
        due_today=Count("pk", filter=dispatch_windows.due_today(days)),
        attention=Count("pk", filter=open_ & ~Q(attention_reason="")),
        awaiting_confirmation=Count("pk", filter=Q(status=OrderStatus.AWAITING_CONFIRMATION)),
    )


def channel_choices() -> list[tuple[str, str]]:
    return list(Channel.choices)


def accounts() -> list[ChannelAccount]:
    return list(ChannelAccount.objects.order_by("channel", "name"))


# ---------------------------------------------------------------------------------------------
# One order


def stock_for_skus(sku_ids) -> dict[int, dict[str, int]]:
    """{sku_id: {"on_hand", "reserved", "available"}} at sellable own locations (what confirmation
    reserves from), in two queries. A bundle holds no stock: its figures are the whole bundles its
    components' on hand and available make (reserved: the difference)."""
    sku_ids = set(sku_ids)
    components = components_of(sku_ids)
    parts = {pk for comps in components.values() for pk, _units in comps}
    rows = (StockLevel.objects.filter(sku_id__in=sku_ids | parts, location__kind__in=OWN_KINDS,
                                      location__sellable=True, location__active=True)
            .values("sku_id").annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved")))
    result = {}
    for row in rows:
        on_hand, reserved = row["on_hand"] or 0, row["reserved"] or 0
        result[row["sku_id"]] = {"on_hand": on_hand, "reserved": reserved, "available": max(on_hand - reserved, 0)}
    for bundle_id, comps in components.items():
        on_hand = whole_bundles({pk: result.get(pk, {}).get("on_hand", 0) for pk, _u in comps}, comps)
        available = whole_bundles({pk: result.get(pk, {}).get("available", 0) for pk, _u in comps}, comps)
        result[bundle_id] = {"on_hand": on_hand, "reserved": max(on_hand - available, 0), "available": available}
    return result


def order_detail(pk: int) -> Order:
    """The order with everything its page shows, in a fixed number of queries."""
    return (Order.objects.select_related("account").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("user").order_by("created_at", "pk")),
        "packages", "packages__lines",  # fulfilment's packages (ordered by id) through the reverse relation
        Prefetch("returns", queryset=Return.objects.select_related("restock_location")
                 .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line__sku")))),
    ).get(pk=pk))


@dataclass
class LineView:
    line: OrderLine
    reserved: int
    consumed: int
    stock: dict | None
    returned: int = 0


def line_views(order: Order) -> list[LineView]:
    """Each line with its reservation (active and shipped units) and its SKU's stock."""
    lines = list(order.lines.all())
    held = defaultdict(lambda: {"active": 0, "consumed": 0})
    for key, state, quantity in Reservation.objects.filter(reference=order.reservation_reference).values_list(
            "line_key", "state", "quantity"):
        if state in ("active", "consumed"):
            held[key][state] += quantity
    held.update(bundle_line_counts(lines, held))  # a bundle line: the whole bundles its components make
    stock = stock_for_skus([line.sku_id for line in lines if line.sku_id])
    returned = dict(ReturnLine.objects.filter(order_line__order=order).values("order_line")
                    .annotate(n=Sum("quantity")).values_list("order_line", "n"))
    return [LineView(line=line, reserved=held[str(line.pk)]["active"], consumed=held[str(line.pk)]["consumed"],
                     stock=stock.get(line.sku_id) if line.sku_id else None, returned=returned.get(line.pk, 0))
            for line in lines]


# ---------------------------------------------------------------------------------------------
# Needs attention


def attention_orders(reason: str | None = None) -> QuerySet:
    qs = Order.objects.exclude(attention_reason="").filter(status__in=PRE_SHIP_STATUSES)
    if reason:
        qs = qs.filter(attention_reason=reason)
    return order_rows(qs.order_by(F("dispatch_due_at").asc(nulls_last=True), "id"))


def attention_counts() -> dict[str, int]:
    rows = (Order.objects.exclude(attention_reason="").filter(status__in=PRE_SHIP_STATUSES)
            .values("attention_reason").annotate(n=Count("pk")))
    counts = {reason: 0 for reason in AttentionReason.values if reason}
    counts.update({row["attention_reason"]: row["n"] for row in rows})
    return counts


def unmatched_channel_skus() -> list[dict]:
    """Unmatched channel SKUs, grouped per account: what to map, with how many open orders wait."""
    rows = (OrderLine.objects.filter(sku__isnull=True, cancelled=False, order__status__in=PRE_SHIP_STATUSES)
            .values("order__account_id", "order__account__name", "order__account__channel", "channel_sku",
                    "channel_product_id", "channel_variant_id")
            .annotate(orders=Count("order", distinct=True), units=Sum("quantity"))
            .order_by("order__account__name", "channel_sku", "channel_variant_id"))
    names = {}
    keys = [(r["order__account_id"], r["channel_sku"], r["channel_variant_id"]) for r in rows]
    if keys:
        for account_id, channel_sku, variant_id, name in (
                OrderLine.objects.filter(sku__isnull=True, order__status__in=PRE_SHIP_STATUSES)
                .exclude(name="").values_list("order__account_id", "channel_sku", "channel_variant_id", "name")
                .order_by("pk")[:2000]):
            names.setdefault((account_id, channel_sku, variant_id), name)
    return [{
        "account_id": r["order__account_id"], "account": r["order__account__name"],
        "channel": r["order__account__channel"], "channel_sku": r["channel_sku"],
        "product_id": r["channel_product_id"], "variant_id": r["channel_variant_id"],
        "orders": r["orders"], "units": r["units"],
        "name": names.get((r["order__account_id"], r["channel_sku"], r["channel_variant_id"]), ""),
    } for r in rows]


# ---------------------------------------------------------------------------------------------
# Returns


def return_rows(queryset: QuerySet | None = None) -> QuerySet:
    queryset = Return.objects.all() if queryset is None else queryset
    return queryset.select_related("order__account", "restock_location").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line__sku").order_by("pk")))


def restock_locations() -> list[Location]:
    return list(Location.objects.filter(kind__in=OWN_KINDS, active=True).order_by("pick_sequence", "code"))


# ---------------------------------------------------------------------------------------------
# FBT sales (registered with inventory.fbt.hooks by OrdersConfig.ready)


def fbt_units_sold(*, since: dt.datetime, sku_ids=None) -> dict[int, int]:
    """{sku_id: units} on the lines of FBT orders placed since ``since`` (cancelled orders and
    lines left out): what TikTok's warehouses sell, behind the FBT inbound suggestions."""
    lines = OrderLine.objects.filter(order__fulfilment=Fulfilment.FBT, order__created_at__gte=since, cancelled=False,
                                     sku__isnull=False).exclude(order__status=OrderStatus.CANCELLED)
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=list(sku_ids))
    return dict(lines.order_by().values("sku_id").annotate(units=Sum("quantity")).values_list("sku_id", "units"))
