"""The demo's refunds and seller cancellation work end to end against the emulator `make run`
starts: the refunds stored by the demo are the ones the emulator holds (a pull adds nothing), and
the demo's cancelled WooCommerce order is sent to the emulator once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels import jobs, refunds
from channels.cancellation_push import push_cancellation
from devtools.demo import channels as channels_demo
from devtools.demo import inventory as inventory_demo
from devtools.demo import orders as orders_demo
from devtools.demo import refunds as refunds_demo
from devtools.demo import world
from devtools.emulators import Catalogue, EmulatorConfig, start_emulator
from orders.models import Order, Refund, SellerCancellation

pytestmark = pytest.mark.django_db


def test_the_demo_refunds_match_the_emulator(settings, role_users, uses_rq):
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    anchor = world.current_anchor()
    assert anchor is not None
    handle = start_emulator(config=EmulatorConfig(seed=Catalogue.from_file(channels_demo.SEED_FILE).items,
                                                  world_anchor=anchor))
    try:
        settings.EMULATOR_URL = handle.base_url
        settings.RQ = {"COMMIT_MODE": "auto"}
        channels_demo.load(users=users)
        refunds_demo.load(users=users)
        refunds_demo.load(users=users)  # again: nothing doubles
        stored = {r.account.channel: r for r in Refund.objects.select_related("account", "order")}
        assert set(stored) == {"woocommerce", "square"} and Refund.objects.count() == 2
        assert stored["woocommerce"].amount == Decimal("3.00") and stored["square"].amount == Decimal("5.00")
        for channel, refund in stored.items():
            account = refund.account
            jobs.pull_orders(account)
            assert refunds.pull_refunds(account.pk)["created"] == 0, f"{channel}: the emulator holds the same refunds"
        assert Refund.objects.count() == 2

        cancelled = Order.objects.get(account__channel="woocommerce", status="cancelled",
                                      seller_cancellation__isnull=False)
        assert cancelled.cancel_reason_code == "buyer_request"
        row = SellerCancellation.objects.get(order=cancelled)
        assert not push_cancellation(row.pk).get("failed")
        row.refresh_from_db()
        assert row.state == SellerCancellation.State.SENT
    finally:
        handle.stop()
