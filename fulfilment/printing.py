"""From models to the documents package's dataclasses (``documents``): labels, packing
slips, pick lists and the label provider's shipment request. Reads only; no writes.
"""

from __future__ import annotations

from django.utils import timezone

from documents import Address, LabelData, PickItem, PickListData, SlipData, SlipLine
from documents.data import carrier_display_name
from fulfilment.models import Package, PickList
from integrations.labels.base import Parcel, ShipmentRequest
from inventory.images import sku_images
from inventory.models import Location, Reservation
from orders.models import Order

OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)


def _warehouse_of(location: Location | None) -> Location | None:
    while location is not None and location.kind == Location.Kind.BIN and location.parent_id:
        location = location.parent
    return location


def ship_from_location(order: Order) -> Location | None:
    """The warehouse the order ships from: where its stock is reserved (a bin's warehouse),
    else the first warehouse of the account's location priority, else MAIN, else any own
    warehouse with an address."""
    reservation = (Reservation.objects.filter(reference=order.reservation_reference)
                   .select_related("location__parent").order_by("pk").first())
    if reservation is not None:
        found = _warehouse_of(reservation.location)
        if found is not None and found.kind == Location.Kind.WAREHOUSE:
            return found
    codes = list(order.account.location_priority or []) + ["MAIN"]
    by_code = {loc.code: loc for loc in Location.objects.filter(code__in=codes, kind=Location.Kind.WAREHOUSE)}
    for code in codes:
        if code in by_code:
            return by_code[code]
    return Location.objects.filter(kind=Location.Kind.WAREHOUSE, active=True).exclude(street1="").first()


def ship_from_problems(location: Location | None) -> list[str]:
    if location is None:
        return ["there is no warehouse to ship from"]
    missing = [label for name, label in (("street1", "street"), ("city", "city"), ("postal_code", "postal code"))
               if not (getattr(location, name) or "").strip()]
    if (location.country or "US") in ("US", "CA") and not location.state:
        missing.append("state")
    return [f"warehouse {location.code} has no {', '.join(missing)} (its address is the ship-from)"] if missing else []


def ship_to(order: Order) -> Address:
    return Address.from_order(order)


def package_position(package: Package) -> tuple[int, int]:
    """(n, of) among the order's active packages, for "package 2 of 3"."""
    ids = [pk for pk, status in package.order.packages.values_list("pk", "status")
           if status != Package.Status.CANCELLED or pk == package.pk]
    return (ids.index(package.pk) + 1 if package.pk in ids else 1), max(len(ids), 1)


def label_data(package: Package, *, warehouse: Location | None = None, position: tuple[int, int] | None = None
               ) -> LabelData:
    """SellerHub's own 4x6 label of a package (own delivery, local couriers, or a tracking number
    bought elsewhere): the tracking number as the barcode, else the package reference."""
    order = package.order
    warehouse = warehouse or ship_from_location(order)
    number, count = position or package_position(package)
    carrier = package.carrier_name or carrier_display_name(package.carrier) or "Own delivery"
    return LabelData(
        ship_from=Address.from_location(warehouse) if warehouse else Address(name="(no warehouse)"),
        ship_to=ship_to(order), order_number=order.external_id, carrier=carrier, service=package.service,
        tracking_number=package.tracking_number, reference=package.reference or f"SH-{order.pk}-{package.pk}",
        weight_grams=package.weight_grams or None, package_number=number, package_count=count,
        ship_date=timezone.localdate(),
    )


def _variant(sku) -> str:
    attributes = getattr(sku, "attributes", None) or {}
    return " / ".join(str(v) for v in attributes.values() if v) if isinstance(attributes, dict) else ""


def slip_data(order: Order, package: Package | None = None, *, warehouse: Location | None = None) -> SlipData:
    """The packing slip of a package (its lines), or of the whole order."""
    if package is not None:
        rows = [(pl.order_line, pl.quantity) for pl in package.lines.all()]
    else:
        rows = [(line, line.quantity) for line in order.lines.all() if not line.cancelled]
    # The name the seller gave the SKU, not the channel's title ("Tee - TEE-BLK-M"); an unmatched
    # line keeps the channel's.
    lines = [SlipLine(sku=line.sku.seller_sku if line.sku_id else line.channel_sku, name=(
        line.sku.name if line.sku_id and line.sku.name else line.name or line.channel_sku), quantity=quantity,
        variant=_variant(line.sku) if line.sku_id else "") for line, quantity in rows if quantity > 0]
    warehouse = warehouse or ship_from_location(order)
    return SlipData(order_number=order.external_id, order_date=timezone.localtime(order.created_at),
                    ship_to=ship_to(order), lines=lines,
                    ship_from=Address.from_location(warehouse) if warehouse else None,
                    shop_name=order.account.name, channel=order.account.get_channel_display())


def pick_list_data(pick_list: PickList) -> PickListData:
    """The pick list as planned (its lines), for the page and the PDF: the documents package
    groups it by bin and SKU in walking order."""
    items = []
    lines = list(pick_list.lines.all())
    pictures = sku_images(line.sku_id for line in lines)  # one query, whatever the list's length
    for line in lines:
        location = line.location
        order = line.order_line.order
        items.append(PickItem(
            order_number=order.external_id, sku=line.sku.seller_sku, name=line.sku.name, quantity=line.quantity,
            bin_code=location.code if location is not None else "", bin_sequence=location.pick_sequence
            if location is not None else 0, barcode=line.sku.barcode,
            image=pictures[line.sku_id].thumb_url if line.sku_id in pictures else ""))
    created_by = pick_list.created_by.get_username() if pick_list.created_by_id else ""
    return PickListData(reference=pick_list.reference, items=items, created_at=timezone.localtime(pick_list.created_at),
                        created_by=created_by, warehouse=pick_list.warehouse.name if pick_list.warehouse_id else "",
                        note=pick_list.note)


def shipment_request(package: Package, *, label_format: str = "pdf") -> ShipmentRequest:
    order = package.order
    warehouse = ship_from_location(order)
    return ShipmentRequest(
        ship_from=Address.from_location(warehouse), ship_to=ship_to(order),
        parcel=Parcel(weight_grams=package.weight_grams or 0, length_mm=package.length_mm,
                      width_mm=package.width_mm, height_mm=package.height_mm),
        reference=order.external_id, label_format=label_format, ship_to_email=order.buyer_email,
    )
