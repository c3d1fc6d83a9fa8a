"""THE lock helpers of the FBT models, ``select_for_update(of=("self",))`` (rows joined for reading
come along unlocked), in primary-key order, for the rest of the transaction: an inbound shipment
(two people, or a notification and a person, acting on one shipment at once are serialised
here), TikTok's FBT stock rows of some locations, an open replenishment alert. Stock levels are
locked by inventory.services' own helper, after the shipment."""

from __future__ import annotations

from inventory.fbt.models import FbtStock, InboundShipment, ReplenishmentAlert


def lock_shipment(shipment) -> InboundShipment:
    """The shipment (or its id), locked for the rest of the transaction."""
    pk = shipment if isinstance(shipment, int) else shipment.pk
    return InboundShipment.objects.select_for_update(of=("self",)).select_related("source", "destination").get(pk=pk)


def lock_fbt_stock(location_ids) -> list[FbtStock]:
    """TikTok's FBT stock rows at these locations, locked."""
    return list(FbtStock.objects.select_for_update(of=("self",)).filter(location_id__in=location_ids).order_by("pk"))


def lock_open_alert(**key) -> ReplenishmentAlert | None:
    """The open replenishment alert of ``key`` (sku_key, warehouse_key, alert_type), locked; None when none is open."""
    return (ReplenishmentAlert.objects.select_for_update(of=("self",))
            .filter(status=ReplenishmentAlert.Status.OPEN, **key).order_by("pk").first())
