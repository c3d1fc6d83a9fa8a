"""Every FBT write, each in one transaction. Stock moves only through inventory.services (ledger
reason ``fbt_inbound`` for the inbound legs, ``count`` for TikTok's figures, ``adjustment`` for
units written off), with the shipment's reference (IB-00012) on every ledger row.

Public API (all keyword-only):

    create_inbound(destination=, lines=[(sku, quantity, suggested)], source=None, account=None, note="", user=None)
    set_line_quantities(shipment=, quantities={line_id: quantity}, add=[(sku, quantity)], user=None)
    update_inbound_details(shipment=, ibr_id=, carrier=, tracking_number=, note=, user=None)
    add_carton(shipment=, contents={line_id: quantity}, weight_grams=None, dims=(l, w, h), user=None)
    delete_carton(carton=, user=None)
    ship_inbound(shipment=, user=None)                 own warehouse (and its bins) -> TRANSIT
    receive_inbound(shipment=, counts={line_id: (received, damaged)}, actor=, user=None, tolerate_excess=False)
                                                       TRANSIT -> FBT warehouse (damaged: written off)
    record_tiktok_status(shipment=, status=, at=None)
    close_inbound(shipment=, action="write_off"|"return", user=None, note="")
    cancel_inbound(shipment=, user=None)
    ensure_fbt_location(warehouse=FbtWarehouse, account=None) -> Location
    apply_fbt_stock(account=, rows=[FbtStockRow], locations={warehouse id: Location}) -> summary
    record_tiktok_alert(account=, notice=InventoryAlertNotice, notification_id=) -> (alert or None, outcome)
    check_thresholds() -> {"opened", "resolved"}
    dismiss_alert(alert=, user=None, note="")
    record_notification(account=, payload=) -> (TikTokNotification, created)
    finish_notification(notification=, status=, message="")
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from inventory import services as stock
from inventory.fbt.models import (
    FbtStock,
    InboundCarton,
    InboundCartonItem,
    InboundEvent,
    InboundLine,
    InboundShipment,
    ReplenishmentAlert,
    TikTokNotification,
)
from inventory.models import SKU, ChannelListing, Location, StockLevel, StockMovement

Reason = StockMovement.Reason
Status = InboundShipment.Status
OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
MAX_LINES = 500
MAX_QUANTITY = 1_000_000


class InboundError(stock.StockError):
    """An FBT change that cannot be made; nothing was changed. The message says why."""


# ---------------------------------------------------------------------------------------------
# Helpers


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _actor(user, default="system"):
    user = _user(user)
    return user.get_username() if user else default


def _event(shipment, kind, message, *, user=None, actor="", data=None):
    return InboundEvent.objects.create(shipment=shipment, kind=kind, message=message[:500], data=data or {},
                                       user=_user(user), actor=(actor or _actor(user))[:60])


def _locked(shipment) -> InboundShipment:
    """The shipment, locked for the rest of the transaction (two people or a webhook and a
    person acting at once are serialised here)."""
    pk = shipment if isinstance(shipment, int) else shipment.pk
    return InboundShipment.objects.select_for_update().select_related("source", "destination").get(pk=pk)


def _require(shipment, statuses, doing):
    if shipment.status not in statuses:
        raise InboundError(f"{shipment.reference} is {shipment.get_status_display().lower()}: it can't be {doing}.")


def _quantity(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_QUANTITY:
        raise InboundError(f"{what}: the quantity must be a whole number from 0 to {MAX_QUANTITY:,}.")
    return value


def _goods_ids(sku_ids, destination_id) -> dict[int, str]:
    """{sku id: TikTok goods id} from the synchronised FBT stock (the destination's first)."""
    out = {}
    for sku_id, location_id, goods_id in FbtStock.objects.filter(sku_id__in=list(sku_ids)).exclude(
            goods_id="").values_list("sku_id", "location_id", "goods_id"):
        if sku_id not in out or location_id == destination_id:
            out[sku_id] = goods_id
    return out


def own_levels(source: Location, sku_ids):
    """StockLevel rows of these SKUs at the source warehouse and its bins, in picking order."""
    return (StockLevel.objects.filter(Q(location=source) | Q(location__parent=source), sku_id__in=list(sku_ids),
                                      location__kind__in=OWN_KINDS, location__active=True)
            .select_related("location").order_by("location__parent_id", "location__pick_sequence", "location__code"))


# ---------------------------------------------------------------------------------------------
# Planning


def _check_destination(destination, source):
    if destination is None or destination.kind != Location.Kind.FBT:
        raise InboundError("Choose a TikTok FBT warehouse to send the stock to.")
    if not destination.active:
        raise InboundError(f"{destination.code} is not active.")
    if source is None or source.kind != Location.Kind.WAREHOUSE or not source.active:
        raise InboundError("Choose an active own warehouse to send the stock from.")


def create_inbound(*, destination: Location, lines, source: Location | None = None, account=None, note: str = "",
                   user=None) -> InboundShipment:
    """A planned inbound shipment with its SKUs and quantities (lines: (sku, quantity) or
    (sku, quantity, suggested); lines with quantity 0 are left out)."""
    source = source or Location.objects.get(code="MAIN")
    _check_destination(destination, source)
    wanted, seen = [], set()
    for entry in lines:
        sku, quantity, *rest = entry
        suggested = rest[0] if rest else None
        sku_obj = sku if isinstance(sku, SKU) else SKU.objects.filter(pk=sku).first()
        if sku_obj is None:
            raise InboundError(f"Unknown SKU {sku}.")
        _quantity(quantity, sku_obj.seller_sku)
        if sku_obj.pk in seen:
            raise InboundError(f"{sku_obj.seller_sku} is listed twice.")
        seen.add(sku_obj.pk)
        if quantity:
            wanted.append((sku_obj, quantity, suggested))
    if not wanted:
        raise InboundError("Add at least one SKU with a quantity to send.")
    if len(wanted) > MAX_LINES:
        raise InboundError(f"An inbound shipment holds at most {MAX_LINES} SKUs.")
    goods = _goods_ids([s.pk for s, _q, _g in wanted], destination.pk)
    with transaction.atomic():
        shipment = InboundShipment.objects.create(source=source, destination=destination, account=account,
                                                  note=(note or "")[:500], created_by=_user(user))
        InboundLine.objects.bulk_create([
            InboundLine(shipment=shipment, sku=sku, quantity=quantity, suggested=suggested,
                        goods_id=goods.get(sku.pk, "")) for sku, quantity, suggested in wanted])
        units = sum(q for _s, q, _g in wanted)
        _event(shipment, "planned", f"Planned {units:,} units of {len(wanted)} SKUs from {source.code} to "
                                    f"{destination.code}.", user=user)
    return shipment


def set_line_quantities(*, shipment: InboundShipment, quantities: dict | None = None, add=(), user=None) -> int:
    """Change planned quantities (0 removes the line) and add SKUs, while planning. A line may
    not drop below what is already packed in cartons. Returns the number of lines left."""
    quantities = {int(k): v for k, v in (quantities or {}).items()}
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (Status.DRAFT,), "changed")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        packed = dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                      .annotate(units=Sum("quantity")).values_list("line_id", "units"))
        problems = []
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            _quantity(quantity, line.sku.seller_sku)
            if quantity < packed.get(line_id, 0):
                problems.append(f"{line.sku.seller_sku}: {packed[line_id]} are packed in cartons; take them out "
                                f"of the cartons first")
        if problems:
            raise InboundError("; ".join(problems))
        new = []
        have = {line.sku_id for line in lines.values()}
        for sku, quantity in add:
            sku_obj = sku if isinstance(sku, SKU) else SKU.objects.filter(pk=sku).first()
            if sku_obj is None:
                raise InboundError(f"Unknown SKU {sku}.")
            _quantity(quantity, sku_obj.seller_sku)
            if sku_obj.pk in have:
                raise InboundError(f"{sku_obj.seller_sku} is already on this shipment: change its quantity.")
            if quantity:
                have.add(sku_obj.pk)
                new.append((sku_obj, quantity))
        removed = [pk for pk, q in quantities.items() if q == 0]
        for line_id, quantity in quantities.items():
            if quantity and quantity != lines[line_id].quantity:
                InboundLine.objects.filter(pk=line_id).update(quantity=quantity)
        if removed:
            InboundLine.objects.filter(pk__in=removed).delete()
        if new:
            goods = _goods_ids([s.pk for s, _q in new], shipment.destination_id)
            InboundLine.objects.bulk_create([InboundLine(shipment=shipment, sku=s, quantity=q,
                                                         goods_id=goods.get(s.pk, "")) for s, q in new])
        left = shipment.lines.count()
        if len(lines) + len(new) - len(removed) > MAX_LINES:
            raise InboundError(f"An inbound shipment holds at most {MAX_LINES} SKUs.")
        if not left:
            raise InboundError("A shipment needs at least one SKU: cancel it instead.")
        InboundShipment.objects.filter(pk=shipment.pk).update(updated_at=timezone.now())
        return left


