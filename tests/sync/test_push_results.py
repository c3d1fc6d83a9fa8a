"""After a push, the outbox rows of the listings the channel accepted are closed and the others
keep their error, in a fixed number of statements however many listings the push carried."""

from django.db.models import Max

from channels import services
from integrations.channels.connectors import PushOutcome
from inventory.models import ChannelListing, StockOutbox


def test_push_results_are_recorded_per_listing_in_a_fixed_number_of_statements(listed,
                                                                              django_assert_max_num_queries):
    listings = list(ChannelListing.objects.filter(account=listed["etsy"], sku__isnull=False).order_by("pk")[:12])
    StockOutbox.objects.bulk_create([StockOutbox(listing_id=lst.pk, quantity=3) for lst in listings])
    up_to = dict(StockOutbox.objects.filter(listing__in=listings, pushed_at=None).values("listing_id")
                 .annotate(last=Max("pk")).values_list("listing_id", "last"))
    later = StockOutbox.objects.create(listing_id=listings[1].pk, quantity=2)  # after the push read its rows
    outcomes = [PushOutcome(listing_id=lst.pk, ok=i % 3 != 0, error="" if i % 3 else f"refused {i % 2}")
                for i, lst in enumerate(listings)]
    with django_assert_max_num_queries(6):
        result = services.record_push_results(outcomes=outcomes, up_to=up_to,
                                              quantities={lst.pk: 3 for lst in listings})
    refused = len(listings[::3])
    assert len(listings) >= 6 and result == {"pushed": len(listings) - refused, "failed": refused, "retryable": 0}
    for i, lst in enumerate(listings):
        row = StockOutbox.objects.get(pk=up_to[lst.pk])
        lst.refresh_from_db()
        if i % 3:
            assert row.pushed_at is not None and row.attempts == 1 and lst.last_pushed_quantity == 3
        else:
            assert row.pushed_at is None and row.last_error == f"refused {i % 2}" and row.attempts >= 1
    later.refresh_from_db()
    assert later.pushed_at is None and later.attempts == 0  # a change after the read waits for the next push
