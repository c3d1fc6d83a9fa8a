"""Benchmark: the four figures over 1,000,000 orders on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub .venv/bin/python bench/metrics.py

It creates its own scratch database next to the one in DATABASE_URL (``<name>_bench_metrics``),
migrates it, bulk-inserts the orders and their packages with ``generate_series`` (about a
minute), runs ``VACUUM (ANALYZE)`` as autovacuum would after a bulk load, then times

* the four figures as the app computes them (``metrics.selectors.metric_report``: the accounts,
  one aggregate over orders, one over packages) over the last 30 full days, for every account
  (four shops in three time zones), and
* one hand-written SQL statement computing the same four numerators and denominators,

each run several times after a warm-up, and prints the best and median times and the ratio of
the medians (goals: under 1 s, ratio at most 1.5). It checks that both give the same numbers.

Then the metrics page itself (``GET /metrics/`` as an owner, through Django's test client, every
query of the page included), once the daily snapshots are stored: its tiles from the snapshots
(``metrics.selectors.page_report``, the default) against the reference, every figure counted
live (``METRICS_SNAPSHOT_MAX_AGE_MINUTES=0``, what the page did before), median of ``--runs``
each, alternating, with the ratio (goal: p50 <= 150 ms), and a check that both show the same
figures, the after-sales ones included (their daily counts come from the snapshots too). The
page is timed as a deployment serves it: DEBUG off (no debug cursor, no template debug data),
the static files collected into a temporary folder; ``--debug`` times it with DEBUG on, as
``make run`` serves it. ``--database NAME`` names the scratch database.
The scratch database is dropped at the end unless ``--keep`` is given; ``--reuse`` runs again
on a kept one without inserting. Options: ``--orders N`` (default 1,000,000), ``--runs N``
(default 7), ``--explain`` (print both query plans).
"""

import argparse
import atexit
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNTS = [  # name, channel, time zone, share of the orders
    ("Bench TikTok", "tiktok", "America/Los_Angeles"),
    ("Bench TikTok East", "tiktok", "America/New_York"),
    ("Bench WooCommerce", "woocommerce", "America/Los_Angeles"),
    ("Bench Etsy", "etsy", "Europe/Berlin"),
]
DAYS = 365


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Use a kept scratch database as it is.")
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of both.")
    parser.add_argument("--debug", action="store_true", help="Time the page with DEBUG on, as make run serves it.")
    parser.add_argument("--database", default="", help="scratch database name (default <name>_bench_metrics)")
    return parser.parse_args()


def scratch_urls(name_given=""):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sellerhub")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench/metrics.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name")
    name = parts.path.lstrip("/") or "sellerhub"
    scratch = name_given or f"{name}_bench_metrics"
    make = lambda db: urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))  # noqa: E731
    return make("postgres"), make(scratch), scratch


def admin(maintenance_url, sql):
    import psycopg  # noqa: PLC0415

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(url, debug=False):
    """Django as production runs it (DEBUG off: no debug cursor, no template debug data, the
    collected static files), unless ``debug``; the page is timed as a deployment serves it."""
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "true" if debug else "false"
    # A fixed key: the scratch database's channel credentials are encrypted with it (--reuse).
    os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 32)
    if "STATIC_ROOT" not in os.environ:
        os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="sellerhub-bench-static-")
        atexit.register(shutil.rmtree, os.environ["STATIC_ROOT"], True)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415

    django.setup()


def _defaults_sql(model, explicit):
    """Column list and SQL expressions: ours for ``explicit``, each other column's default."""
    from django.db import models  # noqa: PLC0415

    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.column in explicit:
            values.append(explicit[f.column])
        elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            values.append("now()")
        elif isinstance(f, models.JSONField):
            values.append("'{}'::jsonb")
        elif f.has_default():
            values.append("%s")
            params.append(f.get_default())
        elif f.null:
            values.append("NULL")
        else:
            values.append("%s")
            params.append("" if isinstance(f, models.CharField | models.TextField) else 0)
    return ", ".join(columns), ", ".join(values), params


