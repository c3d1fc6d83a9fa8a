"""Every stock change writes outbox rows; the nightly prune deletes those done over a week ago
and never one still waiting to be pushed."""

import pytest
from django.utils import timezone

from inventory import services
from inventory.cron import prune_stock_outbox_job
from inventory.models import Location, StockOutbox
from tests.inventory.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_the_nightly_prune_deletes_rows_pushed_over_a_week_ago_and_keeps_waiting_ones():
    main = Location.objects.get(code="MAIN")
    sku = SKUFactory()
    for _ in range(3):
        services.receive(sku=sku, location=main, quantity=1)
    old, recent, waiting = StockOutbox.objects.order_by("pk")[:3]
    StockOutbox.objects.filter(pk=old.pk).update(pushed_at=timezone.now() - timezone.timedelta(days=8))
    StockOutbox.objects.filter(pk=recent.pk).update(pushed_at=timezone.now() - timezone.timedelta(days=2))
    StockOutbox.objects.filter(pk=waiting.pk).update(pushed_at=None,
                                                     created_at=timezone.now() - timezone.timedelta(days=30))

    assert prune_stock_outbox_job() == {"deleted": 1}
    assert set(StockOutbox.objects.values_list("pk", flat=True)) >= {recent.pk, waiting.pk}
    assert not StockOutbox.objects.filter(pk=old.pk).exists()
