"""The packing station: a packing session per order (opened by its first scan), each scanned item
checked against what the order still needs (wrong item, one too many and unknown barcodes are
refused and recorded; a bundle line is packed by scanning its components, see
``fulfilment.bundle_packing``), verifying by hand with a reason, starting over, and closing the box as a
package (the order is packed once every unit is in one)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from fulfilment import selectors
from fulfilment.models import BoxPreset, Package, PackingSession, PackScan
from fulfilment.services.common import (
    S,
    actor,
    check_dims,
    check_open,
    check_weight,
    remaining_after,
    timeline,
    user_or_none,
)
from fulfilment.services.errors import CancellationPending, FulfilmentError
from fulfilment.services.locks import lock_session
from fulfilment.services.packages import new_package
from inventory import selectors as inventory_selectors
from orders import cancellation_selectors
from orders import services as orders
from orders.models import Order, OrderLine


@dataclass
class ScanResult:
    outcome: str
    message: str
    ok: bool
    state: selectors.PackState
    line: OrderLine | None = None


def check_packable(order: Order) -> None:
    """Refuse an order the station can't pack (fulfilled by TikTok, cancelled, or past packing).
    Writes nothing: the station's page checks this before the first scan opens a session."""
    check_open(order, "packed")
    if order.status not in selectors.PACKABLE_STATUSES:
        raise FulfilmentError(f"Order {order.external_id} is {S(order.status).label.lower()}; only confirmed or "
                              f"picked orders are packed.")
    if cancellation_selectors.pending_order_ids([order.pk]):
        raise CancellationPending(f"Don't pack order {order.external_id}: the buyer asked to cancel it. Put it "
                                  f"aside until the request is decided (Orders → Cancellation requests).")


def start_packing(*, order: Order, user=None) -> PackingSession:
    """The order's open packing session (one per order), opened if there is none."""
    check_packable(order)
    existing = selectors.open_session(order)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PackingSession.objects.create(order=order, user=user_or_none(user))
    except IntegrityError:  # opened by someone else a moment ago
        return selectors.open_session(order)


def _locked_session(session: PackingSession) -> PackingSession:
    locked = lock_session(session)
    if locked.status != PackingSession.Status.OPEN:
        raise FulfilmentError(f"This packing of order {locked.order.external_id} is closed; scan the order again.")
    return locked


def scan_item(*, session: PackingSession, code: str, user=None) -> ScanResult:
    """Check one scanned item against what the order still needs: the right item counts; an
    unknown barcode, an item not in the order, or one more than the order needs is refused
    (and recorded)."""
    code = (code or "").strip()
    if not code:
        raise FulfilmentError("Scan an item's barcode.", field="code")
    with transaction.atomic():
        locked = _locked_session(session)
        order = locked.order
        state = selectors.pack_state(locked)
        sku = inventory_selectors.find_sku(code)
        line = None
        if sku is None:
            outcome, message = PackScan.Outcome.UNKNOWN.value, f"Unknown barcode {code}: no SKU has it."
        else:
            mine = [pl for pl in state.lines if pl.line.sku_id == sku.pk]
            open_lines = [pl for pl in mine if pl.left > 0]
            kits = [(pl, part) for pl in state.lines for part in pl.parts if part.sku.pk == sku.pk]
            if not mine and kits:  # a component of a bundle line
                outcome, message, line = _component_scan(order, sku, kits)
            elif not mine:
                outcome = PackScan.Outcome.WRONG_ITEM.value
                message = f"Wrong item: {sku.seller_sku} is not in order {order.external_id}. Put it back."
            elif not open_lines:
                need = sum(pl.to_pack for pl in mine)
                outcome = PackScan.Outcome.TOO_MANY.value
                message = (f"One too many: order {order.external_id} needs {need} × {sku.seller_sku} and all are "
                           f"already scanned. Take it out." if need else
                           f"One too many: {sku.seller_sku} of order {order.external_id} is already in a package.")
            else:
                target = open_lines[0]
                line = target.line
                outcome = PackScan.Outcome.OK.value
                message = f"{sku.seller_sku}: {target.verified + 1} of {target.to_pack}"
        PackScan.objects.create(session=locked, code=code[:100], sku=sku, order_line=line, outcome=outcome,
                                message=message[:300], user=user_or_none(user))
    state = selectors.pack_state(session)
    return ScanResult(outcome=outcome, message=message, ok=outcome == PackScan.Outcome.OK, state=state, line=line)


