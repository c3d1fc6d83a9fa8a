"""Inventory speed figures: reserve and release of 2-line orders through ``inventory.services``,
side by side with a minimal hand-written psycopg reference doing the same work, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub .venv/bin/python bench/inventory.py

It never touches the database named in the URL: it creates a scratch database
`<name>_bench_inventory` next to it, migrates it, and drops it at the end. Redis: it starts its
own private server (the embedded one's binary, on a Unix socket in a temporary directory) unless
REDIS_URL is set, and says which it uses; every stock commit asks Redis for the channels' pushes
exactly as in production (no worker runs: the push jobs stay queued, coalesced, one per account).

Options: --seconds 5 (per throughput run), --workers 1,8, --skus 10000, --channels 4, --pool 1000
(SKUs the orders draw from), --keep (keep the scratch database).

It prints:
- per worker count (separate processes, one connection each; lines drawn at random from the
  pool, so workers sometimes lock the same rows): 2-line orders per second (reserve both lines,
  then release), and CPU per order (the worker process plus its PostgreSQL backend), for
  SellerHub and for the reference, and the ratio of the two rates;
- the statements per order of each;
- available-to-sell for every SKU on every channel account, and the per-listing quantities (the
  push's path), with their query counts;
- oversell: 8 workers reserve scarce stock (no release) until it is gone; reserved units must
  equal the stock, never more;
- ledger drift: stock levels against the ledger and the active reservations (``reconcile``).

SellerHub's reserve and release are each one call of a database function on PostgreSQL (inventory
migration 0018, docs/speed-stock.md); the reference is the same work done from the client.

The reference (``Reference.reserve`` / ``Reference.release``) does what a stock change essentially needs: lock
the SKUs' sellable levels FOR UPDATE in id order, read what the order already holds, update the
levels, insert reservations, ledger rows and "SKU changed" outbox rows, commit, then one Redis
round trip asking for the four accounts' pushes; release locks the levels the order holds, closes
its reservations with UPDATE ... RETURNING, updates the levels, inserts ledger and outbox rows.
"""

