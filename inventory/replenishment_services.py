"""Writes of replenishment planning: the reorder suggestions (inventory/replenishment.py) turned
into draft purchase orders, one per supplier, through inventory.purchasing.services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from inventory import replenishment
from inventory.purchasing.services import PurchasingError, create_draft_po
from inventory.purchasing_models import PurchaseOrder


class ReplenishmentError(PurchasingError):
    """Suggestions that cannot be turned into purchase orders (the message says why)."""


def draft_purchase_orders(*, sku_ids=None, user=None) -> list[PurchaseOrder]:
    """One draft purchase order per supplier with the suggested quantities of the SKUs to order
    (all of them, or those of ``sku_ids``), at the supplier SKU's unit cost. Suggestions already
    covered by drafts are not drafted again (pressing twice drafts once); each draft expects
    its goods after the supplier's lead time. SKUs no supplier sells are left out; raises
    ReplenishmentError when nothing is left to draft. Each order returned carries ``line_count``
    and ``units``. One transaction."""
    wanted = None if sku_ids is None else {int(pk) for pk in sku_ids}
    with transaction.atomic():
        rows = replenishment.suggestions(sku_ids=wanted)
        groups = [g for g in replenishment.by_supplier(rows) if g.supplier is not None]
        if not groups:
            if any(row.supplier is None for row in rows):
                raise ReplenishmentError("No supplier sells the SKUs to order: add a supplier SKU for each of them "
                                         "(cost, pack size), then draft the purchase orders.")
            raise ReplenishmentError("Nothing to order: every SKU is covered by its stock, what is on order "
                                     "and the draft purchase orders.")
        orders = []
        for group in groups:
            lines = [(row.sku, row.quantity, row.unit_cost) for row in group.rows]
            expected = timezone.localdate() + dt.timedelta(days=group.supplier.lead_time_days)
            po = create_draft_po(supplier=group.supplier, lines=lines, user=user, expected_on=expected,
                                 notes="Drafted from the reorder suggestions.")
            po.line_count, po.units = len(lines), group.units
            orders.append(po)
        return orders
