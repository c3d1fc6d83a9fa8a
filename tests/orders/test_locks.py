"""The order family's lock helper locks the order's own row only: holding one order of a shop
does not block a write to another order of the same shop (the joined account row stays free),
while a second lock on the same order waits. Real threads, each with its own PostgreSQL
connection."""

import threading
import time

import pytest
from django.db import connection, transaction

from orders import services
from orders.models import OrderStatus
from orders.services.locks import lock_order
from tests.orders.factories import ChannelAccountFactory, OrderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD = 1.5


def hold_lock(order_pk, locked: threading.Event, errors: list):
    """In its own transaction: lock the order through the helper, keep it for HOLD seconds."""
    try:
        with transaction.atomic():
            lock_order(order_pk)
            locked.set()
            time.sleep(HOLD)
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)
        locked.set()
    finally:
        connection.close()


def test_a_locked_order_does_not_block_another_order_of_the_same_shop(on_postgres):
    shop = ChannelAccountFactory(name="TikTok US")
    order_a = OrderFactory(account=shop, status=OrderStatus.AWAITING_CONFIRMATION)
    order_b = OrderFactory(account=shop, status=OrderStatus.AWAITING_CONFIRMATION)
    locked, errors = threading.Event(), []
    holder = threading.Thread(target=hold_lock, args=(order_a.pk, locked, errors), daemon=True)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        assert not errors

        started = time.monotonic()
        services.hold_order(order=order_b, reason="buyer asked to wait")
        other_order = time.monotonic() - started

        started = time.monotonic()
        with transaction.atomic():
            lock_order(order_a)  # the same order: waits for the holder
        same_order = time.monotonic() - started
    finally:
        holder.join(timeout=10)
    assert not errors
    assert other_order < 0.5, f"a write to another order of the shop waited {other_order:.2f}s"
    assert same_order > 0.8, f"a second lock on the same order did not wait ({same_order:.2f}s)"
    order_b.refresh_from_db()
    assert order_b.status == OrderStatus.ON_HOLD
