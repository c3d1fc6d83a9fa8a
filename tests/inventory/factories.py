import factory

from inventory.models import SKU, ChannelListing, Location, Product
from sellerhub.models import Channel, ChannelAccount


def gtin_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def make_ean13(n: int) -> str:
    body = f"20{n:010d}"[-12:]
    return body + gtin_check_digit(body)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU
        django_get_or_create = ("seller_sku",)

    seller_sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.seller_sku}")
    barcode = factory.Sequence(make_ean13)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LOC{n}")
    name = factory.LazyAttribute(lambda o: f"Location {o.code}")
    kind = Location.Kind.WAREHOUSE


class BinFactory(LocationFactory):
    code = factory.Sequence(lambda n: f"A-{n:02d}")
    kind = Location.Kind.BIN
    parent = factory.LazyFunction(lambda: Location.objects.get(code="MAIN"))


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    name = factory.Sequence(lambda n: f"Shop {n}")
    channel = Channel.WOOCOMMERCE


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelListing

    sku = factory.SubFactory(SKUFactory)
    account = factory.SubFactory(AccountFactory)
    channel_sku = factory.LazyAttribute(lambda o: o.sku.seller_sku if o.sku else "")
    external_product_id = factory.Sequence(lambda n: f"P{n}")
    external_variant_id = factory.Sequence(lambda n: f"V{n}")
