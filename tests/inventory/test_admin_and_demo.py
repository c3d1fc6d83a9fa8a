"""Admin for ops (levels and ledger read-only, changes through actions that write the ledger) and the
demo data."""


import pytest

from devtools.demo import inventory as inventory_demo
from inventory import services
from inventory.models import SKU, Location, Reservation, StockLevel, StockMovement
from inventory.selectors import reconcile
from inventory.services import StockRequest

pytestmark = pytest.mark.django_db


def test_levels_and_movements_are_read_only_in_the_admin(client, ops_user, stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    level = StockLevel.objects.get(sku=tee, location=main)
    move = StockMovement.objects.get()
    client.force_login(ops_user)
    assert client.get("/admin/inventory/stocklevel/").status_code == 200
    page = client.get(f"/admin/inventory/stocklevel/{level.pk}/change/").content.decode()
    assert 'name="on_hand"' not in page  # shown, not editable
    response = client.post(f"/admin/inventory/stocklevel/{level.pk}/change/", {"on_hand": 99, "reserved": 0})
    assert response.status_code == 403
    assert client.post(f"/admin/inventory/stockmovement/{move.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/inventory/stocklevel/add/").status_code == 403
    level.refresh_from_db()
    assert level.on_hand == 5 and StockMovement.objects.count() == 1


def test_admin_count_action_writes_the_ledger(client, ops_user, stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    level = StockLevel.objects.get(sku=tee, location=main)
    client.force_login(ops_user)
    form = client.post("/admin/inventory/stocklevel/", {"action": "count_levels", "_selected_action": [level.pk]})
    assert form.status_code == 200 and f'name="counted_{level.pk}"' in form.content.decode()
    response = client.post("/admin/inventory/stocklevel/", {
        "action": "count_levels", "_selected_action": [level.pk], "apply": "1", f"counted_{level.pk}": "8",
        "note": "found a box"})
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.on_hand == 8
    move = StockMovement.objects.get(reason="count")
    assert (move.on_hand_change, move.note, move.user) == (3, "found a box", ops_user)


def test_admin_edits_skus_and_locations_and_releases_reservations(client, ops_user, stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    services.reserve(reference="order:1", requests=[StockRequest("1", tee.pk, 2)])
    client.force_login(ops_user)
    response = client.post(f"/admin/inventory/sku/{tee.pk}/change/", {
        "seller_sku": "TEE-BLK-M", "name": "Renamed tee", "attributes": "{}", "barcode": "", "reorder_point": 3,
        "safety_stock_days": 7, "active": "on", "levels-TOTAL_FORMS": 0, "levels-INITIAL_FORMS": 1,
        "levels-MIN_NUM_FORMS": 0, "levels-MAX_NUM_FORMS": 1000})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SKU.objects.get(pk=tee.pk).name == "Renamed tee"
    response = client.post("/admin/inventory/location/add/", {"code": "B-07", "name": "Bay 7", "kind": "bin",
                                                                "parent": main.pk, "sellable": "on", "active": "on",
                                                                "pick_sequence": 70, "country": "US"})
    assert response.status_code == 302 and Location.objects.filter(code="B-07", parent=main).exists()
    reservation = Reservation.objects.get()
    response = client.post("/admin/inventory/reservation/", {"action": "release_references",
                                                              "_selected_action": [reservation.pk]})
    assert response.status_code == 302
    assert StockLevel.objects.get(sku=tee, location=main).reserved == 0
    assert StockMovement.objects.filter(reason="release", user=ops_user).count() == 1


def test_demo_data_loads_twice_without_doubling_stock(owner_user, warehouse_user, ops_user):
    users = {"owner": owner_user, "warehouse": warehouse_user, "ops": ops_user}
    inventory_demo.load(users=users)
    skus, moves = SKU.objects.count(), StockMovement.objects.count()
    assert skus >= 30 and SKU.objects.exclude(barcode="").count() == skus
    assert Location.objects.filter(kind="bin", parent__code="MAIN").count() >= 4
    assert Location.objects.filter(kind="fbt").exists()
    inventory_demo.load(users=users)
    assert (SKU.objects.count(), StockMovement.objects.count()) == (skus, moves)
    assert reconcile()[1] == []
    from inventory.selectors import low_stock_summary

    assert low_stock_summary()["count"] >= 3