def update_inbound_details(*, shipment: InboundShipment, ibr_id: str = "", carrier: str = "",
                           tracking_number: str = "", note: str = "", user=None) -> InboundShipment:
    """The IBR number from Seller Center (TikTok's notifications name it), the freight carrier and
    tracking number, a note. Allowed until the shipment is closed."""
    ibr_id = (ibr_id or "").strip().upper()
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, InboundShipment.OPEN_STATUSES + (Status.RECEIVED,), "changed")
        if ibr_id and InboundShipment.objects.filter(ibr_id=ibr_id).exclude(pk=shipment.pk).exists():
            other = InboundShipment.objects.filter(ibr_id=ibr_id).exclude(pk=shipment.pk).first()
            raise InboundError(f"{ibr_id} is already the IBR of {other.reference}.")
        changes = {"ibr_id": ibr_id[:64], "carrier": (carrier or "").strip()[:100],
                   "tracking_number": (tracking_number or "").strip()[:100], "note": (note or "").strip()[:500]}
        changed = {k: v for k, v in changes.items() if getattr(shipment, k) != v}
        if changed:
            InboundShipment.objects.filter(pk=shipment.pk).update(**changed, updated_at=timezone.now())
            if "ibr_id" in changed and ibr_id:
                _event(shipment, "ibr", f"TikTok inbound order {ibr_id}.", user=user)
            for k, v in changed.items():
                setattr(shipment, k, v)
        return shipment


