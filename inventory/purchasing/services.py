"""Writes of purchasing: suppliers and their SKUs, purchase orders and their lines (drafting,
editing a draft, cancelling). Sending is in ``sending``, receiving in ``receiving``; stock moves
only through inventory.services (the ledger). Each function is one transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inventory.models import Location
from inventory.purchasing.locks import lock_purchase_order
from inventory.purchasing_models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
    SupplierSKU,
)
from inventory.services.errors import StockError

MAX_QUANTITY = 1_000_000
SUPPLIER_FIELDS = ("name", "contact_name", "email", "phone", "address", "lead_time_days", "minimum_order_value",
                   "currency", "notes", "active")
CANCELLABLE = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


class PurchasingError(StockError):
    """A purchasing change that cannot be made (the message says why)."""


def _number_for(pk: int) -> str:
    return f"PO-{pk:05d}"


def _default_location() -> Location | None:
    return (Location.objects.filter(code="MAIN").first()
            or Location.objects.filter(kind=Location.Kind.WAREHOUSE, active=True).order_by("pk").first())


def _check_deliver_to(location: Location) -> None:
    if location.kind not in (Location.Kind.WAREHOUSE, Location.Kind.BIN) or not location.active:
        raise PurchasingError(f"{location.code} is not an active warehouse or bin of yours: deliver to one of them.")


def _merge_lines(lines) -> dict[int, list]:
    merged: dict[int, list] = {}
    for sku, quantity, unit_cost in lines:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0 or quantity > MAX_QUANTITY:
            raise PurchasingError(f"{sku}: the quantity to order must be a whole number from 1 to {MAX_QUANTITY}.")
        try:
            cost = Decimal(unit_cost if unit_cost is not None else 0)
        except (InvalidOperation, TypeError, ValueError):
            raise PurchasingError(f"{sku}: the unit cost {unit_cost!r} is not a number.") from None
        if not cost.is_finite() or cost < 0 or cost >= Decimal("1e8"):
            raise PurchasingError(f"{sku}: the unit cost must be 0 or more (and under 100,000,000).")
        if sku.pk in merged:
            merged[sku.pk][1] += quantity
        else:
            merged[sku.pk] = [sku, quantity, cost.quantize(Decimal("0.0001"))]
    if not merged:
        raise PurchasingError("A purchase order needs at least one line.")
    return merged


def create_draft_po(*, supplier: Supplier, lines, user=None, deliver_to: Location | None = None,
                    notes: str = "", expected_on=None) -> PurchaseOrder:
    """A draft purchase order to `supplier` with `lines` = [(sku, quantity, unit_cost)]; lines of the
    same SKU are added together. Raises PurchasingError when there is nothing to order.

    Its number is PO-<id> (five digits at least), given from the row's own id inside the
    transaction, so two drafts made at the same moment never get the same number."""
    merged = _merge_lines(lines)
    if deliver_to is None:
        deliver_to = _default_location()
    if deliver_to is None:
        raise PurchasingError("Create a warehouse location first: a purchase order needs somewhere to deliver to.")
    _check_deliver_to(deliver_to)
    with transaction.atomic():
        po = PurchaseOrder.objects.create(number=f"new-{uuid.uuid4().hex[:24]}", supplier=supplier,
                                          currency=supplier.currency, deliver_to=deliver_to, notes=notes,
                                          expected_on=expected_on, created_by=user,
                                          status=PurchaseOrderStatus.DRAFT)
        po.number = _number_for(po.pk)
        PurchaseOrder.objects.filter(pk=po.pk).update(number=po.number)
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(purchase_order=po, sku=sku, quantity_ordered=quantity, unit_cost=unit_cost)
            for sku, quantity, unit_cost in merged.values()
        ])
    return po


def update_draft_po(*, purchase_order: PurchaseOrder, lines, deliver_to: Location | None = None,
                    expected_on=None, notes: str | None = None, user=None) -> PurchaseOrder:
    """Replace a draft's lines with `lines` = [(sku, quantity, unit_cost)] and set its delivery
    location, expected date and notes. Only a draft can be edited."""
    merged = _merge_lines(lines)
    if deliver_to is not None:
        _check_deliver_to(deliver_to)
    with transaction.atomic():
        po = lock_purchase_order(purchase_order.pk)
        if po is None:
            raise PurchasingError("This purchase order no longer exists.")
        if po.status != PurchaseOrderStatus.DRAFT:
            raise PurchasingError(f"{po.number} is {po.get_status_display().lower()}: only a draft can be edited.")
        po.deliver_to = deliver_to or po.deliver_to
        po.expected_on = expected_on
        if notes is not None:
            po.notes = notes
        po.save(update_fields=["deliver_to", "expected_on", "notes"])
        po.lines.all().delete()
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(purchase_order=po, sku=sku, quantity_ordered=quantity, unit_cost=unit_cost)
            for sku, quantity, unit_cost in merged.values()
        ])
    return po


def cancel_po(*, purchase_order: PurchaseOrder, user=None) -> PurchaseOrder:
    """Cancel a draft, sent or partly received order: what is still outstanding is no longer on
    order. Units already received stay on the shelf (and in the ledger)."""
    with transaction.atomic():
        po = lock_purchase_order(purchase_order.pk)
        if po is None:
            raise PurchasingError("This purchase order no longer exists.")
        if po.status not in CANCELLABLE:
            raise PurchasingError(f"{po.number} is {po.get_status_display().lower()}: it can't be cancelled.")
        po.status = PurchaseOrderStatus.CANCELLED
        po.closed_at = timezone.now()
        po.save(update_fields=["status", "closed_at"])
    return po


def save_supplier(*, supplier: Supplier | None = None, user=None, **fields) -> Supplier:
    """Create (no `supplier`) or change a supplier; `fields` among SUPPLIER_FIELDS."""
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise PurchasingError(f"Unknown supplier field(s): {', '.join(sorted(unknown))}.")
    supplier = supplier if supplier is not None else Supplier()
    for name, value in fields.items():
        setattr(supplier, name, value.strip() if isinstance(value, str) else value)
    supplier.currency = (supplier.currency or "").upper()
    if len(supplier.currency) != 3 or not supplier.currency.isalpha():
        raise PurchasingError("The currency is a three-letter code such as USD or EUR.")
    try:
        supplier.full_clean()
    except ValidationError as exc:
        raise PurchasingError("; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                                        for k, v in exc.message_dict.items())) from None
    with transaction.atomic():
        supplier.save()
    return supplier


def set_supplier_skus(*, supplier: Supplier, rows, user=None) -> list[SupplierSKU]:
    """Make the supplier's SKUs exactly `rows` = [dict(sku=, supplier_code=, unit_cost=, pack_size=,
    minimum_quantity=, preferred=)]. A SKU made preferred here stops being preferred at its other
    supplier (a SKU has one preferred supplier)."""
    by_sku = {}
    for row in rows:
        sku = row["sku"]
        if sku.pk in by_sku:
            raise PurchasingError(f"{sku.seller_sku} is listed twice for {supplier.name}.")
        cost = Decimal(row.get("unit_cost") or 0)
        if cost < 0:
            raise PurchasingError(f"{sku.seller_sku}: the unit cost must be 0 or more.")
        if int(row.get("pack_size") or 1) < 1:
            raise PurchasingError(f"{sku.seller_sku}: the pack size is at least 1.")
        by_sku[sku.pk] = row
    with transaction.atomic():
        SupplierSKU.objects.filter(supplier=supplier).exclude(sku_id__in=list(by_sku)).delete()
        preferred_ids = [pk for pk, row in by_sku.items() if row.get("preferred")]
        SupplierSKU.objects.filter(sku_id__in=preferred_ids, preferred=True).exclude(supplier=supplier).update(
            preferred=False)
        SupplierSKU.objects.filter(supplier=supplier).update(preferred=False)
        saved = []
        for pk, row in by_sku.items():
            item, _ = SupplierSKU.objects.update_or_create(supplier=supplier, sku_id=pk, defaults={
                "supplier_code": (row.get("supplier_code") or "").strip(),
                "unit_cost": Decimal(row.get("unit_cost") or 0),
                "pack_size": int(row.get("pack_size") or 1),
                "minimum_quantity": int(row.get("minimum_quantity") or 0),
                "preferred": bool(row.get("preferred")),
            })
            saved.append(item)
    return saved
