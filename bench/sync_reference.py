"""The store path of bench/sync.py without HTTP, side by side with a minimal hand-written psycopg
page upsert doing the same essential work, on the same payloads, in the same run (PostgreSQL).

The project's path is ``channels.pulls.store_payloads`` (what a pull does with one fetched page:
mapping, the stored versions, ``orders.services.page_ingest.store_page`` with its confirmation
and reservations, the stock outbox). The reference, per page, in one transaction:

    SELECT the page's SKUs by seller SKU (one query)
    INSERT INTO orders_order ... ON CONFLICT (account_id, external_id) DO NOTHING RETURNING id
    INSERT INTO orders_orderline ... RETURNING id                   (all lines of the page)
    SELECT ... FROM inventory_stocklevel ... ORDER BY id FOR UPDATE (the page's levels, once)
    UPDATE inventory_stocklevel ... FROM (VALUES ...)               (allocation decided in Python)
    INSERT INTO inventory_reservation ... / inventory_stockmovement ...
    UPDATE orders_order SET status = 'confirmed' WHERE id = ANY(...)

Both are timed page by page, interleaved (a project page, then a reference page), each with its
own accounts; CPU is the client's process time plus the database backend's (/proc of the
backend's pid, when the server runs on this machine). ``BENCH_QUERIES=1`` prints the statements
of each channel's second page on the project's side.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from decimal import Decimal

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float | None:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


class Meter:
    """Wall time and CPU (client process + database backend) of the timed blocks."""

    def __init__(self, backend_pid: int):
        self.pid, self.wall, self.client, self.backend, self.orders = backend_pid, 0.0, 0.0, 0.0, 0

    def __enter__(self):
        self._w, self._c, self._b = time.perf_counter(), time.process_time(), backend_cpu(self.pid)
        return self

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._w
        self.client += time.process_time() - self._c
        after = backend_cpu(self.pid)
        if after is not None and self._b is not None:
            self.backend += after - self._b

    def line(self, name: str) -> str:
        n = max(self.orders, 1)
        return (f"{name}: {self.orders:,} orders in {self.wall:.1f} s = {self.orders / self.wall:,.0f} orders/s; "
                f"CPU per order {1000 * (self.client + self.backend) / n:.1f} ms "
                f"(client {1000 * self.client / n:.1f}, database {1000 * self.backend / n:.1f})")


def _defaults(model, skip):
    """(column, default) of each concrete column the reference does not set itself."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in skip:
            continue
        out.append((f.column, f.get_default()))
    return out