# ---------------------------------------------------------------------------------------------
# Cartons


def add_carton(*, shipment: InboundShipment, contents: dict, weight_grams: int | None = None, dims=None,
               user=None) -> InboundCarton:
    """Pack a carton: {line_id: units}. Nothing may be packed beyond a line's quantity."""
    contents = {int(k): v for k, v in contents.items()}
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (Status.DRAFT,), "packed")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        packed = dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                      .annotate(units=Sum("quantity")).values_list("line_id", "units"))
        items, problems = [], []
        for line_id, units in contents.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            _quantity(units, line.sku.seller_sku)
            if not units:
                continue
            left = line.quantity - packed.get(line_id, 0)
            if units > left:
                problems.append(f"{line.sku.seller_sku}: {left} left to pack, not {units}")
            items.append((line, units))
        if problems:
            raise InboundError("Too many units: " + "; ".join(problems) + ".")
        if not items:
            raise InboundError("Put at least one unit in the carton.")
        for value, what in ((weight_grams, "weight"), *zip(dims or (), ("length", "width", "height"), strict=False)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise InboundError(f"The carton's {what} must be a positive whole number.")
        number = (shipment.cartons.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        length, width, height = (tuple(dims) + (None, None, None))[:3] if dims else (None, None, None)
        carton = InboundCarton.objects.create(shipment=shipment, number=number, weight_grams=weight_grams,
                                              length_mm=length, width_mm=width, height_mm=height)
        InboundCartonItem.objects.bulk_create([InboundCartonItem(carton=carton, line=line, quantity=units)
                                               for line, units in items])
        InboundShipment.objects.filter(pk=shipment.pk).update(updated_at=timezone.now())
        return carton


def delete_carton(*, carton: InboundCarton, user=None) -> None:
    """Unpack a carton (while planning); the cartons after it keep their numbers."""
    with transaction.atomic():
        shipment = _locked(carton.shipment_id)
        _require(shipment, (Status.DRAFT,), "repacked")
        InboundCarton.objects.filter(pk=carton.pk, shipment=shipment).delete()


def packing_state(shipment: InboundShipment) -> dict[int, int]:
    """{line_id: units packed}."""
    return dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                .annotate(units=Sum("quantity")).values_list("line_id", "units"))


# ---------------------------------------------------------------------------------------------
# Shipping and receiving


def ship_inbound(*, shipment: InboundShipment, user=None) -> InboundShipment:
    """The cartons leave: every line's units move from the own warehouse (and its bins, in
    picking order) to TRANSIT, all or nothing. Every unit must be packed in a carton."""
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (Status.DRAFT,), "shipped")
        lines = list(shipment.lines.select_related("sku"))
        if not lines:
            raise InboundError("The shipment has no SKUs.")
        packed = packing_state(shipment)
        unpacked = [f"{ln.sku.seller_sku} ({ln.quantity - packed.get(ln.pk, 0)} of {ln.quantity})"
                    for ln in lines if packed.get(ln.pk, 0) != ln.quantity]
        if unpacked:
            raise InboundError("Pack every unit in a carton before shipping; not packed yet: " + ", ".join(unpacked))
        transit = Location.objects.get(code="TRANSIT")
        levels = defaultdict(list)
        for level in own_levels(shipment.source, [ln.sku_id for ln in lines]):
            levels[level.sku_id].append(level)
        plan, short = [], []
        for line in lines:
            need = line.quantity
            for level in levels[line.sku_id]:
                take = min(max(level.on_hand - level.reserved, 0), need)
                if take:
                    plan.append((line, level.location, take))
                    need -= take
                if not need:
                    break
            if need:
                have = line.quantity - need
                short.append(f"{line.sku.seller_sku} needs {line.quantity}, {have} available at {shipment.source.code}")
        if short:
            raise InboundError("Not enough unreserved stock to ship: " + "; ".join(short) + ".")
        for line, location, units in plan:  # each transfer locks its levels and re-checks them
            stock.transfer(sku=line.sku_id, from_location=location, to_location=transit, quantity=units,
                           reason=Reason.FBT_INBOUND, user=user, reference=shipment.reference,
                           note=f"{location.code} -> TRANSIT for {shipment.destination.code}")
        now = timezone.now()
        InboundShipment.objects.filter(pk=shipment.pk).update(status=Status.IN_TRANSIT, shipped_at=now, updated_at=now)
        units = sum(ln.quantity for ln in lines)
        cartons = shipment.cartons.count()
        _event(shipment, "shipped", f"Shipped {units:,} units in {cartons} carton{'s' if cartons != 1 else ''}: "
                                    f"{shipment.source.code} -> TRANSIT.", user=user)
        shipment.status, shipment.shipped_at = Status.IN_TRANSIT, now
        return shipment


