"""What the fulfilment services share: who did a step, the order's timeline line, the weight and
size checks, whether an order can be worked on, and how much of an order is packed or shipped."""

from __future__ import annotations

from fulfilment import selectors
from fulfilment.models import Package
from fulfilment.services.errors import FulfilmentError
from orders.models import Fulfilment, Order, OrderEvent, OrderStatus

S = OrderStatus
P = Package.Status
MAX_WEIGHT_GRAMS = 70_000


def user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def actor(user, default="system") -> str:
    return user.get_username()[:60] if user_or_none(user) else default


def timeline(order: Order, *, kind: str, message: str, user=None, actor_name: str = "", data: dict | None = None):
    """A line on the order's timeline (OrderEvent), for fulfilment steps that are not status
    changes: a label bought, a package shipped, a carrier scan."""
    return OrderEvent.objects.create(order_id=order.pk, kind=kind, user=user_or_none(user),
                                     actor=(actor_name or actor(user))[:60], message=message[:500], data=data or {})


def copy_package(target: Package, source: Package) -> Package:
    """Copy the locked row's state onto the caller's instance so it sees what was written."""
    if target is not source:
        for f in Package._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
    return source


def check_weight(weight_grams) -> int | None:
    if weight_grams in (None, ""):
        return None
    if isinstance(weight_grams, bool) or not isinstance(weight_grams, int) or not 1 <= weight_grams <= MAX_WEIGHT_GRAMS:
        raise FulfilmentError(f"The weight must be a whole number of grams from 1 to {MAX_WEIGHT_GRAMS}.",
                              field="weight_grams")
    return weight_grams


def check_dims(**dims) -> dict:
    out = {}
    for name, value in dims.items():
        if value in (None, ""):
            out[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3000:
            raise FulfilmentError(f"{name.replace('_mm', '').capitalize()} must be a whole number of millimetres "
                                  f"from 1 to 3000.", field=name)
        out[name] = value
    return out


def check_open(order: Order, doing: str) -> None:
    """Refuse orders fulfilled by TikTok and cancelled orders."""
    if order.fulfilment == Fulfilment.FBT:
        raise FulfilmentError(f"Order {order.external_id} is fulfilled by TikTok: TikTok packs and ships it.")
    if order.status == S.CANCELLED:
        raise FulfilmentError(f"Order {order.external_id} is cancelled; it can't be {doing}.")


def label_name(package: Package) -> str:
    return f"package {package.pk} of order {package.order.external_id}"


def remaining_after(order: Order) -> int:
    """Units of the order's active lines not in a live package."""
    packaged = selectors.packaged_quantities([order.pk])
    return sum(max(line.quantity - packaged.get(line.pk, 0), 0)
               for line in order.lines.filter(cancelled=False))


def all_lines_shipped(order: Order) -> bool:
    shipped = selectors.shipped_quantities([order.pk])
    return all(shipped.get(line.pk, 0) >= line.quantity for line in order.lines.filter(cancelled=False))
