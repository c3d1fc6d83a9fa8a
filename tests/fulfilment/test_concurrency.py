"""Two people (or a batch and a person) buying the same package's label at once: one label is
bought. PostgreSQL only (row locks)."""

import threading

import pytest
from django.db import connection

from fulfilment import services
from fulfilment.models import Package

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_purchases_buy_one_label(on_postgres, make_order, easypost):
    package = services.create_package(order=make_order("CC-1", {"MUG-01": 1}))
    rate = services.quote_rates(package=package).rates[0]
    barrier = threading.Barrier(4)
    outcomes = []

    def buy():
        try:
            barrier.wait()
            done = services.buy_label(package=Package.objects.get(pk=package.pk), rate_id=rate.id)
            outcomes.append(("bought", done.tracking_number))
        except services.FulfilmentError as exc:
            outcomes.append(("refused", str(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(easypost.state.received("easypost", "label_purchase")) == 1
    numbers = {detail for kind, detail in outcomes if kind == "bought"}
    package.refresh_from_db()
    assert numbers == {package.tracking_number}
    assert all("being bought right now" in detail for kind, detail in outcomes if kind == "refused")
