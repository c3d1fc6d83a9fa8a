"""Packing an inbound shipment into cartons (while planning), and what is packed so far."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from inventory.fbt.models import InboundCarton, InboundCartonItem, InboundShipment
from inventory.fbt.services.inbound_rules import InboundError, Status, check_quantity, require_status
from inventory.fbt.services.locks import lock_shipment


def add_carton(*, shipment: InboundShipment, contents: dict, weight_grams: int | None = None, dims=None,
               user=None) -> InboundCarton:
    """Pack a carton: {line_id: units}. Nothing may be packed beyond a line's quantity."""
    contents = {int(k): v for k, v in contents.items()}
    with transaction.atomic():
        shipment = lock_shipment(shipment)
        require_status(shipment, (Status.DRAFT,), "packed")
        lines = {line.pk: line for line in shipment.lines.select_related("sku")}
        packed = dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                      .annotate(units=Sum("quantity")).values_list("line_id", "units"))
        items, problems = [], []
        for line_id, units in contents.items():
            line = lines.get(line_id)
            if line is None:
                raise InboundError("That line is not on this shipment.")
            check_quantity(units, line.sku.seller_sku)
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
        shipment = lock_shipment(carton.shipment_id)
        require_status(shipment, (Status.DRAFT,), "repacked")
        InboundCarton.objects.filter(pk=carton.pk, shipment=shipment).delete()


def packing_state(shipment: InboundShipment) -> dict[int, int]:
    """{line_id: units packed}."""
    return dict(InboundCartonItem.objects.filter(line__shipment=shipment).values("line_id")
                .annotate(units=Sum("quantity")).values_list("line_id", "units"))
