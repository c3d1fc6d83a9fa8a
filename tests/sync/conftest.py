"""Fixtures for the channel sync tests: a loopback emulator over real HTTP, the four accounts
connected to it, SKUs for its seeded catalogue (with stock) and their channel listings."""

from __future__ import annotations

import pytest

from channels import coordination, services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from devtools.emulators import start_emulator
from inventory import services as stock
from inventory.models import SKU, Location
from sellerhub.models import ChannelAccount

CHANNELS = ("tiktok", "woocommerce", "etsy", "square")


@pytest.fixture(scope="module")
def emu():
    handle = start_emulator()
    yield handle
    handle.stop()


@pytest.fixture
def emulator(emu, settings, uses_rq):
    """The emulator back at its seed, and retry timings short enough for tests."""
    emu.state.reset()
    conn = coordination.connection()
    for key in conn.scan_iter(f"{coordination.PREFIX}:*"):  # locks and flags of earlier runs
        conn.delete(key)
    # Enqueue at once: the test's own transaction never commits (django-rq would wait for it).
    settings.RQ = {**getattr(settings, "RQ", {}), "COMMIT_MODE": "auto"}
    settings.CHANNEL_SYNC_BACKOFF_BASE = 0.01
    settings.CHANNEL_SYNC_BACKOFF_CAP = 0.2
    settings.CHANNEL_SYNC_MAX_RETRY_AFTER = 2.0
    settings.CHANNEL_SYNC_READ_TIMEOUT = 2.0
    settings.CHANNEL_SYNC_LOCK_SECONDS = 30
    settings.CHANNEL_SYNC_AMBIGUOUS_WAIT = 1.0
    # A queued push sleeps through Etsy's per-second pace here, so a test that runs a push job
    # sees it finish; tests/sync/test_push_waits.py covers the hand-over a worker does.
    settings.CHANNEL_SYNC_PUSH_MAX_WAIT = 5.0
    yield emu
    emu.state.faults.clear()


def connect(emu, channel: str, name: str | None = None) -> ChannelAccount:
    url, shop_id, credentials = emulator_connection(channel, emu.base_url, emu.state.config.credentials)
    return services.save_connection(channel=channel, name=name or f"{channel} test", api_base_url=url,
                                    shop_id=shop_id, credentials=credentials)


@pytest.fixture
def skus(db, emulator):
    """One SKU per seeded catalogue item, 100 units each at MAIN."""
    main = Location.objects.get(code="MAIN")
    out = {}
    for item in emulator.state.catalogue.items:
        sku = SKU.objects.create(seller_sku=item.sku, name=item.name)
        stock.receive(sku=sku, location=main, quantity=100)
        out[item.sku] = sku
    return out


@pytest.fixture
def accounts(db, emulator):
    return {channel: connect(emulator, channel) for channel in CHANNELS}


@pytest.fixture
def listed(accounts, skus, emulator):
    """Every account lists every catalogue SKU (matched by seller SKU)."""
    for channel, account in accounts.items():
        services.import_listings(account=account, listings=catalogue_listings(channel, emulator.state.catalogue))
    return accounts
