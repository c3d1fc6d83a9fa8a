"""The dashboard on a 1366 x 768 laptop screen: every panel's table shows all its columns (no
column cut off or hidden behind a scrollbar), and the dispatch words give one number each."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.core.factories import UserFactory
from tests.metrics.factories import AccountFactory, OrderFactory

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = """() => [...document.querySelectorAll('.panels .panel')].flatMap(panel =>
  [...panel.querySelectorAll('table')].filter(t => t.scrollWidth > panel.clientWidth + 1
    || t.getBoundingClientRect().right > panel.getBoundingClientRect().right + 1)
  .map(t => panel.querySelector('h2').innerText))"""


def test_dashboard_tables_fit_at_1366_pixels(page, login):
    UserFactory(username="olive", role="Owner")
    now = timezone.now()
    for i, (name, zone) in enumerate([("TikTok Shop US (main storefront)", "America/Los_Angeles"),
                                       ("WooCommerce webshop eu.example.com", "Europe/London"),
                                       ("Etsy handmade goods", "Asia/Singapore")]):
        account = AccountFactory(name=name, channel=["tiktok", "woocommerce", "etsy"][i], time_zone=zone)
        OrderFactory(account=account, status="confirmed", fulfilment="FBS", created_at=now - dt.timedelta(days=1),
                     dispatch_due_at=now - dt.timedelta(hours=2 + i))
    page.set_viewport_size({"width": 1366, "height": 768})
    login("olive")
    assert page.locator(".panels .panel table").count() >= 1
    assert page.evaluate(OVERFLOW) == []
    overdue = {int(n) for n in re.findall(r"\d+", " ".join(page.locator('[data-count="overdue"]').all_inner_texts()))}
    assert overdue == {3}
