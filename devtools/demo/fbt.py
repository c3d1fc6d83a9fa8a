"""Demo FBT data (after the inventory, orders and channel demos; see ``load_demo_data``'s
``LOADERS``). TikTok Shipping's demo (``devtools.demo.tiktok_shipping``) runs after it.

FBT: an inbound shipment in progress (shipped, partly received, a difference showing), one being
planned with a carton packed, TikTok's figures for the FBT warehouse (the seeded world's, which
the emulator serves: SellerHub's FBT stock equals TikTok's), a replenishment alert from TikTok (a
predicted stock-out, its lead time the same days of cover SellerHub computes from the FBT sales)
and one from the shop's own reorder point. Everything goes through inventory.fbt.services, so
stock moves are in the ledger.

The demo FBT warehouse (FBT-US-ONT) is linked to the emulator's FBT warehouse, so the
30-minute FBT sync (or "Sync from TikTok now") reads the emulator's figures. Loading again does
nothing."""

from __future__ import annotations

from django.utils import timezone

from devtools.demo.channels import SEED_FILE
from devtools.emulators import Catalogue
from devtools.emulators.tiktok import FBT_WAREHOUSE_ID
from devtools.emulators.world import FBT_FIGURES, INBOUND, INBOUND_ID
from integrations.tiktok import fbt as tiktok
from inventory.fbt import selectors, services
from inventory.fbt.jobs import tiktok_accounts
from inventory.fbt.models import InboundShipment
from inventory.models import SKU, ChannelListing, Location
from sellerhub.models import Channel, ChannelAccount

FBT_CODE = "FBT-US-ONT"
# TikTok's figures (seller SKU -> total, available, committed, unfulfillable) and the inbound in
# progress come from the seeded world; TEE-BLK-S sits below its reorder point (10).
IN_PROGRESS = [(code, sent) for code, (sent, _received, _damaged) in INBOUND.items()]
PLANNING = [("HOOD-NVY-M", 6), ("TOTE-NAT", 10)]


def _goods_id(seller_sku: str) -> str:
    """The emulator's goods id of a demo SKU (its goods are numbered in catalogue order)."""
    items = [item.sku for item in Catalogue.from_file(SEED_FILE).items_for("tiktok")]
    return str(7500000000000000001 + items.index(seller_sku)) if seller_sku in items else ""


def _account():
    connected = tiktok_accounts()
    return connected[0] if connected else ChannelAccount.objects.filter(channel=Channel.TIKTOK).order_by("pk").first()


def load(*, users):
    owner, warehouse = users.get("owner"), users.get("warehouse")
    if not InboundShipment.objects.exists():
        _load(owner, warehouse)


def _load(owner, warehouse):
    fbt = Location.objects.filter(code=FBT_CODE).first()
    main = Location.objects.filter(code="MAIN").first()
    if fbt is None or main is None:
        return
    warehouse_id = FBT_WAREHOUSE_ID
    if fbt.external_id != warehouse_id:
        Location.objects.filter(pk=fbt.pk).update(external_id=warehouse_id)
        fbt.external_id = warehouse_id
    account = _account()
    skus = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=set(FBT_FIGURES) | {s for s, _q in PLANNING})}

    # An inbound shipment in progress: shipped, TikTok receiving, part received, a difference.
    available = services.own_levels(main, [skus[c].pk for c, _q in IN_PROGRESS if c in skus])
    own = {}
    for level in available:
        own[level.sku_id] = own.get(level.sku_id, 0) + max(level.on_hand - level.reserved, 0)
    lines = [(skus[c], min(q, own.get(skus[c].pk, 0))) for c, q in IN_PROGRESS if c in skus]
    lines = [(s, q) for s, q in lines if q > 0]
    if lines:
        shipment = services.create_inbound(destination=fbt, source=main, lines=lines, account=account, user=owner,
                                           note="Restock before the weekend campaign")
        line_ids = {ln.sku.seller_sku: ln.pk for ln in shipment.lines.select_related("sku")}
        first = {line_ids[s.seller_sku]: q for s, q in lines[:1]}
        rest = {line_ids[s.seller_sku]: q for s, q in lines[1:]}
        services.add_carton(shipment=shipment, contents=first, weight_grams=4200, dims=(400, 300, 300), user=warehouse)
        if rest:
            services.add_carton(shipment=shipment, contents=rest, weight_grams=1800, dims=(300, 250, 200),
                                user=warehouse)
        services.ship_inbound(shipment=shipment, user=warehouse)
        services.update_inbound_details(shipment=shipment, ibr_id=INBOUND_ID, carrier="UPS Freight",
                                        tracking_number="1Z5R89390357567127", user=owner)
        services.record_tiktok_status(shipment=shipment, status="RECEIVING")
        counts = {line_ids[code]: (got, bad) for code, (_sent, got, bad) in INBOUND.items()
                  if code in line_ids and (got or bad)}
        services.receive_inbound(shipment=shipment, counts=counts, actor="tiktok", tolerate_excess=True)

    # TikTok's figures after that, as a sync stores them (the FBT location's on hand follows them).
    rows = [tiktok.FbtStockRow(warehouse_id=warehouse_id, goods_id=_goods_id(code) or f"demo-{code}",
                               goods_name=skus[code].name, reference_code=code, sku_ids=(), total=total,
                               available=available, reserved=committed, unfulfillable=bad)
            for code, (total, available, committed, bad) in FBT_FIGURES.items() if code in skus]
    services.apply_fbt_stock(account=account, rows=rows, locations={warehouse_id: fbt})

    # One being planned: suggested quantities, a carton packed, not shipped yet.
    plan = [(skus[c], q) for c, q in PLANNING if c in skus]
    if plan:
        draft = services.create_inbound(destination=fbt, source=main, lines=plan, account=account, user=owner)
        first = draft.lines.order_by("id").first()
        services.add_carton(shipment=draft, contents={first.pk: first.quantity}, weight_grams=3900, user=warehouse)

    # Alerts: TikTok predicts a stock-out of the navy hoodie (in as many days as its FBT stock lasts
    # at the last 30 days' FBT sales, SellerHub's days of cover); TEE-BLK-S is below its reorder point.
    hoodie = skus.get("HOOD-NVY-M")
    if hoodie is not None and account is not None:
        total, available, committed, bad = FBT_FIGURES["HOOD-NVY-M"]
        sold = selectors.fbt_velocity(sku_ids=[hoodie.pk]).get(hoodie.pk, 0)
        lead_days = round((total - bad) / (sold / selectors.VELOCITY_DAYS)) if sold else 30
        listing = ChannelListing.objects.filter(account=account, sku=hoodie).first()
        sku_id = listing.external_variant_id if listing else "1729000000000000001"
        notice = tiktok.InventoryAlertNotice(
            sku_id=sku_id, product_id=listing.external_product_id if listing else "", alert_type="PREDICTION",
            inventory_status="LOW_STOCK", lead_days=lead_days, threshold=None, available=available,
            distribution={"total_quantity": total, "available_quantity": available, "committed_quantity": committed},
            updated_at=timezone.now(), warehouse_id="")
        services.record_tiktok_alert(account=account, notice=notice, notification_id="demo-7327112393057371910")
    services.check_thresholds()
