"""``python -m devtools.emulators --port 8010``: run the emulators until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict

from .catalogue import Catalogue
from .server import start_emulator
from .state import EmulatorConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.emulators", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--seed-file", help="JSON list of seed items (sku, name, price, stock, group, option…)")
    parser.add_argument("--random-seed", type=int, default=EmulatorConfig.random_seed)
    parser.add_argument("--orders", type=int, default=0, help="orders to generate per channel at start")
    parser.add_argument("--orders-per-minute", type=float, default=0.0, help="background order stream")
    parser.add_argument("--mix", action="store_true", help="mix order states (holds, FBT, pickups…)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # before anything is announced

    seed = Catalogue.from_file(args.seed_file).items if args.seed_file else None
    config = EmulatorConfig(seed=seed, random_seed=args.random_seed)
    handle = start_emulator(args.port, host=args.host, config=config, verbose=args.verbose)
    options = {"mix": True} if args.mix else {}
    for channel in ("tiktok", "woocommerce", "etsy", "square"):
        if args.orders:
            handle.state.generate_orders(channel, args.orders, **options)
    if args.orders_per_minute > 0:
        handle.state.start_order_stream(args.orders_per_minute, **options)

    print(f"SellerHub emulators on {handle.base_url}", flush=True)
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
