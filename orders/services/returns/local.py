"""Local returns: requested -> received -> inspected -> restocked (into a location, through the ledger,
reason "return") or written off. Channel returns use the same row (see the package)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from inventory import services as stock
from inventory.models import Location
from orders.models import SHIPPED_STATUSES, Order, Return, ReturnLine
from orders.services.errors import ReturnError
from orders.services.locks import lock_order, lock_return
from orders.services.timeline import acting_user, record_event, status_label

R = Return.Status
RETURN_FLOW = {
    R.REQUESTED: {R.RECEIVED},
    R.RECEIVED: {R.INSPECTED},
    R.INSPECTED: {R.RESTOCKED, R.WRITTEN_OFF},
    R.RESTOCKED: set(),
    R.WRITTEN_OFF: set(),
}


def request_return(*, order: Order, reason: str, lines: list[tuple[int, int]] | None = None,
                   refund_amount=Decimal("0"), external_id: str = "", note: str = "", user=None,
                   actor: str = "") -> Return:
    """Open a return for a shipped order. ``lines``: [(order line id, quantity)]; default: every
    unit of every line not returned yet. Reason required; the refund can't exceed the order total."""
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError("Say why the buyer returns it.")
    try:
        refund = Decimal(str(refund_amount or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ReturnError(f"{refund_amount!r} is not an amount.")
    if refund < 0:
        raise ReturnError("The refund can't be negative.")
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in SHIPPED_STATUSES:
            raise ReturnError(f"Order {locked.external_id} is {status_label(locked.status)}; only shipped orders "
                              f"can be returned.")
        if refund > locked.total and locked.total > 0:
            raise ReturnError(f"The refund ({refund}) can't exceed the order total ({locked.total}).")
        order_lines = {line.pk: line for line in locked.lines.filter(cancelled=False)}
        returned = dict(ReturnLine.objects.filter(order_line__order=locked).values("order_line")
                        .annotate(n=Sum("quantity")).values_list("order_line", "n"))
        if lines is None:
            lines = [(pk, line.quantity - returned.get(pk, 0)) for pk, line in order_lines.items()
                     if line.quantity - returned.get(pk, 0) > 0]
        if not lines:
            raise ReturnError(f"Every unit of order {locked.external_id} has been returned already.")
        problems = []
        for line_id, quantity in lines:
            line = order_lines.get(line_id)
            if line is None:
                problems.append(f"line {line_id} is not a line of order {locked.external_id}")
                continue
            left = line.quantity - returned.get(line_id, 0)
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                problems.append(f"{line.channel_sku or line.pk}: the quantity must be a whole number of at least 1")
            elif quantity > left:
                problems.append(f"{line.channel_sku or line.pk}: {quantity} returned but only {left} can be")
        if problems:
            raise ReturnError("; ".join(problems))
        ret = Return.objects.create(order=locked, reason=reason[:300], refund_amount=refund,
                                    external_id=(external_id or "")[:64], note=note or "")
        ReturnLine.objects.bulk_create([ReturnLine(ret=ret, order_line_id=i, quantity=q) for i, q in lines])
        units = sum(q for _i, q in lines)
        record_event(locked, kind="return", user=user, actor=actor,
                     message=f"Return requested: {units} unit(s), {reason}",
                     data={"return": ret.pk, "status": ret.status, "refund": str(refund)})
        return ret


def _move_return(ret: Return, to: str, *, user, actor, note: str = "", message: str = "", **fields) -> Return:
    locked = lock_return(ret, with_order=True)
    if to not in RETURN_FLOW[locked.status]:
        if locked.status == to:
            raise ReturnError(f"Return {locked.pk} is already {locked.get_status_display().lower()}.")
        follow = ", ".join(R(s).label.lower() for s in sorted(RETURN_FLOW[locked.status])) or "nothing"
        raise ReturnError(f"Return {locked.pk} is {locked.get_status_display().lower()}; it can't be "
                          f"{R(to).label.lower()} now (next: {follow}).")
    before = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    if note:
        locked.note = f"{locked.note}\n{note}".strip()
    locked.save()
    record_event(locked.order, kind="return", user=user, actor=actor,
           message=message or f"Return {locked.pk} {R(to).label.lower()}" + (f": {note}" if note else ""),
           data={"return": locked.pk, "from": before, "status": to})
    for f in Return._meta.concrete_fields:
        setattr(ret, f.attname, getattr(locked, f.attname))
    return locked


def receive_return(*, ret: Return, user=None, actor: str = "", note: str = "") -> Return:
    with transaction.atomic():
        return _move_return(ret, R.RECEIVED, user=user, actor=actor, note=note)


def inspect_return(*, ret: Return, user=None, actor: str = "", note: str = "") -> Return:
    with transaction.atomic():
        return _move_return(ret, R.INSPECTED, user=user, actor=actor, note=note)


def restock_return(*, ret: Return, location: Location, user=None, actor: str = "", note: str = "") -> Return:
    """Put the returned units back on the shelf at ``location`` through the ledger (reason return)."""
    if location.kind not in stock.OWN_KINDS or not location.active:
        raise ReturnError(f"{location.code} is not an active own warehouse or bin; choose where the goods go.")
    with transaction.atomic():
        locked = lock_return(ret)
        if locked.status != R.INSPECTED:
            return _move_return(ret, R.RESTOCKED, user=user, actor=actor)  # raises the refusal
        lines = list(locked.lines.select_related("order_line__sku"))
        unmatched = [rl.order_line.channel_sku or str(rl.order_line_id) for rl in lines if rl.order_line.sku_id is None]
        if unmatched:
            raise ReturnError(f"Line(s) {', '.join(unmatched)} have no SKU; map them before restocking.")
        try:
            for rl in lines:
                stock.adjust(sku=rl.order_line.sku_id, location=location, quantity=rl.quantity,
                             reason=stock.Reason.RETURN, user=acting_user(user), note=note or f"return {locked.pk}",
                             reference=f"return:{locked.pk}")
        except stock.StockError as exc:
            raise ReturnError(str(exc))
        units = sum(rl.quantity for rl in lines)
        return _move_return(ret, R.RESTOCKED, user=user, actor=actor, note=note, restock_location=location,
                            message=f"Return {locked.pk} restocked: {units} unit(s) into {location.code}")


def write_off_return(*, ret: Return, note: str, user=None, actor: str = "") -> Return:
    note = (note or "").strip()
    if not note:
        raise ReturnError("Say why the returned goods are written off (e.g. damaged).")
    with transaction.atomic():
        return _move_return(ret, R.WRITTEN_OFF, user=user, actor=actor, note=note)