def receive_inbound(*, shipment: InboundShipment, counts: dict, actor: str = "", user=None,
                    tolerate_excess: bool = False, note: str = "") -> dict:
    """TikTok received units: ``counts`` {line_id: (sellable received, damaged)} are running
    totals (what TikTok has received so far), so applying the same figures again changes nothing.
    New sellable units move TRANSIT -> the FBT warehouse; new damaged units are written off from
    TRANSIT (TikTok holds them as unfulfillable). A total lower than what is already recorded is
    refused (by hand) or ignored (from TikTok). Returns {"received", "damaged", "status"}."""
    counts = {int(k): v for k, v in counts.items()}
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, InboundShipment.TRANSIT_STATUSES + (Status.RECEIVED,), "received")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        transit = Location.objects.get(code="TRANSIT")
        moves, problems, notes = [], [], []
        for line_id, pair in counts.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            received, damaged = pair
            _quantity(received, line.sku.seller_sku)
            _quantity(damaged, line.sku.seller_sku)
            name = line.sku.seller_sku
            if received < line.received or damaged < line.damaged:
                if tolerate_excess:
                    notes.append(f"{name}: TikTok reports fewer than already recorded; kept "
                                 f"{line.received} received, {line.damaged} damaged")
                    received, damaged = max(received, line.received), max(damaged, line.damaged)
                else:
                    problems.append(f"{name}: {line.received} received and {line.damaged} damaged are already "
                                    f"recorded; enter the totals so far")
                    continue
            room = line.quantity - line.resolved
            if received + damaged > room:
                if tolerate_excess:
                    notes.append(f"{name}: TikTok reports {received + damaged - room} more than shipped")
                    damaged = min(damaged, max(room - received, line.damaged))
                    received = min(received, room - damaged)
                else:
                    problems.append(f"{name}: {line.quantity} were shipped, so at most {room} can be received")
                    continue
            new_received, new_damaged = received - line.received, damaged - line.damaged
            if new_received or new_damaged:
                moves.append((line, new_received, new_damaged))
        if problems:
            raise InboundError("; ".join(problems) + ".")
        total_received = total_damaged = 0
        for line, new_received, new_damaged in moves:
            if new_received:
                stock.transfer(sku=line.sku_id, from_location=transit, to_location=shipment.destination,
                               quantity=new_received, reason=Reason.FBT_INBOUND, user=user,
                               reference=shipment.reference, note=f"TRANSIT -> {shipment.destination.code}")
            if new_damaged:
                stock.adjust(sku=line.sku_id, location=transit, quantity=-new_damaged, reason=Reason.ADJUSTMENT,
                             user=user, reference=shipment.reference,
                             note=f"received damaged at {shipment.destination.code} (unfulfillable)")
            InboundLine.objects.filter(pk=line.pk).update(received=F("received") + new_received,
                                                          damaged=F("damaged") + new_damaged)
            line.received += new_received
            line.damaged += new_damaged
            total_received += new_received
            total_damaged += new_damaged
        complete = all(ln.received + ln.damaged >= ln.quantity for ln in lines.values())
        any_in = any(ln.received or ln.damaged for ln in lines.values())
        status = Status.RECEIVED if complete else (Status.PARTIALLY_RECEIVED if any_in else shipment.status)
        now = timezone.now()
        fields = {"status": status, "updated_at": now}
        if moves:
            fields["received_at"] = now
        InboundShipment.objects.filter(pk=shipment.pk).update(**fields)
        who = actor or _actor(user)
        if moves or notes:
            missing = sum(ln.missing for ln in lines.values())
            parts = [f"Received {total_received:,} units into {shipment.destination.code}"]
            if total_damaged:
                parts.append(f"{total_damaged:,} damaged (written off)")
            parts.append(f"{missing:,} still missing" if missing else "nothing missing")
            message = ", ".join(parts) + "." + ("".join(f" {n}." for n in notes) if notes else "")
            if note:
                message += f" {note}"
            _event(shipment, "received", message, user=user, actor=who,
                   data={"lines": {ln.sku.seller_sku: [nr, nd] for ln, nr, nd in moves}, "notes": notes})
        shipment.status = status
        return {"received": total_received, "damaged": total_damaged, "status": status, "notes": notes}


