"""Every write of Fulfilled by Seller: pick lists, packing verification, packages, labels (bought,
uploaded, typed, SellerHub's own), shipping with the tracking push, carrier scans, carrier
mappings, box presets and print batches.

Functions are keyword-only. Each database change runs in one transaction; a label provider's
HTTP call never runs inside one (a purchase is claimed, bought, then stored, each step short and
safe to repeat: a label is never bought twice). Order status changes go through
``orders.services`` only; stock only moves there (shipping consumes the reservation).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

import documents as docs
from fulfilment import printing, selectors
from fulfilment.models import (
    BoxPreset,
    CarrierMapping,
    Package,
    PackageLine,
    PackingSession,
    PackScan,
    PickList,
    PickListLine,
    PickListOrder,
    PrintBatch,
    ProviderEvent,
    TrackingEvent,
)
from fulfilment.tiktok import shipping as tiktok_shipping
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code
from integrations.labels import (
    BoughtLabel,
    LabelAlreadyBought,
    LabelProvider,
    NotConfigured,
    ProviderError,
    ProviderEventData,
    Quote,
    Rate,
    TrackerUpdate,
    get_provider,
)
from inventory import selectors as inventory_selectors
from inventory.models import Location, Reservation
from orders import services as orders
from orders.models import Fulfilment, LabelSource, Order, OrderEvent, OrderLine, OrderStatus
from sellerhub.models import Channel

log = logging.getLogger("sellerhub.fulfilment")

S = OrderStatus
P = Package.Status
MAX_PICK_ORDERS = 300
BUY_CLAIM = dt.timedelta(minutes=2)
MAX_LABEL_BYTES = 5 * 1024 * 1024
MAX_WEIGHT_GRAMS = 70_000


class FulfilmentError(ValueError):
    """A fulfilment step that cannot be taken; the message says why and what to do."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------
# Helpers


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _actor(user, default="system") -> str:
    return user.get_username()[:60] if _user(user) else default


def _timeline(order: Order, *, kind: str, message: str, user=None, actor: str = "", data: dict | None = None):
    """A line on the order's timeline (OrderEvent), for fulfilment steps that are not status
    changes: a label bought, a package shipped, a carrier scan."""
    return OrderEvent.objects.create(order_id=order.pk, kind=kind, user=_user(user),
                                     actor=(actor or _actor(user))[:60], message=message[:500], data=data or {})


def _lock_package(package: Package | int) -> Package:
    pk = package if isinstance(package, int) else package.pk
    return Package.objects.select_for_update().select_related("order__account").get(pk=pk)


def _copy(target: Package, source: Package) -> Package:
    if target is not source:
        for f in Package._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
    return source


def _check_weight(weight_grams) -> int | None:
    if weight_grams in (None, ""):
        return None
    if isinstance(weight_grams, bool) or not isinstance(weight_grams, int) or not 1 <= weight_grams <= MAX_WEIGHT_GRAMS:
        raise FulfilmentError(f"The weight must be a whole number of grams from 1 to {MAX_WEIGHT_GRAMS}.",
                              field="weight_grams")
    return weight_grams


def _check_dims(**dims) -> dict:
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


def _open_order(order: Order, doing: str) -> None:
    if order.fulfilment == Fulfilment.FBT:
        raise FulfilmentError(f"Order {order.external_id} is fulfilled by TikTok: TikTok packs and ships it.")
    if order.status == S.CANCELLED:
        raise FulfilmentError(f"Order {order.external_id} is cancelled; it can't be {doing}.")


def _label_name(package: Package) -> str:
    return f"package {package.pk} of order {package.order.external_id}"


# ---------------------------------------------------------------------------------------------
# Box presets and carrier mappings


def save_box(*, box: BoxPreset | None = None, name: str, length_mm: int, width_mm: int, height_mm: int,
             tare_grams: int = 0, barcode: str = "", active: bool = True, position: int = 0, user=None) -> BoxPreset:
    name = (name or "").strip()
    if not name:
        raise FulfilmentError("Give the box a name.", field="name")
    dims = _check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    if None in dims.values():
        raise FulfilmentError("Give the box's length, width and height in millimetres.", field="length_mm")
    if isinstance(tare_grams, bool) or not isinstance(tare_grams, int) or not 0 <= tare_grams <= 20_000:
        raise FulfilmentError("The empty box's weight must be 0 to 20000 grams.", field="tare_grams")
    with transaction.atomic():
        clash = BoxPreset.objects.filter(name__iexact=name).exclude(pk=box.pk if box else None).exists()
        if clash:
            raise FulfilmentError(f"There is already a box called {name}.", field="name")
        box = box or BoxPreset()
        box.name, box.tare_grams, box.barcode = name, tare_grams, (barcode or "").strip()
        box.length_mm, box.width_mm, box.height_mm = dims["length_mm"], dims["width_mm"], dims["height_mm"]
        box.active, box.position = bool(active), position or 0
        box.save()
        return box


def set_carrier_mapping(*, account, carrier: str, provider_id: str, provider_name: str = "",
                        user=None) -> CarrierMapping:
    """Map a carrier (a registry code, or a local courier's name) to the account's channel
    provider id. A blank provider id removes the mapping."""
    carrier = (carrier or "").strip()
    if not carrier:
        raise FulfilmentError("Choose the carrier.", field="carrier")
    code = carrier.lower() if carrier.lower() in carriers.CARRIERS else carrier_code(carrier) or carrier
    provider_id = (provider_id or "").strip()
    if len(provider_id) > 64 or len(code) > 100:
        raise FulfilmentError("The provider id is at most 64 characters.", field="provider_id")
    with transaction.atomic():
        if not provider_id:
            CarrierMapping.objects.filter(account=account, carrier__iexact=code).delete()
            return None
        mapping, _ = CarrierMapping.objects.update_or_create(
            account=account, carrier=code, defaults={"provider_id": provider_id,
                                                     "provider_name": (provider_name or "").strip()[:100]})
        return mapping


