"""The rules of the four figures as Q objects, exactly as docs/domain/metrics.md defines them.

Scope: one account, every account of a channel, or everything. Window: a half-open range of
local dates ``[date_from, date_to)``; each order is judged in its own account's time zone. The
accounts are read first (one query); those sharing a time zone share one pair of UTC bounds,
and the conditions are OR-ed in SQL, so accounts in different zones are evaluated in one query.

The rules (the Q objects below), one per clause of the definitions:

* Late Dispatch Rate. Denominator: orders with ``dispatched_at`` (first carrier scan) in the
  window, FBS and FBT alike. Numerator: the FBS orders among them with
  ``dispatched_at > dispatch_due_at`` (exactly at the deadline is on time).
* Valid Tracking Rate, over packages. Denominator: packages of FBS orders with
  ``label_source=SELLER`` whose ``tracking_uploaded_at`` is in the window, except the pending
  ones: no carrier scan yet and fewer than 5 days (``TRACKING_SCAN_WITHIN``) since the upload at
  ``now``. Numerator: those whose number passed its carrier's format and check digit
  (``tracking_format_valid``, judged when stored) and whose first carrier scan came no later
  than 5 days (120 hours) after the upload (a scan before the upload is in time too). The scan
  is the package's ``first_scan_at``, else the order's ``dispatched_at``; a scan after ``now``
  has not happened yet, so a figure can be recomputed as it stood at any moment (the snapshots
  rely on it).
* On-Time Delivery Rate. Denominator: FBS orders, not cancelled, with ``delivery_due_at`` in the
  window. Numerator: those with ``delivered_at <= delivery_due_at``.
* Seller-fault Cancellation Rate. Denominator: paid (``paid_at`` set), non-sample orders with
  ``created_at`` in the window. Numerator: those cancelled with initiator SELLER or SYSTEM.
  "Cancelled" means status cancelled or ``cancelled_at`` set, here and in the OTDR rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce

from fulfilment.models import Package
from metrics.definitions import (
    LATE_DISPATCH,
    ON_TIME_DELIVERY,
    SELLER_FAULT_CANCELLATION,
    TRACKING_SCAN_WITHIN,
    VALID_TRACKING,
)
from metrics.selectors.scope import in_window
from orders.models import CancelInitiator, Fulfilment, LabelSource, Order, OrderStatus

CANCELLED = Q(status=OrderStatus.CANCELLED) | Q(cancelled_at__isnull=False)
NOT_CANCELLED = Q(cancelled_at__isnull=True) & ~Q(status=OrderStatus.CANCELLED)
SELLER_FAULT = [CancelInitiator.SELLER, CancelInitiator.SYSTEM]


@dataclass(frozen=True)
class Rule:
    model: type
    window: Q  # the window part alone (drives the index)
    denominator: Q
    numerator: Q  # includes the denominator's conditions
    order_by: tuple


def scan_at():
    """A package's first carrier scan: its own, else its order's first scan."""
    return Coalesce("first_scan_at", "order__dispatched_at")


def packages():
    return Package.objects.alias(scan_at=scan_at())


def rules(window_bounds, now):
    ldr_window = in_window("dispatched_at", window_bounds)
    ldr_den = ldr_window
    ldr_num = ldr_den & Q(fulfilment=Fulfilment.FBS, dispatched_at__gt=F("dispatch_due_at"))

    vtr_window = in_window("tracking_uploaded_at", window_bounds, "order__account_id")
    scanned = Q(scan_at__lte=now)
    vtr_den = vtr_window & Q(order__fulfilment=Fulfilment.FBS, order__label_source=LabelSource.SELLER) & (
        scanned | Q(tracking_uploaded_at__lte=now - TRACKING_SCAN_WITHIN)  # i.e. not pending
    )
    scan_deadline = ExpressionWrapper(F("tracking_uploaded_at") + TRACKING_SCAN_WITHIN, output_field=DateTimeField())
    vtr_num = vtr_den & Q(tracking_format_valid=True) & scanned & Q(scan_at__lte=scan_deadline)

    otdr_window = in_window("delivery_due_at", window_bounds)
    otdr_den = otdr_window & Q(fulfilment=Fulfilment.FBS) & NOT_CANCELLED
    otdr_num = otdr_den & Q(delivered_at__lte=F("delivery_due_at"))

    sfcr_window = in_window("created_at", window_bounds)
    sfcr_den = sfcr_window & Q(paid_at__isnull=False, is_sample=False)
    sfcr_num = sfcr_den & CANCELLED & Q(cancel_initiator__in=SELLER_FAULT)

    return {
        LATE_DISPATCH: Rule(Order, ldr_window, ldr_den, ldr_num, ("dispatched_at", "id")),
        VALID_TRACKING: Rule(Package, vtr_window, vtr_den, vtr_num, ("tracking_uploaded_at", "id")),
        ON_TIME_DELIVERY: Rule(Order, otdr_window, otdr_den, otdr_num, ("delivery_due_at", "id")),
        SELLER_FAULT_CANCELLATION: Rule(Order, sfcr_window, sfcr_den, sfcr_num, ("created_at", "id")),
    }
