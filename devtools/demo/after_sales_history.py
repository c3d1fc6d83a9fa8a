"""Demo after-sales history for the shop-health figures (docs/domain/metrics.md#after-sales-figures):
on the TikTok demo account's history orders (devtools/demo/metrics.py) of the last 60 days,

* every order the buyer cancelled gets the buyer's cancellation request it came from, decided when
  the order was cancelled: mostly by the seller within the deadline, sometimes after it, and now and
  then approved by TikTok because the deadline passed;
* about one delivered order in thirty gets a refund-only request (nothing comes back to the
  warehouse), most for a reason that is not the buyer's fault (damaged, missing, not as described),
  answered within the 2-business-day window or, now and then, auto-approved by TikTok, and some
  rejected. Each has its timeline.

So the metrics page shows a non-buyer-fault return rate, an after-sales response time with late and
auto-approved decisions, and the cancellations by reason have their orders. Every request is
decided and closed: nothing here waits for the seller or is asked of the emulator (the pending
requests come from the seeded world, devtools/demo/cancellation_requests.py). Ids are prefixed
"H" so they never meet the emulator's. Generated from a fixed seed; safe to run again (an account
that already has this history is left as it is).
"""

import datetime as dt
import logging
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from devtools.demo.metrics import demo_accounts
from metrics.models import AfterSalesSnapshot
from metrics.services import take_snapshots
from orders.models import CancelInitiator, CancellationRequest, Order, OrderStatus, Return, ReturnEvent

DAYS = 60
log = logging.getLogger("sellerhub.demo")
RETURN_SHARE = 1 / 30
# The demo's deadline for a buyer's cancellation request (TikTok sends each request's own).
REQUEST_WINDOW = dt.timedelta(hours=12)
AUTO_APPROVED_SHARE = 0.2
# (reason, the buyer's fault?) as TikTok's return reasons read.
RETURN_REASONS = [("Package or item damaged", False), ("Missing item or accessories", False),
                  ("Item not as described", False), ("Wrong item sent", False), ("No longer needed", True),
                  ("Changed my mind", True)]


def _prefix_exists(account):
    return (CancellationRequest.objects.filter(account=account, external_id__startswith="H").exists()
            or Return.objects.filter(account=account, external_id__startswith="H").exists())


def _decision(rng, asked, due):
    """(decided_at, auto_approved) of a refund request: mostly in time, sometimes late, one in five
    left to TikTok."""
    if rng.random() < AUTO_APPROVED_SHARE:
        return due + dt.timedelta(minutes=rng.randint(1, 30)), True
    if rng.random() < 0.1:
        return due + dt.timedelta(hours=rng.randint(1, 6)), False
    return asked + dt.timedelta(minutes=rng.randint(20, int((due - asked).total_seconds() // 60) - 10)), False


def _request_times(rng, order):
    """(requested_at, respond_by, auto_approved) of the request an order was cancelled on: the order
    was cancelled when the request was decided (``cancelled_at``), after payment."""
    gap = int((order.cancelled_at - (order.paid_at or order.created_at)).total_seconds() // 60)
    window = int(REQUEST_WINDOW.total_seconds() // 60)
    roll = rng.random()
    if gap > window + 30 and roll < 0.35:  # nobody answered: TikTok approved it at the deadline
        took, auto = window + rng.randint(1, 20), True
    elif gap > window + 90 and roll < 0.5:  # answered after the deadline
        took, auto = rng.randint(window + 60, gap - 10), False
    else:
        took, auto = rng.randint(5, max(6, min(gap, window) - 5)), False
    asked = order.cancelled_at - dt.timedelta(minutes=took)
    return asked, asked + REQUEST_WINDOW, auto


def _requests(account, orders, rng):
    rows = []
    for order in orders:
        asked, due, auto = _request_times(rng, order)
        rows.append(CancellationRequest(
            account=account, order=order, external_id=f"H{order.external_id}", initiator="buyer",
            status="auto_approved" if auto else "approved", auto_approved=auto, reason=order.cancel_reason,
            channel_status="CANCELLATION_REQUEST_COMPLETE", requested_at=asked, respond_by=due,
            decided_at=order.cancelled_at, currency=order.currency, refund_total=order.total,
            channel_updated_at=order.cancelled_at))
    CancellationRequest.objects.bulk_create(rows)
    return len(rows)


def _returns(account, orders, rng, now):
    made = []
    for order in orders:
        if rng.random() >= RETURN_SHARE:
            continue
        reason, buyers_fault = rng.choice(RETURN_REASONS)
        asked = order.delivered_at + dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 10))
        if asked >= now - dt.timedelta(days=3):
            continue
        due = asked + dt.timedelta(days=2)  # 2 business days for items up to $100 (US)
        decided, auto = _decision(rng, asked, due)
        rejected = not auto and buyers_fault and rng.random() < 0.5
        status = "RETURN_OR_REFUND_REQUEST_REJECT" if rejected else "RETURN_OR_REFUND_REQUEST_COMPLETE"
        ret = Return(order=order, account=account, external_id=f"H{order.external_id}", kind="refund_only",
                     reason=reason, channel_status=status, requested_at=asked, respond_by=due, decided_at=decided,
                     auto_approved=auto, seller_fault=not buyers_fault, currency=order.currency,
                     refund_total=Decimal("0") if rejected else order.total,
                     refund_amount=Decimal("0") if rejected else order.total, channel_updated_at=decided)
        made.append(ret)
    Return.objects.bulk_create(made)
    events = []
    for ret in made:
        events.append(ReturnEvent(ret=ret, occurred_at=ret.requested_at, actor="buyer", kind="channel_status",
                                  key="history:requested", message=f"Refund requested: {ret.reason}"))
        if ret.auto_approved:
            text, actor = "Approved by the channel: the deadline passed without a decision", "TikTok"
        elif ret.channel_status.endswith("REJECT"):
            text, actor = "Refund rejected by the seller", "seller"
        else:
            text, actor = "Refund approved by the seller", "seller"
        events.append(ReturnEvent(ret=ret, occurred_at=ret.decided_at, actor=actor,
                                  kind="auto_approved" if ret.auto_approved else "decision",
                                  key="history:decided", message=text))
    ReturnEvent.objects.bulk_create(events)
    return len(made)


def load(*, users):
    now = timezone.now()
    since = now - dt.timedelta(days=DAYS)
    seeded = 0
    for account in demo_accounts():
        if account.channel != "tiktok" or _prefix_exists(account):
            continue
        rng = random.Random(f"after-sales-{account.pk}")
        history = Order.objects.filter(account=account, created_at__gte=since).order_by("created_at", "pk")
        cancelled = list(history.filter(status=OrderStatus.CANCELLED, cancel_initiator=CancelInitiator.BUYER,
                                        cancelled_at__isnull=False, cancellation_requests__isnull=True))
        delivered = list(history.filter(status=OrderStatus.DELIVERED, delivered_at__isnull=False,
                                        returns__isnull=True))
        with transaction.atomic():
            requests = _requests(account, cancelled, rng)
            returns = _returns(account, delivered, rng, now)
        seeded += requests + returns
        log.info("after-sales demo: %s decided cancellation requests and %s refund requests on %s", requests, returns,
                 account.name)
    if seeded:
        # The daily snapshots were stored before this history existed (devtools/demo/metrics.py),
        # and the days over two weeks old are settled there, never rewritten: the after-sales ones
        # are stored again from scratch so that the metrics page shows this history at once.
        AfterSalesSnapshot.objects.filter(account__in=demo_accounts()).delete()
        take_snapshots(now=now)
