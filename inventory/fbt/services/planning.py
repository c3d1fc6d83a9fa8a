"""Planning an inbound shipment: its SKUs and quantities, and its details (IBR number, freight
carrier and tracking), while it is being planned."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from inventory.fbt.models import InboundCartonItem, InboundLine, InboundShipment
from inventory.fbt.services.inbound_rules import (
    MAX_LINES,
    InboundError,
    Status,
    check_quantity,
    goods_ids,
    record_event,
    require_status,
    user_or_none,
)
from inventory.fbt.services.locks import lock_shipment
from inventory.models import SKU, Location


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
        check_quantity(quantity, sku_obj.seller_sku)
        if sku_obj.pk in seen:
            raise InboundError(f"{sku_obj.seller_sku} is listed twice.")
        seen.add(sku_obj.pk)
        if quantity:
            wanted.append((sku_obj, quantity, suggested))
    if not wanted:
        raise InboundError("Add at least one SKU with a quantity to send.")
    if len(wanted) > MAX_LINES:
        raise InboundError(f"An inbound shipment holds at most {MAX_LINES} SKUs.")
    goods = goods_ids([s.pk for s, _q, _g in wanted], destination.pk)
    with transaction.atomic():
        shipment = InboundShipment.objects.create(source=source, destination=destination, account=account,
                                                  note=(note or "")[:500], created_by=user_or_none(user))
        InboundLine.objects.bulk_create([
            InboundLine(shipment=shipment, sku=sku, quantity=quantity, suggested=suggested,
                        goods_id=goods.get(sku.pk, "")) for sku, quantity, suggested in wanted])
        units = sum(q for _s, q, _g in wanted)
        record_event(shipment, "planned", f"Planned {units:,} units of {len(wanted)} SKUs from {source.code} to "
                                    f"{destination.code}.", user=user)
    return shipment


def set_line_quantities(*, shipment: InboundShipment, quantities: dict | None = None, add=(), user=None) -> int:
    """Change planned quantities (0 removes the line) and add SKUs, while planning. A line may
    not drop below what is already packed in cartons. Returns the number of lines left."""
    quantities = {int(k): v for k, v in (quantities or {}).items()}
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, (Status.DRAFT,), "changed")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        packed = dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                      .annotate(units=Sum("quantity")).values_list("line_id", "units"))
        problems = []
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            check_quantity(quantity, line.sku.seller_sku)
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
            check_quantity(quantity, sku_obj.seller_sku)
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
            goods = goods_ids([s.pk for s, _q in new], shipment.destination_id)
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
        shipment = lock_shipment(shipment)
        require_status(shipment, InboundShipment.OPEN_STATUSES + (Status.RECEIVED,), "changed")
        if ibr_id and InboundShipment.objects.filter(ibr_id=ibr_id).exclude(pk=shipment.pk).exists():
            other = InboundShipment.objects.filter(ibr_id=ibr_id).exclude(pk=shipment.pk).first()
            raise InboundError(f"{ibr_id} is already the IBR of {other.reference}.")
        changes = {"ibr_id": ibr_id[:64], "carrier": (carrier or "").strip()[:100],
                   "tracking_number": (tracking_number or "").strip()[:100], "note": (note or "").strip()[:500]}
        changed = {k: v for k, v in changes.items() if getattr(shipment, k) != v}
        if changed:
            InboundShipment.objects.filter(pk=shipment.pk).update(**changed, updated_at=timezone.now())
            if "ibr_id" in changed and ibr_id:
                record_event(shipment, "ibr", f"TikTok inbound order {ibr_id}.", user=user)
            for k, v in changed.items():
                setattr(shipment, k, v)
        return shipment
