"""Inventory speed figures (acceptance line 4 of the inventory issue).

Run it against a PostgreSQL server (it never touches the database named in the URL: it creates a
scratch database `<name>_bench_inventory` next to it, migrates it, and drops it at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub .venv/bin/python bench/inventory.py

Options: --seconds 5 (per throughput run), --workers 1,8, --skus 10000, --channels 4,
--pool 1000 (SKUs the orders draw from), --keep (keep the scratch database).

It prints:
- reserve-and-release throughput: 2-line orders per second (reserve both lines, then release),
  with 1 and with 8 concurrent workers (separate processes, each with its own connection);
  lines are drawn at random from the pool, so workers sometimes lock the same rows;
- the time and number of queries to compute available-to-sell for 10,000 SKUs on 4 channel
  accounts (TikTok with FBT listings, WooCommerce, Etsy, Square; with buffers), plus the
  per-listing figure for all their listings;
- that the stock levels still equal the ledger afterwards (no oversell, no drift).
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + os.urandom(8).hex())


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run")
    parser.add_argument("--workers", default="1,8", help="comma-separated worker counts")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--pool", type=int, default=1000, help="SKUs the benchmark orders draw their lines from")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def setup_data(n_skus, n_channels):
    from inventory import services
    from inventory.models import SKU, ChannelListing, Location
    from sellerhub.models import ChannelAccount

    main = Location.objects.get(code="MAIN")
    fbt = Location.objects.create(code="FBT-BENCH", name="FBT", kind=Location.Kind.FBT)
    rows = [{"seller_sku": f"B-{n:06d}", "product": "", "location_id": main.pk, "quantity": 1_000_000,
             "fields": {"name": f"Bench item {n}", "reorder_point": 5}} for n in range(n_skus)]
    started = time.perf_counter()
    services.import_skus(rows=rows, note="bench")
    ids = list(SKU.objects.order_by("pk").values_list("pk", flat=True))
    services.apply_counts(counts=[(pk, fbt.pk, 50) for pk in ids[::10]], note="bench FBT")
    specs = [("tiktok", 0, 0), ("woocommerce", 2, 0), ("etsy", 0, 10), ("square", 1, 5)][:n_channels]
    accounts = [ChannelAccount.objects.create(name=f"Bench {c}", channel=c, stock_buffer_units=u,
                                              stock_buffer_percent=p) for c, u, p in specs]
    ChannelListing.objects.bulk_create(
        [ChannelListing(sku_id=pk, account=a, channel_sku=f"B-{pk}", external_product_id=f"P{pk}",
                        external_variant_id=f"V{pk}", is_fbt=(a.channel == "tiktok" and i % 10 == 0))
         for a in accounts for i, pk in enumerate(ids)], batch_size=5000)
    print(f"data: {n_skus:,} SKUs with stock, {len(accounts)} channel accounts, "
          f"{ChannelListing.objects.count():,} listings ({time.perf_counter() - started:.1f} s to create)")
    return ids, accounts


def bench_available_to_sell(ids, accounts):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from inventory.selectors import available_to_sell, listing_quantities

    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        figures = {a.pk: available_to_sell(sku_ids=ids, account=a) for a in accounts}
        elapsed = time.perf_counter() - started
    assert all(len(f) == len(ids) for f in figures.values())
    print(f"available-to-sell, {len(ids):,} SKUs x {len(accounts)} channels: {elapsed * 1000:.0f} ms, "
          f"{len(ctx.captured_queries)} queries")
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        rows = listing_quantities(sku_ids=ids)
        elapsed = time.perf_counter() - started
    print(f"per-listing quantity (what the outbox pushes), {len(rows):,} listings: {elapsed * 1000:.0f} ms, "
          f"{len(ctx.captured_queries)} queries")


def _worker(args):
    index, pool, seconds, start_at = args
    from django.db import connection

    from inventory import services
    from inventory.services import InsufficientStock, StockRequest

    rng = random.Random(index)
    done = short = 0
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            a, b = rng.sample(pool, 2)
            reference = f"bench:{index}:{done}"
            try:
                services.reserve(reference=reference, requests=[StockRequest("1", a, 1), StockRequest("2", b, 1)])
            except InsufficientStock:
                short += 1
                continue
            services.release(reference=reference)
            done += 1
    finally:
        connection.close()
    return done, short


def bench_throughput(pool, workers, seconds):
    from django.db import connections

    connections.close_all()  # children open their own connections
    ctx = multiprocessing.get_context("fork")
    start_at = time.time() + 0.5
    with ctx.Pool(workers) as processes:
        results = processes.map(_worker, [(i, pool, seconds, start_at) for i in range(workers)])
    orders = sum(r[0] for r in results)
    print(f"reserve-and-release, {workers} worker{'s' if workers > 1 else ''}: {orders / seconds:,.0f} 2-line orders/s "
          f"({orders:,} orders in {seconds:.0f} s)")
    return orders / seconds


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/inventory.py measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/dbname")
    import django

    django.setup()
    from django.db import connection

    base = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_inventory"
    connection.settings_dict["CONN_MAX_AGE"] = 0
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, scratch database "
          f"{base}_bench_inventory; {os.cpu_count()} CPUs")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        ids, accounts = setup_data(args.skus, args.channels)
        bench_available_to_sell(ids, accounts)
        pool = ids[: args.pool]
        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            bench_throughput(pool, workers, args.seconds)
        from inventory.selectors import reconcile

        checked, drift = reconcile(sku_ids=pool)
        print(f"ledger check: {checked:,} stock levels of the pool, {len(drift)} drifted")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            connection.creation.destroy_test_db(base, verbosity=0)


if __name__ == "__main__":
    main()
