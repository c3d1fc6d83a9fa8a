"""The packing station: scan the order (or its tote), then each item; a wrong item, one too many
or an unknown barcode is refused and recorded; the order can't be packed until every unit is
verified; a manual override needs a reason and is kept; the box closes as a package."""

import pytest
from django.urls import reverse

from fulfilment import selectors, services
from fulfilment.models import BoxPreset, Package, PackingSession, PackScan
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_order, warehouse_user):
    order = make_order("W-100", {"TEE-BLK-M": 2, "MUG-01": 1})
    services.create_pick_list(order_ids=[order.pk], user=warehouse_user)
    order.refresh_from_db()
    return order


def test_scans_are_checked_against_the_order(order, skus, warehouse_user):
    session = services.start_packing(order=order, user=warehouse_user)
    tee, mug, cap = skus["TEE-BLK-M"].barcode, skus["MUG-01"].barcode, skus["CAP-BLK"].barcode
    assert services.scan_item(session=session, code=tee, user=warehouse_user).ok
    wrong = services.scan_item(session=session, code=cap, user=warehouse_user)
    assert (wrong.ok, wrong.outcome) == (False, "wrong_item")
    assert wrong.message == "Wrong item: CAP-BLK is not in order W-100. Put it back."
    unknown = services.scan_item(session=session, code="0000000000000", user=warehouse_user)
    assert unknown.outcome == "unknown" and "Unknown barcode 0000000000000" in unknown.message
    assert services.scan_item(session=session, code="tee-blk-m", user=warehouse_user).ok  # the SKU typed
    too_many = services.scan_item(session=session, code=tee, user=warehouse_user)
    assert too_many.outcome == "too_many"
    assert "needs 2 × TEE-BLK-M and all are already scanned" in too_many.message
    with pytest.raises(services.FulfilmentError, match=r"can't be packed yet: scan 1 × MUG-01"):
        services.finish_packing(session=session, weight_grams=700, user=warehouse_user)
    last = services.scan_item(session=session, code=mug, user=warehouse_user)
    assert last.ok and last.state.complete
    assert list(PackScan.objects.filter(session=session).values_list("outcome", flat=True)) == [
        "ok", "wrong_item", "unknown", "ok", "too_many", "ok"]

    package = services.finish_packing(session=session, weight_grams=720, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED
    assert package.status == Package.Status.DRAFT and package.weight_grams == 720
    assert sorted((pl.order_line.sku.seller_sku, pl.quantity) for pl in package.lines.all()) == [
        ("MUG-01", 1), ("TEE-BLK-M", 2)]
    session.refresh_from_db()
    assert session.status == PackingSession.Status.PACKED and session.package == package


def test_override_needs_a_reason_and_is_recorded(order, skus, warehouse_user, box):
    session = services.start_packing(order=order, user=warehouse_user)
    services.scan_item(session=session, code=skus["MUG-01"].barcode, user=warehouse_user)
    with pytest.raises(services.FulfilmentError, match="Say why"):
        services.override_packing(session=session, reason="  ", user=warehouse_user)
    services.override_packing(session=session, reason="barcode torn off", user=warehouse_user)
    session.refresh_from_db()
    assert session.override_reason == "barcode torn off" and session.override_by == warehouse_user
    assert order.events.filter(kind="packing_override", message__contains="barcode torn off").exists()
    package = services.finish_packing(session=session, weight_grams=800, box=box, user=warehouse_user)
    assert (package.box, package.length_mm, package.height_mm) == (box, 250, 100)


def test_a_partial_box_and_then_the_rest(order, skus, warehouse_user):
    session = services.start_packing(order=order, user=warehouse_user)
    services.scan_item(session=session, code=skus["MUG-01"].barcode, user=warehouse_user)
    first = services.finish_packing(session=session, weight_grams=500, partial=True, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKING  # two tees still to pack
    second_session = services.start_packing(order=order, user=warehouse_user)
    state = selectors.pack_state(second_session)
    assert [(pl.line.sku.seller_sku, pl.to_pack) for pl in state.active_lines] == [("TEE-BLK-M", 2)]
    mug = services.scan_item(session=second_session, code=skus["MUG-01"].barcode, user=warehouse_user)
    assert mug.outcome == "too_many" and "already in a package" in mug.message
    for _ in range(2):
        services.scan_item(session=second_session, code=skus["TEE-BLK-M"].barcode, user=warehouse_user)
    second = services.finish_packing(session=second_session, weight_grams=400, user=warehouse_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED and first.pk != second.pk


def test_the_station_by_scanner_keyboard_answers(order, skus, warehouse_client):
    # the order's tote or number opens its station
    start = warehouse_client.get(reverse("fulfilment:pack") + "?code=w-100")
    assert start.status_code == 302 and start["Location"] == reverse("fulfilment:pack_order", args=[order.pk])
    page = warehouse_client.get(start["Location"])
    assert page.status_code == 200 and b"Item barcode" in page.content
    scan_url = reverse("fulfilment:pack_scan", args=[order.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    ok = warehouse_client.post(scan_url, {"code": skus["TEE-BLK-M"].barcode}, **htmx)
    assert ok["X-Scan-Outcome"] == "ok" and ok["X-Pack-Complete"] == "0"
    bad = warehouse_client.post(scan_url, {"code": skus["CAP-BLK"].barcode}, **htmx)
    assert bad["X-Scan-Outcome"] == "wrong_item"
    assert b'role="alert"' in bad.content and b"Wrong item: CAP-BLK" in bad.content
    # packing before everything is verified is refused, with the reason
    refused = warehouse_client.post(reverse("fulfilment:pack_finish", args=[order.pk]), {"weight": "700", "unit": "g"})
    assert refused.status_code == 400 and b"can&#x27;t be packed yet" in refused.content
    for code in (skus["TEE-BLK-M"].barcode, skus["MUG-01"].barcode):
        last = warehouse_client.post(scan_url, {"code": code}, **htmx)
    assert last["X-Pack-Complete"] == "1"
    done = warehouse_client.post(reverse("fulfilment:pack_finish", args=[order.pk]), {"weight": "1.6", "unit": "lb"})
    package = Package.objects.get(order=order)
    assert done["Location"] == reverse("fulfilment:package", args=[package.pk])
    assert package.weight_grams == 726  # 1.6 lb


def test_scanning_another_orders_slip_switches_to_it(order, make_order, skus, warehouse_client):
    other = make_order("W-200", {"CAP-BLK": 1})
    warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk]))
    answer = warehouse_client.post(reverse("fulfilment:pack_scan", args=[order.pk]), {"code": "W-200"},
                                   HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["X-Redirect"] == reverse("fulfilment:pack_order", args=[other.pk])


def test_ops_may_not_pack(order, client, ops_user):
    client.force_login(ops_user)
    assert client.get(reverse("fulfilment:pack_order", args=[order.pk])).status_code == 403
    assert client.post(reverse("fulfilment:pack_scan", args=[order.pk]), {"code": "x"}).status_code == 403


def test_scanning_a_boxs_barcode_chooses_the_box(order, warehouse_client):
    box = BoxPreset.objects.create(name="Medium", length_mm=300, width_mm=250, height_mm=150, barcode="BOX-M")
    warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk]))
    answer = warehouse_client.post(reverse("fulfilment:pack_scan", args=[order.pk]), {"code": "box-m"},
                                   HTTP_HX_REQUEST="true")
    assert answer["X-Scan-Outcome"] == "box" and answer["X-Select-Box"] == str(box.pk)
    assert b"Box: Medium" in answer.content
    assert not PackScan.objects.filter(code__iexact="box-m").exists()  # not an item scan


def test_opening_the_station_creates_no_session(order, skus, warehouse_client):
    page = warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk]))
    assert page.status_code == 200 and b"Item barcode" in page.content
    assert not PackingSession.objects.filter(order=order).exists()  # a GET writes nothing
    warehouse_client.post(reverse("fulfilment:pack_scan", args=[order.pk]), {"code": skus["MUG-01"].barcode})
    session = PackingSession.objects.get(order=order)  # the first scan opens it
    assert session.status == PackingSession.Status.OPEN and session.scans.count() == 1


def test_a_cancelled_order_has_no_station(order, warehouse_client):
    Order = type(order)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    answer = warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("fulfilment:pack")
    assert not PackingSession.objects.exists()

