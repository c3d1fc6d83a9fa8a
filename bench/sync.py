"""Channel sync figures over real HTTP against the loopback emulators, with real RQ worker
processes, and the store path side by side with a hand-written psycopg reference (PostgreSQL).

    .venv/bin/python bench/sync.py                      # SQLite scratch file, embedded Redis
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub .venv/bin/python bench/sync.py
                                                        # scratch database <name>_bench_sync

It never touches the database named in the URL (PostgreSQL: it creates `<name>_bench_sync` next to
it and drops it at the end; SQLite: a temporary file). Redis: the one of REDIS_URL if set, else
an embedded Redis on a socket in the scratch directory (it says which). Options: --orders 5000,
--workers 2, --push-workers 1, --faults 0.2, --changes 40, --spike 8000, --store-orders 2000, --page 50,
--keep. The workers have the Procfile's shape: --workers on the push and sync queues, and
--push-workers on the push queue alone.

1. Ingest: the orders (placed over the last hour) are spread over TikTok Shop, WooCommerce, Etsy
   and Square on the emulator, which fails about --faults of the calls (429 with Retry-After: 1,
   500, answers slower than the client's 1 s timeout). Pulls are requested for every account at
   the start and every 10 s (the scheduler's every-minute pulls, sped up); when 40% of the orders
   are stored, the first worker is killed with SIGKILL (with its work horse) and a new one
   started. Prints orders per second, the workers' CPU per order from the moment the clock starts
   (the push-only worker's share apart; the replacement worker's start counts), how busy the
   machine's CPUs were, the fault share, the longest waits without a new order, the waits the
   channels asked for (Retry-After, timeouts), and checks that no order is lost or stored twice.
2. Stock push latency: with the faults off and the workers running, --changes stock changes are
   made one at a time; each is timed from its commit until the last of the four emulated
   channels holds the new quantity. Prints p50 and p95.
3. The same while ingest runs at full speed: --spike more orders (faults off) are pulled while
   stock changes of probe SKUs (in no order of the spike, so their quantity moves only by the
   change) are timed until the last of the four channels holds it. Prints p50 and p95.
4. Store path against the reference (PostgreSQL, workers stopped, no HTTP): --store-orders of the
   payloads stored in phase 1, page by page (--page), through ``channels.pulls.store_payloads``
   and through the hand-written page upsert of bench/sync_reference.py, interleaved. Prints
   orders/s, CPU per order (client + database backend) and the ratio.
"""

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + os.urandom(8).hex())
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.sync_settings"
CHANNELS = ("tiktok", "woocommerce", "etsy", "square")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000, help="orders over the four channels")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes on the push and sync queues")
    parser.add_argument("--faults", type=float, default=0.2, help="share of the calls that fail")
    parser.add_argument("--changes", type=int, default=40, help="stock changes timed for the push latency")
    parser.add_argument("--push-workers", type=int, default=1,
                        help="RQ workers on the push queue alone (the Procfile's `push` line); 0: none")
    parser.add_argument("--spike", type=int, default=8000, help="orders pulled while the push latency is timed")
    parser.add_argument("--store-orders", type=int, default=2000, help="orders stored by each side in phase 4")
    parser.add_argument("--page", type=int, default=50, help="orders per page in phase 4")
    parser.add_argument("--profile", action="store_true", help="profile the store path in phase 4 (top 30)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


# --- processes -------------------------------------------------------------------------------


def start_worker(env, queues=("push", "sync")):
    """An RQ worker as the Procfile runs them: ``worker`` takes push then sync jobs, ``push`` only pushes."""
    return subprocess.Popen([sys.executable, "manage.py", "rqworker", *queues], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def ready(count, seconds=120):
    """Wait until ``count`` RQ workers have registered (started Django and listen to their queues)."""
    import django_rq
    from rq import Worker

    connection = django_rq.get_connection("sync")
    deadline = time.monotonic() + seconds
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            sys.exit(f"FAILED: {count} RQ workers did not start within {seconds} s")
        time.sleep(0.1)


def kill_tree(pid):
    """SIGKILL a worker and its work horse (RQ forks one per job, in its own process group)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    todo, tree = [pid], []
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for member in reversed(tree):
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine so far (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def tree_cpu(pid):
    """CPU seconds of a process, its finished children (RQ's work horses) and its live ones."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid:
            total += sum(int(x) for x in fields[11:15]) / tick
        elif int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def stop(procs):
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)


# --- data ------------------------------------------------------------------------------------


def setup(emu):
    from channels import services
    from devtools.demo.emulated import catalogue_listings, emulator_connection
    from inventory import services as stock
    from inventory.models import SKU, Location

    main = Location.objects.get(code="MAIN")
    for item in emu.state.catalogue.items:
        sku = SKU.objects.create(seller_sku=item.sku, name=item.name)
        stock.receive(sku=sku, location=main, quantity=20_000, note="bench")
    accounts = {}
    for channel in CHANNELS:
        url, shop_id, creds = emulator_connection(channel, emu.base_url, emu.state.config.credentials)
        accounts[channel] = services.save_connection(channel=channel, name=f"Bench {channel}", api_base_url=url,
                                                     shop_id=shop_id, credentials=creds)
        services.import_listings(account=accounts[channel],
                                 listings=catalogue_listings(channel, emu.state.catalogue))
    return accounts


def expected_orders(emu):
    state = emu.state
    return {
        "tiktok": {o["id"]: len(o["line_items"]) for o in state.tiktok.orders.values()},
        "woocommerce": {str(o["id"]): len(o["line_items"]) for o in state.woocommerce.orders.values()},
        "etsy": {str(r["receipt_id"]): len(r["transactions"]) for r in state.etsy.receipts.values()},
        "square": {o["id"]: len(o["line_items"]) for o in state.square.orders.values()
                   if any(f["type"] == "SHIPMENT" for f in o.get("fulfillments", []))},
    }


def check(accounts, emu):
    from orders.models import Order, OrderEvent, OrderLine

    expected = expected_orders(emu)
    total = lines_total = 0
    for channel, account in accounts.items():
        stored = set(Order.objects.filter(account=account).values_list("external_id", flat=True))
        want = expected[channel]
        lost, extra = set(want) - stored, stored - set(want)
        lines = Counter(OrderLine.objects.filter(order__account=account).values_list("order__external_id", flat=True))
        wrong = [ext for ext, n in want.items() if lines[ext] != n]
        created = Counter(OrderEvent.objects.filter(order__account=account, kind="created")
                          .values_list("order_id", flat=True))
        twice = [pk for pk, n in created.items() if n > 1]
        if lost or extra or wrong or twice:
            sys.exit(f"FAILED {channel}: {len(lost)} lost, {len(extra)} unexpected, {len(wrong)} with wrong lines, "
                     f"{len(twice)} created twice")
        total += len(want)
        lines_total += sum(want.values())
    return total, lines_total


# --- phases ----------------------------------------------------------------------------------


def ingest(args, emu, accounts, env):
    from django.db import close_old_connections

    from channels import jobs
    from channels.models import SyncRun
    from orders.models import Order

    per_channel = args.orders // len(CHANNELS)
    rng = random.Random(11)
    now = emu.state.clock.now()
    for channel in CHANNELS:  # a backlog of the last hour (the first sync after an hour away)
        for _ in range(per_channel):
            emu.state.generate_orders(channel, 1, mix=channel != "square", at=now - rng.uniform(0, 3600))
    want = sum(len(v) for v in expected_orders(emu).values())
    share = args.faults
    # Independent draws: 1 - (1 - a)(1 - b)(1 - c) = share, split 40/40/20 between 429, 500 and slow.
    rate = 1 - (1 - share) ** (1 / 3)
    emu.state.faults.update(random=True, seed=20240501, rate_limit=rate * 1.2, retry_after=1,
                            server_error=rate * 1.2, slow=rate * 0.6, slow_seconds=1.5)
    emu.state.request_log.clear()
    workers = [start_worker(env) for _ in range(args.workers)]
    pushers = [start_worker(env, ("push",)) for _ in range(args.push_workers)]
    ready(len(workers) + len(pushers))  # the clock starts once they listen, as long-running workers do
    # CPU counts from here: the workers' start (Django, imports) is not the ingest's, except for
    # the worker started in place of the killed one.
    at_start = {w.pid: tree_cpu(w.pid) for w in workers + pushers}
    killed_at = None
    cpu_lost = 0.0
    machine_at_start = machine_ticks()
    started = time.perf_counter()
    progress = [(0.0, 0)]  # (seconds, orders stored) at each change: where the wall time goes
    try:
        last_request = 0.0
        while True:
            close_old_connections()
            stored = Order.objects.count()
            if stored != progress[-1][1]:
                progress.append((time.perf_counter() - started, stored))
            if killed_at is None and stored >= 0.4 * want:
                cpu_lost = tree_cpu(workers[0].pid) - at_start[workers[0].pid]
                kill_tree(workers[0].pid)
                workers[0].wait(10)
                killed_at = stored
                workers[0] = start_worker(env)
            running = SyncRun.objects.filter(status="running", kind="pull_orders").exists()
            if stored >= want and not running:
                break
            if time.perf_counter() - last_request > 10:
                for account in accounts.values():
                    jobs.request_pull(account.pk)
                last_request = time.perf_counter()
            if time.perf_counter() - started > 1800:
                sys.exit(f"FAILED: only {stored} of {want} orders after 30 minutes")
            if time.perf_counter() - started - progress[-1][0] > STALL_SECONDS:
                stop(workers + pushers)
                stalled(accounts, STALL_SECONDS)
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        sync_cpu = cpu_lost + sum(tree_cpu(w.pid) - at_start.get(w.pid, 0.0) for w in workers)
        push_cpu = sum(tree_cpu(w.pid) - at_start[w.pid] for w in pushers)
        busy, every = (b - a for a, b in zip(machine_at_start, machine_ticks(), strict=True))
    except BaseException:
        stop(workers + pushers)
        raise
    log = [r for r in emu.state.requests() if r["service"] in CHANNELS]
    faulted = Counter(r["fault"] for r in log if r["fault"])
    total, lines = check(accounts, emu)
    emu.state.faults.clear()
    print(f"ingest: {total:,} orders ({lines:,} lines) over 4 channels in {elapsed:.1f} s = {total / elapsed:,.0f} "
          f"orders/s with {args.workers} workers = {total / elapsed / args.workers:,.1f} orders/s per worker")
    print(f"        workers' CPU during the ingest (client side, incl. HTTP and retries) per order: "
          f"{1000 * (sync_cpu + push_cpu) / total:.1f} ms, of which the push-only worker "
          f"{1000 * push_cpu / total:.1f} ms (the replacement worker's start included); the machine's CPUs were "
          f"busy {busy / max(every, 1):.0%} of the time (workers, database, emulator, everything)")
    gaps = sorted(((b[0] - a[0], a[0]) for a, b in zip(progress, progress[1:], strict=False)), reverse=True)[:3]
    print("        longest waits without a new order: " + ", ".join(f"{g:.1f} s at {t:.0f} s" for g, t in gaps)
          + f" (first order at {progress[1][0] if len(progress) > 1 else 0:.1f} s, worker killed at "
            f"{next((t for t, n in progress if n >= (killed_at or 0)), 0):.0f} s)")
    print(f"        {sum(faulted.values()) / max(1, len(log)):.0%} of {len(log):,} channel calls failed "
          f"(429: {faulted['rate_limit']}, 500: {faulted['server_error']}, timeout: {faulted['slow']}); "
          f"a worker was killed with SIGKILL after {killed_at:,} orders and replaced")
    print(f"        none lost, none duplicated: every order stored once with its {lines:,} lines")
    from django.conf import settings

    waited = faulted["slow"] * settings.CHANNEL_SYNC_READ_TIMEOUT
    print(f"        each 429 (Retry-After: 1 s) ended its account's pull, and a pull scheduled for 1 s later carried "
          f"on from the cursor while the workers ran other jobs; the slow answers held a worker for the "
          f"{settings.CHANNEL_SYNC_READ_TIMEOUT:g} s read timeout each: {waited:.0f} s of the workers' "
          f"{elapsed * args.workers:.0f} s")
    return workers + pushers


def channel_quantity(emu, channel, sku):
    state = emu.state
    with state.lock:
        if channel == "tiktok":
            entry = state.tiktok.skus[state.catalogue.ids(sku)["tiktok"]["sku_id"]]["sku"]
            return sum(i["quantity"] for i in entry["inventory"])
        if channel == "woocommerce":
            ids = state.catalogue.ids(sku)["woocommerce"]
            if ids["variation_id"]:
                return state.woocommerce.variations[ids["product_id"]][ids["variation_id"]]["stock_quantity"]
            return state.woocommerce.products[ids["product_id"]]["stock_quantity"]
        if channel == "etsy":
            return state.etsy.stock(sku)
        value = state.square.stock(sku)
        return None if value is None else int(value)


def drain(seconds=120):
    from django.db import close_old_connections

    from inventory.models import StockOutbox

    deadline = time.monotonic() + seconds
    while StockOutbox.objects.filter(pushed_at__isnull=True).exists():
        if time.monotonic() > deadline:
            print(f"WARNING: stock pushes still waiting after {seconds} s; going on")
            return
        time.sleep(0.2)
        close_old_connections()


STALL_SECONDS = 60


def stalled(accounts, seconds):
    """Exit with what Redis says about each account's syncs: no order stored for ``seconds``."""
    import django_rq

    from channels import coordination

    conn = coordination.connection()
    lines = [f"FAILED: no order stored for {seconds:.0f} s; the accounts' sync state in Redis:"]
    for channel, account in accounts.items():
        state = {}
        for flag in ("queued", "pending", "hold", "lock"):
            key = coordination._key(flag, "pull", account.pk)
            value = conn.get(key)
            state[flag] = (value.decode() if value else None, conn.pttl(key))
        job_id = state["queued"][0]
        if job_id and job_id != "enqueuing":
            job = django_rq.get_queue("sync").fetch_job(job_id)
            state["queued job"] = job.get_status() if job else "gone"
        lines.append(f"  {channel} (account {account.pk}): {state}")
    for name in ("push", "sync"):
        queue = django_rq.get_queue(name)
        lines.append(f"  queue {name}: {queue.count} queued, {len(queue.scheduled_job_registry)} scheduled, "
                     f"{len(queue.started_job_registry)} started")
    sys.exit("\n".join(lines))


def time_change(emu, accounts, sku, main, quantity):
    """Change the SKU's stock by ``quantity``; seconds until each of the four channels holds it."""
    from inventory import services as stock
    from inventory.selectors import available_to_sell

    stock.adjust(sku=sku, location=main, quantity=quantity, reason="adjustment", note="bench")
    changed = time.perf_counter()
    want = available_to_sell(sku_ids=[sku.pk], account=accounts["tiktok"])[sku.pk]
    caps = {"etsy": 999, "tiktok": 99998}  # the most each channel takes
    arrived = {}
    while len(arrived) < len(CHANNELS):
        for c in CHANNELS:
            if c not in arrived and channel_quantity(emu, c, sku.seller_sku) == min(want, caps.get(c, want)):
                arrived[c] = time.perf_counter() - changed
        if time.perf_counter() - changed > 60:
            sys.exit(f"FAILED: {sku.seller_sku} did not reach {sorted(set(CHANNELS) - set(arrived))} within 60 s")
        time.sleep(0.002)
    return arrived


def percentiles(latencies):
    """``latencies``: time_change's answers. The last of the four channels, then each channel's p95."""
    last = sorted(max(each.values()) for each in latencies)
    p95 = last[max(0, round(0.95 * len(last)) - 1)]
    text = (f"p50 {statistics.median(last) * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, "
            f"max {last[-1] * 1000:,.0f} ms")
    channel_p95 = []
    for c in CHANNELS:
        times = sorted(each[c] for each in latencies)
        channel_p95.append(f"{c} {times[max(0, round(0.95 * len(times)) - 1)] * 1000:,.0f}")
    return f"{text} (each channel's p95 in ms: {', '.join(channel_p95)})", p95


def push_latency(args, emu, accounts):
    from inventory.models import SKU, Location

    drain()  # phase 1's pushes
    main = Location.objects.get(code="MAIN")
    skus = list(SKU.objects.all())
    rng = random.Random(7)
    latencies = []
    for _ in range(args.changes):
        latencies.append(time_change(emu, accounts, rng.choice(skus), main, rng.choice((-3, -1, 2))))
        time.sleep(0.1)
    print(f"stock push latency, change -> the last of 4 channels ({len(latencies)} changes, worker running): "
          f"{percentiles(latencies)[0]}")


PROBES = 6


def latency_during_ingest(args, emu, accounts, workers):
    """Phase 3: --spike orders (no faults) pulled by the workers while probe SKUs' stock changes."""
    from django.db import close_old_connections

    from channels import jobs
    from inventory import services as stock
    from inventory.models import SKU, Location, StockLevel
    from orders.models import Order

    main = Location.objects.get(code="MAIN")
    items = [item.sku for item in emu.state.catalogue.items]
    probes, others = items[:PROBES], items[PROBES:]
    probe_skus = list(SKU.objects.filter(seller_sku__in=probes))
    for sku in probe_skus:  # under every channel's cap, so each change shows on all four
        level = StockLevel.objects.get(sku=sku, location=main)
        stock.adjust(sku=sku, location=main, quantity=500 - (level.on_hand - level.reserved), reason="adjustment",
                     note="bench probe")
    drain()
    rng = random.Random(23)
    now = emu.state.clock.now()
    before = Order.objects.count()
    per_channel = args.spike // len(CHANNELS)
    for channel in CHANNELS:
        for _ in range(per_channel):
            emu.state.generate_orders(channel, 1, skus=[rng.choice(others)], at=now - rng.uniform(0, 60))
    want = sum(len(v) for v in expected_orders(emu).values())
    for account in accounts.values():
        jobs.request_pull(account.pk)
    started = time.perf_counter()
    latencies, last_request = [], time.perf_counter()
    last_progress = (started, before)
    while True:
        close_old_connections()
        stored = Order.objects.count()
        if stored >= want:
            break
        if stored != last_progress[1]:
            last_progress = (time.perf_counter(), stored)
        elif time.perf_counter() - last_progress[0] > STALL_SECONDS:
            stop(workers)
            stalled(accounts, STALL_SECONDS)
        if time.perf_counter() - last_request > 10:
            for account in accounts.values():
                jobs.request_pull(account.pk)
            last_request = time.perf_counter()
        if stored > before and len(latencies) < args.changes:  # ingest under way: time a change
            latencies.append(time_change(emu, accounts, rng.choice(probe_skus), main, rng.choice((-3, -1, 2))))
        else:
            time.sleep(0.2)
        if time.perf_counter() - started > 900:
            sys.exit(f"FAILED: only {stored - before} of {want - before} spike orders after 15 minutes")
    elapsed = time.perf_counter() - started
    total, _lines = check(accounts, emu)
    spike = want - before
    print(f"spike: {spike:,} more orders (no faults) in {elapsed:.1f} s = {spike / elapsed / args.workers:,.1f} "
          f"orders/s per worker; {total:,} orders stored in all, none lost or duplicated")
    if not latencies:
        print("stock push latency during ingest: the spike was over before a change could be timed (raise --spike)")
        return None
    text, p95 = percentiles(latencies)
    print(f"stock push latency during ingest, change -> the last of 4 channels ({len(latencies)} changes): {text}")
    return p95


def store_vs_reference(args, accounts, emu):
    """Phase 4 (PostgreSQL): the store path without HTTP against the hand-written page upsert."""
    from django.db import connection

    from bench.sync_reference import compare
    from channels import services
    from devtools.demo.emulated import catalogue_listings, emulator_connection
    from inventory.models import Location
    from orders.models import Order

    sides = {}
    for side in ("store", "reference"):
        sides[side] = {}
        for channel in CHANNELS:
            url, shop_id, creds = emulator_connection(channel, emu.base_url, emu.state.config.credentials)
            account = services.save_connection(channel=channel, name=f"Bench {side} {channel}", api_base_url=url,
                                               shop_id=f"{shop_id}-{side}", credentials=creds)
            account.__class__.objects.filter(pk=account.pk).update(active=False)  # no scheduled pulls
            services.import_listings(account=account, listings=catalogue_listings(channel, emu.state.catalogue))
            sides[side][channel] = account
    per_channel = max(1, args.store_orders // len(CHANNELS))
    payloads = {channel: list(Order.objects.filter(account=accounts[channel]).order_by("pk")
                              .values_list("raw", flat=True)[:per_channel]) for channel in CHANNELS}
    db = connection.settings_dict
    dsn = (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}"
           + (f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""))
    project, reference, hook = compare(accounts_project=sides["store"], accounts_reference=sides["reference"],
                                 payloads=payloads, page_size=args.page, dsn=dsn,
                                 location_id=Location.objects.get(code="MAIN").pk, profile=args.profile)
    print(project.line(f"store path (store_payloads, pages of {args.page})"))
    print(reference.line("hand-written psycopg page upsert"))
    print(hook.line("  of which the order-confirmed hooks (e.g. fulfilment's shipping rules), after commit"))
    rate, ref_rate = project.orders / project.wall, reference.orders / reference.wall
    cpu, ref_cpu = project.client + project.backend, reference.client + reference.backend
    print(f"store path / reference: {rate / ref_rate:.2f} (wall), {ref_cpu / max(cpu, 1e-9):.2f} (CPU per order)")
    own_wall, own_cpu = project.wall - hook.wall, cpu - hook.client - hook.backend
    print(f"store path without the hooks / reference: {project.orders / own_wall / ref_rate:.2f} (wall), "
          f"{ref_cpu / max(own_cpu, 1e-9):.2f} (CPU per order)")


def main():
    args = parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sellerhub-bench-sync-"))
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    redis_proc = None
    if not os.environ.get("REDIS_URL"):
        from sellerhub.embedded_redis import start_server

        redis_proc = start_server(socket_path=scratch / "redis.sock", data_dir=scratch, persist=False)
        os.environ["REDIS_URL"] = f"unix://{scratch / 'redis.sock'}?db=0"
    print(f"Redis: {'embedded, ' if redis_proc else ''}{os.environ['REDIS_URL']}")
    os.environ["LOG_LEVEL"] = os.environ.get("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    base = connection.settings_dict["NAME"]
    if postgres:
        connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_sync"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
        db = connection.settings_dict
        worker_db = (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
                     f"{db['PORT'] or 5432}/{db['NAME']}")
    else:
        call_command("migrate", verbosity=0)
        worker_db = os.environ["DATABASE_URL"]
    import django_rq

    for name in ("push", "sync"):  # stock pushes have their own queue, taken first (as in the Procfile)
        django_rq.get_queue(name).empty()
    from devtools.emulators import start_emulator

    emu = start_emulator()
    env = {**os.environ, "DATABASE_URL": worker_db, "PYTHONPATH": str(ROOT)}
    print(f"{connection.vendor} ({connection.settings_dict['NAME']}), {os.cpu_count()} CPUs, "
          f"{args.workers} RQ workers on the push and sync queues and {args.push_workers} on the push queue alone "
          f"(as the Procfile's worker and push lines), emulator at {emu.base_url}")
    workers = []
    try:
        accounts = setup(emu)
        workers = ingest(args, emu, accounts, env)
        if args.changes:
            push_latency(args, emu, accounts)
        if args.spike and args.changes:
            latency_during_ingest(args, emu, accounts, workers)
        stop(workers)
        if postgres and args.store_orders:
            store_vs_reference(args, accounts, emu)
        elif args.store_orders:
            print("store path against the reference: PostgreSQL only (the reference is psycopg); skipped")
    finally:
        stop(workers)
        emu.stop()
        from django.db import connections

        connections.close_all()
        if postgres and not args.keep:
            connection.creation.destroy_test_db(base, verbosity=0)
        if redis_proc is not None:
            redis_proc.terminate()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