# ---------------------------------------------------------------------------------------------
# Pick lists


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
    for order in candidates:
        why = _pick_refusal(order, live)
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
            pick_list = PickList.objects.create(created_by=_user(user), note=(note or "").strip()[:300],
                                                warehouse=_main_warehouse())
            PickListOrder.objects.bulk_create([PickListOrder(pick_list=pick_list, order=o, position=i)
                                               for i, o in enumerate(eligible)])
            by_ref = {}
            for r in (Reservation.objects.filter(reference__in=[o.reservation_reference for o in eligible],
                                                 state=Reservation.State.ACTIVE)
                      .select_related("location").order_by("pk")):
                by_ref.setdefault((r.reference, r.line_key), []).append(r)
            plan = []
            for order in eligible:
                for line in order.lines.all():
                    if line.cancelled or not line.sku_id:
                        continue
                    left = line.quantity - packaged.get(line.pk, 0)
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
                    orders.send_to_picking(order=order, user=user, actor=_actor(user))
                _timeline(order, kind="pick_list", user=user, message=f"On pick list {pick_list.reference}",
                          data={"pick_list": pick_list.pk})
    except IntegrityError:
        raise FulfilmentError("One of these orders was just put on another pick list; try again.") from None
    except orders.OrderError as exc:
        raise FulfilmentError(str(exc)) from None
    return PickListResult(pick_list=pick_list, skipped=skipped)


def set_tote(*, pick_list: PickList, order: Order, tote: str, user=None) -> PickListOrder:
    """Record the tote an order is picked into: the packing station then finds the order by
    scanning the tote."""
    tote = (tote or "").strip().upper()
    if len(tote) > 40:
        raise FulfilmentError("A tote code is at most 40 characters.", field="tote")
    try:
        with transaction.atomic():
            entry = PickListOrder.objects.select_for_update().get(pick_list=pick_list, order=order, active=True)
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
        locked = PickList.objects.select_for_update().get(pk=pick_list.pk)
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
        locked = PickList.objects.select_for_update().get(pk=pick_list.pk)
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


# ---------------------------------------------------------------------------------------------
# Packing station


@dataclass
class ScanResult:
    outcome: str
    message: str
    ok: bool
    state: selectors.PackState
    line: OrderLine | None = None


def start_packing(*, order: Order, user=None) -> PackingSession:
    """The order's open packing session (one per order), opened if there is none."""
    _open_order(order, "packed")
    if order.status not in selectors.PACKABLE_STATUSES:
        raise FulfilmentError(f"Order {order.external_id} is {S(order.status).label.lower()}; only confirmed or "
                              f"picked orders are packed.")
    existing = selectors.open_session(order)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PackingSession.objects.create(order=order, user=_user(user))
    except IntegrityError:  # opened by someone else a moment ago
        return selectors.open_session(order)


