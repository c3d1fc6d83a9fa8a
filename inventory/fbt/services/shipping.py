"""An inbound shipment leaves (own warehouse and its bins -> TRANSIT, all or nothing), or is
cancelled while planning."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from inventory import services as stock
from inventory.fbt.models import InboundShipment
from inventory.fbt.services.cartons import packing_state
from inventory.fbt.services.inbound_rules import InboundError, Reason, Status, own_levels, record_event, require_status
from inventory.fbt.services.locks import lock_shipment
from inventory.models import Location


def ship_inbound(*, shipment: InboundShipment, user=None) -> InboundShipment:
    """The cartons leave: every line's units move from the own warehouse (and its bins, in
    picking order) to TRANSIT, all or nothing. Every unit must be packed in a carton."""
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, (Status.DRAFT,), "shipped")
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
        record_event(shipment, "shipped", f"Shipped {units:,} units in {cartons} carton{'s' if cartons != 1 else ''}: "
                                    f"{shipment.source.code} -> TRANSIT.", user=user)
        shipment.status, shipment.shipped_at = Status.IN_TRANSIT, now
        return shipment


def cancel_inbound(*, shipment: InboundShipment, user=None) -> None:
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, (Status.DRAFT,), "cancelled (ship it back or close it instead)")
        now = timezone.now()
        InboundShipment.objects.filter(pk=shipment.pk).update(status=Status.CANCELLED, closed_at=now, updated_at=now)
        record_event(shipment, "cancelled", "Cancelled while planning: no stock moved.", user=user)
