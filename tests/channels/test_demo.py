"""The demo: one account per channel connected to the emulator `make run` starts, seeded with the
demo SKUs, so orders arrive and stock is pushed with no internet."""

from __future__ import annotations

import json

import pytest

from channels import jobs
from devtools.demo import bundles as bundles_demo
from devtools.demo import channels as demo
from devtools.demo import inventory as inventory_demo
from devtools.emulators import Catalogue, EmulatorConfig, start_emulator
from devtools.emulators.state import Credentials
from integrations.labels import DEMO_API_KEY
from inventory.models import ChannelListing
from orders.models import Order
from sellerhub.models import ChannelAccount

pytestmark = pytest.mark.django_db


def test_the_emulator_seed_lists_the_inventory_demo_skus():
    seeded = {item["sku"] for item in json.loads(demo.SEED_FILE.read_text())["items"]}
    demo_skus = {row[0] for _product, _brand, _size, rows in inventory_demo.CATALOGUE for row in rows}
    demo_skus |= {row[0] for row in bundles_demo.BUNDLES}  # the demo's bundles are listed too
    assert seeded == demo_skus, "regenerate devtools/demo/catalogue.json from devtools/demo/inventory.py"


def test_the_procfile_starts_the_emulator_with_the_demo_catalogue():
    procfile = (demo.SEED_FILE.parents[2] / "Procfile").read_text()
    line = next(ln for ln in procfile.splitlines() if ln.startswith("emulator:"))
    assert "-m devtools.emulators --port 8010" in line and "--seed-file devtools/demo/catalogue.json" in line
    assert "--orders-per-minute" in line


def test_the_demo_connects_one_account_per_channel_to_the_emulator(settings, owner_user, uses_rq):
    handle = start_emulator(config=EmulatorConfig(seed=Catalogue.from_file(demo.SEED_FILE).items))
    try:
        settings.EMULATOR_URL = handle.base_url
        settings.RQ = {"COMMIT_MODE": "auto"}
        inventory_demo.load(users={"owner": owner_user})
        bundles_demo.load(users={"owner": owner_user})
        demo.load(users={"owner": owner_user})
        demo.load(users={"owner": owner_user})  # again: nothing doubles
        accounts = {a.channel: a for a in ChannelAccount.objects.filter(name__endswith=" demo")}
        assert set(accounts) == {"tiktok", "woocommerce", "etsy", "square"}
        for channel, account in accounts.items():
            assert account.api_base_url.startswith(handle.base_url)
            listings = ChannelListing.objects.filter(account=account)
            assert listings.count() == 31 and not listings.filter(sku__isnull=True).exists(), channel
        # What `make run` then shows: orders arrive, stock goes out.
        for channel in accounts:
            handle.state.generate_orders(channel, 3, skus=["TEE-BLK-M"])
        for account in accounts.values():
            assert jobs.pull_orders(account)["created"] == 3
            assert not jobs.push_stock(account).get("failed")
        assert Order.objects.filter(account__in=accounts.values()).count() == 12
        pushed = handle.state.received("square", "inventory_change")
        assert {c["sku"] for c in pushed} >= {"TEE-BLK-M", "MUG-01"}
    finally:
        handle.stop()


def test_the_label_providers_demo_key_is_the_emulators():
    assert DEMO_API_KEY == Credentials().easypost_test_key
