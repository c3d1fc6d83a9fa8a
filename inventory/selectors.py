"""Reads of catalogue and stock. Available-to-sell and the quantity shown on each listing come
from ``inventory.stock_quantities`` (the push job's path)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils import timezone

from inventory import stock_quantities
from inventory.demand import BASE_DAYS, RECENT_DAYS, Cover, Demand
from inventory.models import SKU, ChannelListing, Location, Reservation, StockLevel, StockMovement
from inventory.purchasing.selectors import on_order
from sellerhub.models import ChannelAccount

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
SELLABLE_OWN = Q(kind__in=OWN_KINDS, sellable=True, active=True)
SELLABLE_FBT = Q(kind=Location.Kind.FBT, sellable=True, active=True)


def _prefixed(condition, prefix):
    """Re-root a Q on Location (e.g. kind=...) under a relation (e.g. levels__location__kind=...)."""
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}{key}", value))
    q = Q(*children, _connector=condition.connector, _negated=condition.negated)
    return q


def available_to_sell(*, sku_ids=None, account: ChannelAccount) -> dict[int, int]:
    """{sku_id: units this channel account is shown}: sellable own on hand minus reserved, plus FBT
    stock only where the SKU has an active FBT listing on this (TikTok) account, a bundle's whole
    bundles, through the account's stock rule (``inventory.stock_quantities``, the push's path).

    A constant number of queries for any number of SKUs (`sku_ids=None`: every SKU)."""
    return stock_quantities.available_to_sell(sku_ids=sku_ids, account=account)


class _WithQuantity:
    """Mixed into a listing queryset: once its rows are fetched, each gets ``quantity``, ``stock``
    and ``previous`` (``stock_quantities.attach``: two queries for the whole result)."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and issubclass(self._iterable_class, ModelIterable) and self._result_cache:
            stock_quantities.attach(self._result_cache)


_with_quantity_classes = {}


def listings_with_quantity(queryset=None):
    """Channel listings that get, when fetched, `quantity` (what is pushed to that listing),
    `stock` (available, rule and reason) and `previous` (the quantity last pushed). The queryset
    stays chainable (filter, order_by, annotate, slicing: a page computes its own rows only);
    the figures are Python attributes, not columns (no ``values_list("quantity")``)."""
    queryset = ChannelListing.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("account")
    base = type(queryset)
    if base not in _with_quantity_classes:
        _with_quantity_classes[base] = type(f"WithQuantity{base.__name__}", (_WithQuantity, base), {})
    queryset.__class__ = _with_quantity_classes[base]
    return queryset


