"""The owner opens Metrics, sees the four figures, clicks the late dispatch rate and sees exactly
the late orders."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.core.factories import UserFactory
from tests.metrics.factories import AccountFactory, OrderFactory, PackageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_opens_the_late_orders_behind_the_late_dispatch_rate(page, login):
    UserFactory(username="olive", role="Owner")
    now = timezone.now()
    tiktok, woo = AccountFactory(name="TikTok Shop demo"), AccountFactory(name="Woo demo", channel="woocommerce")
    late, on_time = [], []
    for i in range(9):
        account = tiktok if i % 3 else woo
        dispatched = now - dt.timedelta(days=4 + i, hours=2)
        is_late = i in (1, 4, 6)
        order = OrderFactory(
            account=account, external_id=f"5770000000{i:02d}", created_at=dispatched - dt.timedelta(days=2),
            dispatched_at=dispatched, dispatch_due_at=dispatched + dt.timedelta(hours=-6 if is_late else 6),
            delivery_due_at=dispatched + dt.timedelta(days=3), delivered_at=dispatched + dt.timedelta(days=2),
        )
        PackageFactory(order=order, tracking_uploaded_at=dispatched - dt.timedelta(hours=3), first_scan_at=dispatched)
        (late if is_late else on_time).append(order.external_id)
    # An FBT order dispatched late counts only in the denominator: it must not be listed.
    OrderFactory(account=tiktok, external_id="577000000099", fulfilment="FBT", created_at=now - dt.timedelta(days=9),
                 dispatched_at=now - dt.timedelta(days=6), dispatch_due_at=now - dt.timedelta(days=7))

    login("olive")
    page.get_by_role("link", name="Metrics", exact=True).click()
    page.wait_for_url("**/metrics/")
    assert page.locator("h1").inner_text() == "Metrics"
    tiles = page.locator("section[aria-labelledby=figures-heading] article.tile")  # the four; after-sales below
    assert tiles.count() == 4
    assert [tiles.nth(i).locator("h3").inner_text().split("\n")[0] for i in range(4)] == [
        "Late dispatch rate LDR", "Valid tracking rate VTR", "On-time delivery rate OTDR",
        "Seller-fault cancellation rate SFCR"]
    ldr = page.locator('article[data-metric="late_dispatch_rate"]')
    assert ldr.locator(".figure-value").inner_text() == "30.0 %"  # 3 late of 10 dispatched (FBT included)
    assert "3 dispatched late (FBS)" in ldr.inner_text() and "10 orders dispatched" in ldr.inner_text()
    assert page.locator('article[data-metric="valid_tracking_rate"] .figure-value').inner_text() == "100.0 %"
    assert page.locator('article[data-metric="on_time_delivery_rate"] .figure-value').inner_text() == "100.0 %"
    assert page.locator('article[data-metric="seller_fault_cancellation_rate"] .figure-value').inner_text() == "0.0 %"

    ldr.locator(".figure-value").click()
    page.wait_for_url(re.compile(r".*/metrics/figures/late_dispatch_rate/numerator/.*"))
    assert "3 orders dispatched late" in page.locator("h1").inner_text()
    listed = page.locator("#rows tbody tr td:first-child").all_inner_texts()
    assert sorted(listed) == sorted(late)
    # Keyboard: back to the metrics page with the link at the top.
    page.get_by_role("link", name="← Metrics").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/metrics/?**")
    assert page.locator("section[aria-labelledby=figures-heading] article.tile").count() == 4