def _locked_session(session: PackingSession) -> PackingSession:
    locked = PackingSession.objects.select_for_update().select_related("order__account").get(pk=session.pk)
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
            if not mine:
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
                                message=message[:300], user=_user(user))
    state = selectors.pack_state(session)
    return ScanResult(outcome=outcome, message=message, ok=outcome == PackScan.Outcome.OK, state=state, line=line)


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
            outcome=PackScan.Outcome.OVERRIDE, message=f"Verified by hand: {reason}"[:300], user=_user(user))
            for pl in left])
        locked.override_reason, locked.override_by, locked.override_at = reason[:300], _user(user), timezone.now()
        locked.save(update_fields=["override_reason", "override_by", "override_at"])
        units = sum(pl.left for pl in left)
        _timeline(locked.order, kind="packing_override", user=user,
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


def _remaining_after(order: Order) -> int:
    packaged = selectors.packaged_quantities([order.pk])
    return sum(max(line.quantity - packaged.get(line.pk, 0), 0)
               for line in order.lines.filter(cancelled=False))


def finish_packing(*, session: PackingSession, weight_grams: int, box: BoxPreset | None = None,
                   length_mm: int | None = None, width_mm: int | None = None, height_mm: int | None = None,
                   partial: bool = False, user=None) -> Package:
    """Close the box: a package with the verified units. Every unit must be verified, unless
    ``partial`` (the verified units go in this box, the rest in another). The order is packed
    once every unit is in a package."""
    weight_grams = _check_weight(weight_grams)
    if weight_grams is None:
        raise FulfilmentError("Weigh the package and enter its weight.", field="weight_grams")
    dims = _check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = _locked_session(session)
        order = Order.objects.select_for_update().select_related("account").get(pk=locked.order_id)
        _open_order(order, "packed")
        state = selectors.pack_state(locked)
        verified = [(pl.line, min(pl.verified, pl.to_pack)) for pl in state.lines if min(pl.verified, pl.to_pack) > 0]
        if not verified:
            raise FulfilmentError("Nothing is verified yet: scan the items first.")
        if not state.complete and not partial:
            left = ", ".join(f"{pl.left} × {pl.line.sku.seller_sku if pl.line.sku_id else pl.line.channel_sku}"
                             for pl in state.lines if pl.left > 0)
            raise FulfilmentError(f"Order {order.external_id} can't be packed yet: scan {left} (or verify them by "
                                  f"hand with a reason).")
        package = _new_package(order, verified, weight_grams=weight_grams, box=box, dims=dims, user=user,
                               how=f"packed at the station by {_actor(user)}")
        locked.status, locked.finished_at, locked.package = PackingSession.Status.PACKED, timezone.now(), package
        locked.save(update_fields=["status", "finished_at", "package"])
        if _remaining_after(order) == 0 and order.status in (S.CONFIRMED, S.PICKING):
            orders.mark_packed(order=order, user=user, actor=_actor(user))
        return package


# ---------------------------------------------------------------------------------------------
# Packages


def _new_package(order: Order, lines: list[tuple[OrderLine, int]], *, weight_grams, box, dims, user, how) -> Package:
    if box is not None:
        dims = {"length_mm": dims.get("length_mm") or box.length_mm, "width_mm": dims.get("width_mm") or box.width_mm,
                "height_mm": dims.get("height_mm") or box.height_mm}
    package = Package.objects.create(order=order, status=P.DRAFT, weight_grams=weight_grams, box=box, **dims)
    package.reference = f"SH-{order.pk}-{package.pk}"
    package.save(update_fields=["reference"])
    PackageLine.objects.bulk_create([PackageLine(package=package, order_line=line, quantity=q) for line, q in lines])
    units = sum(q for _l, q in lines)
    _timeline(order, kind="package", user=user, message=f"Package {package.pk} created ({units} unit(s)), {how}",
              data={"package": package.pk, "units": units})
    return package


def create_package(*, order: Order, lines: list[tuple[int, int]] | None = None, weight_grams: int | None = None,
                   box: BoxPreset | None = None, length_mm: int | None = None, width_mm: int | None = None,
                   height_mm: int | None = None, user=None) -> Package:
    """A package of an order: ``lines`` [(order line id, quantity)], by default every unit not in
    a package yet. The weight defaults to the SKUs' weights plus the box's (when all are known).
    It does not mark the order packed: that is the packing station's verified step."""
    weight_grams = _check_weight(weight_grams)
    dims = _check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
        _open_order(locked, "packed")
        if locked.status not in selectors.PACKABLE_STATUSES:
            raise FulfilmentError(f"Order {locked.external_id} is {S(locked.status).label.lower()}; packages are made "
                                  f"for confirmed, picking or packed orders.")
        left = {ll.line.pk: ll for ll in selectors.lines_left(locked)}
        if lines is None:
            chosen = [(ll.line, ll.left) for ll in left.values() if ll.left > 0]
            if not chosen:
                raise FulfilmentError(f"Every unit of order {locked.external_id} is already in a package.")
        else:
            chosen, problems = [], []
            seen = set()
            for line_id, quantity in lines:
                ll = left.get(line_id)
                if ll is None:
                    problems.append(f"line {line_id} is not an active line of order {locked.external_id}")
                elif line_id in seen:
                    problems.append(f"line {line_id} is listed twice")
                elif isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                    problems.append(f"line {line_id}: the quantity must be a whole number of at least 1")
                elif quantity > ll.left:
                    problems.append(f"line {line_id}: {quantity} asked but only {ll.left} not in a package")
                else:
                    chosen.append((ll.line, quantity))
                seen.add(line_id)
            if problems:
                raise FulfilmentError("; ".join(problems).capitalize() + ".", field="lines")
            if not chosen:
                raise FulfilmentError("Give at least one line.", field="lines")
        if weight_grams is None:
            weight_grams = selectors.estimated_weight(chosen, box)
        return _new_package(locked, chosen, weight_grams=weight_grams, box=box, dims=dims, user=user,
                            how="made by " + _actor(user))


def update_package(*, package: Package, weight_grams: int | None = None, box: BoxPreset | None = None,
                   length_mm: int | None = None, width_mm: int | None = None, height_mm: int | None = None,
                   user=None) -> Package:
    """Correct the weight, box or size before a label is bought (a quote is dropped)."""
    weight_grams = _check_weight(weight_grams)
    dims = _check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = _lock_package(package)
        if locked.has_label or locked.status != P.DRAFT:
            raise FulfilmentError(f"The label of {_label_name(locked)} is made; cancel the package to change it.")
        if box is not None:
            dims = {k: dims[k] or getattr(box, k) for k in dims}
        locked.weight_grams = weight_grams if weight_grams is not None else locked.weight_grams
        locked.box = box or locked.box
        for name, value in dims.items():
            if value is not None:
                setattr(locked, name, value)
        locked.provider_shipment_id, locked.rates, locked.rates_quoted_at = "", [], None
        locked.save()
        return _copy(package, locked)


def cancel_package(*, package: Package, reason: str, user=None, provider: LabelProvider | None = None) -> Package:
    """Cancel a package that has not shipped; a bought label is refunded first. Its units are
    free to pack again; a packed order goes back to picking."""
    reason = (reason or "").strip()
    if not reason:
        raise FulfilmentError("Say why the package is cancelled.", field="reason")
    current = Package.objects.select_related("order").get(pk=package.pk)
    if current.is_shipped:
        raise FulfilmentError(f"{_label_name(current).capitalize()} has shipped; it can't be cancelled.")
    refund = ""
    if current.status != P.CANCELLED and current.label_source == Package.LabelSource.PROVIDER \
            and current.provider_shipment_id:
        try:
            refund = (provider or get_provider()).refund(current.provider_shipment_id)
        except ProviderError as exc:
            raise FulfilmentError(f"The label could not be refunded, so the package was not cancelled: {exc}") from exc
    with transaction.atomic():
        locked = _lock_package(package)
        if locked.status == P.CANCELLED:
            return _copy(package, locked)
        if locked.is_shipped:
            raise FulfilmentError(f"{_label_name(locked).capitalize()} has shipped; it can't be cancelled.")
        locked.status, locked.cancel_reason = P.CANCELLED, reason[:300]
        if refund:
            locked.refund_status = refund[:20]
        locked.save()
        _timeline(locked.order, kind="package", user=user, message=f"Package {locked.pk} cancelled: {reason}"
                  + (f" (label refund {refund})" if refund else ""), data={"package": locked.pk, "refund": refund})
        order = locked.order
        if order.status == S.PACKED and _remaining_after(order) > 0:
            orders.transition(order=order, to_status=S.PICKING, user=user,
                              message=f"Package {locked.pk} cancelled: to pack again")
        return _copy(package, locked)


# ---------------------------------------------------------------------------------------------
# Labels


def _label_problems(package: Package) -> list[str]:
    problems = []
    order = package.order
    if order.label_source == LabelSource.PLATFORM:
        where = "print it on Fulfilment → TikTok Shipping" if tiktok_shipping.is_platform(order) else \
            "print it from the channel's seller center"
        problems.append(f"{order.account.get_channel_display()} provides this order's label ({where})")
    if package.status == P.CANCELLED:
        problems.append("the package is cancelled")
    if package.is_shipped:
        problems.append("the package has shipped")
    missing = orders.address_problems(order)
    if missing:
        problems.append(f"the shipping address has no {', '.join(missing)}")
    problems += printing.ship_from_problems(printing.ship_from_location(order))
    return problems


def _ready_for_label(package: Package, *, need_weight: bool) -> None:
    if package.has_label:
        raise FulfilmentError(f"{_label_name(package).capitalize()} already has its label; cancel the package to "
                              f"make another.")
    problems = _label_problems(package)
    if need_weight and not package.weight_grams:
        problems.append("the package has no weight (weigh it first)")
    if problems:
        raise FulfilmentError(f"No label for {_label_name(package)}: " + "; ".join(problems) + ".")


def quote_rates(*, package: Package, label_format: str = "pdf", user=None,
                provider: LabelProvider | None = None) -> Quote:
    """Ask the label provider for the rates of the package (ship-from warehouse, the order's
    address, weight and size); they are kept with the package until one is bought."""
    if label_format not in ("pdf", "zpl"):
        raise FulfilmentError("Choose PDF or ZPL.", field="label_format")
    current = Package.objects.select_related("order__account").get(pk=package.pk)
    _ready_for_label(current, need_weight=True)
    try:
        provider = provider or get_provider()
        quote = provider.quote(printing.shipment_request(current, label_format=label_format))
    except NotConfigured as exc:
        raise FulfilmentError(str(exc)) from exc
    except ProviderError as exc:
        raise FulfilmentError(f"No rates for {_label_name(current)}: {exc}") from exc
    with transaction.atomic():
        locked = _lock_package(package)
        _ready_for_label(locked, need_weight=True)
        locked.provider, locked.provider_shipment_id = provider.name, quote.shipment_id
        locked.provider_shipment_format = label_format
        locked.rates = [r.as_dict() for r in quote.rates]
        locked.rates_quoted_at = timezone.now()
        locked.save(update_fields=["provider", "provider_shipment_id", "provider_shipment_format", "rates",
                                   "rates_quoted_at", "updated_at"])
        _copy(package, locked)
    return quote


def _claim_purchase(package: Package, rate_id: str) -> Package | None:
    """Mark the package as being bought; None when it already has its label."""
    with transaction.atomic():
        locked = _lock_package(package)
        if locked.has_label:
            return None
        _ready_for_label(locked, need_weight=True)
        if not locked.provider_shipment_id:
            raise FulfilmentError(f"Get the rates of {_label_name(locked)} first.")
        if rate_id not in {r.get("id") for r in locked.rates}:
            raise FulfilmentError("That rate is not one quoted for this package; get the rates again.",
                                  field="rate_id")
        now = timezone.now()
        if locked.buying_since and now - locked.buying_since < BUY_CLAIM:
            raise FulfilmentError(f"The label of {_label_name(locked)} is being bought right now; wait a moment.")
        locked.buying_since = now
        locked.save(update_fields=["buying_since"])
        return locked


def _release_claim(package: Package) -> None:
    Package.objects.filter(pk=package.pk).update(buying_since=None)


def _store_bought(package: Package, bought: BoughtLabel, *, provider: LabelProvider, user) -> Package:
    with transaction.atomic():
        locked = _lock_package(package)
        if locked.has_label:
            return _copy(package, locked)
        rate = bought.rate
        code = rate.carrier_code or carrier_code(rate.carrier)
        verdict = carriers.validate(bought.tracking_number, carrier=code or None)
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.{bought.label_format}",
                               ContentFile(bought.content), save=False)
        locked.label_source, locked.label_format = Package.LabelSource.PROVIDER, bought.label_format
        locked.label_created_at = timezone.now()
        locked.provider, locked.provider_shipment_id, locked.provider_rate_id = (
            provider.name, bought.shipment_id, rate.id)
        locked.provider_tracker_id = bought.tracker_id
        locked.public_tracking_url = bought.public_url[:300]
        locked.tracking_number = carriers.normalise(bought.tracking_number)
        locked.tracking_format_valid = verdict.valid
        locked.carrier = code or (verdict.carrier if verdict.valid else "") or ""
        locked.carrier_name, locked.service = rate.carrier[:100], rate.service[:100]
        locked.rate_amount, locked.rate_currency, locked.delivery_days = rate.amount, rate.currency[:3], rate.days
        locked.buying_since = None
        locked.status = P.LABELLED
        locked.save()
        _timeline(locked.order, kind="label", user=user,
                  message=f"Label bought for package {locked.pk}: {rate.carrier} {rate.service} "
                          f"{rate.amount} {rate.currency}, tracking {locked.tracking_number}",
                  data={"package": locked.pk, "provider": provider.name, "shipment": bought.shipment_id})
        return _copy(package, locked)


