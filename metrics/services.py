"""Writes of the metrics app: the daily snapshots."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from metrics.definitions import METRIC_KEYS, TREND_WEEKS
from metrics.models import MetricSnapshot
from metrics.selectors import Window, counts_by_account, local_midnight, resolve_scope, zone

# A day's figures can still change for this long after the day (a late cancellation, a delivery
# or carrier scan synced late, packages leaving "pending"); after it the snapshot is final.
SETTLE_DAYS = 14
# How far back missing snapshots are filled in: the trend's 12 weeks, the current week and
# a margin.
BACKFILL_DAYS = 7 * TREND_WEEKS + 7 + 14


def snapshot_days_needed(*, now=None, backfill_days=BACKFILL_DAYS):
    """{day: [account ids]} of the full local days without a final snapshot."""
    now = now or timezone.now()
    scope = resolve_scope()
    if not scope.accounts:
        return scope, {}
    today = {a.id: now.astimezone(a.zone).date() for a in scope.accounts}
    earliest = min(today.values()) - dt.timedelta(days=backfill_days)
    final = set(
        MetricSnapshot.objects.filter(day__gte=earliest, is_final=True, metric=METRIC_KEYS[0])
        .values_list("account_id", "day")
    )
    needed = defaultdict(list)
    for account in scope.accounts:
        for n in range(backfill_days, 0, -1):
            day = today[account.id] - dt.timedelta(days=n)
            if (account.id, day) not in final:
                needed[day].append(account.id)
    return scope, dict(sorted(needed.items()))


def take_snapshots(*, now=None, backfill_days=BACKFILL_DAYS, progress=None):
    """Store each full day's figures per account (idempotent: run it as often as you like).

    Days without a final snapshot within ``backfill_days`` are computed with the same selector
    as the live figures (two queries per day, all accounts at once) and written in one
    transaction; a day becomes final ``SETTLE_DAYS`` after it ends and is never rewritten.
    """
    now = now or timezone.now()
    scope, needed = snapshot_days_needed(now=now, backfill_days=backfill_days)
    rows = []
    for index, (day, ids) in enumerate(needed.items(), start=1):
        subset = scope.subset(ids)
        counts = counts_by_account(subset, Window(day, day + dt.timedelta(days=1)), now)
        for account in subset.accounts:
            settled_at = local_midnight(day + dt.timedelta(days=1 + SETTLE_DAYS), zone(account.time_zone))
            for key in METRIC_KEYS:
                numerator, denominator = counts.get(account.id, {}).get(key, (0, 0))
                rows.append(MetricSnapshot(account_id=account.id, day=day, metric=key, numerator=numerator,
                                           denominator=denominator, computed_at=now, is_final=now >= settled_at))
        if progress and index % 10 == 0:
            progress(90 * index // len(needed), f"Computed {index} of {len(needed)} days")
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(
            rows, batch_size=1000, update_conflicts=True, unique_fields=["account", "day", "metric"],
            update_fields=["numerator", "denominator", "computed_at", "is_final"],
        )
    account_days = len(rows) // len(METRIC_KEYS)
    final = sum(1 for row in rows if row.is_final) // len(METRIC_KEYS)
    message = (f"Stored the figures of {account_days} account-days ({final} now final)" if rows
               else "Snapshots are up to date")
    return {"message": message, "dates": len(needed), "account_days": account_days, "final": final}
