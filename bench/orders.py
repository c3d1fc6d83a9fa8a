"""Order queue vs Django admin changelist on 100,000 orders (issue 4, acceptance 4).

Run it against a scratch PostgreSQL database (it is created if missing, migrated, and filled once;
later runs reuse the data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub_bench .venv/bin/python bench/orders.py

Options: --orders N (default 100000), --fresh (delete the bench orders and build them again, which
also measures the queue's query count with 10 orders before filling up to N), --repeat R (timed
requests per page, default 7), --clean (delete the bench orders and accounts, then stop).

It bulk-creates N orders (1-3 lines each) over four channel accounts, a year of history: ~2% still
to ship (the warehouse's queue), ~1% awaiting payment, ~4% cancelled, the rest shipped or later.
Then, logged in as an owner and as ops, it requests the order queue (/orders/, the default "to
ship" view sorted by dispatch deadline), the queue over every order (/orders/?status=all), a
search (/orders/?status=all&q=...), and the admin changelist (/admin/orders/order/), and prints
each one's median time, its query count, and the ratio of the queue's time to the changelist's.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # static files from the finders; no collectstatic needed
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

BENCH_PREFIX = "Bench "
CHANNELS = ("tiktok", "woocommerce", "etsy", "square")
BATCH = 5000


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme.replace("postgres", "postgresql", 1) if parts.scheme == "postgres"
                            else parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup(args):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) and not args.allow_sqlite:
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. "
                 "DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub_bench (or pass --allow-sqlite).")
    if url.startswith(("postgres://", "postgresql://")):
        try:
            ensure_database(url)
        except Exception as exc:  # report and let Django try anyway
            print(f"(could not check/create the database: {exc})")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_accounts():
    from sellerhub.models import ChannelAccount

    return [ChannelAccount.objects.get_or_create(name=f"{BENCH_PREFIX}{c}", channel=c)[0] for c in CHANNELS]


def clean():
    from django.db import connection

    from orders.models import Order
    from sellerhub.models import ChannelAccount

    accounts = list(ChannelAccount.objects.filter(name__startswith=BENCH_PREFIX).values_list("pk", flat=True))
    if not accounts:
        return 0
    ids = "SELECT id FROM orders_order WHERE account_id = ANY(%s)"
    n = Order.objects.filter(account_id__in=accounts).count()
    with connection.cursor() as cursor:
        for table, column in (("fulfilment_packageline", "package_id IN (SELECT id FROM fulfilment_package WHERE "
                                                         f"order_id IN ({ids}))"),
                              ("fulfilment_package", f"order_id IN ({ids})"),
                              ("orders_returnline",
                               f"ret_id IN (SELECT id FROM orders_return WHERE order_id IN ({ids}))"),
                              ("orders_return", f"order_id IN ({ids})"),
                              ("orders_orderevent", f"order_id IN ({ids})"),
                              ("orders_orderline", f"order_id IN ({ids})"),
                              ("orders_order", "account_id = ANY(%s)")):
            cursor.execute(f"DELETE FROM {table} WHERE {column}", [accounts])
    return n


def skus():
    from inventory.models import SKU

    existing = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__startswith="BENCH-")}
    missing = [SKU(seller_sku=f"BENCH-{i:04d}", name=f"Bench item {i}") for i in range(200)
               if f"BENCH-{i:04d}" not in existing]
    SKU.objects.bulk_create(missing)
    return list(SKU.objects.filter(seller_sku__startswith="BENCH-").order_by("pk"))


def fill(accounts, sku_list, start, stop, rng):
    """Bulk-create orders number start..stop-1 with their lines."""
    from django.utils import timezone

    from orders.models import Order, OrderLine, OrderStatus

    S = OrderStatus
    now = timezone.now()
    pre_ship = [S.AWAITING_CONFIRMATION, S.CONFIRMED, S.CONFIRMED, S.PICKING, S.PACKED, S.ON_HOLD]
    later = [S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.DELIVERED, S.COMPLETED, S.COMPLETED, S.COMPLETED]
    for batch_start in range(start, stop, BATCH):
        orders = []
        for n in range(batch_start, min(batch_start + BATCH, stop)):
            roll = rng.random() if n >= 10 else 0.0  # the first ten are open: the small queue shows rows
            if roll < 0.02:
                status, age = rng.choice(pre_ship), timedelta(hours=rng.uniform(1, 72))
            elif roll < 0.03:
                status, age = S.AWAITING_PAYMENT, timedelta(minutes=rng.uniform(1, 600))
            elif roll < 0.07:
                status, age = S.CANCELLED, timedelta(days=rng.uniform(0, 365))
            else:
                status, age = rng.choice(later), timedelta(days=rng.uniform(2, 365))
            created = now - age
            paid = None if status == S.AWAITING_PAYMENT else created + timedelta(minutes=2)
            orders.append(Order(
                account=accounts[n % len(accounts)], external_id=f"B{n:09d}", status=status,
                attention_reason="short_stock" if status == S.AWAITING_CONFIRMATION and n % 3 == 0 else "",
                buyer_name=f"Buyer {n % 5000}", buyer_email=f"buyer{n % 5000}@example.com",
                ship_name=f"Buyer {n % 5000}", ship_street1=f"{n % 900 + 1} Main St", ship_city="Oakland",
                ship_state="CA", ship_postal_code="94607", ship_country="US", total=Decimal("24.00"),
                fulfilment="FBT" if n % 17 == 0 else "FBS", created_at=created, paid_at=paid,
                dispatch_due_at=paid + timedelta(days=2) if paid else None,
                delivery_due_at=paid + timedelta(days=7) if paid else None,
                tracking_number=f"1Z{n:016d}" if status in later else "",
            ))
        Order.objects.bulk_create(orders, batch_size=BATCH)
        lines = [OrderLine(order=o, external_id=str(j), sku=sku_list[(o.pk * 7 + j) % len(sku_list)],
                           channel_sku=sku_list[(o.pk * 7 + j) % len(sku_list)].seller_sku, quantity=1 + j % 2,
                           unit_price=Decimal("12.00"))
                 for o in orders for j in range(1 + o.pk % 3)]
        OrderLine.objects.bulk_create(lines, batch_size=BATCH)
        print(f"  {min(batch_start + BATCH, stop):>7} orders", end="\r", flush=True)
    print()


def users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    made = {}
    for role in ("Owner", "Ops"):
        user, _ = User.objects.get_or_create(username=f"bench-{role.lower()}", defaults={"is_staff": role == "Ops"})
        user.groups.set([Group.objects.get(name=role)])
        made[role] = user
    return made


def measure(client, url, repeat):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up (and the query count below must not include first-use costs)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    reset_queries()  # the request resets the query log itself: start the capture from an empty log
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="delete the bench orders and build them again")
    parser.add_argument("--clean", action="store_true", help="delete the bench orders and accounts, then stop")
    parser.add_argument("--allow-sqlite", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup(args)

    from django.db import connection
    from django.test import Client

    from orders.models import Order, OrderLine

    if args.clean:
        from sellerhub.models import ChannelAccount

        print(f"deleted {clean()} bench orders")
        ChannelAccount.objects.filter(name__startswith=BENCH_PREFIX).delete()
        return
    if args.fresh:
        print(f"deleted {clean()} bench orders")

    accounts = bench_accounts()
    sku_list = skus()
    people = users()
    owner, ops = Client(), Client()
    owner.force_login(people["Owner"])
    ops.force_login(people["Ops"])
    rng = random.Random(4)
    queue_url = "/orders/"

    have = Order.objects.filter(account__in=accounts).count()
    small = None
    if have == 0:
        fill(accounts, sku_list, 0, 10, rng)
        small = measure(owner, queue_url, 1)[1]
        have = 10
    if have < args.orders:
        print(f"creating {args.orders - have} orders with bulk_create ...")
        started = time.perf_counter()
        fill(accounts, sku_list, have, args.orders, rng)
        print(f"  done in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order; ANALYZE orders_orderline")

    total, lines = Order.objects.count(), OrderLine.objects.count()
    print(f"\n{connection.vendor} {connection.settings_dict['NAME']}: {total} orders, {lines} lines "
          f"({Order.objects.filter(account__in=accounts).count()} bench orders)\n")
    rows = [
        ("order queue (to ship, by deadline)", owner, queue_url),
        ("order queue (all orders)", owner, "/orders/?status=all"),
        ("order queue (search a buyer)", owner, "/orders/?status=all&q=Buyer%204242"),
        ("admin changelist", ops, "/admin/orders/order/"),
    ]
    results = {}
    print(f"{'page':40} {'median ms':>10} {'queries':>8}")
    for label, client, url in rows:
        seconds, queries = measure(client, url, args.repeat)
        results[label] = (seconds, queries)
        print(f"{label:40} {seconds * 1000:10.1f} {queries:8d}")
    queue_s, queue_q = results[rows[0][0]]
    admin_s, _admin_q = results["admin changelist"]
    print(f"\nratio queue / admin changelist: {queue_s / admin_s:.2f} (all orders: "
          f"{results[rows[1][0]][0] / admin_s:.2f})")
    if small is not None:
        same = "the same" if small == queue_q else "NOT the same"
        print(f"queue queries with 10 orders: {small}; with {total}: {queue_q} ({same})")
    else:
        print(f"queue queries with {total} orders: {queue_q} (run with --fresh to compare with 10 orders)")


if __name__ == "__main__":
    main()
