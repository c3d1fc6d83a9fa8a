"""The demo's TikTok returns: one in each state the seller meets, stored with the same ids the
emulator's seeded world holds, and loading again changes nothing."""

import pytest

from devtools.demo import inventory as inventory_demo
from devtools.demo import orders as orders_demo
from devtools.demo import returns as returns_demo
from devtools.demo import world
from orders.models import Return, ReturnEvent
from orders.selectors_returns import returns_for_scan

pytestmark = pytest.mark.django_db


def test_demo_returns_cover_every_state_and_match_the_emulator(role_users):
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    returns_demo.load(users=users)
    returns = {r.order.external_id: r for r in Return.objects.filter(account__channel="tiktok")}
    states = sorted((r.kind, r.channel_status, r.auto_approved) for r in returns.values())
    assert states == [
        ("refund_only", "RETURN_OR_REFUND_REQUEST_COMPLETE", True),
        ("refund_only", "RETURN_OR_REFUND_REQUEST_PENDING", False),
        ("return_and_refund", "BUYER_SHIPPED_ITEM", False),
        ("return_and_refund", "RETURN_OR_REFUND_REQUEST_PENDING", False),
    ]
    emulated = {c.external_id for c, _records in returns_demo.world_returns(world.current_anchor())}
    assert {r.external_id for r in returns.values()} == emulated
    shipped = next(r for r in returns.values() if r.channel_status == "BUYER_SHIPPED_ITEM")
    assert returns_for_scan(shipped.return_tracking_number) == [shipped]  # the warehouse can scan it
    pending = [r for r in returns.values() if r.channel_status == "RETURN_OR_REFUND_REQUEST_PENDING"]
    assert all(r.respond_by and r.lines.exists() for r in pending)
    before = (Return.objects.count(), ReturnEvent.objects.count())
    returns_demo.load(users=users)
    assert (Return.objects.count(), ReturnEvent.objects.count()) == before
