"""The ledger, the database's own guard against negative stock, and reconcile_stock."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from inventory import services
from inventory.models import StockLevel, StockMovement
from inventory.services import StockError, StockRequest
from tests.inventory.factories import BinFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_negative_stock(stocked, main):
    """Acceptance 2: a direct write that bypasses the services still cannot store negative stock."""
    tee = stocked("TEE-BLK-M", 2)
    level = StockLevel.objects.get(sku=tee, location=main)
    for values in ({"on_hand": -1, "reserved": 0}, {"on_hand": 2, "reserved": 3}, {"on_hand": 2, "reserved": -1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            StockLevel.objects.filter(pk=level.pk).update(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(sku=SKUFactory(), location=main, on_hand=-5)
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (2, 0)


def test_every_change_writes_one_ledger_row_with_its_reason(stocked, main, owner_user):
    bin_a = BinFactory(code="A-01")
    tee = stocked("TEE-BLK-M", 0)
    services.receive(sku=tee, location=bin_a, quantity=10, user=owner_user, reference="PO-1")
    services.adjust(sku=tee, location=bin_a, quantity=-1, reason="adjustment", note="damaged", user=owner_user)
    services.transfer(sku=tee, from_location=bin_a, to_location=main, quantity=4, user=owner_user)
    services.count(sku=tee, location=main, counted=3, user=owner_user, note="cycle count")
    services.adjust(sku=tee, location=main, quantity=2, reason="return", reference="RMA-7")
    rows = list(StockMovement.objects.order_by("id").values_list("reason", "location__code", "on_hand_change", "note"))
    assert rows == [
        ("receipt", "A-01", 10, ""), ("adjustment", "A-01", -1, "damaged"), ("transfer", "A-01", -4, "A-01 -> MAIN"),
        ("transfer", "MAIN", 4, "A-01 -> MAIN"), ("count", "MAIN", -1, "cycle count"), ("return", "MAIN", 2, ""),
    ]
    assert StockMovement.objects.filter(user=owner_user).count() == 5
    out = io.StringIO()
    call_command("reconcile_stock", stdout=out)
    assert "OK: 2 stock levels match" in out.getvalue()


def test_clear_errors_change_nothing(stocked, main):
    tee = stocked("TEE-BLK-M", 3)
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 2)])
    east = LocationFactory(code="EAST")
    cases = [
        (lambda: services.adjust(sku=tee, location=main, quantity=-5, reason="adjustment"),
         "Cannot remove 5: TEE-BLK-M at MAIN has 3 on hand, 2 reserved for orders."),
        (lambda: services.adjust(sku=tee, location=main, quantity=3, reason="sale"), "A sale must have a negative"),
        (lambda: services.adjust(sku=tee, location=main, quantity=1, reason="reservation"), "not a reason"),
        (lambda: services.adjust(sku=tee, location=main, quantity=0, reason="adjustment"), "other than zero"),
        (lambda: services.transfer(sku=tee, from_location=main, to_location=east, quantity=2),
         "at most 1 can be moved"),
        (lambda: services.receive(sku=tee, location=main, quantity=-1), "positive whole number"),
        (lambda: services.reserve(reference="o2", requests=[StockRequest("1", tee.pk, 0)]), "positive whole number"),
        (lambda: services.reserve(reference="", requests=[StockRequest("1", tee.pk, 1)]), "needs a reference"),
    ]
    for call, message in cases:
        with pytest.raises(StockError) as err:
            call()
        assert message in str(err.value)
    assert StockMovement.objects.count() == 2  # the receipt and the reservation
    level = StockLevel.objects.get(sku=tee, location=main)
    assert (level.on_hand, level.reserved) == (3, 2)


def test_reconcile_reports_drift(stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    mug = stocked("MUG-01", 1)
    StockLevel.objects.filter(sku=tee).update(on_hand=7)  # someone bypassed the services
    StockLevel.objects.filter(sku=mug).update(reserved=1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 stock levels drifted"):
        call_command("reconcile_stock", stdout=out)
    text = out.getvalue()
    assert "DRIFT TEE-BLK-M at MAIN: level says 7 on hand / 0 reserved, the ledger adds up to 5 / 0" in text
    assert "DRIFT MUG-01 at MAIN: level says 1 on hand / 1 reserved, the ledger adds up to 1 / 0; " \
           "0 units are held by active reservations" in text
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile_stock", "--sku", "TEE-BLK-M", "--json", stdout=out)
    assert '"ledger_on_hand": 5' in out.getvalue()


def test_partial_reconfirm_reserves_only_what_is_missing(stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    services.reserve(reference="order:9", requests=[StockRequest("1", tee.pk, 2)])
    res = services.reserve(reference="order:9", requests=[StockRequest("1", tee.pk, 3)])
    assert sum(r.quantity for r in res) == 3
    assert StockLevel.objects.get(sku=tee, location=main).reserved == 3
    with pytest.raises(services.InsufficientStock, match="TEE-BLK-M needs 3, 2 available"):
        services.reserve(reference="order:9", requests=[StockRequest("1", tee.pk, 6)])
    assert StockLevel.objects.get(sku=tee, location=main).reserved == 3


def test_outbox_listeners_run_after_commit_only(stocked, main, django_capture_on_commit_callbacks):
    from tests.inventory.factories import ListingFactory

    tee = stocked("TEE-BLK-M", 5)
    ListingFactory(sku=tee)
    calls = []
    registered = list(services._outbox_listeners)  # e.g. channel sync's: put back afterwards
    services.on_outbox_written(lambda ids: calls.append(ids))
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.adjust(sku=tee, location=main, quantity=-1, reason="adjustment")
        assert calls == [] and len(callbacks) == 1
        callbacks[0]()
        assert len(calls) == 1 and len(calls[0]) == 1
        # a failing listener (Redis down) never breaks the committed change
        services.on_outbox_written(lambda ids: 1 / 0)
        with django_capture_on_commit_callbacks(execute=True):
            services.adjust(sku=tee, location=main, quantity=-1, reason="adjustment")
        assert StockLevel.objects.get(sku=tee, location=main).on_hand == 3
    finally:
        services._outbox_listeners[:] = registered


def test_nightly_reconcile_job_reports_drift(stocked, main):
    from inventory.cron import reconcile_stock_job

    tee = stocked("TEE-BLK-M", 5)
    assert reconcile_stock_job()["drifted"] == 0
    StockLevel.objects.filter(sku=tee).update(on_hand=4)
    result = reconcile_stock_job()
    assert result["drifted"] == 1 and result["drift"][0]["sku"] == "TEE-BLK-M"