import argparse
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + os.urandom(8).hex())
CLK = os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run")
    parser.add_argument("--workers", default="1,8", help="comma-separated worker counts")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--pool", type=int, default=1000, help="SKUs the benchmark orders draw their lines from")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def start_redis():
    """REDIS_URL if set, else a private server on a Unix socket; returns (url, process or None)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None, None
    from sellerhub.embedded_redis import start_server

    folder = tempfile.mkdtemp(prefix="bench-inventory-redis-")
    proc = start_server(socket_path=os.path.join(folder, "redis.sock"), data_dir=folder, persist=False)
    url = f"unix://{folder}/redis.sock?db=0"
    os.environ["REDIS_URL"] = url
    return url, proc, folder


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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory.selectors import available_to_sell, listing_quantities

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
    print(f"per-listing quantity (what the push sends), {len(rows):,} listings: {elapsed * 1000:.0f} ms, "
          f"{len(ctx.captured_queries)} queries")


# --- CPU of a worker: its own process plus its PostgreSQL backend ---------------------------------


def backend_ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


class Meter:
    def __init__(self, backend_pid):
        self.backend_pid = backend_pid

    def __enter__(self):
        self.cpu, self.ticks = time.process_time(), backend_ticks(self.backend_pid)
        return self

    def __exit__(self, *exc):
        self.client = time.process_time() - self.cpu
        self.backend = (backend_ticks(self.backend_pid) - self.ticks) / CLK


def wait_for(start_at):
    while time.time() < start_at:
        time.sleep(0.001)


# --- SellerHub ----------------------------------------------------------------------------------


def _worker(args):
    index, pool, seconds, start_at = args
    from django.db import connection

    from inventory import services
    from inventory.services import InsufficientStock, StockRequest

    rng = random.Random(index)
    done = short = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    wait_for(start_at)
    deadline = time.time() + seconds
    try:
        with Meter(backend) as meter:
            while time.time() < deadline:
                a, b = rng.sample(pool, 2)
                reference = f"bench:{index}:{done}:{short}"
                try:
                    services.reserve(reference=reference, requests=[StockRequest("1", a, 1), StockRequest("2", b, 1)])
                except InsufficientStock:
                    short += 1
                    continue
                services.release(reference=reference)
                done += 1
    finally:
        connection.close()
    return done, short, meter.client, meter.backend


# --- The reference: hand-written psycopg, the same work -------------------------------------------

REF_LOCK = """SELECT s.id, s.sku_id, s.location_id, s.on_hand - s.reserved FROM inventory_stocklevel s
JOIN inventory_location l ON l.id = s.location_id
WHERE s.sku_id = ANY(%s) AND l.kind IN ('warehouse', 'bin') AND l.sellable AND l.active
ORDER BY s.id FOR UPDATE OF s"""
REF_HELD = "SELECT line_key, quantity FROM inventory_reservation WHERE reference = %s AND state = 'active'"
REF_LEVELS = """UPDATE inventory_stocklevel s SET on_hand = s.on_hand + v.d, reserved = s.reserved + v.r,
updated_at = now() FROM (SELECT unnest(%s::int[]) AS id, unnest(%s::int[]) AS d, unnest(%s::int[]) AS r) v
WHERE s.id = v.id"""
REF_RESERVATIONS = """INSERT INTO inventory_reservation (reference, line_key, sku_id, location_id, quantity, state,
created_at) SELECT %s, unnest(%s::text[]), unnest(%s::int[]), unnest(%s::int[]), unnest(%s::int[]), 'active', now()"""
REF_LEDGER = """INSERT INTO inventory_stockmovement (sku_id, location_id, on_hand_change, reserved_change, reason,
reference, note, created_at) SELECT unnest(%s::int[]), unnest(%s::int[]), unnest(%s::int[]), unnest(%s::int[]), %s,
%s, '', now()"""
REF_OUTBOX = """INSERT INTO inventory_stockoutbox (sku_id, created_at, attempts, last_error)
SELECT unnest(%s::int[]), now(), 0, '' RETURNING id"""
REF_LOCK_HELD = """SELECT s.id, s.sku_id, s.location_id FROM inventory_stocklevel s
WHERE EXISTS (SELECT 1 FROM inventory_reservation r WHERE r.reference = %s AND r.state = 'active'
AND r.sku_id = s.sku_id AND r.location_id = s.location_id)
ORDER BY s.id FOR UPDATE OF s"""
REF_CLOSE = """UPDATE inventory_reservation SET state = 'released', closed_at = now()
WHERE reference = %s AND state = 'active' RETURNING sku_id, location_id, quantity"""
REF_STATEMENTS = {"reserve": 6, "release": 5}  # each plus its COMMIT


class Reference:
    def __init__(self, conninfo, redis_url, account_ids):
        import psycopg
        import redis

        from channels.coordination import _REQUEST_MANY

        self.conn = psycopg.connect(conninfo)
        self.redis = redis.Redis.from_url(redis_url)
        self.script = self.redis.register_script(_REQUEST_MANY)
        self.keys = [k for a in account_ids for k in (f"benchref:pending:{a}", f"benchref:queued:{a}")]
        for a in account_ids:  # a push job waits on the queue for each account, as in SellerHub's run
            self.redis.set(f"benchref:queued:{a}", "job")
        self.redis.hset("benchref:job:job", "status", "queued")

    def request_pushes(self):
        self.script(keys=self.keys, args=["benchref:job:"])

    def reserve(self, reference, lines):
        """lines: [(line_key, sku_id, quantity)]; False when short (nothing written)."""
        with self.conn.cursor() as cur:
            levels = cur.execute(REF_LOCK, [[sku for _k, sku, _q in lines]]).fetchall()
            held = dict(cur.execute(REF_HELD, [reference]).fetchall())
            free = {}
            for pk, sku, loc, available in levels:
                free.setdefault(sku, []).append([pk, loc, available])
            plan = []
            for key, sku, quantity in lines:
                missing = quantity - held.get(key, 0)
                for level in free.get(sku, []):
                    take = min(level[2], missing)
                    if take > 0:
                        level[2] -= take
                        missing -= take
                        plan.append((key, sku, level[0], level[1], take))
                if missing > 0:
                    self.conn.rollback()
                    return False
            if plan:
                cur.execute(REF_LEVELS, [[p[2] for p in plan], [0] * len(plan), [p[4] for p in plan]])
                cur.execute(REF_RESERVATIONS, [reference, [p[0] for p in plan], [p[1] for p in plan],
                                               [p[3] for p in plan], [p[4] for p in plan]])
                cur.execute(REF_LEDGER, [[p[1] for p in plan], [p[3] for p in plan], [0] * len(plan),
                                         [p[4] for p in plan], "reservation", reference])
                cur.execute(REF_OUTBOX, [sorted({p[1] for p in plan})])
                cur.fetchall()
        self.conn.commit()
        if plan:
            self.request_pushes()
        return True

    def release(self, reference):
        with self.conn.cursor() as cur:
            levels = {(sku, loc): pk for pk, sku, loc in cur.execute(REF_LOCK_HELD, [reference]).fetchall()}
            closed = cur.execute(REF_CLOSE, [reference]).fetchall() if levels else []
            if closed:
                totals = {}
                for sku, loc, quantity in closed:
                    totals[(sku, loc)] = totals.get((sku, loc), 0) + quantity
                pairs = sorted(totals)
                cur.execute(REF_LEVELS, [[levels[p] for p in pairs], [0] * len(pairs), [-totals[p] for p in pairs]])
                cur.execute(REF_LEDGER, [[p[0] for p in pairs], [p[1] for p in pairs], [0] * len(pairs),
                                         [-totals[p] for p in pairs], "release", reference])
                cur.execute(REF_OUTBOX, [sorted({p[0] for p in pairs})])
                cur.fetchall()
        self.conn.commit()
        if closed:
            self.request_pushes()


def _ref_worker(args):
    index, pool, seconds, start_at, conninfo, redis_url, account_ids = args
    ref = Reference(conninfo, redis_url, account_ids)
    backend = ref.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    ref.conn.commit()
    rng = random.Random(1000 + index)
    done = short = 0
    wait_for(start_at)
    deadline = time.time() + seconds
    try:
        with Meter(backend) as meter:
            while time.time() < deadline:
                a, b = rng.sample(pool, 2)
                reference = f"ref:{index}:{done}:{short}"
                if not ref.reserve(reference, [("1", a, 1), ("2", b, 1)]):
                    short += 1
                    continue
                ref.release(reference)
                done += 1
    finally:
        ref.conn.close()
    return done, short, meter.client, meter.backend


def throughput(worker, args_for, workers, seconds):
    from django.db import connections

    connections.close_all()  # children open their own connections
    ctx = multiprocessing.get_context("fork")
    start_at = time.time() + 0.5
    with ctx.Pool(workers) as processes:
        results = processes.map(worker, [args_for(i, start_at) for i in range(workers)])
    orders = sum(r[0] for r in results)
    client = sum(r[2] for r in results)
    backend = sum(r[3] for r in results)
    return orders / seconds, (client + backend) / max(orders, 1) * 1000, client / max(orders, 1) * 1000


def count_statements(pool):
    """Statements of one reserve and one release (BEGIN and COMMIT apart), after a first order warmed
    the per-process caches (the accounts to ask pushes of)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory import services
    from inventory.services import StockRequest

    counts = []
    for reference in ("bench:warm", "bench:count"):
        lines = [StockRequest("1", pool[0], 1), StockRequest("2", pool[1], 1)]
        with CaptureQueriesContext(connection) as reserve:
            services.reserve(reference=reference, requests=lines)
        with CaptureQueriesContext(connection) as release:
            services.release(reference=reference)
        counts = [sum(1 for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT"))
                  for ctx in (reserve, release)]
    return counts


def oversell_check(conninfo, workers=8, skus=20, units=5):
    """Scarce stock, many workers, no release: reserved must end equal to the stock, never above."""
    from inventory import services
    from inventory.models import SKU, Location, Reservation, StockLevel

    main = Location.objects.get(code="MAIN")
    services.import_skus(rows=[{"seller_sku": f"SCARCE-{n:03d}", "product": "", "location_id": main.pk,
                                "quantity": units, "fields": {"name": f"Scarce {n}"}} for n in range(skus)], note="b")
    ids = list(SKU.objects.filter(seller_sku__startswith="SCARCE-").values_list("pk", flat=True))

    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start_at = time.time() + 0.5
    with ctx.Pool(workers) as processes:
        results = processes.map(_scarce_worker, [(i, ids, start_at) for i in range(workers)])
    reserved = sum(StockLevel.objects.filter(sku_id__in=ids).values_list("reserved", flat=True))
    held = sum(Reservation.objects.filter(sku_id__in=ids, state="active").values_list("quantity", flat=True))
    over = StockLevel.objects.filter(sku_id__in=ids, reserved__gt=units).count()
    confirmed = sum(r[0] for r in results)
    ok = reserved == held == 2 * confirmed and reserved <= skus * units and over == 0
    print(f"oversell: {workers} workers, {confirmed:,} 2-line orders confirmed, {sum(r[1] for r in results):,} "
          f"refused; {reserved} units reserved of {skus * units} ({held} by active reservations), "
          f"{over} levels above their stock: {'OK, none oversold' if ok else 'OVERSOLD'}")
    return ok


def _scarce_worker(args):
    index, ids, start_at = args
    from django.db import connection

    from inventory import services
    from inventory.services import InsufficientStock, StockRequest

    rng = random.Random(index)
    done = short = 0
    wait_for(start_at)
    try:
        for n in range(400):
            a, b = rng.sample(ids, 2)
            try:
                services.reserve(reference=f"scarce:{index}:{n}", requests=[StockRequest("1", a, 1),
                                                                          StockRequest("2", b, 1)])
                done += 1
            except InsufficientStock:
                short += 1
    finally:
        connection.close()
    return done, short


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/inventory.py measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/dbname")
    redis_url, redis_proc, redis_dir = start_redis()
    import django

    django.setup()
    from django.db import connection

    base = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_inventory"
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        print(f"PostgreSQL {connection.cursor().connection.info.server_version}, scratch database "
              f"{base}_bench_inventory; Redis {redis_url}{' (private, started by the bench)' if redis_proc else ''}; "
              f"{os.cpu_count()} CPUs")
        ids, accounts = setup_data(args.skus, args.channels)
        bench_available_to_sell(ids, accounts)
        pool = ids[: args.pool]
        statements = count_statements(pool)
        how = (" (each one call of a database function, its own transaction: no BEGIN, no COMMIT)"
               if statements == [1, 1] else " (each then COMMIT)")
        print(f"statements per order: SellerHub reserve {statements[0]} + release {statements[1]}{how}; reference "
              f"{REF_STATEMENTS['reserve']} + {REF_STATEMENTS['release']} (each then COMMIT)")
        conninfo = connection.get_connection_params()
        conninfo = " ".join(f"{k}={v}" for k, v in conninfo.items() if k in ("host", "port", "user", "password",
                                                                            "dbname") and v)
        account_ids = [a.pk for a in accounts]
        rates = {}
        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            # A-B-B-A halves, so a machine getting busier or quieter weighs on both alike.
            half = args.seconds / 2
            runs = {"mine": [], "ref": []}
            for name in ("mine", "ref", "ref", "mine"):
                if name == "mine":
                    runs[name].append(throughput(_worker, lambda i, s, h=half: (i, pool, h, s), workers, half))
                else:
                    runs[name].append(throughput(
                        _ref_worker, lambda i, s, h=half: (i, pool, h, s, conninfo, redis_url, account_ids),
                        workers, half))
            mine, ref = (tuple(sum(r[k] for r in runs[n]) / 2 for k in range(3)) for n in ("mine", "ref"))
            rates[workers] = mine[0]
            print(f"reserve+release, {workers} worker{'s' if workers > 1 else ''}: SellerHub {mine[0]:,.0f} orders/s "
                  f"({mine[1]:.1f} ms CPU/order, {mine[2]:.1f} in Python); reference {ref[0]:,.0f} orders/s "
                  f"({ref[1]:.1f} ms CPU/order, {ref[2]:.1f} in Python); ratio {mine[0] / max(ref[0], 1e-9):.2f} "
                  f"(CPU per order: {ref[1] / max(mine[1], 1e-9):.2f})")
        if len(rates) > 1:
            low, high = min(rates), max(rates)
            print(f"{high} workers vs {low}: {rates[high] / max(rates[low], 1e-9):.2f}x")
        from inventory.selectors import reconcile

        oversell_ok = oversell_check(conninfo)
        checked, drift = reconcile()
        print(f"ledger check: {checked:,} stock levels, {len(drift)} drifted")
        if drift or not oversell_ok:
            sys.exit(1)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            connection.creation.destroy_test_db(base, verbosity=0)
        if redis_proc is not None:
            redis_proc.terminate()
            shutil.rmtree(redis_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