def buy_label(*, package: Package, rate_id: str, user=None, provider: LabelProvider | None = None) -> Package:
    """Buy one of the quoted rates and store the carrier's label with its tracking number.
    Safe to repeat: a package with a label buys nothing, and a purchase whose answer was lost
    is picked up from the provider instead of bought again."""
    rate_id = (rate_id or "").strip()
    if not rate_id:
        raise FulfilmentError("Choose a rate.", field="rate_id")
    claimed = _claim_purchase(package, rate_id)
    if claimed is None:
        return Package.objects.get(pk=package.pk)
    try:
        provider = provider or get_provider()
        try:
            bought = provider.buy(claimed.provider_shipment_id, rate_id)
        except LabelAlreadyBought:
            bought = provider.bought_label(claimed.provider_shipment_id)
            if bought is None:
                raise ProviderError("The provider says the label exists but did not give it; try again.",
                                    retryable=True) from None
    except NotConfigured as exc:
        _release_claim(claimed)
        raise FulfilmentError(str(exc)) from exc
    except ProviderError as exc:
        _release_claim(claimed)
        raise FulfilmentError(f"The label for {_label_name(claimed)} was not bought: {exc}") from exc
    except Exception:
        _release_claim(claimed)
        raise
    return _copy(package, _store_bought(claimed, bought, provider=provider, user=user))


