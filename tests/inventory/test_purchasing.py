"""Suppliers and purchase orders: drafting, editing a draft, sending (PDF emailed, the sending
recorded), cancelling, receiving against an order by scanning (ledger receipts, over/under
receipt per line, the order's status following, undo), stock on order on the stock views, and
who may do what."""

import pytest
from django.core import mail
from django.urls import reverse

from inventory.models import StockLevel, StockMovement
from inventory.purchasing import receiving, selectors, sending, services
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderSend, Supplier, SupplierSKU
from tests.inventory.factories import BinFactory, SKUFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="Northbound Mills", email="orders@northbound.example", contact_name="Nora",
                                   lead_time_days=10)


@pytest.fixture
def tee(db):
    return SKUFactory(seller_sku="TEE-BLK-M", barcode="4006381333931")


@pytest.fixture
def mug(db):
    return SKUFactory(seller_sku="MUG-01")


@pytest.fixture
def sent_po(supplier, tee, mug, main):
    po = services.create_draft_po(supplier=supplier, lines=[(tee, 10, "3.20"), (mug, 4, "5.00")])
    PurchaseOrder.objects.filter(pk=po.pk).update(status="sent")
    po.refresh_from_db()
    return po


def on_hand(sku, location):
    level = StockLevel.objects.filter(sku=sku, location=location).first()
    return level.on_hand if level else 0


def test_drafts_are_numbered_from_their_id_and_lines_merge(supplier, tee, mug, main):
    first = services.create_draft_po(supplier=supplier, lines=[(tee, 2, 1), (tee, 3, 1), (mug, 1, 0)])
    second = services.create_draft_po(supplier=supplier, lines=[(mug, 1, 0)])
    assert first.number == f"PO-{first.pk:05d}" and second.number == f"PO-{second.pk:05d}"
    assert {line.sku_id: line.quantity_ordered for line in first.lines.all()} == {tee.pk: 5, mug.pk: 1}
    with pytest.raises(services.PurchasingError, match="at least one line"):
        services.create_draft_po(supplier=supplier, lines=[])


def test_scanning_part_of_an_order_leaves_it_partly_received_with_the_remainder(
        warehouse_client, sent_po, tee, mug, main):
    url = reverse("inventory:purchasing:receive", args=[sent_po.pk])
    for _ in range(3):  # three scans of the barcode: one unit each
        response = warehouse_client.post(url, {"code": tee.barcode, "location": "MAIN"}, **HX)
        assert response.status_code == 200
    # the seller SKU typed (any case), a case of four
    response = warehouse_client.post(url, {"code": "mug-01", "quantity": "4", "location": ""}, **HX)
    page = response.content.decode()
    assert "+4 MUG-01 into MAIN: 4 of 4 received" in page
    sent_po.refresh_from_db()
    assert sent_po.status == "partly_received"
    lines = {line.sku_id: line for line in selectors.po_lines(sent_po)}
    assert (lines[tee.pk].quantity_received, lines[tee.pk].outstanding) == (3, 7)
    assert 'data-line="TEE-BLK-M"' in page and "7 short" in page and "Partly received" in page
    receipts = StockMovement.objects.filter(reference=f"po:{sent_po.number}", reason="receipt")
    assert sorted(receipts.values_list("on_hand_change", flat=True)) == [1, 1, 1, 4]
    assert on_hand(tee, main) == 3 and on_hand(mug, main) == 4
    assert selectors.on_order(sku_ids=[tee.pk, mug.pk]) == {tee.pk: 7}


def test_over_receipt_into_a_bin_then_undo(warehouse_client, sent_po, tee, mug, main, warehouse_user):
    bin_ = BinFactory(code="A-01", kind="bin", parent=main)
    receiving.receive_against_po(purchase_order_id=sent_po.pk, sku=mug, quantity=4)
    url = reverse("inventory:purchasing:receive", args=[sent_po.pk])
    page = warehouse_client.post(url, {"code": tee.seller_sku, "quantity": "12", "location": "A-01"}, **HX)
    assert "2 over" in page.content.decode() and on_hand(tee, bin_) == 12
    sent_po.refresh_from_db()
    assert sent_po.status == "received" and sent_po.closed_at is not None
    seen = selectors.receipt_mark(receiving.reference_for(sent_po))
    page = warehouse_client.post(url, {"undo": "1", "seen": str(seen)}, **HX).content.decode()
    assert "Undid the last scan: -12 TEE-BLK-M from A-01" in page
    page2 = warehouse_client.post(url, {"undo": "1", "seen": str(seen)}, **HX)  # pressed twice: one undo
    assert page2.status_code == 400 and "already undone" in page2.content.decode()
    sent_po.refresh_from_db()
    assert sent_po.status == "partly_received" and on_hand(tee, bin_) == 0 and on_hand(mug, main) == 4