class Reference:
    """The hand-written page upsert (psycopg 3, one connection, one transaction per page)."""

    def __init__(self, dsn: str, location_id: int):
        import psycopg
        from psycopg.types.json import Jsonb

        from orders.models import Order, OrderLine

        self.Jsonb = Jsonb
        self.conn = psycopg.connect(dsn, autocommit=False)
        self.location_id = location_id
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.pid = cur.fetchone()[0]
        self.conn.commit()
        own = {"account_id", "external_id", "status", "raw", "channel_updated_at", "last_synced_at", "recorded_at",
               "updated_at"}
        self.order_defaults = _defaults(Order, own)
        self.line_defaults = _defaults(OrderLine, {"order_id", "external_id", "channel_sku", "channel_product_id",
                                                   "channel_variant_id", "sku_id", "name", "quantity", "unit_price",
                                                   "cancelled"})
        self.Order = Order

    def _value(self, value):
        if isinstance(value, (dict, list)):
            return self.Jsonb(value)
        return value

    def store(self, account_id: int, page) -> int:
        """Store a page of mapped orders (ChannelOrder); returns how many were confirmed."""
        now = dt.datetime.now(dt.UTC)
        with self.conn.cursor() as cur:
            names = sorted({ln.channel_sku for o in page for ln in o.lines if ln.channel_sku})
            cur.execute("SELECT seller_sku, id FROM inventory_sku WHERE seller_sku = ANY(%s)", (names,))
            sku_of = dict(cur.fetchall())
            fields = list(page[0].order_fields())
            fixed = [c for c, _d in self.order_defaults if c not in fields]
            defaults = dict(self.order_defaults)
            columns = ["account_id", "external_id", "status", "raw", "channel_updated_at", "last_synced_at",
                       "recorded_at", "updated_at", *fields, *fixed]
            rows = []
            for o in page:
                values = o.order_fields()
                rows.append([account_id, o.external_id, o.status, self.Jsonb(o.raw), o.updated_at, now, now, now,
                             *(self._value(values[f]) for f in fields), *(self._value(defaults[c]) for c in fixed)])
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cur.execute(f"INSERT INTO orders_order ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))} "
                        f"ON CONFLICT (account_id, external_id) DO NOTHING RETURNING id, external_id",
                        [v for row in rows for v in row])
            order_ids = dict((ext, pk) for pk, ext in cur.fetchall())
            line_cols = ["order_id", "external_id", "channel_sku", "channel_product_id", "channel_variant_id", "sku_id",
                         "name", "quantity", "unit_price", "cancelled", *(c for c, _d in self.line_defaults)]
            line_rows, line_meta = [], []
            for o in page:
                if o.external_id not in order_ids:
                    continue
                for i, ln in enumerate(o.lines):
                    sku_id = sku_of.get(ln.channel_sku)
                    key = ln.external_id or f"{ln.channel_sku}#{i}"
                    line_rows.append([order_ids[o.external_id], key, ln.channel_sku,
                                      ln.channel_product_id, ln.channel_variant_id, sku_id, ln.name[:300], ln.quantity,
                                      Decimal(ln.unit_price), ln.cancelled,
                                      *(self._value(d) for _c, d in self.line_defaults)])
                    line_meta.append((o.external_id, sku_id, ln.quantity, ln.cancelled))
            one = "(" + ", ".join(["%s"] * len(line_cols)) + ")"
            line_ids = []
            if line_rows:
                cur.execute(f"INSERT INTO orders_orderline ({', '.join(line_cols)}) VALUES "
                            f"{', '.join([one] * len(line_rows))} RETURNING id", [v for r in line_rows for v in r])
                line_ids = [r[0] for r in cur.fetchall()]
            wanted = defaultdict(list)  # order -> [(line id, sku, quantity)]
            blocked = set()
            for line_id, (ext, sku_id, quantity, cancelled) in zip(line_ids, line_meta, strict=True):
                if cancelled:
                    continue
                if sku_id is None:
                    blocked.add(ext)
                wanted[ext].append((line_id, sku_id, quantity))
            candidates = [o for o in page if o.external_id in order_ids and o.status == "awaiting_confirmation"
                          and o.external_id not in blocked and o.fulfilment == "FBS"]
            skus = sorted({s for o in candidates for _l, s, _q in wanted[o.external_id]})
            cur.execute("SELECT id, sku_id, on_hand, reserved FROM inventory_stocklevel WHERE sku_id = ANY(%s) "
                        "AND location_id = %s ORDER BY id FOR UPDATE", (skus, self.location_id))
            levels = {sku: [pk, on_hand, reserved] for pk, sku, on_hand, reserved in cur.fetchall()}
            confirmed, reservations = [], []
            for o in candidates:
                need = defaultdict(int)
                for _l, s, q in wanted[o.external_id]:
                    need[s] += q
                if all(s in levels and levels[s][1] - levels[s][2] >= q for s, q in need.items()):
                    for s, q in need.items():
                        levels[s][2] += q
                    confirmed.append(order_ids[o.external_id])
                    reservations.extend((f"order:{order_ids[o.external_id]}", str(line_id), s, q)
                                        for line_id, s, q in wanted[o.external_id])
            if reservations:
                self._reserve(cur, reservations, levels, confirmed, now)
        self.conn.commit()
        return len(confirmed)

    def _reserve(self, cur, reservations, levels, confirmed, now):
        touched = sorted({s for _r, _l, s, _q in reservations})
        loc = self.location_id
        cur.execute("UPDATE inventory_stocklevel AS l SET reserved = v.reserved, updated_at = %s FROM (VALUES "
                    + ", ".join(["(%s::bigint, %s::integer)"] * len(touched)) + ") AS v(id, reserved) "
                    "WHERE l.id = v.id", [now, *(x for s in touched for x in (levels[s][0], levels[s][2]))])
        cur.execute("INSERT INTO inventory_reservation (reference, line_key, sku_id, location_id, quantity, "
                    "state, created_at) VALUES "
                    + ", ".join(["(%s, %s, %s, %s, %s, 'active', %s)"] * len(reservations)),
                    [x for ref, line, s, q in reservations for x in (ref, line, s, loc, q, now)])
        cur.execute("INSERT INTO inventory_stockmovement (sku_id, location_id, on_hand_change, reserved_change, "
                    "reason, reference, note, created_at) VALUES "
                    + ", ".join(["(%s, %s, 0, %s, 'reservation', %s, '', %s)"] * len(reservations)),
                    [x for ref, _line, s, q in reservations for x in (s, loc, q, ref, now)])
        cur.execute("UPDATE orders_order SET status = 'confirmed', updated_at = %s WHERE id = ANY(%s)",
                    (now, confirmed))

    def close(self):
        self.conn.close()