def _component_scan(order: Order, sku, kits) -> tuple[str, str, OrderLine | None]:
    """A scanned component of a bundle line: counts for the first bundle line still needing it."""
    open_kits = [(pl, part) for pl, part in kits if part.left > 0]
    if not open_kits:
        need = sum(part.needed for _pl, part in kits)
        return (PackScan.Outcome.TOO_MANY.value,
                f"One too many: order {order.external_id} needs {need} × {sku.seller_sku} for its bundle(s) and "
                f"all are already scanned. Take it out.", None)
    pl, part = open_kits[0]
    return (PackScan.Outcome.OK.value,
            f"{sku.seller_sku} for bundle {pl.line.sku.seller_sku}: {part.scanned + 1} of {part.needed}", pl.line)


def override_packing(*, session: PackingSession, reason: str, user=None) -> PackingSession:
    """Count every unit still unscanned as verified, by hand (a damaged barcode, an item with
    none): the reason is required and kept with the person's name."""
    reason = (reason or "").strip()
    if not reason:
        raise FulfilmentError("Say why the items are verified without scanning.", field="reason")
    with transaction.atomic():
        locked = _locked_session(session)
        state = selectors.pack_state(locked)
        left = [pl for pl in state.lines if pl.left > 0]
        if not left:
            raise FulfilmentError("Every item is already verified.")
        PackScan.objects.bulk_create([PackScan(
            session=locked, order_line=pl.line, sku_id=pl.line.sku_id, quantity=pl.left,
            outcome=PackScan.Outcome.OVERRIDE, message=f"Verified by hand: {reason}"[:300], user=user_or_none(user))
            for pl in left])
        locked.override_reason, locked.override_at = reason[:300], timezone.now()
        locked.override_by = user_or_none(user)
        locked.save(update_fields=["override_reason", "override_by", "override_at"])
        units = sum(pl.left for pl in left)
        timeline(locked.order, kind="packing_override", user=user,
                 message=f"{units} unit(s) verified by hand at packing: {reason}",
                 data={"session": locked.pk, "units": units})
        return locked


def restart_packing(*, session: PackingSession, user=None) -> PackingSession:
    """Start the order's packing over (empty the box, scan everything again)."""
    with transaction.atomic():
        locked = _locked_session(session)
        locked.status, locked.finished_at = PackingSession.Status.ABANDONED, timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    return start_packing(order=locked.order, user=user)


def finish_packing(*, session: PackingSession, weight_grams: int, box: BoxPreset | None = None,
                   length_mm: int | None = None, width_mm: int | None = None, height_mm: int | None = None,
                   partial: bool = False, user=None) -> Package:
    """Close the box: a package with the verified units. Every unit must be verified, unless
    ``partial`` (the verified units go in this box, the rest in another). The order is packed
    once every unit is in a package."""
    weight_grams = check_weight(weight_grams)
    if weight_grams is None:
        raise FulfilmentError("Weigh the package and enter its weight.", field="weight_grams")
    dims = check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = _locked_session(session)
        order = orders.lock_order(locked.order_id)
        check_open(order, "packed")
        state = selectors.pack_state(locked)
        verified = [(pl.line, min(pl.verified, pl.to_pack)) for pl in state.lines if min(pl.verified, pl.to_pack) > 0]
        if not verified:
            raise FulfilmentError("Nothing is verified yet: scan the items first.")
        if not state.complete and not partial:
            left = ", ".join(f"{pl.left} × {pl.line.sku.seller_sku if pl.line.sku_id else pl.line.channel_sku}"
                             for pl in state.lines if pl.left > 0)
            raise FulfilmentError(f"Order {order.external_id} can't be packed yet: scan {left} (or verify them by "
                                  f"hand with a reason).")
        package = new_package(order, verified, weight_grams=weight_grams, box=box, dims=dims, user=user,
                              how=f"packed at the station by {actor(user)}")
        locked.status, locked.finished_at, locked.package = PackingSession.Status.PACKED, timezone.now(), package
        locked.save(update_fields=["status", "finished_at", "package"])
        if remaining_after(order) == 0 and order.status in (S.CONFIRMED, S.PICKING):
            orders.mark_packed(order=order, user=user, actor=actor(user))
        return package
