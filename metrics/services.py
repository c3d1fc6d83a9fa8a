"""Writes of the metrics app: the daily snapshots."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from metrics.definitions import METRIC_KEYS, TREND_WEEKS
from metrics.models import AfterSalesSnapshot, MetricSnapshot
from metrics.selectors import Window, counts_by_account, local_midnight, resolve_scope, zone
from metrics.selectors.after_sales_daily import DETAILS, FIELDS, daily_counts, daily_details

# A day's figures can still change for this long after the day (a late cancellation, a delivery
# or carrier scan synced late, packages leaving "pending"); after it the snapshot is final.
SETTLE_DAYS = 14
# How far back missing snapshots are filled in: the trend's 12 weeks, the current week and
# a margin.
BACKFILL_DAYS = 7 * TREND_WEEKS + 7 + 14


def snapshot_days_needed(*, now=None, backfill_days=BACKFILL_DAYS, final_days=None):
    """{day: [account ids]} of the full local days without a final snapshot (of the four figures;
    ``final_days``, a queryset of (account id, day), names another family's final days)."""
    now = now or timezone.now()
    scope = resolve_scope()
    if not scope.accounts:
        return scope, {}
    today = {a.id: now.astimezone(a.zone).date() for a in scope.accounts}
    earliest = min(today.values()) - dt.timedelta(days=backfill_days)
    if final_days is None:
        final_days = MetricSnapshot.objects.filter(is_final=True, metric=METRIC_KEYS[0])
    final = set(final_days.filter(day__gte=earliest).values_list("account_id", "day"))
    needed = defaultdict(list)
    for account in scope.accounts:
        for n in range(backfill_days, 0, -1):
            day = today[account.id] - dt.timedelta(days=n)
            if (account.id, day) not in final:
                needed[day].append(account.id)
    return scope, dict(sorted(needed.items()))


def _settled(now, day, account):
    return now >= local_midnight(day + dt.timedelta(days=1 + SETTLE_DAYS), zone(account.time_zone))


def take_snapshots(*, now=None, backfill_days=BACKFILL_DAYS, progress=None):
    """Store each full day's figures per account (idempotent: run it as often as you like), and
    the day's after-sales counts that add up (``AfterSalesSnapshot``).

    Days without a final snapshot within ``backfill_days`` are computed with the same selectors
    as the live figures (two queries per day for the figures and six for the after-sales counts
    and details, all accounts at once) and written in one transaction; a day becomes final
    ``SETTLE_DAYS`` after it ends and is never rewritten. Each family keeps its own final days, so
    an installation that had the figures' snapshots before the after-sales ones fills those in
    without rewriting settled figures; a settled after-sales day from before the details (the
    returned orders and response times) were stored gets only those.
    """
    now = now or timezone.now()
    scope, needed = snapshot_days_needed(now=now, backfill_days=backfill_days)
    # A settled after-sales day written before the details were stored gets them, its counts kept.
    settled_after_sales = AfterSalesSnapshot.objects.filter(is_final=True)
    _scope, needed_after_sales = snapshot_days_needed(
        now=now, backfill_days=backfill_days, final_days=settled_after_sales.filter(response_times__isnull=False))
    without_details = set(settled_after_sales.filter(response_times__isnull=True).values_list("account_id", "day"))
    days = sorted(set(needed) | set(needed_after_sales))
    rows, after_sales_rows, details_only = [], [], []
    for index, day in enumerate(days, start=1):
        window = Window(day, day + dt.timedelta(days=1))
        if needed.get(day):
            subset = scope.subset(needed[day])
            counts = counts_by_account(subset, window, now)
            for account in subset.accounts:
                for key in METRIC_KEYS:
                    numerator, denominator = counts.get(account.id, {}).get(key, (0, 0))
                    rows.append(MetricSnapshot(account_id=account.id, day=day, metric=key, numerator=numerator,
                                               denominator=denominator, computed_at=now,
                                               is_final=_settled(now, day, account)))
        if needed_after_sales.get(day):
            subset = scope.subset(needed_after_sales[day])
            counts, details = daily_counts(subset, window), daily_details(subset, window)
            for account in subset.accounts:
                row = AfterSalesSnapshot(account_id=account.id, day=day, computed_at=now,
                                         is_final=_settled(now, day, account), **counts[account.id],
                                         **details[account.id])
                (details_only if (account.id, day) in without_details else after_sales_rows).append(row)
        if progress and index % 10 == 0:
            progress(90 * index // len(days), f"Computed {index} of {len(days)} days")
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(
            rows, batch_size=1000, update_conflicts=True, unique_fields=["account", "day", "metric"],
            update_fields=["numerator", "denominator", "computed_at", "is_final"],
        )
        AfterSalesSnapshot.objects.bulk_create(
            after_sales_rows, batch_size=1000, update_conflicts=True, unique_fields=["account", "day"],
            update_fields=[*FIELDS, *DETAILS, "computed_at", "is_final"],
        )
        AfterSalesSnapshot.objects.bulk_create(
            details_only, batch_size=1000, update_conflicts=True, unique_fields=["account", "day"],
            update_fields=list(DETAILS),
        )
    account_days = len(rows) // len(METRIC_KEYS)
    final = sum(1 for row in rows if row.is_final) // len(METRIC_KEYS)
    message = (f"Stored the figures of {account_days} account-days ({final} now final)" if rows
               else "Snapshots are up to date")
    if after_sales_rows and len(after_sales_rows) != account_days:
        message += f"; the after-sales counts of {len(after_sales_rows)} account-days"
    if details_only:
        message += f"; the returns and response times of {len(details_only)} settled account-days"
    return {"message": message, "dates": len(days), "account_days": account_days, "final": final,
            "after_sales_account_days": len(after_sales_rows), "after_sales_details_filled": len(details_only)}
