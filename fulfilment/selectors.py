"""Reads for the fulfilment pages, the API and the dashboard. Lists run a constant number of
queries whatever their length (select_related / prefetch_related / aggregates)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from fulfilment import bundle_packing
from fulfilment.models import (
    BoxPreset,
    CarrierMapping,
    Package,
    PackageLine,
    PackingSession,
    PackScan,
    PickList,
    PickListLine,
    PickListOrder,
    PrintBatch,
    TrackingEvent,
    TrackingPush,
)
from inventory.models import SKU
from orders import dispatch_windows
from orders.models import PRE_SHIP_STATUSES, Fulfilment, Order, OrderLine, OrderStatus
from sellerhub.models import Channel, ChannelAccount

S = OrderStatus
PICKABLE_STATUSES = (S.CONFIRMED, S.PICKING)
PACKABLE_STATUSES = (S.CONFIRMED, S.PICKING, S.PACKED)
# Channels that report the carrier's first scan and the delivery themselves (TikTok's
# collection_time and delivery_time): for their orders, carrier scans only fill the packages.
CHANNELS_REPORTING_SCANS = frozenset({Channel.TIKTOK})
SOON = dt.timedelta(hours=4)


# ---------------------------------------------------------------------------------------------
# Lines and packages


def packaged_quantities(order_ids) -> dict[int, int]:
    """{order line id: units in the order's live (not cancelled) packages}, in one query."""
    rows = (PackageLine.objects.filter(package__order_id__in=list(order_ids))
            .exclude(package__status=Package.Status.CANCELLED)
            .values("order_line_id").annotate(n=Sum("quantity")))
    return {row["order_line_id"]: row["n"] or 0 for row in rows}


def shipped_quantities(order_ids) -> dict[int, int]:
    rows = (PackageLine.objects.filter(package__order_id__in=list(order_ids),
                                       package__status__in=[Package.Status.SHIPPED, Package.Status.IN_TRANSIT,
                                                            Package.Status.DELIVERED])
            .values("order_line_id").annotate(n=Sum("quantity")))
    return {row["order_line_id"]: row["n"] or 0 for row in rows}


@dataclass
class LineLeft:
    line: OrderLine
    ordered: int
    packaged: int

    @property
    def left(self) -> int:
        return max(self.ordered - self.packaged, 0)


def lines_left(order: Order) -> list[LineLeft]:
    """The order's active lines with how many units are not in a package yet."""
    lines = list(order.lines.filter(cancelled=False).select_related("sku").order_by("pk"))
    packaged = packaged_quantities([order.pk])
    return [LineLeft(line=line, ordered=line.quantity, packaged=packaged.get(line.pk, 0)) for line in lines]


def package_rows(queryset: QuerySet | None = None) -> QuerySet:
    queryset = Package.objects.all() if queryset is None else queryset
    return queryset.select_related("order__account", "box", "tracking_push").prefetch_related(
        Prefetch("lines", queryset=PackageLine.objects.select_related("order_line__sku").order_by("pk")))


def package_list(*, status: str = "", q: str = "", order_id: int | None = None) -> QuerySet:
    qs = Package.objects.all()
    if status == "open":
        qs = qs.filter(status__in=[Package.Status.DRAFT, Package.Status.LABELLED])
    elif status in Package.Status.values:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(tracking_number__icontains=q.replace(" ", "")) | Q(order__external_id__icontains=q)
                       | Q(reference__iexact=q))
    return package_rows(qs.order_by("-created_at", "-pk"))


def package_detail(pk: int) -> Package:
    return (Package.objects.select_related("order__account", "box").prefetch_related(
        Prefetch("lines", queryset=PackageLine.objects.select_related("order_line__sku").order_by("pk")),
        Prefetch("scans", queryset=TrackingEvent.objects.order_by("-occurred_at", "-pk")),
    ).get(pk=pk))


def tracking_push(package: Package):
    return TrackingPush.objects.filter(package=package).first()


def order_packages(order: Order) -> list[Package]:
    return list(package_rows(order.packages.all().order_by("pk")))


