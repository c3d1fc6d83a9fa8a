"""Undoing a receiving scan: a service that locks the scan's stock level and ledger row and marks
the scan undone in the append-only ledger (the undo row `reverses` it, a unique key), so a scan
is undone at most once: two presses of "Undo last scan" on one page undo one scan."""

import threading

import pytest
from django.db import IntegrityError, connection

from inventory import selectors, services
from inventory.models import StockLevel, StockMovement
from tests.inventory.factories import BinFactory, SKUFactory, make_ean13


def on_hand(sku, location):
    return StockLevel.objects.get(sku=sku, location=location).on_hand


@pytest.fixture
def delivery(main):
    """Two scans of PO-9 into MAIN: +2 then +5 of TEE-BLK-M."""
    tee = SKUFactory(seller_sku="TEE-BLK-M")
    first = services.receive(sku=tee, location=main, quantity=2, reference="PO-9", note="scanned 1")
    second = services.receive(sku=tee, location=main, quantity=5, reference="PO-9", note="scanned 2")
    return tee, first, second


def test_undo_appends_a_row_that_reverses_the_last_scan(delivery, main):
    tee, first, second = delivery
    undone = services.undo_last_scan(reference="PO-9")
    assert undone.reverses_id == second.pk and undone.on_hand_change == -5 and undone.reason == "adjustment"
    assert undone.note == f"undo scan #{second.pk}" and undone.reference == "PO-9"
    assert on_hand(tee, main) == 2
    assert StockMovement.objects.get(pk=second.pk).reversed_by == undone  # the scan row itself is unchanged
    # the next undo takes the scan before it; then nothing is left
    assert services.undo_last_scan(reference="PO-9").reverses_id == first.pk
    assert on_hand(tee, main) == 0
    with pytest.raises(services.StockError, match="Nothing left to undo in this delivery."):
        services.undo_last_scan(reference="PO-9")


def test_two_presses_on_one_page_undo_one_scan(delivery, main):
    tee, first, second = delivery
    seen = selectors.delivery_mark("PO-9")  # what the page showed when undo was pressed (twice)
    assert seen == second.pk
    services.undo_last_scan(reference="PO-9", seen_up_to=seen)
    with pytest.raises(services.ScanAlreadyUndone):
        services.undo_last_scan(reference="PO-9", seen_up_to=seen)
    assert on_hand(tee, main) == 2
    assert StockMovement.objects.filter(reference="PO-9", reverses__isnull=False).count() == 1
    # a scan made after the page was shown, then undo: the new scan is undone
    third = services.receive(sku=tee, location=main, quantity=1, reference="PO-9")
    seen = selectors.delivery_mark("PO-9")
    assert services.undo_last_scan(reference="PO-9", seen_up_to=seen).reverses_id == third.pk


def test_a_scan_cannot_be_reversed_twice_in_the_ledger(delivery, main):
    tee, _first, second = delivery
    services.undo_last_scan(reference="PO-9")
    with pytest.raises(IntegrityError):
        StockMovement.objects.create(sku=tee, location=main, on_hand_change=-5, reason="adjustment",
                                     reference="PO-9", reverses=second)


def test_undo_never_takes_reserved_units(delivery, main):
    tee, _first, _second = delivery
    services.reserve(reference="order:1", requests=[services.StockRequest("1", tee.pk, 4)])
    with pytest.raises(services.StockError, match="at most 3 can be removed"):
        services.undo_last_scan(reference="PO-9")
    assert on_hand(tee, main) == 7 and not StockMovement.objects.filter(reverses__isnull=False).exists()


def test_double_press_on_the_receiving_page_undoes_one_scan(warehouse_client):
    bin_a = BinFactory(code="A-01")
    tee = SKUFactory(seller_sku="TEE-BLK-M", barcode=make_ean13(7))
    scan = {"location": "A-01", "reference": "PO-77", "quantity": "1", "scan": "1"}
    for quantity in ("3", "12"):
        warehouse_client.post("/inventory/receive/", {**scan, "quantity": quantity, "code": make_ean13(7)},
                              HTTP_HX_REQUEST="true")
    page = warehouse_client.get("/inventory/receive/?location=A-01&reference=PO-77").content.decode()
    seen = str(selectors.delivery_mark("PO-77"))
    assert f'name="seen" value="{seen}" form="receive-form"' in page
    first = warehouse_client.post("/inventory/receive/", {**scan, "undo": "1", "seen": seen},
                                  HTTP_HX_REQUEST="true").content.decode()
    second = warehouse_client.post("/inventory/receive/", {**scan, "undo": "1", "seen": seen},
                                   HTTP_HX_REQUEST="true").content.decode()
    assert "Undid the last scan: -12 TEE-BLK-M from A-01" in first
    assert 'role="alert"' in second and "already undone" in second
    assert StockLevel.objects.get(sku=tee, location=bin_a).on_hand == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_undos_of_one_scan_on_postgres(on_postgres, main):
    tee = SKUFactory(seller_sku="RACE-UNDO")
    services.receive(sku=tee, location=main, quantity=4, reference="PO-RACE")
    scan = services.receive(sku=tee, location=main, quantity=6, reference="PO-RACE")
    def press(index, seen, start, results):
        try:
            start.wait(timeout=10)
            results[index] = services.undo_last_scan(reference="PO-RACE", seen_up_to=seen)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    for _round in range(6):
        start, results = threading.Barrier(2), [None, None]
        # Both presses come from one page, so they carry the same mark: one undo, one refusal. (Two
        # calls without a mark are two undos when one starts after the other committed.)
        seen = selectors.delivery_mark("PO-RACE")
        threads = [threading.Thread(target=press, args=(i, seen, start, results)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        done = [r for r in results if isinstance(r, StockMovement)]
        refused = [r for r in results if isinstance(r, services.ScanAlreadyUndone)]
        assert len(done) == 1 and len(refused) == 1, results
        assert done[0].reverses_id == scan.pk
        assert on_hand(tee, main) == 4
        # receive the units again for the next round: a new scan to race on
        scan = services.receive(sku=tee, location=main, quantity=6, reference="PO-RACE")
    assert StockMovement.objects.filter(reference="PO-RACE", reverses__isnull=False).count() == 6
