"""TikTok receives an inbound shipment: running totals of units received and damaged (TRANSIT ->
the FBT warehouse, damaged written off), TikTok's IBR status, matching TikTok's goods to the
shipment's lines, and closing a shipment TikTok will receive no more of."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory import services as stock
from inventory.fbt.models import InboundLine, InboundShipment
from inventory.fbt.services.inbound_rules import (
    InboundError,
    Reason,
    Status,
    actor_name,
    check_quantity,
    record_event,
    require_status,
)
from inventory.fbt.services.locks import lock_shipment
from inventory.models import ChannelListing, Location


def receive_inbound(*, shipment: InboundShipment, counts: dict, actor: str = "", user=None,
                    tolerate_excess: bool = False, note: str = "") -> dict:
    """TikTok received units: ``counts`` {line_id: (sellable received, damaged)} are running
    totals (what TikTok has received so far), so applying the same figures again changes nothing.
    New sellable units move TRANSIT -> the FBT warehouse; new damaged units are written off from
    TRANSIT (TikTok holds them as unfulfillable). A total lower than what is already recorded is
    refused (by hand) or ignored (from TikTok). Returns {"received", "damaged", "status"}."""
    counts = {int(k): v for k, v in counts.items()}
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, InboundShipment.TRANSIT_STATUSES + (Status.RECEIVED,), "received")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        transit = Location.objects.get(code="TRANSIT")
        moves, problems, notes = [], [], []
        for line_id, pair in counts.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            received, damaged = pair
            check_quantity(received, line.sku.seller_sku)
            check_quantity(damaged, line.sku.seller_sku)
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
        who = actor or actor_name(user)
        if moves or notes:
            missing = sum(ln.missing for ln in lines.values())
            parts = [f"Received {total_received:,} units into {shipment.destination.code}"]
            if total_damaged:
                parts.append(f"{total_damaged:,} damaged (written off)")
            parts.append(f"{missing:,} still missing" if missing else "nothing missing")
            message = ", ".join(parts) + "." + ("".join(f" {n}." for n in notes) if notes else "")
            if note:
                message += f" {note}"
            record_event(shipment, "received", message, user=user, actor=who,
                   data={"lines": {ln.sku.seller_sku: [nr, nd] for ln, nr, nd in moves}, "notes": notes})
        shipment.status = status
        return {"received": total_received, "damaged": total_damaged, "status": status, "notes": notes}


def record_tiktok_status(*, shipment: InboundShipment, status: str, at=None) -> bool:
    """TikTok's IBR status (from a notification or a sync); True when it changed."""
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        if shipment.tiktok_status == status:
            return False
        InboundShipment.objects.filter(pk=shipment.pk).update(tiktok_status=status, tiktok_updated_at=at or
                                                              timezone.now())
        label = status.replace("_", " ").lower()
        record_event(shipment, "tiktok_status", f"TikTok: {label}.", actor="tiktok", data={"status": status})
        return True


def close_inbound(*, shipment: InboundShipment, action: str, user=None, note: str = "") -> dict:
    """Settle the difference of a shipment TikTok will receive no more of: the units still in
    TRANSIT are written off (lost: ledger reason adjustment) or returned to the own warehouse
    (they came back). The missing quantity stays visible on the shipment."""
    if action not in ("write_off", "return"):
        raise InboundError("Choose whether the missing units are written off or came back.")
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, InboundShipment.TRANSIT_STATUSES, "closed")
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
        record_event(shipment, "closed", f"Closed: {settled:,} missing units {what}." + (f" {note}" if note else ""),
               user=user, data={"action": action, "units": settled})
        return {"units": settled, "action": action}


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
