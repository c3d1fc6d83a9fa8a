"""The demo's one seeded world: the orders (with their line ids, packages and shipping type), the
FBT stock and the inbound shipment that both the emulators and SellerHub's demo data start from.

``seed_world(state, anchor)`` plays :data:`STORY` onto an emulator's state with the channels' own
order generators, every time relative to ``anchor`` (epoch seconds), and returns one
:class:`Seeded` per story order. It is deterministic: the same catalogue, random seed and anchor
give the same ids, lines, packages and addresses. So the emulator process (``python -m
devtools.emulators --world FILE``) and the demo loader (``devtools/demo/world.py``, which imports
the payloads into the database as a sync would) build the same world independently, and every
action on a seeded order (ship it, buy TikTok's label, upload tracking) finds it on the channel.

The anchor travels in a small JSON file (``{"anchor": 1767225600}``) that the demo loader writes
when it loads the orders and the emulator reads when it starts; with no file the emulator
anchors at its own start. Nothing here imports product code.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import cancellation_story, refund_story, return_story
from .tiktok import FBS, FBT, PROVIDER_BY_NAME

H = 3600.0
US_BUYER = ("Robin Meyer", "2010 E Thomas Rd", "Phoenix", "AZ", "85016")
BAD_TRACKING = "9400111206206406260780"  # a USPS IMpb number with a wrong check digit


@dataclass(frozen=True)
class Story:
    """One order of the story: where it is sold, what, when (hours before the anchor) and how
    far it went. ``walk`` is how far SellerHub's warehouse took it (picking, packed, shipped,
    in_transit, delivered); ``then`` what a person did after (hold, cancel, return_requested,
    return_restocked)."""

    name: str
    channel: str
    lines: dict[str, int]
    paid_h: float | None = 5
    status: str = ""  # TikTok: the 202309 status it ends in
    due_h: float | None = None  # TikTok: rts_sla_time, hours after the anchor (negative: overdue)
    fbt: bool = False
    platform: bool = False  # TikTok ships it on its own label (shipping_type TIKTOK)
    sample: bool = False
    carrier: str = ""
    bad_tracking: bool = False
    shipped_h: float | None = None
    collected_h: float | None = None
    delivered_h: float | None = None
    cancelled_h: float | None = None
    initiator: str = "BUYER"
    reason: str = ""
    unpaid_h: float = 0.5
    walk: str = ""
    scanned_h: float | None = None
    then: str = ""
    no_city: bool = False
    listing_sku: str = ""  # TikTok: sold under this seller SKU (a listing of its own, e.g. a combined listing)
    combined: dict[str, int] | None = None  # TikTok: the combined listing's SKUs (combined_listing_skus)
    pickup: bool = False  # TikTok: its package waits for the carrier's pickup in tomorrow's first slot


@dataclass
class Seeded:
    """A story order as seeded: its channel id and the payload SellerHub first sees (a TikTok
    order as the channel shows it now; the other channels' orders as they were when paid, since
    SellerHub's warehouse walks them on from there)."""

    story: Story
    channel: str
    order_id: str
    payload: dict[str, Any] = field(repr=False)


def _tt(name, lines, **kw) -> Story:
    return Story(name=name, channel="tiktok", lines=lines, status=kw.pop("status", "AWAITING_SHIPMENT"), **kw)


STORY: tuple[Story, ...] = (
    # TikTok Shop: open orders (two overdue, three due today, four due later, one on TikTok's label).
    _tt("tt-overdue-1", {"TEE-BLK-M": 1, "MUG-01": 1}, paid_h=72, due_h=-3),
    _tt("tt-overdue-2", {"HOOD-NVY-M": 1}, paid_h=52, due_h=-0.8),
    _tt("tt-today-1", {"TEE-WHT-M": 2}, paid_h=24, due_h=3),
    _tt("tt-today-2", {"CNDL-CEDAR": 1, "STK-TRAIL": 3}, paid_h=25, due_h=4),
    _tt("tt-today-3", {"TOTE-NAT": 1}, paid_h=26, due_h=5),
    _tt("tt-later-1", {"TEE-BLK-L": 1}, paid_h=3),
    _tt("tt-later-2", {"MUG-03": 2}, paid_h=4),
    _tt("tt-later-3", {"CAP-BLK": 1}, paid_h=5),
    _tt("tt-sample", {"TEE-SND-S": 1}, paid_h=6, sample=True),
    _tt("tt-platform", {"TEE-BLK-S": 1}, paid_h=2, platform=True),
    _tt("tt-short", {"CAP-GRN": 2}, paid_h=9),  # none on hand: needs attention
    # A combined listing made in Seller Center: SellerHub's bundle TT-BUNDLE-TEE2 (two tees).
    _tt("tt-bundle", {"TEE-BLK-M": 1}, paid_h=6, listing_sku="TT-BUNDLE-TEE2",
        combined={"TEE-BLK-M": 1, "TEE-WHT-M": 1}),
    _tt("tt-hold-1", {"TOTE-BLK": 1}, paid_h=0.33, status="ON_HOLD"),
    _tt("tt-hold-2", {"STK-OCEAN": 2}, paid_h=0.75, status="ON_HOLD"),
    _tt("tt-unpaid-1", {"HOOD-OLV-L": 1}, paid_h=None, status="UNPAID", unpaid_h=0.25),
    _tt("tt-unpaid-2", {"MUG-02": 1}, paid_h=None, status="UNPAID", unpaid_h=2),
    # Fulfilled by TikTok: TikTok ships these from its own warehouse.
    _tt("tt-fbt-open", {"TEE-BLK-M": 1}, paid_h=4, fbt=True),
    _tt("tt-fbt-transit", {"TOTE-NAT": 2}, paid_h=72, fbt=True, carrier="UPS", shipped_h=48, collected_h=46),
    _tt("tt-fbt-delivered", {"HOOD-NVY-M": 1}, paid_h=144, fbt=True, carrier="UPS", shipped_h=120,
        collected_h=118, delivered_h=48),
    # Shipped before SellerHub saw them (no stock moves).
    _tt("tt-awaiting-collection", {"TEE-WHT-L": 1}, paid_h=24, carrier="USPS", shipped_h=20),
    _tt("tt-bad-tracking", {"MUG-04": 1}, paid_h=48, carrier="USPS", shipped_h=24, bad_tracking=True),
    _tt("tt-pickup", {"CNDL-FIG": 1}, paid_h=27, carrier="USPS", shipped_h=6, platform=True, pickup=True),
    *(_tt(f"tt-transit-{i}", {"TEE-BLK-M": 1 + i % 2}, paid_h=72 + 24 * i, carrier="UPS",
          shipped_h=48 + 24 * i, collected_h=45 + 24 * i) for i in range(3)),
    *(_tt(f"tt-delivered-{i}", {"MUG-01": 1, "STK-TRAIL": 2}, paid_h=192 + 24 * i, carrier="USPS",
          shipped_h=168 + 24 * i, collected_h=164 + 24 * i, delivered_h=72 + 24 * i) for i in range(3)),
    _tt("tt-completed-return", {"HOOD-OLV-M": 1}, paid_h=360, carrier="FedEx", shipped_h=336, collected_h=334,
        delivered_h=240, status="COMPLETED", then="return_requested"),
    _tt("tt-completed", {"TEE-SND-L": 1}, paid_h=384, carrier="FedEx", shipped_h=360, collected_h=358,
        delivered_h=288, status="COMPLETED"),
    _tt("tt-cancelled-buyer", {"TEE-BLK-M": 1}, paid_h=24, cancelled_h=20, status="CANCELLED",
        reason="No longer needed"),
    _tt("tt-cancelled-system", {"HOOD-NVY-XL": 1}, paid_h=216, cancelled_h=48, status="CANCELLED",
        initiator="SYSTEM", reason="Seller did not ship in time"),
    # WooCommerce (1 handling day, 14:00 cut-off).
    Story("woo-1", "woocommerce", {"TEE-BLK-M": 1}, paid_h=1),
    Story("woo-2", "woocommerce", {"MUG-01": 2, "MUG-03": 2}, paid_h=5),
    Story("woo-3", "woocommerce", {"TOTE-BLK": 1}, paid_h=24),
    Story("woo-4", "woocommerce", {"CNDL-SEA": 2}, paid_h=29, walk="picking"),
    Story("woo-5", "woocommerce", {"TEE-WHT-S": 1, "CAP-KHK": 1}, paid_h=48, walk="picking"),
    Story("woo-6", "woocommerce", {"HOOD-NVY-L": 1}, paid_h=72),
    Story("woo-no-city", "woocommerce", {"TEE-BLK-L": 1}, paid_h=7, no_city=True),
    Story("woo-shipped", "woocommerce", {"STK-TRAIL": 5}, paid_h=96, walk="shipped", shipped_h=72),
    Story("woo-transit", "woocommerce", {"TEE-WHT-M": 1}, paid_h=120, walk="in_transit", shipped_h=96,
          scanned_h=92),
    Story("woo-delivered-1", "woocommerce", {"MUG-01": 1}, paid_h=216, walk="delivered", shipped_h=192,
          scanned_h=189, delivered_h=96),
    Story("woo-delivered-2", "woocommerce", {"CNDL-CEDAR": 1}, paid_h=240, walk="delivered", shipped_h=216,
          scanned_h=213, delivered_h=120),
    Story("woo-cancelled", "woocommerce", {"TOTE-STR": 1}, paid_h=48, then="cancel"),
    # Etsy (3 handling days).
    Story("etsy-1", "etsy", {"MUG-02": 1}, paid_h=3),
    Story("etsy-2", "etsy", {"CNDL-FIG": 1, "CNDL-CEDAR": 1}, paid_h=24),
    Story("etsy-3", "etsy", {"TOTE-NAT": 2}, paid_h=48),
    Story("etsy-packed", "etsy", {"MUG-04": 1}, paid_h=96, walk="packed"),
    Story("etsy-held", "etsy", {"HOOD-OLV-XL": 1}, paid_h=10, then="hold"),
    Story("etsy-shipped", "etsy", {"MUG-03": 1}, paid_h=144, walk="shipped", shipped_h=96),
    Story("etsy-returned", "etsy", {"CNDL-SEA": 1}, paid_h=288, walk="delivered", shipped_h=240, scanned_h=238,
          delivered_h=144, then="return_restocked"),
    # Square: the market stall's web orders (2 handling days).
    Story("square-1", "square", {"TEE-SND-M": 2}, paid_h=4),
    Story("square-2", "square", {"CAP-BLK": 1, "STK-OCEAN": 2}, paid_h=24),
    Story("square-short", "square", {"HOOD-NVY-XL": 3}, paid_h=8),  # only 2 on hand
    Story("square-delivered-1", "square", {"TOTE-NAT": 1}, paid_h=168, walk="delivered", shipped_h=144,
          scanned_h=142, delivered_h=72),
    Story("square-delivered-2", "square", {"MUG-01": 1}, paid_h=192, walk="delivered", shipped_h=144,
          scanned_h=142, delivered_h=72),
    # Bundles (last, so the ids above stay as they were): the two-tee bundle bought on WooCommerce,
    # and a combined listing of two mugs no bundle matches yet (needs attention: "create bundle").
    Story("woo-bundle", "woocommerce", {"TT-BUNDLE-TEE2": 1}, paid_h=3),
    _tt("tt-unmatched", {"MUG-01": 1}, paid_h=6, listing_sku="TT-MUG-PAIR", combined={"MUG-01": 1, "MUG-03": 1}),
)

# TikTok's figures at the FBT warehouse after the inbound below was partly received:
# seller SKU -> (total, available, reserved, unfulfillable). SellerHub's FBT stock is set from these.
FBT_FIGURES = {
    "TEE-BLK-M": (49, 43, 4, 2),
    "TEE-BLK-L": (20, 18, 2, 0),
    "HOOD-NVY-M": (11, 9, 1, 1),
    "TOTE-NAT": (25, 23, 2, 0),
    "TEE-BLK-S": (4, 4, 0, 0),
}
# The inbound shipment on its way to TikTok's FBT warehouse: SKU -> (sent, received, damaged so far).
INBOUND_ID = "IBR7500000000000001"
INBOUND = {"TEE-BLK-M": (20, 17, 1), "TEE-BLK-S": (8, 0, 0)}


def read_anchor(path: str | Path | None) -> float | None:
    """The anchor in ``path`` (``{"anchor": epoch}``), or None when there is no such file."""
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text())
        return float(data["anchor"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_anchor(path: str | Path, anchor: float) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"anchor": int(anchor)}) + "\n")