def _pick_rate(rates: list[Rate], choose: str) -> Rate:
    if choose == "fastest":
        return min(rates, key=lambda r: (r.days if r.days is not None else 99, r.amount))
    return min(rates, key=lambda r: (r.amount, r.days if r.days is not None else 99))


def buy_best_rate(*, package: Package, choose: str = "cheapest", label_format: str = "pdf", user=None,
                  provider: LabelProvider | None = None) -> Package:
    """For batches: quote (unless already quoted in this format) and buy the cheapest or fastest
    rate. A package with a label buys nothing."""
    current = Package.objects.get(pk=package.pk)
    if current.has_label:
        return current
    provider = provider or get_provider()
    if current.provider_shipment_id and current.provider_shipment_format == label_format and current.rates:
        bought = None
        if current.buying_since:  # an earlier purchase may have gone through
            try:
                bought = provider.bought_label(current.provider_shipment_id)
            except ProviderError:
                bought = None
        if bought is not None:
            return _store_bought(current, bought, provider=provider, user=user)
        rates = [Rate.from_dict(r) for r in current.rates]
    else:
        rates = list(quote_rates(package=current, label_format=label_format, user=user, provider=provider).rates)
    if not rates:
        raise FulfilmentError(f"No rates for {_label_name(current)}.")
    return buy_label(package=current, rate_id=_pick_rate(rates, choose).id, user=user, provider=provider)


def _label_from_pdf(content: bytes) -> list[str]:
    """Tracking numbers read from the barcodes of an uploaded label's first page."""
    try:
        import pypdfium2  # noqa: PLC0415
        import zxingcpp  # noqa: PLC0415

        pdf = pypdfium2.PdfDocument(content)
        try:
            image = pdf[0].render(scale=3).to_pil()
        finally:
            pdf.close()
        texts = [r.text for r in zxingcpp.read_barcodes(image)]
    except Exception:  # an unreadable image is no reason to refuse the upload
        log.info("could not read barcodes from an uploaded label", exc_info=True)
        return []
    return [t for t in texts if carriers.detect(t)]


def upload_label(*, package: Package, content: bytes, tracking_number: str = "", carrier: str = "",
                 service: str = "", user=None) -> Package:
    """A label bought elsewhere, uploaded as a PDF. Without a tracking number, the one in the
    label's barcode is used (when one is readable and valid)."""
    if not isinstance(content, bytes | bytearray) or not content:
        raise FulfilmentError("Choose the label's PDF file.", field="file")
    if len(content) > MAX_LABEL_BYTES:
        raise FulfilmentError("The file is larger than 5 MB; upload the label page only.", field="file")
    try:
        pages = docs.merge.page_sizes(bytes(content))
    except docs.DocumentError as exc:
        raise FulfilmentError(f"That file can't be used as a label: {exc}.", field="file") from None
    if len(pages) > 4:
        raise FulfilmentError("The PDF has more than 4 pages; upload the label alone.", field="file")
    number = carriers.normalise(tracking_number)
    if not number:
        found = _label_from_pdf(bytes(content))
        if not found:
            raise FulfilmentError("No tracking number could be read from the label's barcode: type it.",
                                  field="tracking_number")
        number = carriers.normalise(found[0])
    verdict = _validated(number, carrier)
    with transaction.atomic():
        locked = _lock_package(package)
        _ready_for_label(locked, need_weight=False)
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.pdf", ContentFile(bytes(content)), save=False)
        _set_number(locked, verdict, service)
        locked.label_source, locked.label_format = Package.LabelSource.UPLOADED, Package.LabelFormat.PDF
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        _timeline(locked.order, kind="label", user=user,
                  message=f"Label uploaded for package {locked.pk}: {locked.carrier_name} {locked.tracking_number}",
                  data={"package": locked.pk})
        return _copy(package, locked)


def _validated(number: str, carrier: str) -> carriers.ValidationResult:
    verdict = carriers.validate(number, carrier=(carrier or "").strip().lower() or None)
    if not verdict.valid:
        reason = verdict.reason
        raise FulfilmentError(f"{number or 'That'} is not a valid tracking number: {reason}.",
                              field="tracking_number")
    return verdict


def _set_number(package: Package, verdict: carriers.ValidationResult, service: str) -> None:
    package.tracking_number = verdict.number
    package.tracking_format_valid = True
    package.carrier = verdict.carrier or ""
    package.carrier_name = carriers.CARRIERS[verdict.carrier].name if verdict.carrier in carriers.CARRIERS else ""
    package.service = (service or "").strip()[:100]


def set_tracking_number(*, package: Package, tracking_number: str, carrier: str = "", service: str = "",
                        user=None) -> Package:
    """A label bought elsewhere (printed there): its tracking number, checked against the
    carrier's format and check digit (the carrier is detected when not given)."""
    verdict = _validated(carriers.normalise(tracking_number), carrier)
    with transaction.atomic():
        locked = _lock_package(package)
        _ready_for_label(locked, need_weight=False)
        _set_number(locked, verdict, service)
        locked.label_source, locked.label_format = Package.LabelSource.TYPED, Package.LabelFormat.NONE
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        _timeline(locked.order, kind="label", user=user,
                  message=f"Tracking number typed for package {locked.pk}: {locked.carrier_name} "
                          f"{locked.tracking_number}", data={"package": locked.pk})
        return _copy(package, locked)


