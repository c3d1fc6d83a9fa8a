"""Pick lists: the orders to pick, each line from the bin its stock is reserved in (a bundle line:
each of its components from its own bin), the tote an order is picked into, and finishing or
giving up a list (its orders go back to confirmed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from fulfilment import selectors
from fulfilment.models import PickList, PickListLine, PickListOrder
from fulfilment.services.common import P, S, actor, timeline, user_or_none
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.locks import lock_pick_list, lock_pick_list_entry
from inventory.bundles import components_of
from inventory.models import Location, Reservation
from orders import cancellation_selectors
from orders import services as orders
from orders.models import Fulfilment, Order

MAX_PICK_ORDERS = 300


@dataclass
class PickListResult:
    pick_list: PickList
    skipped: list[tuple[Order, str]] = field(default_factory=list)


def _pick_refusal(order: Order, live: set[int]) -> str:
    if order.fulfilment != Fulfilment.FBS:
        return "fulfilled by TikTok"
    if order.status not in selectors.PICKABLE_STATUSES:
        return f"is {S(order.status).label.lower()}, not confirmed"
    if order.pk in live:
        return "is already on a pick list"
    if any(line.sku_id is None for line in order.lines.all() if not line.cancelled):
        return "has a line without a SKU"
    return ""


def _main_warehouse() -> Location | None:
    return (Location.objects.filter(code="MAIN").first()
            or Location.objects.filter(kind=Location.Kind.WAREHOUSE, active=True).first())


def create_pick_list(*, order_ids=None, due_today: bool = False, user=None, note: str = "",
                     now: dt.datetime | None = None) -> PickListResult:
    """One pick list for the chosen orders (or every order due by the end of today): each line
    to pick from the bin its stock is reserved in. Orders still confirmed move to picking. Orders
    that can't be picked are skipped and listed; if none can, nothing is created."""
    if due_today:
        candidates = list(selectors.orders_to_pick(due_today=True, now=now)[:MAX_PICK_ORDERS + 1])
    else:
        ids = [int(i) for i in (order_ids or [])]
        if not ids:
            raise FulfilmentError("Choose the orders to pick.")
        candidates = list(Order.objects.filter(pk__in=ids).select_related("account").prefetch_related("lines")
                          .order_by("dispatch_due_at", "pk"))
    if len(candidates) > MAX_PICK_ORDERS:
        raise FulfilmentError(f"At most {MAX_PICK_ORDERS} orders fit on one pick list; choose fewer.")
    live = set(PickListOrder.objects.filter(active=True, order__in=[o.pk for o in candidates])
               .values_list("order_id", flat=True))
    eligible, skipped = [], []
    asked = cancellation_selectors.pending_order_ids([o.pk for o in candidates])
    for order in candidates:
        why = _pick_refusal(order, live) or ("has a buyer's cancellation request to decide"
                                             if order.pk in asked else "")
        (skipped.append((order, why)) if why else eligible.append(order))
    if not eligible:
        if not candidates:
            raise FulfilmentError("Nothing to pick: no confirmed order is due today." if due_today
                                  else "Nothing to pick: none of these orders exist.")
        reasons = "; ".join(f"{o.external_id} {why}" for o, why in skipped[:10])
        raise FulfilmentError(f"Nothing to pick: {reasons}.")

    order_ids = [o.pk for o in eligible]
    packaged = selectors.packaged_quantities(order_ids)
    try:
        with transaction.atomic():
            pick_list = PickList.objects.create(created_by=user_or_none(user), note=(note or "").strip()[:300],
                                                warehouse=_main_warehouse())
            PickListOrder.objects.bulk_create([PickListOrder(pick_list=pick_list, order=o, position=i)
                                               for i, o in enumerate(eligible)])
            by_ref = {}
            for r in (Reservation.objects.filter(reference__in=[o.reservation_reference for o in eligible],
                                                 state=Reservation.State.ACTIVE)
                      .select_related("location").order_by("pk")):
                by_ref.setdefault((r.reference, r.line_key), []).append(r)
            plan = []
            parts = components_of({line.sku_id for order in eligible for line in order.lines.all() if line.sku_id})
            for order in eligible:
                for line in order.lines.all():
                    if line.cancelled or not line.sku_id:
                        continue
                    left = line.quantity - packaged.get(line.pk, 0)
                    if line.sku_id in parts:  # a bundle: pick its components from their bins
                        plan.extend(bundle_pick_lines(pick_list, line, left, parts[line.sku_id],
                                                      by_ref, order.reservation_reference))
                        continue
                    for r in by_ref.get((order.reservation_reference, str(line.pk)), []):
                        take = min(r.quantity, left)
                        if take > 0:
                            plan.append(PickListLine(pick_list=pick_list, order_line=line, sku_id=line.sku_id,
                                                     location=r.location, quantity=take))
                            left -= take
                    if left > 0:  # not reserved anywhere (should not happen): listed under "no bin"
                        plan.append(PickListLine(pick_list=pick_list, order_line=line, sku_id=line.sku_id,
                                                 location=None, quantity=left))
            if not plan:
                raise FulfilmentError("Nothing to pick: every line of these orders is already packed.")
            PickListLine.objects.bulk_create(plan)
            for order in eligible:
                if order.status == S.CONFIRMED:
                    orders.send_to_picking(order=order, user=user, actor=actor(user))
                timeline(order, kind="pick_list", user=user, message=f"On pick list {pick_list.reference}",
                         data={"pick_list": pick_list.pk})
    except IntegrityError:
        raise FulfilmentError("One of these orders was just put on another pick list; try again.") from None
    except orders.OrderError as exc:
        raise FulfilmentError(str(exc)) from None
    return PickListResult(pick_list=pick_list, skipped=skipped)


