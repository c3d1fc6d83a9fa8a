"""Loopback emulators of every outside API SellerHub calls, on one port.

Path prefixes (configure each connector's base URL as ``{base_url}{prefix}``):

==========================  ==============================================================
``/tiktok``                 TikTok Shop Open API 202309 (``open-api.tiktokglobalshop.com``)
``/tiktok-auth``            TikTok token endpoints (``auth.tiktok-shops.com``)
``/woocommerce``            a WooCommerce store: ``/wp-json/wc/v3/…`` and shipment tracking
``/etsy``                   Etsy Open API v3 (``api.etsy.com``) and ``/etsy/oauth/connect``
``/square``                 Square (``connect.squareup.com``)
``/easypost/v2``            EasyPost API v2 (``api.easypost.com/v2``)
``/_emulator``              control: state, reset, faults, order generation, records
==========================  ==============================================================

In tests::

    from devtools.emulators import start_emulator

    emu = start_emulator()            # port=0: a free port, background thread
    emu.url("woocommerce")            # http://127.0.0.1:PORT/woocommerce
    emu.state.generate_orders("tiktok", 250)
    emu.state.faults.rate_limit = 0.5 # every second call answers 429 + Retry-After
    emu.state.received("tiktok", "tracking_upload")
    emu.stop()

From a shell: ``python -m devtools.emulators --port 8010``.
"""

from .catalogue import DEFAULT_SEED, Catalogue, SeedItem
from .faults import Faults
from .server import SERVICE_PATHS, EmulatorHandle, start_emulator
from .state import Credentials, EmulatorConfig, EmulatorState

__all__ = [
    "DEFAULT_SEED",
    "SERVICE_PATHS",
    "Catalogue",
    "Credentials",
    "EmulatorConfig",
    "EmulatorHandle",
    "EmulatorState",
    "Faults",
    "SeedItem",
    "start_emulator",
]
