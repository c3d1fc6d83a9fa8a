"""Daily snapshots: each day's figures stored per account, recomputed until settled, then kept as
reported; the weekly trend sums them by ISO week."""

import datetime as dt

import django_rq
import pytest
from django.db import IntegrityError, transaction
from rq import SimpleWorker

from metrics import cron
from metrics.definitions import LATE_DISPATCH, METRIC_KEYS, SELLER_FAULT_CANCELLATION
from metrics.jobs import take_snapshots_now
from metrics.models import MetricSnapshot
from metrics.selectors import metric_report, resolve_scope, trend_weeks, weekly_trend
from metrics.services import BACKFILL_DAYS, SETTLE_DAYS, take_snapshots
from orders.models import Order
from sellerhub.models import JobRun
from tests.metrics.factories import AccountFactory, OrderFactory, local

pytestmark = pytest.mark.django_db

NOW = local("2025-04-16 09:00")  # a Wednesday in Los Angeles


def late_order(account, day, late=True):
    dispatched = local(f"{day} 10:00", account.time_zone)
    return OrderFactory(account=account, created_at=dispatched - dt.timedelta(days=2),
                        dispatched_at=dispatched,
                        dispatch_due_at=dispatched + dt.timedelta(hours=-1 if late else 1))


def test_snapshots_store_each_full_day_per_account():
    la, tokyo = AccountFactory(), AccountFactory(time_zone="Asia/Tokyo", channel="etsy")
    late_order(la, "2025-04-14")
    late_order(la, "2025-04-14", late=False)
    late_order(tokyo, "2025-04-15")
    result = take_snapshots(now=NOW)
    # LA's last full day is 04-15; Tokyo (already 04-17 01:00) has 04-16 too.
    assert result["account_days"] == 2 * BACKFILL_DAYS
    snap = {(s.account_id, s.day, s.metric): (s.numerator, s.denominator) for s in MetricSnapshot.objects.all()}
    assert snap[(la.pk, dt.date(2025, 4, 14), LATE_DISPATCH)] == (1, 2)
    assert snap[(tokyo.pk, dt.date(2025, 4, 15), LATE_DISPATCH)] == (1, 1)
    assert snap[(la.pk, dt.date(2025, 4, 14), SELLER_FAULT_CANCELLATION)] == (0, 0)
    assert (la.pk, dt.date(2025, 4, 16), LATE_DISPATCH) not in snap  # today is not over in LA
    assert (tokyo.pk, dt.date(2025, 4, 16), LATE_DISPATCH) in snap
    assert MetricSnapshot.objects.filter(account=la).count() == BACKFILL_DAYS * len(METRIC_KEYS)


def test_snapshots_are_idempotent_and_settle():
    la = AccountFactory()
    order = late_order(la, "2025-04-05")
    take_snapshots(now=NOW)
    count = MetricSnapshot.objects.count()
    again = take_snapshots(now=NOW)
    assert MetricSnapshot.objects.count() == count
    assert again["account_days"] == SETTLE_DAYS  # only the days not yet settled (04-02 to 04-15)

    day = MetricSnapshot.objects.get(account=la, day=dt.date(2025, 4, 5), metric=LATE_DISPATCH)
    assert (day.numerator, day.denominator, day.is_final) == (1, 1, False)
    # A correction within the settling time is picked up by the next run...
    Order.objects.filter(pk=order.pk).update(dispatch_due_at=order.dispatched_at + dt.timedelta(hours=2))
    take_snapshots(now=NOW + dt.timedelta(hours=1))
    day.refresh_from_db()
    assert (day.numerator, day.denominator) == (0, 1)
    # ... once settled, the day keeps the figures as they were reported.
    settled = local("2025-04-20 00:00") + dt.timedelta(minutes=1)  # 14 days after the end of 04-05
    take_snapshots(now=settled)
    day.refresh_from_db()
    assert day.is_final
    Order.objects.filter(pk=order.pk).update(dispatch_due_at=order.dispatched_at - dt.timedelta(hours=2))
    result = take_snapshots(now=settled + dt.timedelta(days=1))
    day.refresh_from_db()
    assert (day.numerator, day.denominator) == (0, 1)
    assert result["account_days"] <= SETTLE_DAYS + 1
    # The live figure follows the data; the stored history does not.
    live = metric_report(date_from=dt.date(2025, 4, 5), date_to=dt.date(2025, 4, 6))
    assert live.figures[LATE_DISPATCH].numerator == 1