def fill(n):
    from django.db import connection  # noqa: PLC0415

    from fulfilment.models import Package  # noqa: PLC0415
    from orders.models import Order  # noqa: PLC0415
    from sellerhub.models import ChannelAccount  # noqa: PLC0415

    ids = [ChannelAccount.objects.create(name=name, channel=channel, time_zone=tz).pk for name, channel, tz in ACCOUNTS]
    # One row of randoms per order (s), then the timestamps derived from them (t).
    explicit = {
        "account_id": "t.account_id", "external_id": "'B' || t.g", "status": "t.status",
        "fulfilment": "t.fulfilment", "label_source": "t.label_source", "is_sample": "t.r6 < 0.01",
        "created_at": "t.created", "paid_at": "t.paid", "dispatch_due_at": "t.due",
        "tracking_uploaded_at": "t.uploaded", "dispatched_at": "t.dispatched", "delivery_due_at": "t.delivery_due",
        "delivered_at": "CASE WHEN t.delivered <= now() THEN t.delivered END", "cancelled_at": "t.cancelled",
        "cancel_initiator": "t.initiator", "total": "round((5 + t.r6 * 80)::numeric, 2)",
    }
    columns, values, params = _defaults_sql(Order, explicit)
    accounts = "ARRAY[" + ", ".join(str(i) for i in ids) + "]"
    order_sql = f"""
        INSERT INTO orders_order ({columns})
        SELECT {values} FROM (
          SELECT s.*,
            CASE WHEN s.is_cancelled THEN 'cancelled' WHEN s.dispatched IS NULL THEN 'shipped'
                 WHEN s.delivered <= now() THEN 'delivered' ELSE 'in_transit' END AS status,
            CASE WHEN s.is_cancelled THEN (ARRAY['SELLER', 'BUYER', 'BUYER', 'SYSTEM'])[1 + floor(s.r2 * 4)::int]
                 ELSE '' END AS initiator,
            CASE WHEN s.is_cancelled THEN s.paid + interval '6 hours' END AS cancelled
          FROM (
            SELECT r.*,
              r.created + interval '4 minutes' AS paid,
              r.created + interval '2 days' AS due,
              r.created + interval '8 days' AS delivery_due,
              CASE WHEN NOT r.is_cancelled THEN r.created + interval '2 days' - (r.r3 * 30 - 2) * interval '1 hour'
                   END AS uploaded,
              CASE WHEN NOT r.is_cancelled AND r.r4 < 0.995
                   THEN r.created + interval '2 days' - (r.r3 * 30 - 2) * interval '1 hour'
                        + r.r4 * interval '10 hours' END AS dispatched,
              r.created + interval '2 days' + (1.5 + r.r5 * 5.5) * interval '1 day' AS delivered
            FROM (
              SELECT g, ({accounts})[1 + (g %% {len(ids)})] AS account_id,
                now() - random() * interval '{DAYS} days' AS created,
                random() < 0.05 AS is_cancelled, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                random() AS r6,
                CASE WHEN random() < 0.12 THEN 'FBT' ELSE 'FBS' END AS fulfilment,
                CASE WHEN random() < 0.35 THEN 'PLATFORM' ELSE 'SELLER' END AS label_source
              FROM generate_series(1, %s) AS g
            ) r
          ) s
        ) t
    """
    package_explicit = {
        "order_id": "o.id", "external_id": "'P' || o.id", "status": "'delivered'", "carrier": "'usps'",
        "carrier_name": "'USPS'", "tracking_number": "'9400111' || lpad(o.id::text, 15, '0')",
        "tracking_format_valid": "random() > 0.02", "tracking_uploaded_at": "o.tracking_uploaded_at",
        "first_scan_at": "o.dispatched_at", "delivered_at": "o.delivered_at",
    }
    p_columns, p_values, p_params = _defaults_sql(Package, package_explicit)
    package_sql = f"""
        INSERT INTO fulfilment_package ({p_columns})
        SELECT {p_values} FROM orders_order o
        WHERE o.fulfilment = 'FBS' AND o.tracking_uploaded_at IS NOT NULL AND o.label_source = 'SELLER'
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        started = time.perf_counter()
        cursor.execute(order_sql, [*params, n])
        print(f"  inserted {n:,} orders in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute(package_sql, p_params)
        print(f"  inserted {cursor.rowcount:,} packages in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        requests, returns = fill_after_sales(cursor)
        print(f"  inserted {requests:,} buyer cancellation requests and {returns:,} channel returns in "
              f"{time.perf_counter() - started:.1f} s")
        # What autovacuum does after a bulk load (PostgreSQL 13 and later vacuum after inserts too):
        # statistics, and the pages marked all-visible so counts can be read from an index alone.
        # Some servers run with autovacuum off (this project's CI machine does), so do it here.
        cursor.execute("VACUUM (ANALYZE)")


def _insert_requests(cursor, model, explicit, *, waiting_for, share, requested, after):
    """Rows of ``model`` for ``share`` of the orders with ``after`` set, asked for at ``requested``;
    ``r.pending`` (asked within ``waiting_for``, 80% of them) and randoms ``r.q1``-``r.q3`` for
    ``explicit``'s expressions. Returns how many."""
    columns, values, params = _defaults_sql(model, explicit)
    cursor.execute(f"""
        INSERT INTO {model._meta.db_table} ({columns})
        SELECT {values} FROM (
          SELECT q.*, q.requested > now() - interval '{waiting_for}' AND q.q1 < 0.8 AS pending FROM (
            SELECT o.id AS order_id, o.account_id, {requested} AS requested,
                   random() AS q1, random() AS q2, random() AS q3
            FROM orders_order o WHERE {after} IS NOT NULL AND random() < {share}
          ) q WHERE q.requested < now()
        ) r
    """, params)
    return cursor.rowcount