def make_own_label(*, package: Package, courier: str, service: str = "", tracking_number: str = "",
                   user=None) -> Package:
    """SellerHub's own 4x6 label, for own delivery and local couriers: ship-from, ship-to, order
    number, courier and service, weight, and a Code 128 of the courier's tracking number (or of
    the package reference)."""
    courier = (courier or "").strip()
    if not courier:
        raise FulfilmentError("Name the courier (or \"Own delivery\").", field="courier")
    number = carriers.normalise(tracking_number)
    code = courier.lower() if courier.lower() in carriers.CARRIERS else carrier_code(courier)
    valid = None
    if number and code:
        verdict = carriers.validate(number, carrier=code)
        if not verdict.valid:
            raise FulfilmentError(f"{number} is not a valid tracking number: {verdict.reason}.",
                                  field="tracking_number")
        valid = True
    if number and not re.fullmatch(r"[A-Z0-9]{4,40}", number):
        raise FulfilmentError("A tracking number has 4 to 40 letters and digits.", field="tracking_number")
    with transaction.atomic():
        locked = _lock_package(package)
        _ready_for_label(locked, need_weight=False)
        locked.carrier, locked.carrier_name = code or "", (carriers.CARRIERS[code].name if code else courier)[:100]
        locked.service, locked.tracking_number = (service or "").strip()[:100], number
        locked.tracking_format_valid = valid if number else None
        try:
            pdf = docs.render_label_pdf(printing.label_data(locked))
        except docs.DocumentError as exc:
            raise FulfilmentError(f"The label could not be made: {exc}.") from None
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.pdf", ContentFile(pdf), save=False)
        locked.label_source, locked.label_format = Package.LabelSource.OWN, Package.LabelFormat.PDF
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        _timeline(locked.order, kind="label", user=user,
                  message=f"SellerHub label made for package {locked.pk}: {locked.carrier_name}"
                          + (f" {number}" if number else f" (reference {locked.reference})"),
                  data={"package": locked.pk})
        return _copy(package, locked)


def label_bytes(package: Package, fmt: str) -> tuple[bytes, str]:
    """The package's label as PDF or ZPL bytes, with the content type. SellerHub's own labels
    (and typed numbers) render in either format; a provider's or uploaded label is served in
    the format it came in."""
    if not package.has_label:
        raise FulfilmentError(f"{_label_name(package).capitalize()} has no label yet.")
    if fmt not in ("pdf", "zpl"):
        raise FulfilmentError("Ask for pdf or zpl.")
    if package.label_source in (Package.LabelSource.OWN, Package.LabelSource.TYPED):
        data = printing.label_data(package)
        if fmt == "zpl":
            return docs.label_zpl(data), "application/zpl"
        if package.label_source == Package.LabelSource.OWN and package.label_file:
            with package.label_file.open("rb") as fh:
                return fh.read(), "application/pdf"
        return docs.render_label_pdf(data), "application/pdf"
    if package.label_format != fmt:
        source = "the label provider" if package.label_source == Package.LabelSource.PROVIDER else "the upload"
        raise FulfilmentError(f"The label of {_label_name(package)} came from {source} as "
                              f"{package.label_format.upper()}; it can't be turned into {fmt.upper()}.")
    with package.label_file.open("rb") as fh:
        return fh.read(), ("application/pdf" if fmt == "pdf" else "application/zpl")


# ---------------------------------------------------------------------------------------------
# Shipping


def _all_lines_shipped(order: Order) -> bool:
    shipped = selectors.shipped_quantities([order.pk])
    return all(shipped.get(line.pk, 0) >= line.quantity for line in order.lines.filter(cancelled=False))


def ship_package(*, package: Package, user=None, at: dt.datetime | None = None) -> Package:
    """Hand the package over: with a valid tracking number (a carrier's) it is shipped now,
    ``tracking_uploaded_at`` is set, the order moves to shipped once all its units have shipped
    (consuming its reservation through the ledger), the tracking number is queued for upload to
    the channel and the carrier's scans are followed."""
    from channels import services as channel_services  # noqa: PLC0415

    when = at or timezone.now()
    with transaction.atomic():
        locked = _lock_package(package)
        order = locked.order
        if locked.is_shipped:
            return _copy(package, locked)
        if locked.status == P.CANCELLED:
            raise FulfilmentError(f"{_label_name(locked).capitalize()} is cancelled.")
        _open_order(order, "shipped")
        refusal = tiktok_shipping.ship_refusal(locked)  # TikTok's label: TikTok is told the handover first
        if refusal:
            raise FulfilmentError(refusal)
        if not locked.has_label:
            raise FulfilmentError(f"{_label_name(locked).capitalize()} has no label yet: buy one, upload one, type "
                                  f"its tracking number or print SellerHub's label.")
        if locked.tracking_number and locked.carrier in carriers.CARRIERS:
            verdict = carriers.validate(locked.tracking_number, carrier=locked.carrier)
            if not verdict.valid:
                raise FulfilmentError(f"{locked.tracking_number} is not a valid tracking number: {verdict.reason}.")
            locked.tracking_format_valid = True
        elif not locked.tracking_number:
            if order.account.channel == Channel.TIKTOK:
                raise FulfilmentError(f"TikTok needs a tracking number to ship order {order.external_id}; this "
                                      f"package has none.")
            locked.tracking_format_valid = None
        mapping = selectors.provider_for(order.account_id, carrier=locked.carrier, carrier_name=locked.carrier_name)
        if mapping is not None:
            locked.shipping_provider_id = mapping.provider_id
            if mapping.provider_name and not locked.carrier_name:
                locked.carrier_name = mapping.provider_name
        locked.status, locked.tracking_uploaded_at = P.SHIPPED, when
        if locked.first_scan_at:
            locked.status = P.DELIVERED if locked.delivered_at else P.IN_TRANSIT
        locked.save()
        what = f"{locked.carrier_name or locked.carrier} {locked.tracking_number}".strip() or "without tracking"
        _timeline(order, kind="shipped", user=user, message=f"Package {locked.pk} shipped: {what}",
                  data={"package": locked.pk, "tracking": locked.tracking_number})
        if order.status in selectors.PACKABLE_STATUSES and _all_lines_shipped(order):
            try:
                orders.mark_shipped(order=order, user=user, actor=_actor(user), at=when)
            except orders.OrderError as exc:
                raise FulfilmentError(str(exc)) from None
            order.refresh_from_db()
        if locked.tracking_number:
            channel_services.queue_tracking_push(package=locked, user=user)
            _follow_scans(order)
            package_id = locked.pk
            transaction.on_commit(lambda: _enqueue_tracking(package_id))
        return _copy(package, locked)


