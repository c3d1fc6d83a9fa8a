import pytest

from inventory import services as stock
from inventory.models import Location
from inventory.services.bundles import set_components
from tests.orders.factories import OrderSKUFactory


@pytest.fixture
def main(db):
    return Location.objects.get(code="MAIN")


@pytest.fixture
def tees(main):
    """Two tees (5 and 3 on hand) and the bundle TEE2 of one of each."""
    black = OrderSKUFactory(seller_sku="TEE-BLK-M")
    white = OrderSKUFactory(seller_sku="TEE-WHT-M")
    stock.receive(sku=black, location=main, quantity=5)
    stock.receive(sku=white, location=main, quantity=3)
    bundle = OrderSKUFactory(seller_sku="TT-BUNDLE-TEE2", name="Two tees")
    set_components(bundle=bundle, components=[(black, 1), (white, 1)])
    return black, white, bundle
