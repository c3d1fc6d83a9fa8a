"""Acceptance 4 (issue 13): a count a scanner can do. A count below reserved is recorded, the ledger
shows the difference, and the orders that lost their stock wait under needs-attention with "short
after count", newest first; a POST without the bin or the session records nothing; the cycle-count
list names what to count today."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import Reservation, StockLevel, StockMovement
from orders import services as order_services
from orders.models import AttentionReason, OrderEvent, OrderStatus
from orders.selectors import attention_counts, queue_counts
from tests.inventory.factories import BinFactory, make_ean13
from tests.orders.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
S = OrderStatus


def level(sku, location):
    row = StockLevel.objects.get(sku=sku, location=location)
    return row.on_hand, row.reserved


@pytest.fixture
def shelf(stocked):
    """A-01 holds 3 TEE-BLK-M, all reserved by three confirmed orders placed one hour apart."""
    bin_a = BinFactory(code="A-01", name="Aisle A shelf 1")
    tee = stocked("TEE-BLK-M", 3, location=bin_a, barcode=make_ean13(11), name="Classic tee black M")
    orders = []
    for hours in (3, 2, 1):  # oldest first
        order = OrderFactory(status=S.AWAITING_CONFIRMATION, created_at=timezone.now() - dt.timedelta(hours=hours))
        OrderLineFactory(order=order, sku=tee, quantity=1)
        assert order_services.confirm_order(order=order).confirmed
        orders.append(order)
    assert level(tee, bin_a) == (3, 3)
    return bin_a, tee, orders


def scan(client, session, code="", **fields):
    return client.post("/inventory/count/", {"session": session, "code": code, **fields},
                       headers={"HX-Request": "true"})


def test_a_count_below_reserved_is_recorded_and_the_newest_orders_need_attention(
        shelf, owner_client, django_capture_on_commit_callbacks):
    bin_a, tee, (oldest, middle, newest) = shelf
    warehouse_client = owner_client  # the owner counts too (one client: the fixtures share it)
    page = scan(warehouse_client, "CNT-T1", "A-01").content.decode()
    assert "Counting <strong data-bin>A-01</strong>" in page
    page = scan(warehouse_client, "CNT-T1", make_ean13(11)).content.decode()
    assert "Classic tee black M" in page and "Reserved here</dt><dd>3" in page  # the product is named
    assert scan(warehouse_client, "CNT-T1", "TEE-BLK-M").status_code == 200  # 2 on the shelf

    with django_capture_on_commit_callbacks(execute=True):
        response = scan(warehouse_client, "CNT-T1", action="record")
    text = response.content.decode()
    assert response.status_code == 200, text
    assert "Recorded the count of A-01: TEE-BLK-M -1." in text and "1 order(s)" in text

    assert level(tee, bin_a) == (2, 2)  # what is on the shelf, and only what fits stays reserved
    count_row = StockMovement.objects.get(sku=tee, reason="count")
    assert (count_row.on_hand_change, count_row.location_id) == (-1, bin_a.pk)  # the ledger shows the difference
    release = StockMovement.objects.get(sku=tee, reason="release")
    assert (release.reserved_change, release.reference) == (-1, newest.reservation_reference)
    assert StockLevel.objects.get(sku=tee, location=bin_a).last_counted_at is not None

    for order in (oldest, middle, newest):
        order.refresh_from_db()
    assert newest.status == S.AWAITING_CONFIRMATION
    assert newest.attention_reason == AttentionReason.SHORT_AFTER_COUNT
    assert "TEE-BLK-M at A-01 counted short" in newest.attention_detail
    assert not Reservation.objects.filter(reference=newest.reservation_reference, state="active").exists()
    assert (oldest.status, oldest.attention_reason) == (S.CONFIRMED, "")
    assert (middle.status, middle.attention_reason) == (S.CONFIRMED, "")
    assert OrderEvent.objects.filter(order=newest, kind="attention").exists()

    # The owner sees it under needs-attention, and the dashboard's count follows.
    page = owner_client.get("/orders/attention/").content.decode()
    assert "Short after count" in page and newest.external_id in page
    assert order_services.possible_actions(newest) >= {"rerun", "cancel"}
    assert attention_counts()["short_after_count"] == 1 and queue_counts()["attention"] == 1  # the dashboard's count


def test_orders_short_after_count_are_listed_newest_first(shelf, owner_client, owner_user,
                                                          django_capture_on_commit_callbacks):
    bin_a, tee, (oldest, middle, newest) = shelf
    with django_capture_on_commit_callbacks(execute=True):
        result = services.record_count(location=bin_a, counts=[(tee, 1)], user=owner_user)
    assert result.released_references == [newest.reservation_reference, middle.reservation_reference]
    assert level(tee, bin_a) == (1, 1)
    page = owner_client.get("/orders/attention/").content.decode()
    section = page[page.index('id="short-after-count"'):page.index('id="short"')]
    assert section.index(newest.external_id) < section.index(middle.external_id)
    assert oldest.external_id not in section


def test_a_count_without_a_hook_still_records(shelf, owner_user, monkeypatch):
    from inventory import hooks

    monkeypatch.setattr(hooks, "_released_after_count", [])
    bin_a, tee, _orders = shelf
    result = services.record_count(location=bin_a, counts=[(tee.pk, 0)], user=owner_user)
    assert level(tee, bin_a) == (0, 0) and len(result.released) == 3


@pytest.mark.parametrize("post", [
    {},  # Enter on an empty page: no session
    {"code": "TEE-BLK-M"},  # no session
    {"session": "CNT-X", "action": "record"},  # no bin scanned
    {"session": "CNT-X", "action": "record", "code": "A-01"},  # a record is never a scan
], ids=["empty", "no-session", "no-bin", "record-with-code"])
def test_a_half_count_records_nothing(shelf, warehouse_client, post):
    bin_a, tee, _orders = shelf
    before = StockMovement.objects.count()
    response = warehouse_client.post("/inventory/count/", post)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "Nothing was recorded." in response.content.decode()
    assert StockMovement.objects.count() == before and level(tee, bin_a) == (3, 3)


def test_enter_on_an_empty_scan_and_items_before_the_bin_count_nothing(shelf, warehouse_client):
    _bin, tee, _orders = shelf
    page = scan(warehouse_client, "CNT-E", "").content.decode()
    assert "Nothing scanned yet." in page and "No bin yet" in page
    page = scan(warehouse_client, "CNT-E", "TEE-BLK-M").content.decode()
    assert "TEE-BLK-M is an item: scan the bin label first." in page
    page = scan(warehouse_client, "CNT-E", "A-01").content.decode()
    page = scan(warehouse_client, "CNT-E", "NOPE-1").content.decode()
    assert "Unknown barcode NOPE-1: not counted." in page and "Nothing scanned yet." in page


def test_the_quantity_key_undo_and_a_count_above_reserved(shelf, warehouse_client):
    bin_a, tee, _orders = shelf
    scan(warehouse_client, "CNT-Q", "A-01")
    page = scan(warehouse_client, "CNT-Q", "4*TEE-BLK-M").content.decode()  # the quantity key, server side
    assert "+4 TEE-BLK-M" in page
    page = scan(warehouse_client, "CNT-Q", "TEE-BLK-M", quantity="2").content.decode()  # the × field
    assert "counted 6" in page
    page = scan(warehouse_client, "CNT-Q", action="undo").content.decode()
    assert "Undid the last scan: −2 TEE-BLK-M" in page and '<td class="num">4</td>' in page
    page = scan(warehouse_client, "CNT-Q", action="record").content.decode()
    assert "TEE-BLK-M +1" in page
    assert level(tee, bin_a) == (4, 3)
    assert not StockMovement.objects.filter(reason="release").exists()


def test_the_page_works_without_javascript(shelf, warehouse_client):
    bin_a, tee, _orders = shelf
    page = warehouse_client.get("/inventory/count/?location=A-01").content.decode()
    assert 'id="id_code"' in page and "autofocus" in page and "Counting <strong data-bin>A-01" in page
    session = page.split('name="session" value="')[1].split('"')[0]
    response = warehouse_client.post("/inventory/count/", {"session": session, "code": "TEE-BLK-M"})
    assert response.status_code == 302
    page = warehouse_client.get(response["Location"]).content.decode()
    assert "+1 TEE-BLK-M" in page and "Classic tee black M" in page
    assert "Record count <kbd>F2</kbd>" in page


def test_cycle_counts_list_what_moved_or_was_not_counted(stocked, warehouse_client, owner_user, main):
    bin_a, bin_b = BinFactory(code="A-01"), BinFactory(code="B-01")
    busy = stocked("BUSY-1", 10, location=bin_a)
    for _ in range(3):
        services.adjust(sku=busy, location=bin_a, quantity=-1, reason="adjustment")
    quiet = stocked("QUIET-1", 5, location=bin_b)
    StockMovement.objects.filter(sku=quiet).update(created_at=timezone.now() - dt.timedelta(days=60))
    counted = stocked("DONE-1", 5, location=bin_b)
    services.record_count(location=bin_b, counts=[(counted, 5)], user=owner_user)

    page = warehouse_client.get("/inventory/count/today/").content.decode()
    assert page.index("BUSY-1") < page.index("QUIET-1")  # most movement first
    assert "4 movement(s) in 7 days" in page and "never counted" in page
    assert "DONE-1" not in page  # counted today
    assert "/inventory/count/?location=A-01" in page

    page = warehouse_client.get("/inventory/count/today/?movement_days=1&days=90&limit=1").content.decode()
    assert "BUSY-1" in page and "QUIET-1" not in page
    StockLevel.objects.filter(sku=quiet).update(last_counted_at=timezone.now() - dt.timedelta(days=45))
    page = warehouse_client.get("/inventory/count/today/?days=30").content.decode()
    assert "not counted for 45 days" in page
    page = warehouse_client.get("/inventory/count/today/?days=60").content.decode()
    assert "QUIET-1" not in page


def test_count_pages_are_for_the_warehouse(client, ops_user):
    client.force_login(ops_user)
    assert client.get("/inventory/count/today/").status_code == 403


def test_the_demo_has_counts_due_and_a_shelf_that_counts_short(role_users, django_capture_on_commit_callbacks):
    from devtools.demo import inventory as inventory_demo
    from devtools.demo import orders as orders_demo
    from inventory.models import Location
    from inventory.selectors import cycle_count_due
    from orders.models import Order

    users = {"warehouse": role_users["Warehouse"], "owner": role_users["Owner"], "ops": role_users["Ops"]}
    inventory_demo.load(users=users)
    orders_demo.load(users=users)
    due = {row.location.code for row in cycle_count_due(days=30, movement_days=7, limit=500)}
    assert {"A-01", "A-02", "A-03"} <= due and "B-01" not in due

    code, seller_sku, on_shelf = inventory_demo.SHORT_SHELF
    bin_code = Location.objects.get(code=code)
    tee = StockLevel.objects.get(location=bin_code, sku__seller_sku=seller_sku)
    assert tee.reserved > on_shelf
    with django_capture_on_commit_callbacks(execute=True):
        services.record_count(location=bin_code, counts=[(tee.sku_id, on_shelf)], user=users["warehouse"])
    assert Order.objects.filter(attention_reason=AttentionReason.SHORT_AFTER_COUNT).exists()
