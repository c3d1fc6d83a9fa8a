"""FBT stock from TikTok: the FBT location of each TikTok warehouse, TikTok's goods matched to
SKUs, and TikTok's figures stored and applied to the FBT locations' on hand (ledger reason count)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inventory import services as stock
from inventory.fbt.models import FbtStock
from inventory.fbt.services.locks import lock_fbt_stock
from inventory.models import SKU, ChannelListing, Location, StockLevel


def ensure_fbt_location(*, warehouse, account=None) -> Location:
    """The FBT location of a TikTok warehouse (by its id), created when missing."""
    location = Location.objects.filter(kind=Location.Kind.FBT, external_id=warehouse.id).first()
    if location is not None:
        return location
    code = f"FBT-{warehouse.id[-6:]}"
    if Location.objects.filter(code=code).exists():
        code = f"FBT-{warehouse.id[-12:]}"[:32]
    location, _ = Location.objects.get_or_create(
        code=code, defaults={"name": warehouse.name[:120], "kind": Location.Kind.FBT, "external_id": warehouse.id,
                             "sellable": True, "city": warehouse.city[:100], "state": warehouse.state[:100],
                             "country": (warehouse.country or "US")[:2]})
    return location


def match_skus(*, account, rows) -> dict[str, int]:
    """{goods id: sku id} for FBT stock rows: the account's listing of one of the goods' TikTok
    SKU ids, else the SKU whose seller SKU is the goods' reference code."""
    sku_ids = {s for row in rows for s in row.sku_ids}
    listing = {}
    if account is not None and sku_ids:
        listing = dict(ChannelListing.objects.filter(account=account, external_variant_id__in=sku_ids)
                       .exclude(sku=None).values_list("external_variant_id", "sku_id"))
    codes = {row.reference_code.upper() for row in rows if row.reference_code}
    by_code = {}
    if codes:
        for pk, seller_sku in SKU.objects.filter(seller_sku__in=[row.reference_code for row in rows
                                                                 if row.reference_code]).values_list("pk",
                                                                                                     "seller_sku"):
            by_code[seller_sku.upper()] = pk
    out = {}
    for row in rows:
        sku_id = next((listing[s] for s in row.sku_ids if s in listing), None)
        if sku_id is None and row.reference_code:
            sku_id = by_code.get(row.reference_code.upper())
        if sku_id is not None:
            out[row.goods_id] = sku_id
    return out


def apply_fbt_stock(*, account, rows, locations: dict) -> dict:
    """Store TikTok's FBT figures and set each FBT location's on hand to TikTok's sellable on
    hand (total - unfulfillable) through the ledger (reason count), in one transaction."""
    rows = list(rows)
    matched = match_skus(account=account, rows=rows)
    now = timezone.now()
    wanted, unmatched, unknown_warehouses = {}, [], set()
    for row in rows:
        location = locations.get(row.warehouse_id)
        if location is None:
            unknown_warehouses.add(row.warehouse_id)
            continue
        sku_id = matched.get(row.goods_id)
        if sku_id is None:
            unmatched.append(row.reference_code or row.goods_id)
            continue
        key = (location.pk, sku_id)
        if key in wanted:  # two goods of one SKU (own barcode and FBT barcode): add them up
            prev = wanted[key]
            row = type(row)(**{**prev.__dict__, "total": prev.total + row.total,
                               "available": prev.available + row.available, "reserved": prev.reserved + row.reserved,
                               "unfulfillable": prev.unfulfillable + row.unfulfillable,
                               "in_transit": prev.in_transit + row.in_transit})
        wanted[key] = row
    with transaction.atomic():
        existing = {(s.location_id, s.sku_id): s for s in lock_fbt_stock({k[0] for k in wanted} or [0])}
        new, changed = [], []
        for (location_id, sku_id), row in wanted.items():
            values = {"goods_id": row.goods_id, "goods_name": row.goods_name[:300], "total": row.total,
                      "available": row.available, "reserved": row.reserved, "unfulfillable": row.unfulfillable,
                      "in_transit": row.in_transit, "synced_at": now}
            current = existing.get((location_id, sku_id))
            if current is None:
                new.append(FbtStock(location_id=location_id, sku_id=sku_id, **values))
            else:
                for k, v in values.items():
                    setattr(current, k, v)
                changed.append(current)
        FbtStock.objects.bulk_create(new)
        if changed:
            FbtStock.objects.bulk_update(changed, ["goods_id", "goods_name", "total", "available", "reserved",
                                                   "unfulfillable", "in_transit", "synced_at"])
        on_hand = {(lv.location_id, lv.sku_id): lv.on_hand for lv in StockLevel.objects.filter(
            location_id__in={k[0] for k in wanted} or [0], sku_id__in={k[1] for k in wanted} or [0])}
        counts = [(sku_id, location_id, max(row.total - row.unfulfillable, 0))
                  for (location_id, sku_id), row in wanted.items()
                  if on_hand.get((location_id, sku_id), 0) != max(row.total - row.unfulfillable, 0)]
        movements = stock.apply_counts(counts=counts, note="TikTok FBT inventory", reference="fbt-sync") \
            if counts else []
    return {"rows": len(rows), "matched": len(wanted), "unmatched": unmatched, "changed": len(movements),
            "unknown_warehouses": sorted(unknown_warehouses)}