def after_buffer(base, units, percent):
    """The buffer rule alone: max(0, base - max(units, ceil(base * percent / 100)))."""
    return max(0, base - max(units, (base * percent + 99) // 100))


def listing_quantities(*, sku_ids) -> list[tuple[int, int, int | None]]:
    """[(listing_id, quantity shown now, quantity last pushed)] for the active listings of these
    SKUs and of the bundles made of them (the push's path; a constant number of queries)."""
    return stock_quantities.quantities_by_listing(sku_ids=sku_ids)


# ---------------------------------------------------------------------------------------------
# Pages and API


def with_stock(queryset):
    """SKUs annotated with on_hand, reserved and available at sellable own locations, and
    fbt_on_hand (TikTok FBT stock): one aggregate query, whatever the number of rows."""
    own = _prefixed(SELLABLE_OWN, "levels__location__")
    fbt = _prefixed(Q(kind=Location.Kind.FBT), "levels__location__")
    return queryset.annotate(
        on_hand=Coalesce(Sum("levels__on_hand", filter=own), Value(0)),
        reserved=Coalesce(Sum("levels__reserved", filter=own), Value(0)),
        fbt_on_hand=Coalesce(Sum("levels__on_hand", filter=fbt), Value(0)),
    ).annotate(available=F("on_hand") - F("reserved"))


def sku_search(q):
    """A Q finding SKUs by seller SKU, name, product (contains) or barcode (exact)."""
    q = (q or "").strip()
    return (Q(seller_sku__icontains=q) | Q(name__icontains=q) | Q(barcode=q) | Q(product__name__icontains=q)) if q \
        else Q()


def held_at(code):
    """An Exists: the SKU has stock on hand at the location `code` or in one of its bins."""
    return Exists(StockLevel.objects.filter(Q(location__code=code) | Q(location__parent__code=code),
                                            sku_id=OuterRef("pk"), on_hand__gt=0))


def search_skus(*, q="", status="active", low=False, location="", queryset=None):
    """The SKU list: search (seller SKU, name, barcode, product), status active|inactive|all,
    low stock (available below the reorder point), held at a location (code, incl. its bins)."""
    skus = SKU.objects.all() if queryset is None else queryset
    if q:
        skus = skus.filter(sku_search(q))
    if status == "active":
        skus = skus.filter(active=True)
    elif status == "inactive":
        skus = skus.filter(active=False)
    if location:
        skus = skus.filter(held_at(location))
    skus = with_stock(skus.select_related("product"))
    if low:
        skus = skus.filter(available__lt=F("reorder_point"))
    return skus.order_by("seller_sku")


def sold_since(days=30):
    """Subquery: units of OuterRef('pk') sold (ledger reason sale) from sellable own locations in
    the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        StockMovement.objects.filter(sku_id=OuterRef("pk"), reason=StockMovement.Reason.SALE, created_at__gte=since)
        .filter(_prefixed(SELLABLE_OWN, "location__"))
        .values("sku_id")
        .annotate(total=Sum("on_hand_change"))
        .values("total")
    )
    return Coalesce(-Subquery(rows, output_field=IntegerField()), Value(0))


def low_stock(*, days=BASE_DAYS, queryset=None):
    """Active SKUs whose available stock is below their reorder point, with their sales in the
    last `days` days (`sold`) and the last RECENT_DAYS days (`sold_recent`); demand, days of
    cover and stock-out date are computed per row by `attach_cover`."""
    skus = with_stock(SKU.objects.filter(active=True) if queryset is None else queryset)
    skus = skus.filter(available__lt=F("reorder_point")).annotate(sold=sold_since(days),
                                                                  sold_recent=sold_since(RECENT_DAYS))
    return skus.select_related("product").order_by("available", "seller_sku")


def attach_cover(rows, days=BASE_DAYS):
    """Set on rows from `low_stock`: `row.demand` (inventory.demand.Demand, weighted toward the
    last days), `row.cover` (days of cover and predicted stock-out date), `row.on_order` (units
    on sent purchase orders) and `row.suggested` (units to order: the reorder point plus `days`
    days of demand, less what is available and on order); soonest stock-out first. One query."""
    rows = list(rows)
    ordered = on_order(sku_ids=[row.pk for row in rows]) if rows else {}
    today = timezone.localdate()
    for row in rows:
        row.demand = Demand(row.sold_recent, row.sold, days)
        row.cover = Cover(row.available, row.demand, today)
        row.on_order = ordered.get(row.pk, 0)
        row.suggested = max(row.reorder_point + row.demand.units(days) - max(row.available, 0) - row.on_order, 0)
    rows.sort(key=lambda r: (r.cover.days if r.cover.days is not None else float("inf"), r.seller_sku))
    return rows


def low_stock_summary(*, limit=8, days=BASE_DAYS):
    """{"count", "rows"} for the dashboard panel: three queries."""
    skus = low_stock(days=days)
    rows = attach_cover(skus[:200], days)
    return {"count": skus.count(), "rows": rows[:limit]}


def sku_levels(sku):
    return (StockLevel.objects.filter(sku=sku).select_related("location", "location__parent")
            .order_by("location__kind", "location__pick_sequence", "location__code"))


def sku_movements(sku):
    return StockMovement.objects.filter(sku=sku).select_related("location", "user").order_by("-created_at", "-id")


def sku_listings(sku):
    return listings_with_quantity(ChannelListing.objects.filter(sku=sku).select_related("account")).order_by(
        "account__channel", "account__name")


def active_reservations(sku):
    return Reservation.objects.filter(sku=sku, state=Reservation.State.ACTIVE).select_related("location")


def find_sku(code):
    """The SKU a scan or a typed value names: barcode first, then seller SKU (case-insensitive)."""
    code = (code or "").strip()
    if not code:
        return None
    return (SKU.objects.filter(barcode=code).first() or SKU.objects.filter(seller_sku=code).first()
            or SKU.objects.filter(seller_sku__iexact=code).first())


def delivery_tally(reference: str) -> list[dict]:
    """Units received per SKU and location under a delivery reference (scans less their undos)."""
    if not reference:
        return []
    return list(
        StockMovement.objects.filter(reference=reference, reason__in=[StockMovement.Reason.RECEIPT,
                                                                      StockMovement.Reason.ADJUSTMENT])
        .values("sku__seller_sku", "sku__name", "location__code")
        .annotate(units=Sum("on_hand_change"))
        .order_by("location__code", "sku__seller_sku")
    )


def delivery_mark(reference: str) -> int | None:
    """The id of the newest ledger row of a delivery: what the receiving page had in front of it
    (an undo pressed twice on the same page undoes one scan)."""
    if not reference:
        return None
    return StockMovement.objects.filter(reference=reference).order_by("-id").values_list("id", flat=True).first()


def stock_locations():
    """Every active location, warehouses before their bins, for pickers."""
    return Location.objects.filter(active=True).select_related("parent").order_by("kind", "pick_sequence", "code")


def levels_for_api(queryset=None):
    levels = StockLevel.objects.all() if queryset is None else queryset
    return levels.select_related("sku", "location")


def reconcile(*, sku_ids=None):
    """Compare every StockLevel with the sum of its ledger rows, and its reserved units with its
    ACTIVE reservations. Returns (number of levels checked, [drift dicts])."""
    levels = StockLevel.objects.all()
    ledger = StockMovement.objects.all()
    reservations = Reservation.objects.filter(state=Reservation.State.ACTIVE)
    if sku_ids is not None:
        levels, ledger = levels.filter(sku_id__in=sku_ids), ledger.filter(sku_id__in=sku_ids)
        reservations = reservations.filter(sku_id__in=sku_ids)
    sums = {
        (r["sku_id"], r["location_id"]): (r["on_hand"], r["reserved"])
        for r in ledger.order_by().values("sku_id", "location_id").annotate(
            on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    }
    held = {
        (r["sku_id"], r["location_id"]): r["units"]
        for r in reservations.order_by().values("sku_id", "location_id").annotate(units=Sum("quantity"))
    }
    found = {(r[0], r[1]): (r[2], r[3]) for r in levels.values_list("sku_id", "location_id", "on_hand", "reserved")}
    drifts = []
    for pair in sorted(set(found) | set(sums) | set(held)):
        level = found.get(pair)
        expected = sums.get(pair, (0, 0))
        reserved_by_orders = held.get(pair, 0)
        actual = level or (0, 0)
        if actual != expected or actual[1] != reserved_by_orders:
            drifts.append({"sku_id": pair[0], "location_id": pair[1], "level_on_hand": actual[0],
                           "level_reserved": actual[1], "ledger_on_hand": expected[0], "ledger_reserved": expected[1],
                           "active_reservations": reserved_by_orders, "level_missing": level is None})
    if drifts:
        skus = dict(SKU.objects.filter(pk__in={d["sku_id"] for d in drifts}).values_list("pk", "seller_sku"))
        codes = dict(Location.objects.filter(pk__in={d["location_id"] for d in drifts}).values_list("pk", "code"))
        for d in drifts:
            d["sku"], d["location"] = skus.get(d["sku_id"], "?"), codes.get(d["location_id"], "?")
    return len(found), drifts


# Cycle counts: what to count today (inventory/count_views.py).
PHYSICAL_REASONS = (StockMovement.Reason.RECEIPT, StockMovement.Reason.SALE, StockMovement.Reason.RETURN,
                    StockMovement.Reason.ADJUSTMENT, StockMovement.Reason.TRANSFER, StockMovement.Reason.COUNT)


def cycle_count_due(*, days: int, movement_days: int, limit: int) -> list[StockLevel]:
    """Stock levels of own bins and warehouses to count today, not counted today: most physical
    movement in the last ``movement_days`` first, then those not counted for ``days`` (never counted
    first). Each row has ``moves`` and ``why``. Two queries."""
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    moves = (StockMovement.objects.filter(sku=OuterRef("sku"), location=OuterRef("location"),
                                          created_at__gte=now - timedelta(days=movement_days),
                                          reason__in=PHYSICAL_REASONS)
             .order_by().values("sku").annotate(n=Count("pk")).values("n"))
    stale = now - timedelta(days=days)
    rows = list(
        StockLevel.objects.filter(location__kind__in=OWN_KINDS, location__active=True)
        .exclude(last_counted_at__gte=today)
        .annotate(moves=Coalesce(Subquery(moves, output_field=IntegerField()), Value(0)))
        .filter(Q(moves__gt=0) | Q(last_counted_at__isnull=True, on_hand__gt=0) | Q(last_counted_at__lt=stale))
        .select_related("sku", "location")
        .order_by("-moves", F("last_counted_at").asc(nulls_first=True), "location__pick_sequence",
                  "location__code", "sku__seller_sku")[:limit]
    )
    for row in rows:
        if row.moves:
            row.why = f"{row.moves} movement(s) in {movement_days} days"
        elif row.last_counted_at is None:
            row.why = "never counted"
        else:
            row.why = f"not counted for {(now - row.last_counted_at).days} days"
    return rows


def counted_today() -> int:
    """How many stock levels were counted since midnight (local time)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return StockLevel.objects.filter(last_counted_at__gte=today).count()