# ---------------------------------------------------------------------------------------------
# Carriers


def provider_for(account_id: int, *, carrier: str, carrier_name: str = "") -> CarrierMapping | None:
    """The account's channel provider id for a carrier code (or a courier's name)."""
    keys = [k for k in (carrier, carrier_name) if k]
    if not keys:
        return None
    q = Q()
    for key in keys:
        q |= Q(carrier__iexact=key)
    found = {m.carrier.lower(): m for m in CarrierMapping.objects.filter(q, account_id=account_id)}
    for key in keys:
        if key.lower() in found:
            return found[key.lower()]
    return None


def carrier_mappings() -> list[ChannelAccount]:
    """Accounts (not manual) with their mappings, for the carriers page."""
    return list(ChannelAccount.objects.exclude(channel=Channel.MANUAL).prefetch_related(
        Prefetch("carrier_mappings", queryset=CarrierMapping.objects.order_by("carrier"))).order_by("channel", "name"))


def box_for_scan(code: str) -> BoxPreset | None:
    code = (code or "").strip()
    return BoxPreset.objects.filter(active=True, barcode__iexact=code).first() if code else None


def boxes(*, active_only: bool = True) -> list[BoxPreset]:
    qs = BoxPreset.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.order_by("position", "name"))


# ---------------------------------------------------------------------------------------------
# Pick lists


def _live_pick_entry():
    return PickListOrder.objects.filter(order=OuterRef("pk"), active=True)


def orders_to_pick(*, due_today: bool = False, now: dt.datetime | None = None) -> QuerySet:
    """Orders the warehouse can put on a pick list: fulfilled by the seller, confirmed (or sent
    to picking) and on no live pick list; with ``due_today``, only those due by the end of today
    (overdue ones included)."""
    qs = (Order.objects.filter(fulfilment=Fulfilment.FBS, status__in=PICKABLE_STATUSES)
          .exclude(Exists(_live_pick_entry())))
    if due_today:
        qs = qs.filter(dispatch_windows.due_by_end_of_today(dispatch_windows.shop_days(now)))
    return qs.select_related("account").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.filter(cancelled=False).select_related("sku").order_by("pk"))
    ).annotate(units=Sum("lines__quantity", filter=Q(lines__cancelled=False))).order_by(
        F("dispatch_due_at").asc(nulls_last=True), "pk")


def pick_lists(*, status: str = "") -> QuerySet:
    units = (PickListLine.objects.filter(pick_list=OuterRef("pk")).order_by().values("pick_list")
             .annotate(n=Sum("quantity")).values("n"))
    orders = (PickListOrder.objects.filter(pick_list=OuterRef("pk"), active=True).order_by().values("pick_list")
              .annotate(n=Count("pk")).values("n"))
    qs = PickList.objects.select_related("created_by", "warehouse").annotate(
        order_count=Coalesce(Subquery(orders), 0), unit_count=Coalesce(Subquery(units), 0))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def pick_list_detail(pk: int) -> PickList:
    return PickList.objects.select_related("created_by", "warehouse").prefetch_related(
        Prefetch("entries", queryset=PickListOrder.objects.select_related("order__account").order_by("position", "pk")),
        Prefetch("lines", queryset=PickListLine.objects.select_related("sku", "location", "order_line__order")
                 .order_by("pk")),
    ).get(pk=pk)


# ---------------------------------------------------------------------------------------------
# Packing


def find_order_for_scan(code: str) -> Order | None:
    """The order a scanned code names: a tote on a live pick list, the order number (as the
    packing slip's barcode carries it), or SellerHub's order id ("#42" or "SH-42")."""
    code = (code or "").strip()
    if not code:
        return None
    entry = (PickListOrder.objects.filter(active=True, tote__iexact=code).select_related("order__account").first())
    if entry is not None:
        return entry.order
    matches = list(Order.objects.filter(external_id__iexact=code).select_related("account")
                   .order_by(F("dispatch_due_at").asc(nulls_last=True))[:2])
    open_ = [o for o in matches if o.status in PRE_SHIP_STATUSES]
    if open_ or matches:
        return (open_ or matches)[0]
    digits = code.upper().removeprefix("SH-").removeprefix("#")
    if digits.isdigit() and len(digits) < 18:
        return Order.objects.select_related("account").filter(pk=int(digits)).first()
    return None


