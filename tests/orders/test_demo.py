"""The demo orders: four channel accounts and ~60 orders that show every part of the queue."""

from collections import Counter

import pytest
from django.utils import timezone

from devtools.demo import inventory as inventory_demo
from devtools.demo import orders as demo
from orders.models import PRE_SHIP_STATUSES, Order, Return
from orders.selectors import queue_counts
from sellerhub.models import Channel, ChannelAccount


@pytest.fixture
def loaded(role_users):
    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)  # load_demo_data's LOADERS load inventory first
    demo.load(users=users)
    return users


def test_demo_orders(loaded):
    channels = set(ChannelAccount.objects.values_list("channel", flat=True))
    assert {Channel.TIKTOK, Channel.WOOCOMMERCE, Channel.ETSY, Channel.SQUARE} <= channels
    assert not ChannelAccount.objects.exclude(channel=Channel.MANUAL).exclude(api_base_url="").exists()
    total = Order.objects.count()
    assert 50 <= total <= 70
    by_channel = Counter(Order.objects.values_list("account__channel", flat=True))
    assert by_channel[Channel.TIKTOK] >= 25 and all(by_channel[c] >= 4 for c in (Channel.WOOCOMMERCE, Channel.ETSY,
                                                                                 Channel.SQUARE))
    assert len(set(Order.objects.values_list("status", flat=True))) >= 10
    counts = queue_counts()
    assert counts["overdue"] >= 2 and counts["attention"] >= 4
    now = timezone.now()
    assert Order.objects.filter(status__in=PRE_SHIP_STATUSES, dispatch_due_at__gt=now).exists()
    assert Order.objects.filter(fulfilment="FBT").count() >= 3
    reasons = set(Order.objects.exclude(attention_reason="").values_list("attention_reason", flat=True))
    assert {"unmatched_sku", "short_stock", "on_hold", "address_problem"} <= reasons
    assert set(Return.objects.values_list("status", flat=True)) == {"requested", "restocked"}
    assert Order.objects.filter(packages__tracking_format_valid=False).exists()

    demo.load(users=loaded)  # loading again changes nothing
    assert Order.objects.count() == total