def _enqueue_tracking(package_id: int) -> None:
    from fulfilment import jobs  # noqa: PLC0415

    try:
        jobs.enqueue_follow(package_id)
    except Exception as exc:  # Redis down: the hourly refresh picks the package up
        log.warning("could not queue tracking for package %s (%s); the hourly refresh will", package_id, exc)


def retry_tracking_push(*, package: Package, user=None):
    """Queue the package's tracking upload again (after a failure)."""
    from channels import services as channel_services  # noqa: PLC0415

    current = Package.objects.select_related("order__account").get(pk=package.pk)
    if not current.is_shipped or not current.tracking_number:
        raise FulfilmentError(f"{_label_name(current).capitalize()} has not shipped with a tracking number.")
    push = channel_services.queue_tracking_push(package=current, user=user)
    if push is None:
        raise FulfilmentError(f"{current.order.account.get_channel_display()} orders have no tracking upload.")
    return push


# ---------------------------------------------------------------------------------------------
# Carrier scans


def _scan_text(scan, carrier: str) -> str:
    when = timezone.localtime(scan.occurred_at).strftime("%d %b %H:%M")
    where = f" ({scan.location})" if scan.location else ""
    what = scan.message or scan.status.replace("_", " ")
    return f"{carrier + ' ' if carrier else ''}scan {when}: {what}{where}"


def _follow_scans(order: Order, user=None) -> None:
    """Move the order along its packages' scans (first scan: in transit, with dispatched_at; all
    shipped packages delivered: delivered), for channels that don't report them themselves."""
    if order.account.channel in selectors.CHANNELS_REPORTING_SCANS:
        return
    order.refresh_from_db()
    packages = list(order.packages.filter(status__in=[P.SHIPPED, P.IN_TRANSIT, P.DELIVERED]))
    firsts = [p.first_scan_at for p in packages if p.first_scan_at]
    if order.status == S.SHIPPED and firsts:
        orders.mark_in_transit(order=order, at=min(firsts), actor="carrier")
        order.refresh_from_db()
    delivered = [p.delivered_at for p in packages]
    if order.status == S.IN_TRANSIT and packages and all(delivered) and _all_lines_shipped(order):
        orders.mark_delivered(order=order, at=max(delivered), actor="carrier")


def record_tracker_update(*, package: Package, update: TrackerUpdate, source: str = "easypost") -> list[str]:
    """Store a tracker's scans (each once), set the package's first scan and delivery times (once),
    put new scans on the order's timeline and move the order along. Repeats change nothing."""
    changes: list[str] = []
    with transaction.atomic():
        locked = _lock_package(package)
        order = locked.order
        known = set(TrackingEvent.objects.filter(package=locked).values_list("occurred_at", "status", "message"))
        fresh = [s for s in sorted(update.scans, key=lambda s: s.occurred_at)
                 if (s.occurred_at, s.status, s.message) not in known]
        if fresh:
            TrackingEvent.objects.bulk_create([TrackingEvent(
                package=locked, status=s.status[:32], status_detail=s.status_detail[:64], message=s.message[:300],
                location=s.location[:200], occurred_at=s.occurred_at, source=source) for s in fresh],
                ignore_conflicts=True)
            carrier = locked.carrier_name or update.carrier
            for s in fresh:
                _timeline(order, kind="carrier_scan", actor=f"carrier:{(update.carrier or source)}"[:60],
                          message=f"Package {locked.pk} {_scan_text(s, carrier)}",
                          data={"package": locked.pk, "status": s.status, "at": s.occurred_at.isoformat()})
            changes.append(f"{len(fresh)} scan(s)")
        first, delivered = update.first_scan_at, update.delivered_at
        if first and locked.first_scan_at is None:
            locked.first_scan_at = first
            changes.append("first scan")
        if delivered and locked.delivered_at is None:
            locked.delivered_at = delivered
            changes.append("delivered")
        if locked.is_shipped:
            target = P.DELIVERED if locked.delivered_at else (P.IN_TRANSIT if locked.first_scan_at else P.SHIPPED)
            rank = {P.SHIPPED: 0, P.IN_TRANSIT: 1, P.DELIVERED: 2}
            if rank[target] > rank[locked.status]:
                locked.status = target
        locked.tracker_status = update.status[:32]
        locked.tracker_updated_at = timezone.now()
        if update.tracker_id and not locked.provider_tracker_id:
            locked.provider_tracker_id = update.tracker_id
        if update.public_url and not locked.public_tracking_url:
            locked.public_tracking_url = update.public_url[:300]
        locked.save()
        if locked.is_shipped and changes:
            _follow_scans(order)
        _copy(package, locked)
    return changes


def follow_package(*, package: Package, provider: LabelProvider | None = None) -> list[str]:
    """Start (or refresh) the provider's tracker of a shipped package and record its scans."""
    current = Package.objects.get(pk=package.pk)
    if not current.tracking_number or current.status == P.CANCELLED:
        return []
    provider = provider or get_provider()
    if current.provider_tracker_id:
        update = provider.tracker(current.provider_tracker_id)
    else:
        update = provider.track(current.tracking_number, current.carrier)
    return record_tracker_update(package=current, update=update, source=provider.name)


def receive_provider_event(*, provider: str, event: ProviderEventData) -> tuple[ProviderEvent, bool]:
    """Keep a verified webhook event once: (record, True) the first time (or when an earlier
    delivery failed), (record, False) for a repeat, which is then ignored."""
    with transaction.atomic():
        record, created = ProviderEvent.objects.select_for_update().get_or_create(
            provider=provider, event_id=event.id[:64],
            defaults={"description": event.description[:64], "payload": event.raw})
        if created:
            return record, True
        if record.status == ProviderEvent.Status.FAILED:
            record.attempts += 1
            record.save(update_fields=["attempts"])
            return record, True
        return record, False