def pickup_slot(anchor: float, tz_name: str = "America/Los_Angeles") -> tuple[dt.datetime, dt.datetime]:
    """The first pickup slot after ``anchor``: the next weekday, 09:00 to 12:00 in the shop's zone."""
    tz = ZoneInfo(tz_name or "America/Los_Angeles")
    day = dt.datetime.fromtimestamp(anchor, tz).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9), tzinfo=tz), dt.datetime.combine(day, dt.time(12), tzinfo=tz)


def _snapshot(order: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(order))


def _tiktok(svc, anchor: float, s: Story) -> Seeded:
    ago = lambda hours: anchor - hours * H  # noqa: E731
    paid = None if s.paid_h is None else ago(s.paid_h)
    at = (paid if paid is not None else ago(s.unpaid_h)) + 30
    status = s.status if s.status in ("UNPAID", "ON_HOLD") else "AWAITING_SHIPMENT"
    order_id = svc.generate_order(skus=s.lines, status=status, fulfillment_type=FBT if s.fbt else FBS,
                                  shipping_type="TIKTOK" if (s.platform or s.fbt) else "SELLER",
                                  is_sample_order=s.sample, at=at)
    order = svc.orders[order_id]
    if s.due_h is not None:
        order["rts_sla_time"] = int(anchor + s.due_h * H)
    if s.listing_sku:
        listed = s.listing_sku in {i.sku for i in svc.catalogue.items_for("tiktok")}
        ids = svc.catalogue.ids(s.listing_sku)["tiktok"] if listed else {
            "sku_id": "1729699999999999001", "product_id": "1729599999999999000"}
        for line in order["line_items"]:
            line.update(seller_sku=s.listing_sku, sku_id=ids["sku_id"], product_id=ids["product_id"],
                        product_name="Classic Tee bundle" if listed else "Mug pair", sku_name=s.listing_sku)
            if s.combined:
                line["combined_listing_skus"] = [
                    {"sku_id": svc.catalogue.ids(sku)["tiktok"]["sku_id"], "sku_count": count,
                     "product_id": svc.catalogue.ids(sku)["tiktok"]["product_id"], "seller_sku": sku}
                    for sku, count in s.combined.items()]
    if s.shipped_h is not None:
        svc.ship(order_id, provider_id=PROVIDER_BY_NAME[s.carrier or "USPS"],
                 tracking_number=BAD_TRACKING if s.bad_tracking else None, at=ago(s.shipped_h))
    if s.pickup:
        start, end = pickup_slot(anchor, svc.tz.key)
        for package in order["packages"]:
            svc.packages[package["id"]].update(handover_method="PICKUP", pickup_slot={
                "start_time": int(start.timestamp()), "end_time": int(end.timestamp())})
    if s.collected_h is not None:
        svc.collect(order_id, at=ago(s.collected_h))
    if s.delivered_h is not None:
        svc.deliver(order_id, at=ago(s.delivered_h))
    if s.status == "COMPLETED":
        svc.complete(order_id, at=ago((s.delivered_h or 0) - 72))
    if s.cancelled_h is not None:
        svc.cancel(order_id, initiator=s.initiator, reason=s.reason, at=ago(s.cancelled_h))
    return Seeded(s, "tiktok", order_id, _snapshot(order))