def record_tiktok_status(*, shipment: InboundShipment, status: str, at=None) -> bool:
    """TikTok's IBR status (from a notification or a sync); True when it changed."""
    with transaction.atomic():
        shipment = _locked(shipment)
        if shipment.tiktok_status == status:
            return False
        InboundShipment.objects.filter(pk=shipment.pk).update(tiktok_status=status, tiktok_updated_at=at or
                                                              timezone.now())
        label = status.replace("_", " ").lower()
        _event(shipment, "tiktok_status", f"TikTok: {label}.", actor="tiktok", data={"status": status})
        return True


def close_inbound(*, shipment: InboundShipment, action: str, user=None, note: str = "") -> dict:
    """Settle the difference of a shipment TikTok will receive no more of: the units still in
    TRANSIT are written off (lost: ledger reason adjustment) or returned to the own warehouse
    (they came back). The missing quantity stays visible on the shipment."""
    if action not in ("write_off", "return"):
        raise InboundError("Choose whether the missing units are written off or came back.")
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, InboundShipment.TRANSIT_STATUSES, "closed")
        lines = list(shipment.lines.select_related("sku"))
        transit = Location.objects.get(code="TRANSIT")
        settled = 0
        for line in lines:
            units = line.outstanding
            if not units:
                continue
            if action == "write_off":
                stock.adjust(sku=line.sku_id, location=transit, quantity=-units, reason=Reason.ADJUSTMENT, user=user,
                             reference=shipment.reference, note=(note or "lost on the way to FBT")[:500])
            else:
                stock.transfer(sku=line.sku_id, from_location=transit, to_location=shipment.source, quantity=units,
                               reason=Reason.TRANSFER, user=user, reference=shipment.reference,
                               note=(note or f"came back from {shipment.destination.code}")[:500])
            InboundLine.objects.filter(pk=line.pk).update(resolved=F("resolved") + units)
            settled += units
        now = timezone.now()
        InboundShipment.objects.filter(pk=shipment.pk).update(status=Status.CLOSED, closed_at=now, updated_at=now)
        what = "written off" if action == "write_off" else f"returned to {shipment.source.code}"
        _event(shipment, "closed", f"Closed: {settled:,} missing units {what}." + (f" {note}" if note else ""),
               user=user, data={"action": action, "units": settled})
        return {"units": settled, "action": action}


