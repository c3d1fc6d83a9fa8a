"""Factories for the metrics tests: accounts, orders and packages with the timestamps the rules read."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from fulfilment.models import Package
from orders.models import Order, OrderStatus
from sellerhub.models import ChannelAccount


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    name = factory.Sequence(lambda n: f"Shop {n}")
    channel = "tiktok"
    time_zone = "America/Los_Angeles"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"57{n:016d}")
    status = OrderStatus.DELIVERED
    created_at = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    paid_at = factory.LazyAttribute(lambda o: o.created_at)


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    order = factory.SubFactory(OrderFactory)
    carrier = "usps"
    tracking_number = "9400111201080805483016"
    tracking_format_valid = True
    status = Package.Status.IN_TRANSIT


def local(text, tz="America/Los_Angeles", fold=0):
    """'2025-03-30 23:59' (or with seconds) in a time zone, as an aware datetime."""
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return dt.datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz), fold=fold)