@pytest.mark.parametrize("case", ["draft", "cancelled", "not_on_order", "unknown", "bad_location", "bad_quantity"])
def test_scans_that_receive_nothing(warehouse_client, supplier, sent_po, tee, main, case):
    other = SKUFactory(seller_sku="CAP-BLK")
    po = sent_po
    data = {"code": tee.barcode}
    expected = {"draft": "still a draft", "cancelled": "is cancelled", "not_on_order": "CAP-BLK is not on",
                "unknown": "Unknown barcode 999", "bad_location": "No bin or warehouse has the code NOPE",
                "bad_quantity": "Units per scan must be between 1"}[case]
    if case == "draft":
        po = services.create_draft_po(supplier=supplier, lines=[(tee, 1, 0)])
    elif case == "cancelled":
        services.cancel_po(purchase_order=po)
    elif case == "not_on_order":
        data["code"] = other.seller_sku
    elif case == "unknown":
        data["code"] = "999"
    elif case == "bad_location":
        data["location"] = "NOPE"
    else:
        data["quantity"] = "-3"
    response = warehouse_client.post(reverse("inventory:purchasing:receive", args=[po.pk]), data, **HX)
    assert response.status_code == 400 and expected in response.content.decode()
    assert not StockMovement.objects.filter(reference__startswith="po:").exists()


def test_send_emails_the_pdf_and_records_it(owner_client, supplier, tee, main, owner_user):
    SupplierSKU.objects.create(supplier=supplier, sku=tee, supplier_code="NB-TEE-M", unit_cost="3.20", pack_size=10)
    po = services.create_draft_po(supplier=supplier, lines=[(tee, 20, "3.20")], user=owner_user)
    response = owner_client.post(reverse("inventory:purchasing:po_send", args=[po.pk]), follow=True)
    assert f"Sent {po.number} to orders@northbound.example (PDF attached)." in response.content.decode()
    po.refresh_from_db()
    assert po.status == "sent" and po.sent_at is not None
    (message,) = mail.outbox
    assert message.to == ["orders@northbound.example"] and po.number in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert name == f"{po.number}.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")
    record = PurchaseOrderSend.objects.get(purchase_order=po)
    assert record.to_email == "orders@northbound.example" and record.sent_by == owner_user
    # edits are for drafts only
    with pytest.raises(services.PurchasingError, match="only a draft can be edited"):
        services.update_draft_po(purchase_order=po, lines=[(tee, 1, 0)])


def test_send_without_an_email_address_changes_nothing(supplier, tee, main):
    Supplier.objects.filter(pk=supplier.pk).update(email="")
    po = services.create_draft_po(supplier=supplier, lines=[(tee, 1, 0)])
    with pytest.raises(services.PurchasingError, match="has no email address"):
        sending.send_po(purchase_order=po)
    po.refresh_from_db()
    assert po.status == "draft" and not mail.outbox and not po.sends.exists()


def test_owner_drafts_and_edits_an_order_on_the_page(owner_client, supplier, tee, mug, main):
    SupplierSKU.objects.create(supplier=supplier, sku=mug, unit_cost="5.50")
    form = {"supplier": supplier.pk, "deliver_to": "MAIN", "expected_on": "", "notes": "",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "500",
            "lines-0-sku": tee.barcode, "lines-0-quantity": "6", "lines-0-unit_cost": "3",
            "lines-1-sku": "MUG-01", "lines-1-quantity": "2", "lines-1-unit_cost": ""}
    response = owner_client.post(reverse("inventory:purchasing:po_create"), form)
    po = PurchaseOrder.objects.get()
    assert response.status_code == 302 and po.status == "draft"
    assert {line.sku.seller_sku: (line.quantity_ordered, str(line.unit_cost)) for line in po.lines.all()} == {
        "TEE-BLK-M": (6, "3.0000"), "MUG-01": (2, "5.5000")}  # a blank cost is the supplier's
    bad = {**form, "lines-1-sku": "NOPE"}
    response = owner_client.post(reverse("inventory:purchasing:po_edit", args=[po.pk]), bad)
    assert response.status_code == 400 and "No SKU has the barcode or seller SKU NOPE." in response.content.decode()
    assert po.lines.count() == 2
    edit = {**form, "lines-1-DELETE": "on"}
    assert owner_client.post(reverse("inventory:purchasing:po_edit", args=[po.pk]), edit).status_code == 302
    assert list(po.lines.values_list("sku__seller_sku", flat=True)) == ["TEE-BLK-M"]
    detail = owner_client.get(reverse("inventory:purchasing:po_detail", args=[po.pk])).content.decode()
    assert "Send to supplier" in detail and "Edit lines" in detail