def _other(state, anchor: float, s: Story) -> Seeded:
    """A WooCommerce order, Etsy receipt or Square order, paid at ``paid_h``; what SellerHub's
    warehouse does next is mirrored on the channel (completed, shipped, cancelled)."""
    svc = state.channel(s.channel)
    at = anchor - (s.paid_h or 0) * H
    order_id = svc.generate_order(skus=s.lines, at=at)
    if s.channel == "woocommerce":
        order = svc.orders[order_id]
        if s.no_city:
            order["shipping"]["city"] = ""
        payload = _snapshot(order)
        if s.walk in ("shipped", "in_transit", "delivered"):
            order["status"] = "completed"
        elif s.then == "cancel":
            order["status"] = "cancelled"
    elif s.channel == "etsy":
        order = svc.receipts[order_id]
        if order["country_iso"] != "US":  # the demo ships at home: no customs forms in the story
            name, street, city, state, zip_code = US_BUYER
            order.update(name=name, first_line=street, city=city, state=state, zip=zip_code, country_iso="US",
                         formatted_address=f"{name}\n{street}\n{city}, {state} {zip_code}\nUS")
        payload = _snapshot(order)
        if s.walk in ("shipped", "in_transit", "delivered"):
            order.update(status="completed", is_shipped=True)
    else:
        order = svc.orders[order_id]
        payload = _snapshot(order)
        if s.walk in ("shipped", "in_transit", "delivered"):
            order["state"] = "COMPLETED"
            for fulfilment in order.get("fulfillments", []):
                fulfilment["state"] = "COMPLETED"
    return Seeded(s, s.channel, str(order_id), payload)