def orders_to_pack(limit: int = 40) -> list[Order]:
    """Orders being picked (or picked), soonest deadline first, with their tote if any."""
    totes = PickListOrder.objects.filter(order=OuterRef("pk"), active=True).values("tote")[:1]
    return list(Order.objects.filter(fulfilment=Fulfilment.FBS, status=S.PICKING).select_related("account")
                .annotate(tote=Subquery(totes)).order_by(F("dispatch_due_at").asc(nulls_last=True), "pk")[:limit])


def open_session(order: Order) -> PackingSession | None:
    return PackingSession.objects.filter(order=order, status=PackingSession.Status.OPEN).first()


@dataclass
class PackLine:
    line: OrderLine
    to_pack: int  # units not yet in a package
    verified: int  # units scanned (or verified by hand) in this session
    parts: list = field(default_factory=list)  # a bundle line: its components (bundle_packing.PackPart)

    @property
    def left(self) -> int:
        return max(self.to_pack - self.verified, 0)

    @property
    def done(self) -> bool:
        return self.to_pack > 0 and self.verified >= self.to_pack


@dataclass
class PackState:
    lines: list[PackLine] = field(default_factory=list)

    @property
    def to_pack(self) -> int:
        return sum(pl.to_pack for pl in self.lines)

    @property
    def verified(self) -> int:
        return sum(min(pl.verified, pl.to_pack) for pl in self.lines)

    @property
    def complete(self) -> bool:
        return self.to_pack > 0 and self.verified >= self.to_pack

    @property
    def active_lines(self) -> list[PackLine]:
        return [pl for pl in self.lines if pl.to_pack > 0]


def pack_state(session: PackingSession | None, *, order: Order | None = None) -> PackState:
    """Each line still to pack with how many units this session verified (none verified without a
    session: the station before its first scan, for ``order``)."""
    order = order if session is None else session.order
    lines = list(order.lines.filter(cancelled=False).select_related("sku__product").order_by("pk"))  # + pictures
    packaged = packaged_quantities([order.pk])
    verified = defaultdict(int)
    scans = PackScan.objects.none() if session is None else PackScan.objects.filter(session=session)
    rows = list(scans.filter(order_line__isnull=False, outcome__in=[PackScan.Outcome.OK, PackScan.Outcome.OVERRIDE])
                .values_list("order_line_id", "sku_id", "quantity"))
    for line_id, _sku_id, quantity in rows:
        verified[line_id] += quantity
    to_pack = {line.pk: max(line.quantity - packaged.get(line.pk, 0), 0) for line in lines}
    parts = bundle_packing.bundle_parts(lines, to_pack, rows)  # a bundle line: its components' scans
    return PackState(lines=[PackLine(line=line, to_pack=to_pack[line.pk], parts=parts.get(line.pk, []),
                                     verified=bundle_packing.bundles_verified(parts[line.pk]) if line.pk in parts
                                     else verified.get(line.pk, 0)) for line in lines])


def recent_scans(session: PackingSession, limit: int = 12) -> list[PackScan]:
    return list(session.scans.select_related("sku").order_by("-pk")[:limit])


def estimated_weight(lines: list[tuple[OrderLine, int]], box: BoxPreset | None = None) -> int | None:
    """Sum of the SKUs' weights (and the box's), or None when a SKU has no weight."""
    total = box.tare_grams if box else 0
    for line, quantity in lines:
        if quantity <= 0:
            continue
        weight = line.sku.weight_grams if line.sku_id else None
        if not weight:
            return None
        total += weight * quantity
    return total or None


def skus_by_code(codes) -> dict[str, SKU]:
    return {s.barcode: s for s in SKU.objects.filter(barcode__in=list(codes))}