def test_weekly_trend_sums_the_days_of_each_iso_week():
    la, woo = AccountFactory(), AccountFactory(channel="woocommerce")
    late_order(la, "2025-04-07")  # Monday of W15
    late_order(la, "2025-04-13", late=False)  # Sunday of W15
    late_order(woo, "2025-04-09", late=False)
    late_order(la, "2025-04-06")  # Sunday of W14
    take_snapshots(now=NOW)
    trend = weekly_trend(resolve_scope(), NOW)
    weeks = trend[LATE_DISPATCH]
    assert len(weeks) == 12
    assert weeks[-1].week_start == dt.date(2025, 4, 7) and weeks[-1].label == "2025-W15"
    assert (weeks[-1].numerator, weeks[-1].denominator) == (1, 3)
    assert (weeks[-2].numerator, weeks[-2].denominator) == (1, 1)
    assert all(w.complete for w in weeks)
    # The trend of each week equals the live figure of that week.
    for week in weeks[-3:]:
        live = metric_report(date_from=week.week_start, date_to=week.week_start + dt.timedelta(days=7), now=NOW)
        assert (week.numerator, week.denominator) == (live[LATE_DISPATCH].numerator, live[LATE_DISPATCH].denominator)
    tiktok_only = weekly_trend(resolve_scope(channel="tiktok"), NOW)[LATE_DISPATCH][-1]
    assert (tiktok_only.numerator, tiktok_only.denominator) == (1, 2)


def test_weeks_without_snapshots_are_marked_incomplete(owner_client):
    AccountFactory()
    scope = resolve_scope()
    weeks = weekly_trend(scope, NOW)[LATE_DISPATCH]
    assert not any(w.complete for w in weeks) and all(w.value is None for w in weeks)
    assert trend_weeks(scope, NOW)[0] == dt.date(2025, 1, 20)
    html = owner_client.get("/metrics/").content.decode()
    assert "Store the daily figures now" in html


@pytest.mark.django_db(transaction=True)
def test_the_page_button_runs_the_job_in_a_worker(client, owner_user, uses_rq):
    account = AccountFactory()
    OrderFactory(account=account)
    client.force_login(owner_user)
    response = client.post("/metrics/snapshots/refresh", {"query": "from=2025-03-01&to=2025-03-31&evil=1"})
    run = JobRun.objects.get(kind="metrics.snapshots")
    assert response.status_code == 302
    assert response["Location"] == f"/metrics/?from=2025-03-01&to=2025-03-31&run={run.pk}#trend"
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert MetricSnapshot.objects.filter(account=account).count() == BACKFILL_DAYS * len(METRIC_KEYS)
    html = client.get(response["Location"]).content.decode()
    assert f'id="job-{run.pk}"' in html and "Stored the figures of" in html


def test_cron_registers_the_hourly_job():
    calls = []

    class Recorder:
        def register(self, func, queue_name, **kwargs):
            calls.append((func, queue_name, kwargs))

    cron.register(Recorder())
    assert calls == [(take_snapshots_now, "default", {"cron": "7 * * * *", "name": "metrics_daily_snapshots"})]


def test_the_scheduled_function_stores_snapshots():
    AccountFactory()
    result = take_snapshots_now()
    assert result["account_days"] == BACKFILL_DAYS
    assert take_snapshots_now()["account_days"] <= SETTLE_DAYS + 1


def test_snapshot_numerator_never_exceeds_denominator():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricSnapshot.objects.create(account=account, day=dt.date(2025, 4, 1), metric=LATE_DISPATCH, numerator=2,
                                      denominator=1, computed_at=NOW)


def test_ops_read_the_snapshots_in_the_admin(client, ops_user):
    AccountFactory(name="Shop in the admin")
    take_snapshots(now=NOW)
    client.force_login(ops_user)
    html = client.get("/admin/metrics/metricsnapshot/?metric=late_dispatch_rate").content.decode()
    assert "Shop in the admin" in html
    assert "April 15, 2025" in html
    assert client.get("/admin/metrics/metricsnapshot/add/").status_code == 403
