import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from inventory.models import SKU
from orders.models import Order, OrderLine
from sellerhub.models import Channel, ChannelAccount


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    name = factory.Sequence(lambda n: f"Shop {n}")
    channel = Channel.TIKTOK
    time_zone = "America/Los_Angeles"
    handling_days = 2
    cutoff_time = dt.time(23, 59)
    transit_days = 5


class OrderSKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU
        django_get_or_create = ("seller_sku",)

    seller_sku = factory.Sequence(lambda n: f"OSKU-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.seller_sku}")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with a complete US address, in any status (written directly: for set-ups only)."""

    class Meta:
        model = Order

    account = factory.SubFactory(ChannelAccountFactory)
    external_id = factory.Sequence(lambda n: f"EXT-{n:06d}")
    status = Order._meta.get_field("status").default
    created_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=3))
    paid_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    dispatch_due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    buyer_name = "Avery Jones"
    buyer_email = "avery@example.com"
    ship_name = "Avery Jones"
    ship_street1 = "2250 Mission St"
    ship_city = "San Francisco"
    ship_state = "CA"
    ship_postal_code = "94110"
    ship_country = "US"
    total = Decimal("24.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    external_id = factory.Sequence(lambda n: f"L{n}")
    sku = factory.SubFactory(OrderSKUFactory)
    channel_sku = factory.LazyAttribute(lambda o: o.sku.seller_sku if o.sku else "UNKNOWN")
    quantity = 1
    unit_price = Decimal("24.00")
