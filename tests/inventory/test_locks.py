"""The stock lock helpers on PostgreSQL: a lock on one SKU's stock level holds up only that level
(a change of an unrelated SKU goes through at once, a second lock of the same level waits), and a
shipment lock with its joined locations locks the shipment row only (``of=("self",)``)."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from inventory import services
from inventory.fbt.models import InboundShipment
from inventory.fbt.services.locks import lock_shipment
from inventory.models import Location, StockLevel
from inventory.services.locks import lock_levels
from tests.inventory.factories import SKUFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD = 1.5  # seconds the first thread keeps its lock


def hold_lock(lock, locked, release_after=HOLD):
    """In a thread of its own (own connection): take `lock()` in a transaction, say so, hold it."""

    def run():
        try:
            with transaction.atomic():
                lock()
                locked.set()
                time.sleep(release_after)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert locked.wait(timeout=10), "the first lock was never taken"
    return thread


def timed_in_thread(work):
    """Run `work()` in a thread with its own connection; returns (seconds, result or exception)."""
    out = {}

    def run():
        started = time.monotonic()
        try:
            out["result"] = work()
        except Exception as exc:  # reported to the test below
            out["result"] = exc
        finally:
            out["seconds"] = time.monotonic() - started
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=20)
    return out["seconds"], out["result"]


def test_a_locked_level_holds_up_only_its_own_sku(on_postgres):
    main = Location.objects.get(code="MAIN")
    sku_a, sku_b = SKUFactory(seller_sku="LOCK-A"), SKUFactory(seller_sku="LOCK-B")
    services.receive(sku=sku_a, location=main, quantity=10)
    services.receive(sku=sku_b, location=main, quantity=10)

    locked = threading.Event()
    holder = hold_lock(lambda: lock_levels(Q(sku_id=sku_a.pk, location_id=main.pk)), locked)
    try:
        seconds, result = timed_in_thread(lambda: services.reserve(
            reference="order:B", requests=[services.StockRequest("1", sku_b.pk, 2)]))
        assert not isinstance(result, Exception), result
        assert seconds < 0.5, f"a reservation of an unrelated SKU waited {seconds:.2f}s"
        seconds, result = timed_in_thread(lambda: services.adjust(sku=sku_b, location=main, quantity=-1,
                                                                  reason="adjustment"))
        assert not isinstance(result, Exception), result
        assert seconds < 0.5, f"an adjustment of an unrelated SKU waited {seconds:.2f}s"

        def lock_a_again():
            with transaction.atomic():
                return lock_levels(Q(sku_id=sku_a.pk, location_id=main.pk))

        seconds, result = timed_in_thread(lock_a_again)
        assert not isinstance(result, Exception), result
        assert seconds > 0.5, f"a second lock of the same level did not wait ({seconds:.2f}s)"
    finally:
        holder.join(timeout=10)
    level_b = StockLevel.objects.get(sku=sku_b, location=main)
    assert (level_b.on_hand, level_b.reserved) == (9, 2)


def test_the_shipment_lock_leaves_its_locations_unlocked(on_postgres):
    main = Location.objects.get(code="MAIN")
    fbt = Location.objects.create(code="FBT-LOCK", name="FBT", kind=Location.Kind.FBT)
    shipment = InboundShipment.objects.create(source=main, destination=fbt)

    locked = threading.Event()
    holder = hold_lock(lambda: lock_shipment(shipment.pk), locked)
    try:
        def lock_locations_nowait():
            with transaction.atomic():
                return list(Location.objects.select_for_update(nowait=True).filter(pk__in=[main.pk, fbt.pk]))

        seconds, result = timed_in_thread(lock_locations_nowait)
        assert not isinstance(result, Exception), result  # NOWAIT would raise if they were locked
        assert len(result) == 2

        def lock_shipment_nowait():
            with transaction.atomic():
                return InboundShipment.objects.select_for_update(nowait=True).get(pk=shipment.pk)

        _seconds, result = timed_in_thread(lock_shipment_nowait)
        assert isinstance(result, DatabaseError), result  # the shipment itself is locked
    finally:
        holder.join(timeout=10)
