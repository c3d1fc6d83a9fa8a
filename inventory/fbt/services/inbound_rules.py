"""What every inbound-shipment write shares: the typed error, the limits, the status rule, the
shipment's history (events), and the lookups of goods ids and own stock levels."""

from __future__ import annotations

from django.db.models import Q

from inventory import services as stock
from inventory.fbt.models import FbtStock, InboundEvent, InboundShipment
from inventory.models import Location, StockLevel, StockMovement

Reason = StockMovement.Reason
Status = InboundShipment.Status
OWN_KINDS = (Location.Kind.WAREHOUSE, Location.Kind.BIN)
MAX_LINES = 500
MAX_QUANTITY = 1_000_000


class InboundError(stock.StockError):
    """An FBT change that cannot be made; nothing was changed. The message says why."""


def user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def actor_name(user, default="system"):
    user = user_or_none(user)
    return user.get_username() if user else default


def record_event(shipment, kind, message, *, user=None, actor="", data=None):
    return InboundEvent.objects.create(shipment=shipment, kind=kind, message=message[:500], data=data or {},
                                       user=user_or_none(user), actor=(actor or actor_name(user))[:60])


def require_status(shipment, statuses, doing):
    if shipment.status not in statuses:
        raise InboundError(f"{shipment.reference} is {shipment.get_status_display().lower()}: it can't be {doing}.")


def check_quantity(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_QUANTITY:
        raise InboundError(f"{what}: the quantity must be a whole number from 0 to {MAX_QUANTITY:,}.")
    return value


def goods_ids(sku_ids, destination_id) -> dict[int, str]:
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