def fill_after_sales(cursor):
    """Buyer cancellation requests on 1.5% of the paid orders (24 hours to answer) and channel
    returns on 3% of the delivered ones (48 hours), requested after the order or its delivery.
    Those of the last day or two mostly still wait for the seller; the others were decided, some
    late, some auto-approved by the channel, some rejected or withdrawn; 30% of the returns are
    the seller's fault."""
    from orders.models import CancellationRequest, Return  # noqa: PLC0415

    request_explicit = {
        "account_id": "r.account_id", "order_id": "r.order_id", "external_id": "'C' || r.order_id",
        "initiator": "'buyer'", "reason": "'Ordered by mistake'", "requested_at": "r.requested",
        "respond_by": "r.requested + interval '24 hours'", "line_ids": "'[]'::jsonb",
        "status": """CASE WHEN r.pending THEN 'pending' WHEN r.q1 < 0.70 THEN 'approved'
                     WHEN r.q1 < 0.85 THEN 'rejected' WHEN r.q1 < 0.90 THEN 'withdrawn' ELSE 'auto_approved' END""",
        "auto_approved": "NOT r.pending AND r.q1 >= 0.90",
        "decided_at": "CASE WHEN NOT r.pending AND r.q1 < 0.90 THEN r.requested + r.q2 * interval '30 hours' END",
    }
    requests = _insert_requests(cursor, CancellationRequest, request_explicit, waiting_for="1 day", share=0.015,
                                requested="o.paid_at + random() * interval '20 hours'", after="o.paid_at")
    return_explicit = {
        "account_id": "r.account_id", "order_id": "r.order_id", "external_id": "'R' || r.order_id",
        "reason": "'Arrived damaged'", "kind": "'return_and_refund'", "requested_at": "r.requested",
        "respond_by": "r.requested + interval '48 hours'", "seller_fault": "r.q3 < 0.3",
        "buyer_images": "'[]'::jsonb", "raw": "'{}'::jsonb",
        "status": "CASE WHEN r.pending THEN 'requested' ELSE 'restocked' END",
        "channel_status": """CASE WHEN r.pending THEN 'RETURN_OR_REFUND_REQUEST_PENDING'
                             WHEN r.q1 < 0.05 THEN 'RETURN_OR_REFUND_REQUEST_REJECT'
                             WHEN r.q1 < 0.08 THEN 'RETURN_OR_REFUND_REQUEST_CANCEL'
                             ELSE 'RETURN_OR_REFUND_REQUEST_SUCCESS' END""",
        "auto_approved": "NOT r.pending AND r.q2 > 0.95",
        "decided_at": "CASE WHEN NOT r.pending AND r.q2 <= 0.95 THEN r.requested + r.q2 * interval '60 hours' END",
    }
    returns = _insert_requests(cursor, Return, return_explicit, waiting_for="2 days", share=0.03,
                               requested="o.delivered_at + (1 + random() * 5) * interval '1 day'",
                               after="o.delivered_at")
    return requests, returns


