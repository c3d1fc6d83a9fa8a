"""Benchmark: the order queue's search over 100,000 orders on PostgreSQL, with and without the
pg_trgm indexes (orders/migrations/0010_search_indexes.py), in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub .venv/bin/python bench/search.py

It creates its own scratch database next to the one in DATABASE_URL (``--database``, default
``<name>_bench_search``), migrates it (which builds the indexes), inserts the orders (2 lines
each, a package for the shipped ones) with one ``INSERT ... SELECT generate_series`` per table,
runs ``VACUUM ANALYZE`` (as autovacuum would), then times, median of ``--runs`` after a warm-up:

* the search as the queue runs it (``order_queue(status=all, q=...)``: the count for the pager
  and the first 50 rows with their lines) for a buyer, an order number, a SKU and a tracking
  number, and the whole page ``/orders/?status=all&q=Buyer 4242`` for the buyer;
* the same after dropping the trigram indexes (the reference: what every search cost before);
* the buyer search in the shape SQLite gets (one OR over columns and subqueries) with the
  indexes in place, to show why PostgreSQL gets a UNION of per-index branches.

It prints each median, the ratios and the goal (buyer search <= 50 ms). The scratch database is
dropped at the end unless ``--keep``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MS = 50.0
SEARCHES = [("buyer", "Buyer 4242"), ("order number", "B000054321"), ("SKU", "BENCH-0137"),
            ("tracking number", "9400111000000077777")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--database", default="", help="scratch database name (default <name>_bench_search)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


def scratch_urls(name_given):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sellerhub")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench/search.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name")
    scratch = name_given or f"{parts.path.lstrip('/') or 'sellerhub'}_bench_search"
    make = lambda db: urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))  # noqa: E731
    return make("postgres"), make(scratch), scratch


def admin(maintenance_url, sql):
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def fill(n):
    """Set-based: accounts and SKUs by the ORM, then orders, lines and packages in three statements."""
    from django.db import connection

    from bench.metrics import _defaults_sql
    from fulfilment.models import Package
    from inventory.models import SKU
    from orders.models import Order, OrderLine
    from sellerhub.models import ChannelAccount

    ids = [ChannelAccount.objects.create(name=f"Bench {c}", channel=c).pk
           for c in ("tiktok", "woocommerce", "etsy", "square")]
    SKU.objects.bulk_create([SKU(seller_sku=f"BENCH-{i:04d}", name=f"Bench item {i}") for i in range(200)])
    first_sku = SKU.objects.order_by("pk").values_list("pk", flat=True).first()
    accounts = "ARRAY[" + ", ".join(str(i) for i in ids) + "]"
    columns, values, params = _defaults_sql(Order, {
        "account_id": f"({accounts})[1 + g %% {len(ids)}]", "external_id": "'B' || lpad(g::text, 9, '0')",
        "status": "CASE WHEN g %% 50 = 0 THEN 'confirmed' ELSE 'delivered' END",
        "buyer_name": "'Buyer ' || (g %% 5000)", "buyer_email": "'buyer' || (g %% 5000) || '@example.com'",
        "ship_name": "'Buyer ' || (g %% 5000)", "ship_city": "'Oakland'", "total": "24",
        "created_at": "now() - (g %% 365) * interval '1 day'", "paid_at": "now() - (g %% 365) * interval '1 day'",
        "dispatch_due_at": "now() - (g %% 365 - 2) * interval '1 day'",
        "tracking_number": "CASE WHEN g %% 50 = 0 THEN '' ELSE '1Z' || lpad(g::text, 16, '0') END",
    })
    l_columns, l_values, l_params = _defaults_sql(OrderLine, {
        "order_id": "o.id", "external_id": "j::text", "sku_id": f"{first_sku} + (o.id * 7 + j) %% 200",
        "channel_sku": "'BENCH-' || lpad(((o.id * 7 + j) %% 200)::text, 4, '0')", "quantity": "1",
        "unit_price": "12",
    })
    p_columns, p_values, p_params = _defaults_sql(Package, {
        "order_id": "o.id", "external_id": "'P' || o.id", "status": "'delivered'", "carrier": "'usps'",
        "carrier_name": "'USPS'", "tracking_number": "'9400111' || lpad(o.id::text, 12, '0')",
    })
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"INSERT INTO orders_order ({columns}) SELECT {values} FROM generate_series(1, %s) AS g",
                       [*params, n])
        cursor.execute(f"INSERT INTO orders_orderline ({l_columns}) SELECT {l_values} "
                       f"FROM orders_order o CROSS JOIN generate_series(0, 1) AS j", l_params)
        cursor.execute(f"INSERT INTO fulfilment_package ({p_columns}) SELECT {p_values} FROM orders_order o "
                       f"WHERE o.status = 'delivered'", p_params)
        # What autovacuum does on a live database: the GIN indexes' pending lists (rows inserted
        # after the index was built) merged, the visibility map set, the statistics fresh.
        cursor.execute("VACUUM ANALYZE")
        print(f"  inserted {n:,} orders, their lines and packages in {time.perf_counter() - started:.1f} s")


def timed(func, runs):
    func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def search_once(text, condition=None):
    from django.core.paginator import Paginator

    from orders.models import Order
    from orders.selectors import QueueFilters, order_queue, order_rows

    if condition is None:
        qs = order_queue(QueueFilters(status="all", q=text))
    else:
        qs = order_rows(Order.objects.filter(condition).order_by("dispatch_due_at", "id"))
    page = Paginator(qs, 50).get_page(1)
    return page.paginator.count, len(list(page.object_list))


def or_shape(text):
    """The condition SQLite gets: one OR over the columns and the subqueries."""
    from django.db.models import Q

    from orders.models import Order, OrderLine

    lines = OrderLine.objects.filter(channel_sku__icontains=text).values("order_id")
    return (Q(external_id__icontains=text) | Q(buyer_name__icontains=text) | Q(buyer_email__icontains=text)
            | Q(ship_name__icontains=text) | Q(tracking_number__icontains=text) | Q(pk__in=lines)
            | Q(pk__in=Order.objects.filter(packages__tracking_number__icontains=text).values("pk")))


def page_ms(runs):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user = get_user_model().objects.create(username="bench-owner")
    user.groups.set([Group.objects.get(name="Owner")])
    client = Client()
    client.force_login(user)
    url = "/orders/?status=all&q=Buyer%204242"
    assert client.get(url).status_code == 200
    return timed(lambda: client.get(url), runs)


def measure(runs, label):
    results = {}
    for kind, text in SEARCHES:
        found = search_once(text)
        results[kind] = (timed(lambda text=text: search_once(text), runs), found[0])
    results["page"] = (page_ms(runs) if label == "indexed" else None, None)
    return results


def main():
    args = parse_args()
    maintenance, scratch_url, scratch = scratch_urls(args.database)
    print(f"Creating the scratch database {scratch} ...")
    admin(maintenance, f'DROP DATABASE IF EXISTS "{scratch}"')
    admin(maintenance, f'CREATE DATABASE "{scratch}"')
    setup_django(scratch_url)
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        fill(args.orders)
        indexed = measure(args.runs, "indexed")
        buyer = SEARCHES[0][1]
        or_ms = timed(lambda: search_once(buyer, or_shape(buyer)), args.runs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
            names = [row[0] for row in cursor.fetchall()]
            for name in names:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("ANALYZE")
        plain = measure(args.runs, "plain")
        print(f"\n{args.orders:,} orders, 2 lines each; median of {args.runs} after a warm-up "
              f"(count for the pager + first 50 rows with their lines)")
        print(f"{'search':<22} {'matches':>8} {'trigram indexes':>16} {'no trigram index':>17} {'ratio':>7}")
        for kind, _text in SEARCHES:
            (fast, count), (slow, _c) = indexed[kind], plain[kind]
            print(f"{kind:<22} {count:>8} {fast:>13.1f} ms {slow:>14.1f} ms {slow / fast:>7.1f}")
        buyer_ms = indexed["buyer"][0]
        print(f"\nthe queue page /orders/?status=all&q=Buyer%204242 (indexed): {indexed['page'][0]:.1f} ms")
        print(f"buyer search in SQLite's shape (one OR) with the indexes: {or_ms:.1f} ms "
              f"(ratio to the UNION shape {or_ms / buyer_ms:.1f})")
        verdict = "ok" if buyer_ms <= GOAL_MS else "MISSED"
        print(f"buyer search: {buyer_ms:.1f} ms (goal <= {GOAL_MS:.0f} ms: {verdict}); "
              f"indexes dropped for the reference: {', '.join(names)}")
        return 0 if buyer_ms <= GOAL_MS else 1
    finally:
        connection.close()
        if not args.keep:
            admin(maintenance, f'DROP DATABASE IF EXISTS "{scratch}"')
            print(f"Dropped the scratch database {scratch}.")


if __name__ == "__main__":
    sys.exit(main())
