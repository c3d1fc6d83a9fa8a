import pytest

from inventory import services
from inventory.models import Location
from tests.inventory.factories import SKUFactory


@pytest.fixture
def main(db):
    return Location.objects.get(code="MAIN")


@pytest.fixture
def stocked(main):
    """make(seller_sku, on_hand, location=MAIN) -> SKU with that much received."""

    def make(seller_sku, on_hand, location=None, **fields):
        sku = SKUFactory(seller_sku=seller_sku, **fields)
        if on_hand:
            services.receive(sku=sku, location=location or main, quantity=on_hand)
        return sku

    return make
