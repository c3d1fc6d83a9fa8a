"""Refunds on the channels: read on a schedule and after an order pull brings new refund ids
(WooCommerce ``/orders/{id}/refunds``, Square ``/v2/refunds``), and created from SellerHub on
WooCommerce (the Owner's refund form and ``POST /api/v1/refunds``).

- ``pull_refunds(account_id)``: WooCommerce: the orders whose payload lists refund ids SellerHub
  has not stored (set-based: one query finds them; no HTTP when there are none); Square: the
  location's payment refunds created in the last ``CHANNEL_REFUND_LOOKBACK_DAYS``. Stored through
  ``orders.services.refunds.record_refunds``: a pull run twice changes nothing the second time.
- ``request_refund(...)``: checks the refund (WooCommerce order, amount above zero and within
  what is left) and queues ``create_refund_job`` (a tracked JobRun with its progress on the page).
  The job creates it once: after a lost answer the connector reads the order's refunds back.

Etsy has no refund call; its receipts' canceled / fully refunded statuses are followed by the
order mapping. See docs/after-sales/seller-cancellations-and-refunds.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from channels import coordination, job_requests, selectors
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError
from orders.models import Order, OrderStatus, Refund
from orders.services import refunds as refund_services
from sellerhub.jobs import enqueue_job, progress, tracked
from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

PULL_JOB = "channels.refunds.pull_refunds_job"
CREATE_KIND = "channels.create_refund"
REFUND_CHANNELS = ("woocommerce", "square")
MAX_ORDERS_PER_PULL = 200


class RefundError(ValueError):
    """A refund SellerHub can't ask for; the message says why."""


def lookback_days() -> int:
    return int(getattr(settings, "CHANNEL_REFUND_LOOKBACK_DAYS", 60))


def _woo_orders_with_new_refunds(account: ChannelAccount) -> list[Order]:
    """Orders whose last payload lists a refund id not stored yet (two queries)."""
    candidates = list(Order.objects.filter(account=account, raw__refunds__0__isnull=False)
                      .only("pk", "external_id", "currency", "raw").order_by("-pk")[:5000])
    stored = set(Refund.objects.filter(account=account, order__in=[o.pk for o in candidates])
                 .values_list("external_id", flat=True))
    out = []
    for order in candidates:
        ids = {str(r.get("id")) for r in order.raw.get("refunds") or [] if isinstance(r, dict)}
        if ids - stored:
            out.append(order)
    return out[:MAX_ORDERS_PER_PULL]


def pull_refunds(account_id: int) -> dict:
    """Read the account's new refunds from its channel and store them once."""
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None or account.channel not in REFUND_CHANNELS:
        return {"message": "no refunds to read for this account"}
    lock = coordination.AccountLock("refunds", account.pk)
    if not lock.acquire(wait=5):
        return {"message": "another job is reading this account's refunds", "skipped": True}
    connector = None
    try:
        if account.channel == "woocommerce":
            orders = _woo_orders_with_new_refunds(account)
            if not orders:
                return {"message": "no new refunds", "created": 0, "updated": 0, "unchanged": 0}
            connector = open_connector(account, lock)
            remote = [r for order in orders for r in connector.list_refunds(order.external_id, currency=order.currency)]
        else:
            connector = open_connector(account, lock)
            remote = connector.list_refunds(since=timezone.now() - dt.timedelta(days=lookback_days()))
    except ChannelError as exc:
        log.warning("%s: refunds not read: %s", account, exc)
        return {"message": f"Refunds of {account.name} not read: {exc}", "failed": True}
    finally:
        if connector is not None:
            connector.close()
        lock.release()
    counts = refund_services.record_refunds(account=account, refunds=remote)
    return {"message": f"{account.name}: {counts['created']} new refunds, {counts['updated']} changed", **counts}


def pull_refunds_job(account_id: int) -> dict:
    return pull_refunds(account_id)


def pull_all_refunds() -> dict:
    """The schedule: a refunds read per connected WooCommerce and Square account."""
    ids = [a.pk for a in selectors.syncable_accounts() if a.channel in REFUND_CHANNELS]
    for account_id in ids:
        try:
            job_requests.enqueue(PULL_JOB, account_id)
        except Exception as exc:  # Redis down: the next run reads them
            log.warning("could not queue the refunds read of account %s (%s)", account_id, exc)
    return {"accounts": len(ids)}


def after_orders_changed(account: ChannelAccount) -> None:
    """An order pull changed orders of the account: read its refunds (WooCommerce only looks at the
    orders that list refund ids not stored yet)."""
    if account.channel not in REFUND_CHANNELS:
        return
    try:
        job_requests.enqueue(PULL_JOB, account.pk)
    except Exception as exc:  # Redis down: the schedule reads them
        log.warning("could not queue the refunds read of account %s (%s)", account.pk, exc)


def refundable(order: Order) -> Decimal:
    refunded = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return max(Decimal("0"), Decimal(order.total) - refunded)


def request_refund(*, order: Order, amount: Decimal, reason: str = "", api_refund: bool = False, user=None):
    """Check a refund the Owner asks for and queue its job; the JobRun (with progress) is returned."""
    if order.account.channel != "woocommerce":
        raise RefundError(f"Refunds of {order.account.get_channel_display()} orders are made on the channel; "
                          f"SellerHub reads them back.")
    if order.status == OrderStatus.AWAITING_PAYMENT:
        raise RefundError(f"Order {order.external_id} is not paid: there is nothing to refund.")
    left = refundable(order)
    if amount <= 0 or amount > left:
        raise RefundError(f"The refund must be between 0.01 and {left} {order.currency} (what is left to refund "
                          f"on order {order.external_id}).")
    return enqueue_job(kind=CREATE_KIND, func=create_refund_job, queue="sync", user=user,
                       args=[order.pk, f"{amount:.2f}", (reason or "")[:300], bool(api_refund),
                             user.pk if getattr(user, "is_authenticated", False) else None],
                       message=f"Refunding {amount:.2f} {order.currency} on order {order.external_id}")


@tracked
def create_refund_job(run_id: int, order_id: int, amount: str, reason: str, api_refund: bool,
                      user_id: int | None = None) -> dict:
    order = Order.objects.select_related("account").get(pk=order_id)
    progress(run_id, 10, f"Asking {order.account.get_channel_display()} for the refund")
    known = set(Refund.objects.filter(order=order).values_list("external_id", flat=True))
    connector = open_connector(order.account)
    try:
        refund = connector.create_refund(order.external_id, amount=Decimal(amount), reason=reason,
                                         api_refund=api_refund, known=known, currency=order.currency)
    except ChannelError as exc:
        raise RuntimeError(f"{order.account.get_channel_display()} did not refund order {order.external_id}: "
                           f"{exc}") from exc
    finally:
        connector.close()
    progress(run_id, 80, "Recording the refund")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    refund_services.record_refunds(account=order.account, refunds=[refund], source=Refund.Source.SELLERHUB,
                                   user=user)
    return {"message": f"Refund {refund.external_id} of {refund.amount} {refund.currency} created on order "
                       f"{order.external_id}", "refund": refund.external_id}
