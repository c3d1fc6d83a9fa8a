"""Picking and packing a bundle: the pick list sends the picker to each component's bin, the
packing station checks the components scanned, and shipping takes them off the shelf."""

import pytest
from django.urls import reverse

from fulfilment import services
from fulfilment.models import PickListLine
from inventory.models import StockLevel
from inventory.services.bundles import create_bundle
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift(skus):
    """GIFT-SET: one TEE-BLK-M and two MUG-01."""
    skus["GIFT-SET"] = create_bundle(seller_sku="GIFT-SET", name="Gift set",
                                     components=[(skus["TEE-BLK-M"], 1), (skus["MUG-01"], 2)])
    return skus["GIFT-SET"]


def test_a_bundle_is_picked_packed_and_shipped_as_its_components(make_order, skus, gift, warehouse_user, box):
    order = make_order("W-900", {"GIFT-SET": 1, "CAP-BLK": 1})
    result = services.create_pick_list(order_ids=[order.pk], user=warehouse_user)
    picks = sorted(PickListLine.objects.filter(pick_list=result.pick_list)
                   .values_list("sku__seller_sku", "location__code", "quantity"))
    assert picks == [("CAP-BLK", "A-01", 1), ("MUG-01", "C-01", 2), ("TEE-BLK-M", "A-02", 1)]

    session = services.start_packing(order=order, user=warehouse_user)
    tee, mug, cap = (skus[s].barcode for s in ("TEE-BLK-M", "MUG-01", "CAP-BLK"))
    first = services.scan_item(session=session, code=mug, user=warehouse_user)
    assert first.ok and first.message == "MUG-01 for bundle GIFT-SET: 1 of 2"
    bundle_line = next(pl for pl in first.state.lines if pl.parts)
    assert bundle_line.verified == 0 and [(p.sku.seller_sku, p.scanned, p.needed) for p in bundle_line.parts] == [
        ("TEE-BLK-M", 0, 1), ("MUG-01", 1, 2)]
    assert services.scan_item(session=session, code=mug, user=warehouse_user).ok
    too_many = services.scan_item(session=session, code=mug, user=warehouse_user)
    assert not too_many.ok and too_many.message.startswith("One too many")
    assert services.scan_item(session=session, code=tee, user=warehouse_user).ok
    last = services.scan_item(session=session, code=cap, user=warehouse_user)
    assert last.state.complete
    services.finish_packing(session=session, weight_grams=1300, box=box, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED

    package = order.packages.get()
    services.set_tracking_number(package=package, tracking_number="9400111206206406260787", carrier="usps")
    services.ship_package(package=package, user=warehouse_user)
    on_hand = dict(StockLevel.objects.filter(sku__seller_sku__in=["TEE-BLK-M", "MUG-01", "CAP-BLK"])
                   .values_list("sku__seller_sku", "on_hand"))
    assert on_hand == {"TEE-BLK-M": 19, "MUG-01": 18, "CAP-BLK": 19}
    assert not StockLevel.objects.filter(sku=gift).exists()


def test_the_pack_screen_lists_a_bundles_components(make_order, gift, warehouse_client):
    order = make_order("W-901", {"GIFT-SET": 2})
    page = warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk])).content.decode()
    assert 'data-bundle="GIFT-SET"' in page and "MUG-01" in page and "0 / 4" in page
