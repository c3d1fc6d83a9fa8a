"""``python -m devtools.emulators --port 8010``: run the emulators until interrupted.

``make run`` starts it with the demo's world (``--world var/demo-world.json``, written by
``manage.py load_demo_data``: the seeded orders, packages and FBT stock SellerHub's demo holds) and
a bounded order stream: ``--orders-per-minute 0.5`` (one new order every two minutes, round-robin
over the four channels), at most ``--max-orders-per-hour 20`` and ``--max-orders-per-day 120``.
Pause and resume the stream on the control page (``/_emulator/``) or with ``POST
/_emulator/order-stream/pause`` and ``/resume``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import asdict

from .catalogue import Catalogue
from .server import start_emulator
from .state import EmulatorConfig
from .world import read_anchor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.emulators", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--seed-file", help="JSON list of seed items (sku, name, price, stock, group, option…)")
    parser.add_argument("--random-seed", type=int, default=EmulatorConfig.random_seed)
    parser.add_argument("--orders", type=int, default=0, help="orders to generate per channel at start")
    parser.add_argument("--orders-per-minute", type=float, default=0.0, help="background order stream")
    parser.add_argument("--mix", action="store_true", help="mix order states (holds, FBT, pickups…)")
    parser.add_argument("--world", help="the demo world's anchor file (devtools/emulators/world.py); seeds its "
                                        "orders, packages and FBT stock (a missing file: anchored now)")
    parser.add_argument("--max-orders-per-hour", type=int, default=0, help="cap of the order stream (0: none)")
    parser.add_argument("--max-orders-per-day", type=int, default=0, help="cap of the order stream (0: none)")
    parser.add_argument("--paused", action="store_true", help="start with the order stream paused")
    parser.add_argument("--cancellation-requests-per-hour", type=float, default=0.0,
                        help="buyers ask TikTok to cancel an unshipped order this often (at most 3 waiting)")
    parser.add_argument("--returns-per-hour", type=float, default=0.0,
                        help="buyers ask TikTok for a return or refund on a delivered order this often (at most 20)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # before anything is announced

    seed = Catalogue.from_file(args.seed_file).items if args.seed_file else None
    anchor = (read_anchor(args.world) or time.time()) if args.world else None
    config = EmulatorConfig(seed=seed, random_seed=args.random_seed, world_anchor=anchor,
                            orders_per_hour_cap=max(args.max_orders_per_hour, 0),
                            orders_per_day_cap=max(args.max_orders_per_day, 0))
    handle = start_emulator(args.port, host=args.host, config=config, verbose=args.verbose)
    options = {"mix": True} if args.mix else {}
    for channel in ("tiktok", "woocommerce", "etsy", "square"):
        if args.orders:
            handle.state.generate_orders(channel, args.orders, **options)
    if args.paused:
        handle.state.pause_order_stream()
    if args.orders_per_minute > 0:
        handle.state.start_order_stream(args.orders_per_minute, **options)
    if args.cancellation_requests_per_hour > 0:
        handle.state.tiktok.cancellation_desk.start_buyer_requests(args.cancellation_requests_per_hour)
    if args.returns_per_hour > 0:
        handle.state.tiktok.returns_desk.start_schedule(3600.0 / args.returns_per_hour, limit=20)

    print(f"SellerHub emulators on {handle.base_url} (control page: {handle.base_url}/_emulator/)", flush=True)
    if anchor is not None:
        print(f"  demo world: {len(handle.state.seeded)} seeded orders", flush=True)
    for name, url in handle.urls.items():
        print(f"  {name:<12} {url}", flush=True)
    print("credentials:", json.dumps(asdict(config.credentials), indent=2), flush=True)

    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