def _fbt(state, anchor: float) -> None:
    """The inbound shipment (partly received) and TikTok's FBT figures after it."""
    svc = state.tiktok
    by_sku = {g["goods"]["reference_code"]: goods_id for goods_id, g in svc.fbt_goods.items()}
    inbound = svc.inbound_orders.get(INBOUND_ID)
    if inbound is not None and all(code in by_sku for code in INBOUND):
        inbound["planned_goods"] = [{"goods_id": by_sku[code], "quantity": sent}
                                    for code, (sent, _received, _damaged) in INBOUND.items()]
        inbound.update(create_time=int(anchor - 50 * H), update_time=int(anchor - 20 * H), received_batches=[])
        for key in ("order_operation_logs", "warehouse"):
            inbound.pop(key, None)
        svc._complete_inbound_shape(inbound)  # noqa: SLF001 - the emulator's own helper
        received = {code: got for code, (_sent, got, _bad) in INBOUND.items() if got}
        damaged = {code: bad for code, (_sent, _got, bad) in INBOUND.items() if bad}
        if received or damaged:
            svc.receive_inbound(INBOUND_ID, received, defective=damaged, status="RECEIVING", at=anchor - 20 * H)
    for goods in svc.fbt_goods.values():
        total, available, reserved, bad = FBT_FIGURES.get(goods["goods"]["reference_code"], (0, 0, 0, 0))
        goods["on_hand_detail"] = {"total": total, "available": available, "reserved": reserved,
                                   "unfulfillable": bad}