def bundle_pick_lines(pick_list, line, left: int, components, by_ref, reference) -> list[PickListLine]:
    """The pick lines of a bundle line with `left` bundles still to pack: each component from the
    bins its reservation (line key "<line>:<component>") holds, "no bin" for what none holds."""
    plan = []
    for component_id, units in components:
        need = left * units
        for r in by_ref.get((reference, f"{line.pk}:{component_id}"), []):
            take = min(r.quantity, need)
            if take > 0:
                plan.append(PickListLine(pick_list=pick_list, order_line=line, sku_id=component_id,
                                         location=r.location, quantity=take))
                need -= take
        if need > 0:
            plan.append(PickListLine(pick_list=pick_list, order_line=line, sku_id=component_id, location=None,
                                     quantity=need))
    return plan


def set_tote(*, pick_list: PickList, order: Order, tote: str, user=None) -> PickListOrder:
    """Record the tote an order is picked into: the packing station then finds the order by
    scanning the tote."""
    tote = (tote or "").strip().upper()
    if len(tote) > 40:
        raise FulfilmentError("A tote code is at most 40 characters.", field="tote")
    try:
        with transaction.atomic():
            entry = lock_pick_list_entry(pick_list=pick_list, order=order, active=True)
            entry.tote = tote
            entry.save(update_fields=["tote"])
            return entry
    except PickListOrder.DoesNotExist:
        raise FulfilmentError(f"Order {order.external_id} is not on pick list {pick_list.reference}.") from None
    except IntegrityError:
        raise FulfilmentError(f"Tote {tote} already holds another order; empty it or use another tote.",
                              field="tote") from None


def complete_pick_list(*, pick_list: PickList, user=None) -> PickList:
    with transaction.atomic():
        locked = lock_pick_list(pick_list)
        if locked.status == PickList.Status.CANCELLED:
            raise FulfilmentError(f"Pick list {locked.reference} was cancelled.")
        if locked.status == PickList.Status.OPEN:
            locked.status, locked.completed_at = PickList.Status.DONE, timezone.now()
            locked.save(update_fields=["status", "completed_at"])
        return locked


def cancel_pick_list(*, pick_list: PickList, user=None) -> PickList:
    """Give up a pick list: its orders go back to confirmed (unless packing started), free to
    go on another list."""
    with transaction.atomic():
        locked = lock_pick_list(pick_list)
        if locked.status == PickList.Status.CANCELLED:
            return locked
        entries = list(locked.entries.filter(active=True).select_related("order"))
        for entry in entries:
            order = entry.order
            if order.status == S.PICKING and not order.packages.exclude(status=P.CANCELLED).exists():
                orders.transition(order=order, to_status=S.CONFIRMED, user=user,
                                  message=f"Pick list {locked.reference} cancelled")
        PickListOrder.objects.filter(pk__in=[e.pk for e in entries]).update(active=False)
        locked.status, locked.completed_at = PickList.Status.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        return locked
