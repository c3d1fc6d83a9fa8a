"""After-sales decisions due: buyer cancellation requests and channel returns waiting for the
seller, soonest deadline first, with the time left; and those about to be auto-approved by the
channel (past or within ``AFTER_SALES_AT_RISK_HOURS`` of their deadline), for the at-risk lists.

A request is waiting for the seller when:

* a cancellation request: status ``pending`` (initiated by the buyer);
* a return: a channel return (not local), not auto-approved, with a deadline (``respond_by``), in
  a status where TikTok expects the seller's action (``RETURN_AWAITING_SELLER``: the request
  itself, or the parcel that came back) or with a ``next_action`` and not closed.

Each list is one query per table (two in all), whatever the number of requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Window
from django.utils import timezone

from metrics.after_sales_definitions import RETURN_AWAITING_SELLER, RETURN_CLOSED, at_risk_within
from orders.models import CancellationRequest, Return

CANCELLATION = "cancellation"
RETURN = "return"
KIND_LABELS = {CANCELLATION: "Cancellation request", RETURN: "Return"}
PENDING = "pending"
BUYER = "buyer"


def pending_requests_q(scope):
    return Q(order__account_id__in=scope.ids, status=PENDING, initiator=BUYER)


def awaiting_returns_q(scope):
    waiting = Q(channel_status__in=RETURN_AWAITING_SELLER) | (~Q(next_action="") & ~Q(channel_status__in=RETURN_CLOSED))
    return Q(order__account_id__in=scope.ids, account__isnull=False, auto_approved=False,
             respond_by__isnull=False) & waiting


def _soonest_first(queryset):
    # Only what a DueItem shows (not the whole order, nor the account's encrypted credentials).
    return (queryset.select_related("order__account")
            .only("id", "order_id", "reason", "respond_by", "requested_at", "order__external_id",
                  "order__account__name", "order__account__channel", "order__account__time_zone")
            .order_by(F("respond_by").asc(nulls_last=True), "id"))


def due_requests(scope, *, until=None):
    """Pending buyer cancellation requests, soonest deadline first (``until``: only those due by then)."""
    q = pending_requests_q(scope)
    if until is not None:
        q &= Q(respond_by__lte=until)
    return _soonest_first(CancellationRequest.objects.filter(q))


def due_returns(scope, *, until=None):
    """Channel returns awaiting the seller's decision, soonest deadline first."""
    q = awaiting_returns_q(scope)
    if until is not None:
        q &= Q(respond_by__lte=until)
    return _soonest_first(Return.objects.filter(q))


@dataclass(frozen=True)
class DueItem:
    """One decision due, from either table, as the lists show it."""

    kind: str
    pk: int
    order_id: int
    order_external_id: str
    account_name: str
    channel_label: str
    time_zone: str
    reason: str
    respond_by: dt.datetime | None
    requested_at: dt.datetime | None
    now: dt.datetime

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def hours_left(self):
        """Whole hours to the deadline (negative once past it); None without a deadline."""
        if self.respond_by is None:
            return None
        return int((self.respond_by - self.now).total_seconds() // 3600)

    @property
    def overdue(self):
        return self.respond_by is not None and self.respond_by < self.now

    @property
    def time_left_text(self):
        if self.respond_by is None:
            return "no deadline"
        seconds = int((self.respond_by - self.now).total_seconds())
        hours, minutes = divmod(abs(seconds) // 60, 60)
        text = f"{hours} h {minutes:02d} min"
        return f"{text} past the deadline" if seconds < 0 else f"{text} left"


def _item(kind, row, now):
    account = row.order.account
    return DueItem(kind=kind, pk=row.pk, order_id=row.order_id, order_external_id=row.order.external_id,
                   account_name=account.name, channel_label=account.get_channel_display(),
                   time_zone=account.time_zone, reason=row.reason or "", respond_by=row.respond_by,
                   requested_at=row.requested_at, now=now)


def _merge(requests, returns, now, limit):
    items = [_item(CANCELLATION, r, now) for r in requests] + [_item(RETURN, r, now) for r in returns]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.respond_by or far, i.kind, i.pk))
    return items[:limit] if limit is not None else items


def decisions_due(scope, now=None, limit=None):
    """[DueItem] of both tables, soonest deadline first (two queries)."""
    now = now or timezone.now()
    if not scope.accounts:
        return []
    requests, returns = due_requests(scope), due_returns(scope)
    if limit is not None:
        requests, returns = requests[:limit], returns[:limit]
    return _merge(requests, returns, now, limit)


def about_to_auto_approve(scope, now=None, limit=None):
    """[DueItem] past or within the at-risk limit of their deadline (two queries)."""
    now = now or timezone.now()
    if not scope.accounts:
        return []
    until = now + at_risk_within()
    requests, returns = due_requests(scope, until=until), due_returns(scope, until=until)
    if limit is not None:
        requests, returns = requests[:limit], returns[:limit]
    return _merge(requests, returns, now, limit)


def about_to_auto_approve_preview(scope, now=None, *, limit):
    """(the first ``limit`` of ``about_to_auto_approve``, how many there are in all): two queries,
    each table's rows counting the whole list as they come (``COUNT(*) OVER ()``), so the metrics
    page needs no count of its own."""
    now = now or timezone.now()
    if not scope.accounts:
        return [], 0
    until = now + at_risk_within()
    total = 0
    lists = []
    for rows in (due_requests(scope, until=until), due_returns(scope, until=until)):
        rows = list(rows.annotate(listed=Window(Count("pk")))[:limit])
        total += rows[0].listed if rows else 0
        lists.append(rows)
    return _merge(*lists, now, limit), total


@dataclass
class DueCounts:
    requests: int = 0
    returns: int = 0
    overdue: int = 0
    about_to_auto_approve: int = 0

    @property
    def total(self):
        return self.requests + self.returns


def due_counts(scope, now=None):
    """How many decisions are due, past their deadline, and about to be auto-approved (two queries)."""
    now = now or timezone.now()
    counts = DueCounts()
    if not scope.accounts:
        return counts
    until = now + at_risk_within()
    aggregates = {"n": Count("pk"), "overdue": Count("pk", filter=Q(respond_by__lt=now)),
                  "soon": Count("pk", filter=Q(respond_by__lte=until))}
    requests = CancellationRequest.objects.filter(pending_requests_q(scope)).aggregate(**aggregates)
    returns = Return.objects.filter(awaiting_returns_q(scope)).aggregate(**aggregates)
    counts.requests, counts.returns = requests["n"], returns["n"]
    counts.overdue = requests["overdue"] + returns["overdue"]
    counts.about_to_auto_approve = requests["soon"] + returns["soon"]
    return counts
