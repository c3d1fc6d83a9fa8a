import datetime as dt
import itertools

import pytest
from django.utils import timezone

from fulfilment.models import Package
from orders.models import Order, OrderStatus
from tests.metrics.factories import AccountFactory


@pytest.fixture
def make_orders():
    """make_orders(n, account=None): n orders spread over the last 30 full days, every figure
    non-empty: every 4th order dispatched late, every 5th delivered late, every 7th cancelled by
    the seller, each FBS order with a package. Bulk-inserted (fast for hundreds)."""

    serial = itertools.count()

    def make(n, account=None, now=None):
        account = account or AccountFactory()
        now = now or timezone.now()
        orders = []
        for i in range(n):
            created = now - dt.timedelta(days=3 + (i % 25), hours=i % 7)
            due = created + dt.timedelta(days=2)
            dispatched = due + dt.timedelta(hours=5) if i % 4 == 0 else due - dt.timedelta(hours=3)
            delivery_due = due + dt.timedelta(days=4)
            cancelled = i % 7 == 0
            orders.append(Order(
                account=account, external_id=f"Q{account.pk}-{next(serial):05d}", created_at=created, paid_at=created,
                status=OrderStatus.CANCELLED if cancelled else OrderStatus.DELIVERED,
                cancel_initiator="SELLER" if cancelled else "",
                cancelled_at=created + dt.timedelta(hours=2) if cancelled else None,
                dispatch_due_at=due, dispatched_at=None if cancelled else dispatched,
                tracking_uploaded_at=None if cancelled else dispatched - dt.timedelta(hours=4),
                delivery_due_at=delivery_due,
                delivered_at=None if cancelled else delivery_due + dt.timedelta(hours=(6 if i % 5 == 0 else -30)),
            ))
        Order.objects.bulk_create(orders)
        Package.objects.bulk_create([
            Package(order=o, carrier="usps", tracking_number=f"9400111{o.pk:015d}", tracking_format_valid=True,
                    tracking_uploaded_at=o.tracking_uploaded_at, first_scan_at=o.dispatched_at,
                    status=Package.Status.DELIVERED)
            for o in orders if o.tracking_uploaded_at
        ])
        return orders

    return make
