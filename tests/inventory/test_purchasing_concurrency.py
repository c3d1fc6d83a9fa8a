"""PostgreSQL, real threads: scans of one purchase order at the same moment (two scanners on one
delivery) all count, and drafts made at the same moment get distinct numbers."""

import threading

import pytest
from django.db import connection

from inventory.models import StockLevel, StockMovement
from inventory.purchasing import receiving, services
from inventory.purchasing_models import PurchaseOrder, Supplier
from tests.inventory.factories import SKUFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def together(work):
    start, errors = threading.Barrier(THREADS), []

    def run(index):
        try:
            start.wait()
            work(index)
        except Exception as exc:  # any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_simultaneous_scans_and_drafts(on_postgres, main):
    tee = SKUFactory(seller_sku="TEE-BLK-M")
    supplier = Supplier.objects.create(name="Northbound Mills")
    po = services.create_draft_po(supplier=supplier, lines=[(tee, 10, 1)])
    PurchaseOrder.objects.filter(pk=po.pk).update(status="sent")

    errors = together(lambda i: receiving.receive_against_po(purchase_order_id=po.pk, sku=tee, quantity=1))
    assert errors == []
    po.refresh_from_db()
    line = po.lines.get()
    assert line.quantity_received == THREADS and po.status == "partly_received"
    assert StockLevel.objects.get(sku=tee, location=main).on_hand == THREADS
    assert StockMovement.objects.filter(reference=f"po:{po.number}").count() == THREADS

    errors = together(lambda i: services.create_draft_po(supplier=supplier, lines=[(tee, 1, 1)]))
    assert errors == []
    numbers = list(PurchaseOrder.objects.values_list("number", flat=True))
    assert len(numbers) == THREADS + 1 == len(set(numbers))
