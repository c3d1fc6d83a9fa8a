"""Packages: making one for an order (by default every unit not in a package yet), correcting its
weight, box or size before its label, and cancelling one that has not shipped (a bought label is
refunded first; a packed order goes back to picking)."""

from __future__ import annotations

from django.db import transaction

from fulfilment import selectors
from fulfilment.models import BoxPreset, Package, PackageLine
from fulfilment.services.common import (
    P,
    S,
    actor,
    check_dims,
    check_open,
    check_weight,
    copy_package,
    label_name,
    remaining_after,
    timeline,
)
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.locks import lock_package
from integrations.labels import LabelProvider, ProviderError, get_provider
from orders import services as orders
from orders.models import Order, OrderLine


def new_package(order: Order, lines: list[tuple[OrderLine, int]], *, weight_grams, box, dims, user, how) -> Package:
    """Create the package with its lines (inside the caller's transaction) and note it on the timeline."""
    if box is not None:
        dims = {"length_mm": dims.get("length_mm") or box.length_mm, "width_mm": dims.get("width_mm") or box.width_mm,
                "height_mm": dims.get("height_mm") or box.height_mm}
    package = Package.objects.create(order=order, status=P.DRAFT, weight_grams=weight_grams, box=box, **dims)
    package.reference = f"SH-{order.pk}-{package.pk}"
    package.save(update_fields=["reference"])
    PackageLine.objects.bulk_create([PackageLine(package=package, order_line=line, quantity=q) for line, q in lines])
    units = sum(q for _l, q in lines)
    timeline(order, kind="package", user=user, message=f"Package {package.pk} created ({units} unit(s)), {how}",
             data={"package": package.pk, "units": units})
    return package


def create_package(*, order: Order, lines: list[tuple[int, int]] | None = None, weight_grams: int | None = None,
                   box: BoxPreset | None = None, length_mm: int | None = None, width_mm: int | None = None,
                   height_mm: int | None = None, user=None) -> Package:
    """A package of an order: ``lines`` [(order line id, quantity)], by default every unit not in
    a package yet. The weight defaults to the SKUs' weights plus the box's (when all are known).
    It does not mark the order packed: that is the packing station's verified step."""
    weight_grams = check_weight(weight_grams)
    dims = check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = orders.lock_order(order)
        check_open(locked, "packed")
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
        return new_package(locked, chosen, weight_grams=weight_grams, box=box, dims=dims, user=user,
                           how="made by " + actor(user))


def update_package(*, package: Package, weight_grams: int | None = None, box: BoxPreset | None = None,
                   length_mm: int | None = None, width_mm: int | None = None, height_mm: int | None = None,
                   user=None) -> Package:
    """Correct the weight, box or size before a label is bought (a quote is dropped)."""
    weight_grams = check_weight(weight_grams)
    dims = check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    with transaction.atomic():
        locked = lock_package(package)
        if locked.has_label or locked.status != P.DRAFT:
            raise FulfilmentError(f"The label of {label_name(locked)} is made; cancel the package to change it.")
        if box is not None:
            dims = {k: dims[k] or getattr(box, k) for k in dims}
        locked.weight_grams = weight_grams if weight_grams is not None else locked.weight_grams
        locked.box = box or locked.box
        for name, value in dims.items():
            if value is not None:
                setattr(locked, name, value)
        locked.provider_shipment_id, locked.rates, locked.rates_quoted_at = "", [], None
        locked.save()
        return copy_package(package, locked)


def cancel_package(*, package: Package, reason: str, user=None, provider: LabelProvider | None = None) -> Package:
    """Cancel a package that has not shipped; a bought label is refunded first. Its units are
    free to pack again; a packed order goes back to picking."""
    reason = (reason or "").strip()
    if not reason:
        raise FulfilmentError("Say why the package is cancelled.", field="reason")
    current = Package.objects.select_related("order").get(pk=package.pk)
    if current.is_shipped:
        raise FulfilmentError(f"{label_name(current).capitalize()} has shipped; it can't be cancelled.")
    refund = ""
    if current.status != P.CANCELLED and current.label_source == Package.LabelSource.PROVIDER \
            and current.provider_shipment_id:
        try:
            refund = (provider or get_provider()).refund(current.provider_shipment_id)
        except ProviderError as exc:
            raise FulfilmentError(f"The label could not be refunded, so the package was not cancelled: {exc}") from exc
    with transaction.atomic():
        locked = lock_package(package)
        if locked.status == P.CANCELLED:
            return copy_package(package, locked)
        if locked.is_shipped:
            raise FulfilmentError(f"{label_name(locked).capitalize()} has shipped; it can't be cancelled.")
        locked.status, locked.cancel_reason = P.CANCELLED, reason[:300]
        if refund:
            locked.refund_status = refund[:20]
        locked.save()
        timeline(locked.order, kind="package", user=user, message=f"Package {locked.pk} cancelled: {reason}"
                 + (f" (label refund {refund})" if refund else ""), data={"package": locked.pk, "refund": refund})
        order = locked.order
        if order.status == S.PACKED and remaining_after(order) > 0:
            orders.transition(order=order, to_status=S.PICKING, user=user,
                              message=f"Package {locked.pk} cancelled: to pack again")
        return copy_package(package, locked)