def hand_written_sql(window_bounds, now):
    """One statement, written by hand: the four numerators and denominators."""
    o_cond = {"dispatched_at": [], "delivery_due_at": [], "created_at": []}
    p_cond = []
    for ids, _start, _end in window_bounds:
        id_list = ", ".join(str(i) for i in ids)
        for column in o_cond:
            o_cond[column].append(f"(o.account_id IN ({id_list}) AND o.{column} >= %s AND o.{column} < %s)")
        p_cond.append(f"(o.account_id IN ({id_list}) AND p.tracking_uploaded_at >= %s "
                      f"AND p.tracking_uploaded_at < %s)")
    # Each window also within its overall range (earliest start, latest end), which lets
    # PostgreSQL use a plain index range as well as the per-shop ones.
    ldr, otdr, sfcr = (f"(o.{c} >= %s AND o.{c} < %s AND ({' OR '.join(o_cond[c])}))"
                       for c in ("dispatched_at", "delivery_due_at", "created_at"))
    vtr = f"(p.tracking_uploaded_at >= %s AND p.tracking_uploaded_at < %s AND ({' OR '.join(p_cond)}))"
    overall = [min(b[1] for b in window_bounds), max(b[2] for b in window_bounds)]
    pairs = overall + [x for _ids, start, end in window_bounds for x in (start, end)]
    sql = f"""
        SELECT o.*, p.* FROM (
          SELECT
            count(*) FILTER (WHERE ({ldr}) AND o.fulfilment = 'FBS' AND o.dispatched_at > o.dispatch_due_at),
            count(*) FILTER (WHERE {ldr}),
            count(*) FILTER (WHERE ({otdr}) AND o.fulfilment = 'FBS' AND o.cancelled_at IS NULL
                             AND o.status <> 'cancelled' AND o.delivered_at <= o.delivery_due_at),
            count(*) FILTER (WHERE ({otdr}) AND o.fulfilment = 'FBS' AND o.cancelled_at IS NULL
                             AND o.status <> 'cancelled'),
            count(*) FILTER (WHERE ({sfcr}) AND o.paid_at IS NOT NULL AND NOT o.is_sample
                             AND (o.status = 'cancelled' OR o.cancelled_at IS NOT NULL)
                             AND o.cancel_initiator IN ('SELLER', 'SYSTEM')),
            count(*) FILTER (WHERE ({sfcr}) AND o.paid_at IS NOT NULL AND NOT o.is_sample)
          FROM orders_order o
          WHERE {ldr} OR {otdr} OR {sfcr}
        ) o, (
          SELECT
            count(*) FILTER (WHERE p.tracking_format_valid
                             AND coalesce(p.first_scan_at, o.dispatched_at) <= %s
                             AND coalesce(p.first_scan_at, o.dispatched_at) <= p.tracking_uploaded_at
                                 + interval '5 days'),
            count(*)
          FROM fulfilment_package p JOIN orders_order o ON o.id = p.order_id
          WHERE ({vtr}) AND o.fulfilment = 'FBS' AND o.label_source = 'SELLER'
            AND (coalesce(p.first_scan_at, o.dispatched_at) <= %s OR p.tracking_uploaded_at <= %s)
        ) p
    """
    # Parameters in the order of the placeholders above.
    params = (pairs + pairs + pairs + pairs + pairs + pairs  # ldr, ldr, otdr, otdr, sfcr, sfcr in FILTERs
              + pairs + pairs + pairs  # the WHERE
              + [now] + pairs + [now, now - dt.timedelta(days=5)])
    return sql, params


def timed(func, runs):
    func()  # warm-up (plans, caches)
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return result, times