def test_supplier_page_saves_contact_and_skus_and_moves_preferred(owner_client, supplier, tee, mug):
    SupplierSKU.objects.create(supplier=supplier, sku=tee, unit_cost=3, preferred=True)
    form = {"name": "Kiln & Co", "contact_name": "Kim", "email": "kim@kiln.example", "phone": "", "address": "",
            "lead_time_days": "21", "minimum_order_value": "150", "currency": "eur", "notes": "", "active": "on",
            "skus-TOTAL_FORMS": "2", "skus-INITIAL_FORMS": "0", "skus-MIN_NUM_FORMS": "0", "skus-MAX_NUM_FORMS": "500",
            "skus-0-sku": "TEE-BLK-M", "skus-0-unit_cost": "2.9", "skus-0-pack_size": "12", "skus-0-preferred": "on",
            "skus-1-sku": "MUG-01", "skus-1-unit_cost": "", "skus-1-pack_size": "1"}
    response = owner_client.post(reverse("inventory:purchasing:supplier_create"), form)
    assert response.status_code == 400 and "Give the unit cost from this supplier." in response.content.decode()
    form["skus-1-unit_cost"] = "4"
    assert owner_client.post(reverse("inventory:purchasing:supplier_create"), form).status_code == 302
    kiln = Supplier.objects.get(name="Kiln & Co")
    assert (kiln.currency, kiln.lead_time_days, str(kiln.minimum_order_value)) == ("EUR", 21, "150.00")
    assert SupplierSKU.objects.get(sku=tee, preferred=True).supplier == kiln  # preferred moved from Northbound
    assert SupplierSKU.objects.get(sku=tee, supplier=kiln).pack_size == 12


def test_on_order_shows_on_the_stock_views(owner_client, sent_po, tee, main, api_client_for, owner_user):
    receiving.receive_against_po(purchase_order_id=sent_po.pk, sku=tee, quantity=4)
    listing = owner_client.get(reverse("inventory:sku_list")).content.decode()
    assert "On order" in listing
    page = owner_client.get(reverse("inventory:sku_detail", args=[tee.pk])).content.decode()
    assert "On order from suppliers: 6" in page and sent_po.number in page
    api = api_client_for(owner_user)
    levels = api.get("/api/v1/stock", {"sku": "TEE-BLK-M"}).json()["results"]
    assert [row["on_order"] for row in levels] == [6]
    assert api.get(f"/api/v1/skus/{tee.pk}").json()["on_order"] == 6


def test_lists_run_a_constant_number_of_queries(owner_client, supplier, main, django_assert_max_num_queries):
    skus = [SKUFactory(seller_sku=f"Q-{n}") for n in range(6)]
    for sku in skus:
        po = services.create_draft_po(supplier=supplier, lines=[(sku, 3, 1)])
        PurchaseOrder.objects.filter(pk=po.pk).update(status="sent")
        SupplierSKU.objects.create(supplier=supplier, sku=sku, unit_cost=1)
    Supplier.objects.create(name="Other")
    for name in ("po_list", "supplier_list", "receive_list"):
        with django_assert_max_num_queries(12):
            assert owner_client.get(reverse(f"inventory:purchasing:{name}")).status_code == 200
    with django_assert_max_num_queries(14):
        assert owner_client.get(reverse("inventory:sku_list")).status_code == 200


def test_roles(client, warehouse_user, ops_user, owner_user, sent_po, tee):
    owner_pages = [reverse("inventory:purchasing:supplier_list"), reverse("inventory:purchasing:po_list"),
                   reverse("inventory:purchasing:po_create"),
                   reverse("inventory:purchasing:po_detail", args=[sent_po.pk]),
                   reverse("inventory:purchasing:po_pdf", args=[sent_po.pk])]
    receive = reverse("inventory:purchasing:receive", args=[sent_po.pk])
    client.force_login(warehouse_user)
    for url in owner_pages:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("inventory:purchasing:po_cancel", args=[sent_po.pk])).status_code == 403
    assert client.get(receive).status_code == 200
    assert client.get(reverse("inventory:purchasing:receive_list")).status_code == 200
    client.force_login(ops_user)
    assert client.get(receive).status_code == 403
    assert client.post(receive, {"code": tee.barcode}).status_code == 403
    assert client.get(reverse("inventory:purchasing:po_list")).status_code == 403
    client.force_login(owner_user)
    assert client.get(receive).status_code == 200
    client.logout()
    assert client.get(receive).status_code == 302
    assert not StockMovement.objects.filter(reference__startswith="po:").exists()
    sent_po.refresh_from_db()
    assert sent_po.status == "sent"


def test_the_purchasing_address_leads_each_role_to_its_page(owner_user, warehouse_user, ops_user):
    from django.test import Client

    expected = {owner_user: "/inventory/purchasing/orders/", warehouse_user: "/inventory/purchasing/receive/"}
    for user, target in expected.items():
        browser = Client()
        browser.force_login(user)
        assert browser.get("/inventory/purchasing/")["Location"] == target
    browser = Client()
    browser.force_login(ops_user)
    assert browser.get("/inventory/purchasing/").status_code == 403