# The world's own id ranges, below the ones the channels' generators hand out afterwards (the
# live stream, tests): an emulator without the world never reuses a seeded id.
ID_RANGES = (("tiktok", "_order_seq", 576461413038800001), ("tiktok", "_package_seq", 1151000000000000001),
             ("woocommerce", "_order_seq", 801), ("etsy", "_receipt_seq", 3050000001))


def seed_world(state, anchor: float) -> list[Seeded]:
    """Play the story onto ``state`` (an :class:`EmulatorState` just reset); returns the orders."""
    seeded = []
    known = {i.sku for i in state.catalogue.items}
    saved = [(getattr(state, channel), attr, getattr(getattr(state, channel), attr))
             for channel, attr, _start in ID_RANGES]
    for channel, attr, start in ID_RANGES:
        setattr(getattr(state, channel), attr, itertools.count(start))
    try:
        for story in STORY:
            if not set(story.lines) | set(story.combined or {}) <= known:
                continue  # a catalogue without these SKUs (a test's small seed)
            if story.channel == "tiktok":
                seeded.append(_tiktok(state.tiktok, anchor, story))
            else:
                seeded.append(_other(state, anchor, story))
        _fbt(state, anchor)
        cancellation_story.seed_cancellations(state, seeded, anchor)
        refund_story.seed_refunds(state, seeded, anchor)
        return_story.seed_returns(state, seeded, anchor)
    finally:
        for service, attr, sequence in saved:
            setattr(service, attr, sequence)
    return seeded


def payloads(seeded: list[Seeded]) -> dict[str, dict[str, Any]]:
    """{story name: payload} (a deep copy, for callers that change them)."""
    return {s.story.name: copy.deepcopy(s.payload) for s in seeded}