def others(scope, now, runs):
    """The rest of what the metrics page and the dashboard read, on the same data."""
    from metrics.selectors import at_risk_summary, today_counts, weekly_trend  # noqa: PLC0415
    from metrics.services import take_snapshots  # noqa: PLC0415

    print("\nother reads on the same data (median):")
    for label, func in (("at-risk counts (3 queries)", lambda: at_risk_summary(scope, now)),
                        ("today's dispatch counts (2 queries)", lambda: today_counts(scope, now))):
        _result, times = timed(func, runs)
        print(f"  {label:<44} {statistics.median(times) * 1000:6.0f} ms")
    started = time.perf_counter()
    result = take_snapshots(now=now)
    print(f"  {'daily snapshots, first run (' + str(result['account_days']) + ' account-days)':<44} "
          f"{(time.perf_counter() - started) * 1000:6.0f} ms")
    started = time.perf_counter()
    result = take_snapshots(now=now + dt.timedelta(hours=1))
    print(f"  {'daily snapshots, hourly run (' + str(result['account_days']) + ' account-days)':<44} "
          f"{(time.perf_counter() - started) * 1000:6.0f} ms")
    _result, times = timed(lambda: weekly_trend(scope, now), runs)
    print(f"  {'weekly trend from the snapshots (1 query)':<44} {statistics.median(times) * 1000:6.0f} ms")


GOAL_PAGE_MS = 150.0


def metrics_page(scope, runs):
    """GET /metrics/ with the tiles from the snapshots against every figure counted live."""
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.models import Group  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from metrics.definitions import SELLER_FAULT_CANCELLATION  # noqa: PLC0415
    from metrics.selectors import default_window, metric_report, page_report, page_reports  # noqa: PLC0415
    from metrics.selectors.after_sales import after_sales_report  # noqa: PLC0415
    from metrics.selectors.after_sales_daily import page_counts_for  # noqa: PLC0415
    from metrics.services import take_snapshots  # noqa: PLC0415

    stored_at = timezone.now()
    take_snapshots(now=stored_at)  # as the hourly job leaves them
    user, _ = get_user_model().objects.get_or_create(username="bench-owner")
    user.groups.set([Group.objects.get(name="Owner")])
    client = Client()
    client.force_login(user)
    fresh = settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES

    if not settings.DEBUG:  # the collected static files the page links to, as a deployment has
        call_command("collectstatic", interactive=False, verbosity=0)
    count = [0]

    def counted(execute, *args):
        count[0] += 1
        return execute(*args)

    def get(max_age):
        settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES = max_age
        count[0] = 0
        started = time.perf_counter()
        with connection.execute_wrapper(counted):
            assert client.get("/metrics/", secure=True).status_code == 200
        return time.perf_counter() - started, count[0]

    get(fresh), get(0)  # warm-up
    snap, live = [], []
    for _ in range(runs):
        snap.append(get(fresh))
        live.append(get(0))
    settings.METRICS_SNAPSHOT_MAX_AGE_MINUTES = fresh
    # Both as of the moment the snapshots were stored: the figures move with time alone (a package
    # leaves "pending" 5 days after its upload), which the snapshots follow at the next hourly run.
    window = default_window(scope, stored_at)
    fast = page_report(scope=scope, window=window, now=stored_at).as_dict()
    exact = metric_report(scope=scope, date_from=window.date_from, date_to=window.date_to, now=stored_at).as_dict()
    # The after-sales figures as the page reads them (the daily counts, returned orders and response
    # times from the snapshots), and live.
    def placed(windows):
        reports = page_reports(scope=scope, requests={w: (SELLER_FAULT_CANCELLATION,) for w in windows}, now=stored_at)
        return {w: report.figures[SELLER_FAULT_CANCELLATION].denominator for w, report in reports.items()}

    fast["after_sales"] = after_sales_report(
        scope=scope, now=stored_at, placed_count=placed,
        counts_of=lambda requests: page_counts_for(scope=scope, requests=requests, now=stored_at)).as_dict()
    exact["after_sales"] = after_sales_report(scope=scope, now=stored_at).as_dict()
    snap_ms, live_ms = (statistics.median(t for t, _q in x) * 1000 for x in (snap, live))
    mode = "DEBUG on" if settings.DEBUG else "DEBUG off, as deployed"
    print(f"\nthe metrics page GET /metrics/ (owner, all queries of the page, {mode}), median of {runs}, "
          "alternating:")
    print(f"  tiles from the daily snapshots: p50 {snap_ms:6.0f} ms, {snap[0][1]} queries "
          f"(goal <= {GOAL_PAGE_MS:.0f} ms: {'ok' if snap_ms <= GOAL_PAGE_MS else 'MISSED'})")
    print(f"  every figure counted live:      p50 {live_ms:6.0f} ms, {live[0][1]} queries (the reference)")
    print(f"  ratio live / snapshots: {live_ms / snap_ms:.1f}; same figures (the four and the after-sales "
          f"ones) as counted live at the snapshots' time: {'ok' if fast == exact else 'MISMATCH'}")
    return fast == exact and snap_ms <= GOAL_PAGE_MS


