"""Demo channel connections: one account per channel (the orders demo's shop for that channel, or
"TikTok Shop demo", "WooCommerce demo", "Etsy demo" and "Square demo" created here) connected to the
loopback emulator that ``make run`` starts (``EMULATOR_URL``, default http://127.0.0.1:8010), with
a listing for every demo SKU, matched by seller SKU.

The emulator is seeded with the same catalogue (``catalogue.json``, the inventory demo's
SKUs) and streams new orders, so after ``make run`` orders arrive on every channel within a minute
and every stock change is pushed to the four emulated channels, with no internet. Runs after the
inventory and orders demo loaders; safe to run again."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from channels import services
from devtools.demo.emulated import catalogue_listings, emulator_connection
from devtools.emulators import Catalogue
from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

SEED_FILE = Path(__file__).with_name("catalogue.json")
DEFAULT_EMULATOR_URL = "http://127.0.0.1:8010"
ACCOUNTS = [("TikTok Shop demo", "tiktok"), ("WooCommerce demo", "woocommerce"), ("Etsy demo", "etsy"),
            ("Square demo", "square")]


def emulator_url() -> str:
    return (getattr(settings, "EMULATOR_URL", "") or DEFAULT_EMULATOR_URL).rstrip("/")


def load(*, users):
    base = emulator_url()
    catalogue = Catalogue.from_file(SEED_FILE)
    for name, channel in ACCOUNTS:
        # Connect the shop the orders demo created for this channel (so its orders, metrics and the
        # new orders from the emulator are one shop), or create one.
        account = (ChannelAccount.objects.filter(name=name, channel=channel).first()
                   or ChannelAccount.objects.filter(channel=channel).order_by("pk").first()
                   or ChannelAccount.objects.create(name=name, channel=channel))
        url, shop_id, credentials = emulator_connection(channel, base)
        account = services.save_connection(account=account, channel=channel, name=account.name, api_base_url=url,
                                           shop_id=shop_id, credentials=credentials)
        services.import_listings(account=account, listings=catalogue_listings(channel, catalogue))