def cancel_inbound(*, shipment: InboundShipment, user=None) -> None:
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (Status.DRAFT,), "cancelled (ship it back or close it instead)")
        now = timezone.now()
        InboundShipment.objects.filter(pk=shipment.pk).update(status=Status.CANCELLED, closed_at=now, updated_at=now)
        _event(shipment, "cancelled", "Cancelled while planning: no stock moved.", user=user)


def lines_for_goods(shipment: InboundShipment, order, *, account=None) -> tuple[dict, list[str]]:
    """Match a TikTok inbound order's received goods to the shipment's lines: by goods id, then
    by TikTok SKU id (the account's listings), then by reference code = seller SKU. Returns
    ({line_id: (received, damaged)}, [goods not on the shipment])."""
    lines = list(shipment.lines.select_related("sku"))
    by_goods = {ln.goods_id: ln for ln in lines if ln.goods_id}
    by_sku = {ln.sku_id: ln for ln in lines}
    by_code = {ln.sku.seller_sku.upper(): ln for ln in lines}
    references = {g.goods_id: g.reference_code for g in order.planned}
    listing_skus = {}
    account = account or shipment.account
    wanted_ids = {s for ids in order.goods_skus.values() for s in ids}
    if account is not None and wanted_ids:
        listing_skus = dict(ChannelListing.objects.filter(account=account, external_variant_id__in=wanted_ids)
                            .exclude(sku=None).values_list("external_variant_id", "sku_id"))
    counts, unknown = {}, []
    for goods_id, pair in order.received.items():
        line = by_goods.get(goods_id)
        if line is None:
            for sku_id in order.goods_skus.get(goods_id, ()):
                line = by_sku.get(listing_skus.get(sku_id))
                if line is not None:
                    break
        if line is None and references.get(goods_id):
            line = by_code.get(references[goods_id].upper())
        if line is None:
            unknown.append(goods_id)
            continue
        if not line.goods_id:
            InboundLine.objects.filter(pk=line.pk).update(goods_id=goods_id)
        received, damaged = counts.get(line.pk, (0, 0))
        counts[line.pk] = (received + pair[0], damaged + pair[1])
    return counts, unknown


# ---------------------------------------------------------------------------------------------
# FBT stock from TikTok


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
        existing = {(s.location_id, s.sku_id): s for s in FbtStock.objects.select_for_update().filter(
            location_id__in={k[0] for k in wanted} or [0])}
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


# ---------------------------------------------------------------------------------------------
# Replenishment alerts


def _open_or_update(*, key: dict, values: dict, now) -> tuple[ReplenishmentAlert, bool]:
    """The open alert of (sku_key, warehouse_key, alert_type), reported once more; or a new one.
    Safe against two notifications arriving at once (the partial unique index decides)."""
    for _attempt in range(2):
        with transaction.atomic():
            alert = ReplenishmentAlert.objects.select_for_update().filter(status=ReplenishmentAlert.Status.OPEN,
                                                                          **key).first()
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
        resolved_by=_user(user))


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
    from inventory.fbt import selectors  # noqa: PLC0415

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
        status=ReplenishmentAlert.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=_user(user),
        resolution=(note or "dismissed")[:300])
    return bool(done)


# ---------------------------------------------------------------------------------------------
# Notifications


def record_notification(*, account, payload: dict) -> tuple[TikTokNotification, bool]:
    """Store a verified notification once; (notification, False) when the same id came before."""
    notification_id = str(payload.get("tts_notification_id") or "")[:64]
    kind = payload.get("type")
    kind = kind if isinstance(kind, int) and not isinstance(kind, bool) and 0 <= kind < 32768 else 0
    try:
        with transaction.atomic():
            return TikTokNotification.objects.create(account=account, notification_id=notification_id, type=kind,
                                                     payload=payload), True
    except IntegrityError:
        return TikTokNotification.objects.get(account=account, notification_id=notification_id), False


def finish_notification(*, notification: TikTokNotification, status: str, message: str = "") -> None:
    TikTokNotification.objects.filter(pk=notification.pk).update(
        status=status, message=message[:500], attempts=F("attempts") + 1, processed_at=timezone.now())