# ---------------------------------------------------------------------------------------------
# Dispatch board


def _board_base(days: dispatch_windows.ShopDays) -> QuerySet:
    """Not shipped and overdue, due today (each shop's own day) or due within 4 hours."""
    soon = dispatch_windows.not_shipped() & Q(dispatch_due_at__lt=days.now + SOON)
    return Order.objects.filter(dispatch_windows.due_by_end_of_today(days) | soon)


@dataclass
class Board:
    now: dt.datetime
    overdue: list[Order]
    soon: list[Order]
    today: list[Order]
    cutoff: dt.datetime | None  # the next deadline still ahead
    due_today: int = 0  # the word's count: not overdue, due before the end of its shop's day

    @property
    def counts(self) -> dict[str, int]:
        return {"overdue": len(self.overdue), "soon": len(self.soon), "today": len(self.today),
                "due_today": self.due_today}


def dispatch_board(now: dt.datetime | None = None) -> Board:
    """Today's work by dispatch deadline: overdue, due within 4 hours, due later today (the
    words as ``orders/dispatch_windows.py`` defines them, in each shop's time zone)."""
    days = dispatch_windows.shop_days(now)
    now = days.now
    rows = list(_board_base(days).annotate(
        is_due_today=ExpressionWrapper(dispatch_windows.due_today(days), output_field=BooleanField()),
    ).select_related("account").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.filter(cancelled=False).select_related("sku").order_by("pk")),
        Prefetch("packages", queryset=Package.objects.exclude(status=Package.Status.CANCELLED).order_by("pk")),
    ).order_by("dispatch_due_at", "pk"))
    overdue = [o for o in rows if o.dispatch_due_at < now]
    soon = [o for o in rows if now <= o.dispatch_due_at < now + SOON]
    today = [o for o in rows if o.dispatch_due_at >= now + SOON]
    ahead = [o.dispatch_due_at for o in rows if o.dispatch_due_at >= now]
    return Board(now=now, overdue=overdue, soon=soon, today=today, cutoff=min(ahead) if ahead else None,
                 due_today=sum(1 for o in rows if o.is_due_today))


def dispatch_counts(now: dt.datetime | None = None) -> dict:
    """The dashboard panel's figures, in two queries (the shops' time zones, one aggregate)."""
    days = dispatch_windows.shop_days(now)
    now = days.now
    due_today = dispatch_windows.due_today(days)
    figures = _board_base(days).aggregate(
        overdue=Count("pk", filter=dispatch_windows.overdue(now)),
        due_today=Count("pk", filter=due_today),
        soon=Count("pk", filter=Q(dispatch_due_at__gte=now, dispatch_due_at__lt=now + SOON)),
        today=Count("pk", filter=due_today & Q(dispatch_due_at__gte=now + SOON)),
        next_due=Min("dispatch_due_at", filter=Q(dispatch_due_at__gte=now)),
    )
    return figures


# ---------------------------------------------------------------------------------------------
# Batches


def batches(limit: int = 50) -> list[PrintBatch]:
    return list(PrintBatch.objects.select_related("created_by", "run").annotate(
        order_count=Count("orders", distinct=True)).order_by("-created_at", "-pk")[:limit])


def batch_detail(pk: int) -> PrintBatch:
    return PrintBatch.objects.select_related("created_by", "run").get(pk=pk)


def batch_packages(batch: PrintBatch) -> list[Package]:
    return list(package_rows(Package.objects.filter(pk__in=batch.items.values("package_id")))
                .order_by("pk"))


def orders_for_batch() -> QuerySet:
    """Orders whose labels the warehouse may print: fulfilled by the seller, confirmed to packed."""
    return (Order.objects.filter(fulfilment=Fulfilment.FBS, status__in=PACKABLE_STATUSES)
            .select_related("account")
            .prefetch_related(Prefetch("packages", queryset=Package.objects.exclude(
                status=Package.Status.CANCELLED).order_by("pk")))
            .order_by(F("dispatch_due_at").asc(nulls_last=True), "pk"))