def main():
    args = parse_args()
    maintenance, scratch_url, scratch = scratch_urls(args.database)
    if not args.reuse:
        print(f"Creating the scratch database {scratch} ...")
        admin(maintenance, f'DROP DATABASE IF EXISTS "{scratch}"')
        admin(maintenance, f'CREATE DATABASE "{scratch}"')
    setup_django(scratch_url, debug=args.debug)
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from metrics.selectors import bounds, default_window, metric_report, resolve_scope  # noqa: PLC0415
    from orders.models import Order  # noqa: PLC0415

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            print(f"Inserting {args.orders:,} orders over {DAYS} days in {len(ACCOUNTS)} shops ...")
            fill(args.orders)
        total = Order.objects.count()
        now = timezone.now()
        scope = resolve_scope()
        window = default_window(scope, now)

        def app():
            return metric_report(date_from=window.date_from, date_to=window.date_to, now=now).as_dict()

        sql, params = hand_written_sql(bounds(scope, window), now)

        def hand():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()

        figures, app_times = timed(app, args.runs)
        row, sql_times = timed(hand, args.runs)
        keys = list(figures)
        from_sql = {"late_dispatch_rate": row[0:2], "on_time_delivery_rate": row[2:4],
                    "seller_fault_cancellation_rate": row[4:6], "valid_tracking_rate": row[6:8]}
        mismatch = [k for k in keys if (figures[k]["numerator"], figures[k]["denominator"]) != tuple(from_sql[k])]
        print(f"\n{total:,} orders; window {window} (local dates [{window.date_from}, {window.date_to})), "
              f"{len(scope.accounts)} shops in {len(scope.by_zone())} time zones; {args.runs} runs after a warm-up")
        for key in keys:
            f = figures[key]
            print(f"  {key:<32} {f['numerator']:>8,} / {f['denominator']:<8,} = {f['value']:.4f}")
        app_median, sql_median = statistics.median(app_times), statistics.median(sql_times)
        print(f"\nfour figures (metric_report, 3 queries): best {min(app_times) * 1000:.0f} ms, "
              f"median {app_median * 1000:.0f} ms   (goal: under 1 s)")
        print(f"hand-written SQL (1 query):               best {min(sql_times) * 1000:.0f} ms, "
              f"median {sql_median * 1000:.0f} ms")
        print(f"ratio (median app / median SQL): {app_median / sql_median:.2f}   (goal: at most 1.5)")
        if mismatch:
            print(f"MISMATCH between the app and the SQL for: {', '.join(mismatch)}")
        others(scope, now, args.runs)
        page_ok = metrics_page(scope, args.runs)
        if args.explain:
            from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

            with CaptureQueriesContext(connection) as captured:
                app()
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\napp query plan:\n" + "\n".join(r[0] for r in cursor.fetchall()))
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\nhand-written SQL plan:\n" + "\n".join(r[0] for r in cursor.fetchall()))
        return 1 if mismatch or not page_ok else 0
    finally:
        connection.close()
        if not args.keep:
            admin(maintenance, f'DROP DATABASE IF EXISTS "{scratch}"')
            print(f"Dropped the scratch database {scratch}.")
        else:
            print(f"Kept the scratch database {scratch} (run again with --reuse; drop it with "
                  f'psql -c \'DROP DATABASE "{scratch}"\').')


if __name__ == "__main__":
    sys.exit(main())
