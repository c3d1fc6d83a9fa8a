"""The fulfilment demo: box presets, TikTok carrier mappings and packages at every stage, made
through the real services (after the inventory and orders demos, as load_demo_data runs them)."""

import pytest

from devtools.demo import fulfilment as demo
from devtools.demo import inventory as inventory_demo
from devtools.demo import orders as orders_demo
from fulfilment.models import BoxPreset, CarrierMapping, Package, PickList
from orders.models import Order, OrderEvent


@pytest.fixture
def loaded(role_users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    demo.load(users=users)
    return users


@pytest.mark.django_db
def test_demo_fulfilment(loaded):
    assert BoxPreset.objects.count() == 4
    assert CarrierMapping.objects.filter(account__channel="tiktok", carrier="usps").exists()
    pick_list = PickList.objects.get()
    assert pick_list.entries.filter(active=True).exclude(tote="").count() == 3
    mine = Package.objects.exclude(label_source="") | Package.objects.filter(status="draft")
    stages = {(p.status, p.label_source) for p in mine}
    assert {("draft", ""), ("labelled", "own"), ("labelled", "typed"), ("shipped", "typed"), ("in_transit", "typed"),
            ("delivered", "typed")} <= stages
    delivered = Order.objects.get(external_id="M-DEMO-3")
    assert delivered.status == "delivered" and delivered.dispatched_at and delivered.delivered_at
    assert OrderEvent.objects.filter(order=delivered, kind="carrier_scan").count() == 3
    packages = Package.objects.count()
    demo.load(users=loaded)  # again: nothing more
    assert Package.objects.count() == packages and PickList.objects.count() == 1
