"""Writes of purchasing: suppliers, purchase orders and their lines. Receiving moves stock only
through inventory.services (the ledger)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from inventory.models import Location
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier
from inventory.services.errors import StockError


class PurchasingError(StockError):
    """A purchasing change that cannot be made (the message says why)."""


def _next_number() -> str:
    last = PurchaseOrder.objects.aggregate(last=Max("id"))["last"] or 0
    return f"PO-{last + 1:05d}"


def create_draft_po(*, supplier: Supplier, lines, user=None, deliver_to: Location | None = None,
                    notes: str = "") -> PurchaseOrder:
    """A draft purchase order to `supplier` with `lines` = [(sku, quantity, unit_cost)]; lines of the
    same SKU are added together. Raises PurchasingError when there is nothing to order."""
    merged: dict[int, list] = {}
    for sku, quantity, unit_cost in lines:
        if not isinstance(quantity, int) or quantity <= 0:
            raise PurchasingError(f"{sku}: the quantity to order must be a positive whole number.")
        if sku.pk in merged:
            merged[sku.pk][1] += quantity
        else:
            merged[sku.pk] = [sku, quantity, unit_cost]
    if not merged:
        raise PurchasingError("A purchase order needs at least one line.")
    if deliver_to is None:
        deliver_to = (Location.objects.filter(code="MAIN").first()
                      or Location.objects.filter(kind=Location.Kind.WAREHOUSE, active=True).order_by("pk").first())
    if deliver_to is None:
        raise PurchasingError("Create a warehouse location first: a purchase order needs somewhere to deliver to.")
    with transaction.atomic():
        po = PurchaseOrder.objects.create(number=_next_number(), supplier=supplier, currency=supplier.currency,
                                          deliver_to=deliver_to, notes=notes, created_by=user,
                                          status=PurchaseOrderStatus.DRAFT)
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(purchase_order=po, sku=sku, quantity_ordered=quantity, unit_cost=unit_cost)
            for sku, quantity, unit_cost in merged.values()
        ])
    return po
