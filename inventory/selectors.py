"""Reads of catalogue and stock. Available-to-sell is computed in the database."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from inventory.models import SKU, ChannelListing, Location, Reservation, StockLevel, StockMovement, StockOutbox
from sellerhub.models import Channel, ChannelAccount

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


def _after_buffer(base, units, percent):
    """max(0, base - max(units, ceil(base * percent / 100))): the channel's buffer held back."""
    pct_units = (base * percent + Value(99)) / Value(100)
    return Greatest(Value(0), base - Greatest(units, pct_units), output_field=IntegerField())


def _level_sum(condition):
    """Subquery: on hand minus reserved of OuterRef('sku_id') at locations matching `condition`."""
    rows = (
        StockLevel.objects.filter(sku_id=OuterRef("sku_id"))
        .filter(_prefixed(condition, "location__"))
        .values("sku_id")
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def available_to_sell(*, sku_ids=None, account: ChannelAccount) -> dict[int, int]:
    """{sku_id: units this channel account may sell}: sellable own on hand minus reserved, plus FBT
    stock only where the SKU has an active FBT listing on this (TikTok) account, minus the
    account's buffer (units or percent, whichever holds back more), never below zero.

    One query for any number of SKUs (`sku_ids=None`: every SKU)."""
    own = _prefixed(SELLABLE_OWN, "levels__location__")
    fbt = _prefixed(SELLABLE_FBT, "levels__location__")
    available = F("levels__on_hand") - F("levels__reserved")
    skus = SKU.objects.all() if sku_ids is None else SKU.objects.filter(pk__in=list(sku_ids))
    own_total = Coalesce(Sum(available, filter=own), Value(0))
    if account.channel == Channel.TIKTOK:
        has_fbt_listing = Exists(
            ChannelListing.objects.filter(sku_id=OuterRef("pk"), account_id=account.pk, is_fbt=True, active=True)
        )
        fbt_total = Coalesce(Sum(available, filter=fbt), Value(0))
        base = own_total + Case(When(has_fbt_listing, then=fbt_total), default=Value(0), output_field=IntegerField())
    else:
        base = own_total
    rows = skus.order_by().values("pk").annotate(
        ats=_after_buffer(base, Value(account.stock_buffer_units), Value(account.stock_buffer_percent))
    )
    return dict(rows.values_list("pk", "ats"))


def listings_with_quantity(queryset=None):
    """Channel listings annotated with `quantity` (available to sell on that listing) and
    `previous` (the last quantity written to the outbox, else the last pushed one)."""
    queryset = ChannelListing.objects.all() if queryset is None else queryset
    own = _level_sum(SELLABLE_OWN)
    fbt = _level_sum(SELLABLE_FBT)
    base = own + Case(
        When(is_fbt=True, account__channel=Channel.TIKTOK, then=fbt), default=Value(0), output_field=IntegerField()
    )
    latest = StockOutbox.objects.filter(listing_id=OuterRef("pk")).order_by("-pk").values("quantity")[:1]
    return queryset.annotate(
        quantity=_after_buffer(base, F("account__stock_buffer_units"), F("account__stock_buffer_percent")),
        previous=Coalesce(Subquery(latest, output_field=IntegerField()), F("last_pushed_quantity")),
    )


def after_buffer(base, units, percent):
    """Python twin of `_after_buffer` (same rule, for rows already summed by the database)."""
    return max(0, base - max(units, (base * percent + 99) // 100))


LISTING_QUANTITIES_SQL = """
SELECT l.id, l.is_fbt, a.channel, a.stock_buffer_units, a.stock_buffer_percent,
  COALESCE((SELECT o.quantity FROM {outbox} o WHERE o.listing_id = l.id ORDER BY o.id DESC LIMIT 1),
           l.last_pushed_quantity) AS previous,
  COALESCE((SELECT SUM(s.on_hand - s.reserved) FROM {level} s JOIN {location} loc ON loc.id = s.location_id
            WHERE s.sku_id = l.sku_id AND loc.kind IN (%s, %s) AND loc.sellable = %s AND loc.active = %s), 0) AS own,
  COALESCE((SELECT SUM(s.on_hand - s.reserved) FROM {level} s JOIN {location} loc ON loc.id = s.location_id
            WHERE s.sku_id = l.sku_id AND loc.kind = %s AND loc.sellable = %s AND loc.active = %s), 0) AS fbt
FROM {listing} l JOIN {account} a ON a.id = l.account_id
WHERE l.active = %s AND l.sku_id IN ({ids})
ORDER BY l.id
"""


def listing_quantities(*, sku_ids) -> list[tuple[int, int, int | None]]:
    """[(listing_id, quantity now, previous quantity)] for the active listings of these SKUs.

    Runs on every stock change (to write the outbox), so it is one hand-written query: the sums
    are made by the database, the buffer is applied by `after_buffer` (same rule as
    `available_to_sell`; tests hold the two together)."""
    sku_ids = sorted({int(pk) for pk in sku_ids})
    if not sku_ids:
        return []
    sql = LISTING_QUANTITIES_SQL.format(
        outbox=StockOutbox._meta.db_table, level=StockLevel._meta.db_table, location=Location._meta.db_table,
        listing=ChannelListing._meta.db_table, account=ChannelAccount._meta.db_table,
        ids=", ".join(["%s"] * len(sku_ids)))
    params = [*OWN_KINDS, True, True, Location.Kind.FBT, True, True, True, *sku_ids]
    result = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for listing_id, is_fbt, channel, units, percent, previous, own, fbt in cursor.fetchall():
            base = int(own) + (int(fbt) if is_fbt and channel == Channel.TIKTOK else 0)
            result.append((listing_id, after_buffer(base, units, percent), previous))
    return result


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


class Cover:
    """Days of cover of a row annotated with available and sold (in `days` days)."""

    def __init__(self, available, sold, days=30):
        self.per_day = sold / days if sold > 0 else 0.0
        self.days = (max(available, 0) / self.per_day) if self.per_day else None

    def __str__(self):
        return "no sales" if self.days is None else f"{self.days:.1f}"


def low_stock(*, days=30, queryset=None):
    """Active SKUs whose available stock is below their reorder point, with their sales in the
    last `days` days (days of cover computed per row by `cover`); most urgent first."""
    skus = with_stock(SKU.objects.filter(active=True) if queryset is None else queryset)
    skus = skus.filter(available__lt=F("reorder_point")).annotate(sold=sold_since(days))
    return skus.select_related("product").order_by("available", "seller_sku")


def attach_cover(rows, days=30):
    """Set `row.cover` (Cover) and `row.suggested` (units to order: enough for the reorder point
    plus `days` days of sales) on rows from `low_stock`. No queries."""
    rows = list(rows)
    for row in rows:
        row.cover = Cover(row.available, row.sold, days)
        row.suggested = max(row.reorder_point + row.sold - max(row.available, 0), 0)
    rows.sort(key=lambda r: (r.cover.days if r.cover.days is not None else float("inf"), r.seller_sku))
    return rows


def low_stock_summary(*, limit=8, days=30):
    """{"count", "rows"} for the dashboard panel: two queries."""
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