def compare(*, accounts_project: dict, accounts_reference: dict, payloads: dict, page_size: int, dsn: str,
            location_id: int, profile: bool = False) -> tuple[Meter, Meter, Meter]:
    """Store ``payloads`` ({channel: [raw payload]}) page by page through the project's path and the
    reference, interleaved; returns their meters, and the share of the project's spent in the
    order-confirmed hooks (run after each commit by the apps that registered one)."""
    from django.db import connection

    from channels.pulls import store_payloads
    from orders import hooks as order_hooks
    from orders.mapping import map_order

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        project = Meter(cur.fetchone()[0])
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    ref = Reference(dsn, location_id)
    reference = Meter(ref.pid)
    hook = Meter(project.pid)  # the order-confirmed hooks (other apps' work after each commit)
    original = order_hooks.orders_confirmed

    def timed_hook(**kwargs):
        with hook:
            return original(**kwargs)

    order_hooks.orders_confirmed = timed_hook
    try:
        for channel, raws in payloads.items():
            for start in range(0, len(raws), page_size):
                page = raws[start:start + page_size]
                watch = os.environ.get("BENCH_QUERIES") and start == page_size  # e.g. BENCH_QUERIES=1
                if watch:  # the statements of one page (its second, so caches are warm), printed
                    from django.test.utils import CaptureQueriesContext

                    captured = CaptureQueriesContext(connection)
                    captured.__enter__()
                with project:
                    if profiler:
                        profiler.enable()
                    result = store_payloads(accounts_project[channel], page, source="bench")
                    if profiler:
                        profiler.disable()
                if watch:
                    captured.__exit__(None, None, None)
                    print(f"{channel}: {len(captured)} statements for a page of {len(page)}")
                    for query in captured.captured_queries:
                        print(f"  {query['time']}  {query['sql'][:160]}")
                if result["rejected"] or result["retry"]:
                    raise SystemExit(f"FAILED: the store path refused {result['rejected'][:3]} {result['retry'][:3]}")
                project.orders += len(page)
                with reference:
                    ref.store(accounts_reference[channel].pk, [map_order(channel, raw) for raw in page])
                reference.orders += len(page)
    finally:
        order_hooks.orders_confirmed = original
        ref.close()
    hook.orders = project.orders
    if profiler:
        import pstats

        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(30)
        stats.print_stats(r"/(orders|inventory|channels)/", 30)
        stats.sort_stats("tottime").print_stats(25)
        if os.environ.get("BENCH_CALLEES"):  # e.g. BENCH_CALLEES="convert|quote": who costs what
            stats.print_callees(os.environ["BENCH_CALLEES"])
            stats.print_callers(os.environ["BENCH_CALLEES"])
    return project, reference, hook
