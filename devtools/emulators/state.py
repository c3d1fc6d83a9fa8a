"""The emulator's shared state: config, clock, faults, records and the services."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalogue import CHANNELS, Catalogue, SeedItem
from .faults import Faults
from .util import Clock
from .webhooks import WebhookDispatcher

CHANNEL_ALIASES = {
    "tiktok": "tiktok",
    "tiktok_shop": "tiktok",
    "tts": "tiktok",
    "woocommerce": "woocommerce",
    "woo": "woocommerce",
    "etsy": "etsy",
    "square": "square",
}


@dataclass
class Credentials:
    """What the emulated services accept. Every value can be overridden."""

    # TikTok Shop
    tiktok_app_key: str = "emu_tts_app_key"
    tiktok_app_secret: str = "emu_tts_app_secret"
    tiktok_service_id: str = "7300000000000000000"
    tiktok_shop_id: str = "7495000000000000001"
    tiktok_shop_cipher: str = "ROW_emu_shop_cipher_1"
    tiktok_shop_name: str = "SellerHub Demo Shop"
    tiktok_shop_region: str = "US"
    tiktok_seller_name: str = "SellerHub Demo"
    tiktok_open_id: str = "emu-open-id-1"
    tiktok_auth_code: str = "emu_tts_auth_code"
    tiktok_access_token: str = "emu_tts_access_token"
    tiktok_refresh_token: str = "emu_tts_refresh_token"
    tiktok_redirect_uri: str | None = None
    # WooCommerce
    woo_consumer_key: str = "ck_emulator0000000000000000000000000000001"
    woo_consumer_secret: str = "cs_emulator0000000000000000000000000000001"
    # Etsy
    etsy_keystring: str = "emuetsykeystring0000001"
    etsy_shared_secret: str = "emuetsysecret01"
    etsy_shop_id: int = 50000001
    etsy_user_id: int = 60000001
    etsy_access_token: str = "60000001.emu_etsy_access_token"
    etsy_refresh_token: str = "60000001.emu_etsy_refresh_token"
    etsy_webhook_secret: str = "whsec_ZW11bGF0b3ItZXRzeS13ZWJob29rLXNlY3JldA=="
    # Square
    square_access_token: str = "EAAAemulator_square_access_token"
    square_location_id: str = "LEMU0000MAIN1"
    square_merchant_id: str = "MLEMU00000001"
    # EasyPost
    easypost_test_key: str = "EZTKemulator0000000000000001"
    easypost_production_key: str = "EZAKemulator0000000000000001"


@dataclass
class EmulatorConfig:
    seed: Iterable[SeedItem | Mapping[str, Any]] | None = None
    random_seed: int = 20240501
    credentials: Credentials = field(default_factory=Credentials)
    woo_timezone: str = "America/Los_Angeles"
    shop_timezone: str = "America/Los_Angeles"
    tiktok_check_timestamp: bool = True
    request_log_size: int = 20000
    # The demo's seeded world (devtools/emulators/world.py), played at start and on every reset
    # when set: epoch seconds its times are relative to.
    world_anchor: float | None = None
    # The background order stream's caps (0: none): it skips a tick once the last hour or the
    # last 24 hours already hold this many streamed orders.
    orders_per_hour_cap: int = 0
    orders_per_day_cap: int = 0


class EmulatorState:
    """Everything the emulator knows. Reach it as ``handle.state`` in tests."""

    def __init__(self, config: EmulatorConfig | None = None):
        from .control import ControlService
        from .easypost import EasyPostService
        from .etsy import EtsyService
        from .square import SquareService
        from .tiktok import TikTokAuthService, TikTokService
        from .woocommerce import WooCommerceService

        self.config = config or EmulatorConfig()
        self.base_url = "http://127.0.0.1"  # set by start_emulator; used in webhook headers
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = Faults()
        self.catalogue = Catalogue(self.config.seed)
        self.rng = random.Random(self.config.random_seed)
        self.webhooks = WebhookDispatcher()
        self._records: list[dict[str, Any]] = []
        self.request_log: deque[dict[str, Any]] = deque(maxlen=self.config.request_log_size)
        self._stream_stop: threading.Event | None = None
        self._stream_thread: threading.Thread | None = None
        self._stream_settings: dict[str, Any] = {}
        self.stream_paused = False
        self.streamed: deque[float] = deque()  # wall times of the streamed orders (last 24 h)
        self.seeded: list[Any] = []

        self.tiktok = TikTokService(self)
        self.tiktok_auth = TikTokAuthService(self)
        self.woocommerce = WooCommerceService(self)
        self.etsy = EtsyService(self)
        self.square = SquareService(self)
        self.easypost = EasyPostService(self)
        self.control = ControlService(self)
        self.services = {
            s.name: s
            for s in (
                self.tiktok,
                self.tiktok_auth,
                self.woocommerce,
                self.etsy,
                self.square,
                self.easypost,
                self.control,
            )
        }
        # longest prefix first so "/tiktok-auth" wins over "/tiktok"
        self._by_prefix = sorted(self.services.values(), key=lambda s: -len(s.prefix))
        self._seed_world()

    def _seed_world(self) -> None:
        """Play the demo's world (devtools/emulators/world.py) when the config has an anchor."""
        from .world import seed_world

        self.seeded = [] if self.config.world_anchor is None else seed_world(self, self.config.world_anchor)

    # --- routing -------------------------------------------------------------------------
    def service_for_path(self, path: str):
        for service in self._by_prefix:
            p = service.prefix
            if path == p or path.startswith(p + "/"):
                return service, path[len(p) :] or "/"
        return None, path

    def channel(self, name: str):
        key = CHANNEL_ALIASES.get(name)
        if key is None:
            raise ValueError(f"unknown channel {name!r}; use one of {', '.join(CHANNELS)}")
        return getattr(self, key)

    # --- records -------------------------------------------------------------------------
    def record(self, service: str, kind: str, /, **payload: Any) -> dict[str, Any]:
        clash = {"service", "kind", "at"} & set(payload)
        if clash:
            raise ValueError(f"record payload may not use the reserved key(s) {sorted(clash)}")
        entry = {"service": service, "kind": kind, "at": self.clock.now(), **payload}
        with self.lock:
            self._records.append(entry)
        return entry

    def received(self, service: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Everything the services were sent that changed something (stock pushes, tracking
        uploads, order updates, label purchases...), oldest first."""
        with self.lock:
            return [
                r
                for r in self._records
                if (service is None or r["service"] == service) and (kind is None or r["kind"] == kind)
            ]

    def requests(self, service: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.request_log if service is None or r["service"] == service]

    # --- orders --------------------------------------------------------------------------
    def generate_orders(self, channel: str, n: int = 1, **options: Any) -> list[Any]:
        """Create ``n`` new orders on ``channel``; returns their ids.

        Options are channel specific (see each service's ``generate_order``); all accept
        ``skus`` (list of SKUs or ``{sku: qty}``), ``at`` (epoch seconds) and ``mix=True``
        for a realistic spread of states.
        """
        service = self.channel(channel)
        if n < 0:
            raise ValueError("n must be >= 0")
        with self.lock:
            return [service.generate_order(**options) for _ in range(n)]

    def start_order_stream(self, per_minute: float, channels: Iterable[str] | None = None, **options: Any) -> None:
        """Generate orders in the background, round-robin over ``channels``, at most the
        config's caps per hour and per day; :meth:`pause_order_stream` holds it."""
        if per_minute <= 0:
            raise ValueError("per_minute must be > 0")
        self.stop_order_stream()
        names = [CHANNEL_ALIASES[c] for c in (channels or CHANNELS)]
        stop = threading.Event()
        cycle = itertools.cycle(names)
        interval = 60.0 / per_minute

        def run() -> None:
            while not stop.wait(interval):
                if self.stream_paused or self.stream_capped():
                    continue
                self.generate_orders(next(cycle), 1, **options)
                with self.lock:
                    self.streamed.append(time.time())

        self._stream_settings = {"per_minute": per_minute, "channels": names, "options": dict(options)}
        self._stream_stop = stop
        self._stream_thread = threading.Thread(target=run, name="emulator-orders", daemon=True)
        self._stream_thread.start()

    def stream_capped(self, now: float | None = None) -> str:
        """Which cap holds the stream now ("hour", "day") or "" when it may add an order."""
        now = time.time() if now is None else now
        with self.lock:
            while self.streamed and self.streamed[0] < now - 86400:
                self.streamed.popleft()
            last_hour = sum(1 for t in self.streamed if t >= now - 3600)
            if self.config.orders_per_hour_cap and last_hour >= self.config.orders_per_hour_cap:
                return "hour"
            if self.config.orders_per_day_cap and len(self.streamed) >= self.config.orders_per_day_cap:
                return "day"
        return ""

    def pause_order_stream(self) -> None:
        self.stream_paused = True

    def resume_order_stream(self) -> None:
        self.stream_paused = False

    def stream_status(self) -> dict[str, Any]:
        """What the order stream does now: running, paused, its pace, caps and counts."""
        now = time.time()
        capped = self.stream_capped(now)
        with self.lock:
            return {
                "running": self._stream_thread is not None,
                "paused": self.stream_paused,
                "capped": capped,
                "per_minute": self._stream_settings.get("per_minute", 0),
                "channels": self._stream_settings.get("channels", []),
                "orders_per_hour_cap": self.config.orders_per_hour_cap,
                "orders_per_day_cap": self.config.orders_per_day_cap,
                "last_hour": sum(1 for t in self.streamed if t >= now - 3600),
                "last_day": len(self.streamed),
                "seeded_orders": len(self.seeded),
            }

    def stop_order_stream(self) -> None:
        if self._stream_stop is not None:
            self._stream_stop.set()
            if self._stream_thread is not None:
                self._stream_thread.join(timeout=2)
        self._stream_stop = None
        self._stream_thread = None

    # --- lifecycle -----------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seed: orders, stock, tokens, records, faults and clock."""
        self.stop_order_stream()
        with self.lock:
            self.clock.reset()
            self.faults.clear()
            self.rng.seed(self.config.random_seed)
            self._records.clear()
            self.request_log.clear()
            self.webhooks.clear()
            for service in self.services.values():
                service.reset()
            self.streamed.clear()
            self._seed_world()

    def mapping(self) -> dict[str, Any]:
        return self.catalogue.mapping()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            kinds = Counter(f"{r['service']}.{r['kind']}" for r in self._records)
            requests = Counter(r["service"] for r in self.request_log)
            return {
                "time": self.clock.now(),
                "wall_time": time.time(),
                "services": {name: svc.summary() for name, svc in self.services.items() if name != "control"},
                "received": dict(kinds),
                "requests": dict(requests),
                "faults": self.faults.to_dict(),
                "webhook_deliveries": len(self.webhooks.deliveries),
                "order_stream": self._stream_thread is not None,
                "order_stream_paused": self.stream_paused,
                "seeded_orders": len(self.seeded),
            }