def process_provider_event(*, record: ProviderEvent, event: ProviderEventData) -> ProviderEvent:
    """Apply a tracker event to the packages with that tracker or tracking number."""
    status, message = ProviderEvent.Status.IGNORED, f"{event.description}: nothing to do"
    tracker = event.tracker
    if tracker is not None and event.description in ("tracker.updated", "tracker.created"):
        code = carriers.normalise(tracker.tracking_code)
        packages = list(Package.objects.exclude(status=P.CANCELLED).filter(_tracker_q(tracker.tracker_id, code)))
        if packages:
            done = []
            for package in packages:
                changed = record_tracker_update(package=package, update=tracker, source=record.provider)
                done.append(f"package {package.pk}: {', '.join(changed) or 'no change'}")
            status, message = ProviderEvent.Status.PROCESSED, "; ".join(done)
        else:
            message = f"no package has tracking number {code}"
    ProviderEvent.objects.filter(pk=record.pk).update(status=status, message=message[:500])
    record.status, record.message = status, message[:500]
    return record


def _tracker_q(tracker_id: str, code: str) -> Q:
    q = Q(tracking_number=code) if code else Q(pk__in=[])
    if tracker_id:
        q |= Q(provider_tracker_id=tracker_id)
    return q


def fail_provider_event(*, record: ProviderEvent, error: str) -> None:
    ProviderEvent.objects.filter(pk=record.pk).update(status=ProviderEvent.Status.FAILED, message=error[:500])


# ---------------------------------------------------------------------------------------------
# Print batches


def create_print_batch(*, order_ids=(), package_ids=(), fmt: str = "pdf", with_slips: bool = False,
                       label_policy: str = PrintBatch.LabelPolicy.EXISTING, own_carrier: str = "",
                       user=None) -> PrintBatch:
    """A batch of up to 500 packages to print as one file, made by a job on the documents queue
    (its progress shows on the batch's page)."""
    order_ids = sorted({int(i) for i in order_ids})
    package_ids = sorted({int(i) for i in package_ids})
    if fmt not in PrintBatch.Format.values:
        raise FulfilmentError("Choose PDF or ZPL.", field="fmt")
    if label_policy not in PrintBatch.LabelPolicy.values:
        raise FulfilmentError("Choose what to do with packages that have no label.", field="label_policy")
    if label_policy == PrintBatch.LabelPolicy.OWN and not (own_carrier or "").strip():
        raise FulfilmentError("Name the courier for SellerHub's own labels.", field="own_carrier")
    if not order_ids and not package_ids:
        raise FulfilmentError("Choose the orders or packages to print.")
    if len(order_ids) + len(package_ids) > PrintBatch.MAX_PACKAGES:
        raise FulfilmentError(f"A batch holds at most {PrintBatch.MAX_PACKAGES} packages; choose fewer.")
    found_orders = list(Order.objects.filter(pk__in=order_ids).values_list("pk", flat=True))
    found_packages = list(Package.objects.filter(pk__in=package_ids).values_list("pk", flat=True))
    missing = (set(order_ids) - set(found_orders)) | (set(package_ids) - set(found_packages))
    if missing:
        raise FulfilmentError(f"Unknown order or package id(s): {', '.join(map(str, sorted(missing)))}.")
    with transaction.atomic():
        batch = PrintBatch.objects.create(fmt=fmt, with_slips=bool(with_slips), label_policy=label_policy,
                                          own_carrier=(own_carrier or "").strip()[:100], created_by=_user(user))
        batch.orders.set(found_orders)
        batch.requested_packages.set(found_packages)
        return _queue_batch(batch, user)


def _queue_batch(batch: PrintBatch, user) -> PrintBatch:
    from fulfilment import jobs  # noqa: PLC0415
    from sellerhub.jobs import enqueue_job  # noqa: PLC0415

    run = enqueue_job(kind="Print batch", func=jobs.print_batch_job, args=[batch.pk], queue="documents", user=user,
                      message="Waiting for the printer worker")
    PrintBatch.objects.filter(pk=batch.pk).update(run=run, status=PrintBatch.Status.QUEUED, message="")
    batch.run, batch.status = run, PrintBatch.Status.QUEUED
    return batch


def reprint_batch(*, batch: PrintBatch, user=None) -> PrintBatch:
    """Make the batch's file again: the same packages and labels (nothing bought twice, no new
    packages for orders that have one)."""
    with transaction.atomic():
        locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status in (PrintBatch.Status.QUEUED, PrintBatch.Status.RUNNING):
            raise FulfilmentError("The batch is being printed right now.")
        return _queue_batch(locked, user)


def batch_started(*, batch: PrintBatch) -> None:
    PrintBatch.objects.filter(pk=batch.pk).update(status=PrintBatch.Status.RUNNING)


def ensure_batch_package(*, order: Order, user=None) -> list[Package]:
    """The order's live packages; when it has none, one with every unit (made once: a second
    batch of the same order reuses it)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        live = list(locked.packages.exclude(status=P.CANCELLED).order_by("pk"))
        if live:
            return live
    return [create_package(order=order, user=user)]


def finish_batch(*, batch: PrintBatch, content: bytes | None, extension: str, package_ids: list[int],
                 page_count: int, problems: list[str], message: str) -> PrintBatch:
    with transaction.atomic():
        locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        locked.items.all().delete()
        from fulfilment.models import PrintBatchItem  # noqa: PLC0415

        PrintBatchItem.objects.bulk_create([PrintBatchItem(batch=locked, package_id=pk, position=i)
                                            for i, pk in enumerate(package_ids)])
        if content is not None:
            locked.file.save(f"batch-{locked.pk}.{extension}", ContentFile(content), save=False)
            locked.status = PrintBatch.Status.PARTIAL if problems else PrintBatch.Status.DONE
            locked.print_count += 1
        else:
            locked.status = PrintBatch.Status.FAILED
        locked.package_count, locked.page_count = len(package_ids), page_count
        locked.problems, locked.message = problems[:500], message[:500]
        locked.finished_at = timezone.now()
        locked.save()
        return locked


def fail_batch(*, batch: PrintBatch, message: str, problems: list[str] | None = None) -> None:
    PrintBatch.objects.filter(pk=batch.pk).update(status=PrintBatch.Status.FAILED, message=message[:500],
                                                  problems=(problems or [])[:500], finished_at=timezone.now())
