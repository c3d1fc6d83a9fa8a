"""The warehouse's side of a returned parcel: receiving it (``receive_returned_parcel``, after a
scan of the return tracking number or the order number) and inspecting each line
(``inspect_returned_lines``: each unit restocked to a bin or written off with a reason, through
the inventory services, one ledger row per line and outcome). For a channel return waiting for
the seller to accept the parcel, inspection queues the received-package decision.
docs/after-sales/returns.md#receiving-and-inspection"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from inventory import services as stock
from inventory.models import Location
from orders.models import Return, ReturnDecision, ReturnDecisionKind
from orders.services.errors import ReturnError
from orders.services.locks import lock_return
from orders.services.returns.channel import add_event
from orders.services.returns.decisions import decide_return
from orders.services.timeline import acting_user, record_event

R = Return.Status
RECEIVABLE_CHANNEL = ("AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM")


@dataclass(frozen=True)
class LineInspection:
    """What happens to one return line's units: ``restock`` to ``location``, ``write_off`` with ``reason``."""

    line_id: int
    restock: int = 0
    location: Location | None = None
    write_off: int = 0
    reason: str = ""


def receive_returned_parcel(*, ret: Return, user=None) -> Return:
    """The returned parcel is in the warehouse (scanned): the return is received."""
    with transaction.atomic():
        locked = lock_return(ret, with_order=True)
        if locked.status != R.REQUESTED:
            raise ReturnError(f"Return {locked.pk} was {locked.get_status_display().lower()} already.")
        if locked.kind == "refund_only":
            raise ReturnError(f"Return {locked.pk} is a refund only: the buyer sends nothing back.")
        if locked.account_id and locked.channel_status not in RECEIVABLE_CHANNEL:
            raise ReturnError(f"Return {locked.pk} was not approved for a return on the channel "
                              f"({locked.channel_status or 'no status yet'}); don't accept the parcel yet.")
        locked.status = R.RECEIVED
        locked.save(update_fields=["status", "updated_at"])
        who = getattr(user, "username", "") or "warehouse"
        where = f" ({locked.return_tracking_number})" if locked.return_tracking_number else ""
        add_event(locked, kind="received", user=acting_user(user), actor=who,
                  message=f"Parcel received in the warehouse{where}")
        record_event(locked.order, kind="return", user=user, message=f"Return {locked.pk} received",
                     data={"return": locked.pk, "status": R.RECEIVED})
        ret.status = locked.status
        return locked


def inspect_returned_lines(*, ret: Return, inspections: list[LineInspection], user=None) -> Return:
    """Restock or write off every returned unit (all lines at once); the ledger gets one row per
    line and outcome. Then, for a channel return whose parcel awaits the seller, the received
    package is accepted on the channel (a queued decision)."""
    with transaction.atomic():
        locked = lock_return(ret, with_order=True)
        if locked.status != R.RECEIVED:
            raise ReturnError(f"Return {locked.pk} is {locked.get_status_display().lower()}; receive the parcel "
                              f"before inspecting it.")
        lines = {rl.pk: rl for rl in locked.lines.select_related("order_line__sku")}
        given = {i.line_id: i for i in inspections}
        problems = []
        for line_id, line in lines.items():
            inspection = given.get(line_id)
            label = line.order_line.channel_sku or str(line.order_line_id)
            if inspection is None:
                problems.append(f"{label}: say what happens to the {line.quantity} unit(s)")
                continue
            if inspection.restock < 0 or inspection.write_off < 0 or (
                    inspection.restock + inspection.write_off != line.quantity):
                problems.append(f"{label}: restock and write-off must add up to {line.quantity}")
            if inspection.restock and inspection.location is None:
                problems.append(f"{label}: choose the bin to restock into")
            if inspection.write_off and not inspection.reason.strip():
                problems.append(f"{label}: say why it is written off (e.g. damaged)")
            if line.order_line.sku_id is None:
                problems.append(f"{label}: the line has no SKU; map it first")
        unknown = set(given) - set(lines)
        if unknown:
            problems.append(f"line(s) {', '.join(map(str, sorted(unknown)))} are not lines of return {locked.pk}")
        if problems:
            raise ReturnError("; ".join(problems))
        who = acting_user(user)
        reference = f"return:{locked.pk}"
        restocked = written_off = 0
        try:
            for line_id, line in sorted(lines.items()):
                inspection = given[line_id]
                sku = line.order_line.sku_id
                if inspection.restock:
                    stock.restock_returned(sku=sku, location=inspection.location, quantity=inspection.restock,
                                           user=who, reference=reference, note=f"return {locked.pk}")
                if inspection.write_off:
                    stock.write_off_returned(sku=sku, location=inspection.location or _default_location(),
                                             quantity=inspection.write_off, reason=inspection.reason.strip(),
                                             user=who, reference=reference)
                line.restocked_quantity, line.written_off_quantity = inspection.restock, inspection.write_off
                line.write_off_reason = inspection.reason.strip()[:300] if inspection.write_off else ""
                line.restock_location = inspection.location if inspection.restock else None
                line.save(update_fields=["restocked_quantity", "written_off_quantity", "write_off_reason",
                                         "restock_location"])
                restocked += inspection.restock
                written_off += inspection.write_off
                parts = []
                if inspection.restock:
                    parts.append(f"{inspection.restock} restocked into {inspection.location.code}")
                if inspection.write_off:
                    parts.append(f"{inspection.write_off} written off ({inspection.reason.strip()})")
                add_event(locked, kind="inspected", user=who, actor=getattr(user, "username", "") or "warehouse",
                          message=f"{line.order_line.channel_sku or sku}: " + ", ".join(parts))
        except stock.StockError as exc:
            raise ReturnError(str(exc)) from exc
        locked.status = R.RESTOCKED if restocked else R.WRITTEN_OFF
        locked.restock_location = next((given[i].location for i in sorted(lines) if given[i].restock), None)
        locked.save(update_fields=["status", "restock_location", "updated_at"])
        record_event(locked.order, kind="return", user=user,
                     message=f"Return {locked.pk} inspected: {restocked} restocked, {written_off} written off",
                     data={"return": locked.pk, "status": locked.status})
        pending = ReturnDecision.objects.filter(ret=locked, state=ReturnDecision.State.PENDING).exists()
        if locked.account_id and locked.channel_status == "BUYER_SHIPPED_ITEM" and not pending:
            decide_return(ret=locked, decision=ReturnDecisionKind.APPROVE_RECEIVED_PACKAGE, user=user)
        ret.status = locked.status
        return locked


def _default_location() -> Location:
    location = Location.objects.filter(code="MAIN", active=True).first() or Location.objects.filter(
        kind__in=stock.OWN_KINDS, active=True).order_by("pk").first()
    if location is None:
        raise ReturnError("There is no own warehouse to record the write-off at.")
    return location
