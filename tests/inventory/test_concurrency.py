"""Acceptance 1: real threads, each with its own PostgreSQL connection, never oversell or deadlock."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from inventory import services
from inventory.models import Location, Reservation, StockLevel, StockMovement
from inventory.services import InsufficientStock, StockRequest
from tests.inventory.factories import SKUFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = 50


def run_rounds(rounds, work):
    """Run `work(round, thread_index)` on THREADS threads per round, all released together by a
    barrier; one connection per thread for all rounds, closed at the end. Returns results[round]."""
    results = [[None] * THREADS for _ in range(rounds)]
    start = threading.Barrier(THREADS + 1)
    done = threading.Barrier(THREADS + 1)

    def worker(index):
        try:
            for rnd in range(rounds):
                start.wait()
                try:
                    results[rnd][index] = work(rnd, index)
                except InsufficientStock:
                    results[rnd][index] = "short"
                except Exception as exc:  # a deadlock or anything else fails the test below
                    results[rnd][index] = exc
                done.wait()
        except threading.BrokenBarrierError:
            pass  # the test failed and stopped the rounds
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    return threads, start, done, results


def stop(threads, *barriers):
    """End the worker threads (at once if a round failed) and wait for their connections to close."""
    for barrier in barriers:
        barrier.abort()
    for thread in threads:
        thread.join(timeout=20)


def assert_levels_equal_ledger():
    ledger = {
        (row["sku_id"], row["location_id"]): (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.values("sku_id", "location_id").annotate(
            on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    }
    levels = {(lv.sku_id, lv.location_id): (lv.on_hand, lv.reserved) for lv in StockLevel.objects.all()}
    assert levels == ledger


def test_twenty_threads_reserve_five_units_fifty_times(on_postgres):
    main = Location.objects.get(code="MAIN")
    skus = [SKUFactory(seller_sku=f"RACE-{rnd:02d}") for rnd in range(ROUNDS)]
    for sku in skus:
        services.receive(sku=sku, location=main, quantity=5)

    def work(rnd, index):
        services.reserve(reference=f"order:{rnd}-{index}", requests=[StockRequest("1", skus[rnd].pk, 1)])
        return "ok"

    threads, start, done, results = run_rounds(ROUNDS, work)
    try:
        for rnd in range(ROUNDS):
            start.wait(timeout=20)
            done.wait(timeout=20)
            outcome = results[rnd]
            errors = [r for r in outcome if r not in ("ok", "short")]
            assert not errors, f"round {rnd}: {errors[:3]}"
            assert outcome.count("ok") == 5 and outcome.count("short") == 15, f"round {rnd}: {outcome}"
    finally:
        stop(threads, start, done)
    for sku in skus:
        level = StockLevel.objects.get(sku=sku, location=main)
        assert (level.on_hand, level.reserved) == (5, 5)
        assert Reservation.objects.filter(sku=sku, state="active").count() == 5
    assert_levels_equal_ledger()


def test_two_line_orders_in_opposite_orders_never_deadlock(on_postgres):
    main = Location.objects.get(code="MAIN")
    a, b = SKUFactory(seller_sku="PAIR-A"), SKUFactory(seller_sku="PAIR-B")
    rounds = 10
    services.receive(sku=a, location=main, quantity=THREADS * rounds)
    services.receive(sku=b, location=main, quantity=THREADS * rounds)

    def work(rnd, index):
        lines = [StockRequest("1", a.pk, 1), StockRequest("2", b.pk, 1)]
        reference = f"order:{rnd}-{index}"
        services.reserve(reference=reference, requests=lines if index % 2 else lines[::-1])
        if index % 4 == 0:  # some orders are cancelled or shipped while others reserve
            services.release(reference=reference)
        elif index % 4 == 1:
            services.consume(reference=reference)
        return "ok"

    threads, start, done, results = run_rounds(rounds, work)
    try:
        for rnd in range(rounds):
            start.wait(timeout=20)
            done.wait(timeout=20)
            assert results[rnd] == ["ok"] * THREADS, f"round {rnd}: {[r for r in results[rnd] if r != 'ok'][:3]}"
    finally:
        stop(threads, start, done)
    shipped = rounds * THREADS // 4
    still_reserved = rounds * THREADS // 2
    for sku in (a, b):
        level = StockLevel.objects.get(sku=sku, location=main)
        assert (level.on_hand, level.reserved) == (THREADS * rounds - shipped, still_reserved)
    assert_levels_equal_ledger()
    connections.close_all()
