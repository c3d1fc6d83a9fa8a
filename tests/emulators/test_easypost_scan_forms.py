"""EasyPost v2 scan forms and pickups in the emulator, driven by the official client over real
HTTP: the shapes of EasyPost's public API, and its refusals."""

from __future__ import annotations

import pypdfium2
import pytest
import requests
import zxingcpp

from tests.emulators.support import running_emulator
from tests.emulators.test_easypost import FROM, TO

easypost = pytest.importorskip("easypost")

OTHER_ORIGIN = {**FROM, "street1": "77 Warehouse Rd", "zip": "90021"}


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


@pytest.fixture
def client(emu):
    return easypost.EasyPostClient(emu.state.config.credentials.easypost_test_key, api_base=emu.url("easypost"))


def bought(client, carrier="USPS", origin=FROM):
    shipment = client.shipment.create(to_address=TO, from_address=origin, parcel={"weight": 10},
                                      options={"label_format": "PDF"})
    return client.shipment.buy(shipment.id, rate=shipment.lowest_rate([carrier]))


def barcodes(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=3).to_pil()
    finally:
        doc.close()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_a_scan_form_lists_the_shipments_and_serves_a_pdf_with_its_barcode(emu, client):
    shipments = [bought(client), bought(client)]
    form = client.scan_form.create(shipments=[{"id": s.id} for s in shipments])
    assert form.id.startswith("sf_") and form.object == "ScanForm" and form.status == "created"
    assert form.tracking_codes == [s.tracking_code for s in shipments]
    assert form.form_file_type == "application/pdf" and form.batch_id.startswith("batch_")
    assert form.address.street1 == FROM["street1"]
    pdf = requests.get(form.form_url, timeout=5)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert barcodes(pdf.content) == [form.id]
    assert client.shipment.retrieve(shipments[0].id).scan_form.id == form.id
    listed = client.scan_form.all()
    assert [f.id for f in listed["scan_forms"]] == [form.id]
    assert client.scan_form.retrieve(form.id).tracking_codes == form.tracking_codes
    assert len(emu.state.received("easypost", "scan_form_created")) == 1


def test_the_body_may_be_plain_as_in_easyposts_curl_example(emu):
    key = emu.state.config.credentials.easypost_test_key
    client = easypost.EasyPostClient(key, api_base=emu.url("easypost"))
    shipment = bought(client)
    answer = requests.post(f"{emu.url('easypost')}/scan_forms", json={"shipments": [{"id": shipment.id}]},
                           auth=(key, ""), timeout=5)
    assert answer.status_code == 201 and answer.json()["tracking_codes"] == [shipment.tracking_code]


@pytest.mark.parametrize("case", ["other_origin", "ups", "twice", "refunded", "unbought"])
def test_scan_forms_are_refused_as_easypost_refuses_them(client, case):
    first = bought(client)
    if case == "other_origin":
        ids = [first.id, bought(client, origin=OTHER_ORIGIN).id]
        code = "SCAN_FORM.ORIGIN.MISMATCH"
    elif case == "ups":
        ids, code = [bought(client, carrier="UPS").id], "SCAN_FORM.CARRIER.UNSUPPORTED"
    elif case == "twice":
        client.scan_form.create(shipments=[{"id": first.id}])
        ids, code = [first.id], "SCAN_FORM.SHIPMENT.ALREADY_ADDED"
    elif case == "refunded":
        client.shipment.refund(first.id)
        ids, code = [first.id], "SCAN_FORM.INVALID"
    else:
        ids = [client.shipment.create(to_address=TO, from_address=FROM, parcel={"weight": 3}).id]
        code = "SCAN_FORM.INVALID"
    with pytest.raises(easypost.errors.ApiError) as refused:
        client.scan_form.create(shipments=[{"id": i} for i in ids])
    assert refused.value.http_status == 422 and refused.value.code == code
    assert refused.value.errors and refused.value.errors[0]["field"] == "shipments"


def test_a_missing_shipment_list_is_a_required_parameter(client):
    with pytest.raises(easypost.errors.ApiError) as refused:
        client.scan_form.create(shipments=[])
    assert refused.value.code == "PARAMETER.REQUIRED"


def test_a_pickup_is_quoted_bought_and_cancelled(emu, client):
    shipments = [bought(client), bought(client)]
    form = client.scan_form.create(shipments=[{"id": s.id} for s in shipments])
    pickup = client.pickup.create(address=FROM, batch={"id": form.batch_id}, reference="EOD-1",
                                  min_datetime="2026-07-10 14:00:00", max_datetime="2026-07-10 17:00:00",
                                  is_account_address=False, instructions="Dock door 2")
    assert pickup.id.startswith("pickup_") and pickup.status == "unknown" and pickup.confirmation is None
    assert [(r.carrier, r.service) for r in pickup.pickup_rates] == [("USPS", "NextDay")]
    assert pickup.pickup_rates[0].id.startswith("pickuprate_") and pickup.instructions == "Dock door 2"
    scheduled = client.pickup.buy(pickup.id, carrier="USPS", service="NextDay")
    assert scheduled.status == "scheduled" and scheduled.confirmation.startswith("WTC")
    with pytest.raises(easypost.errors.ApiError):
        client.pickup.buy(pickup.id, carrier="USPS", service="NextDay")
    cancelled = client.pickup.cancel(pickup.id)
    assert cancelled.status == "canceled"
    assert [p.id for p in client.pickup.all()["pickups"]] == [pickup.id]


def test_a_pickup_for_one_shipment_offers_its_carriers_rates(client):
    shipment = bought(client, carrier="UPS")
    pickup = client.pickup.create(address=FROM, shipment={"id": shipment.id}, min_datetime="2026-07-10T14:00:00Z",
                                  max_datetime="2026-07-10T17:00:00Z")
    assert {r.carrier for r in pickup.pickup_rates} == {"UPS"}
    with pytest.raises(easypost.errors.ApiError) as refused:
        client.pickup.buy(pickup.id, carrier="UPS", service="Teleport")
    assert refused.value.code == "PICKUP.RATE.NOT_FOUND"


def test_a_pickup_window_must_be_whole_and_in_order(client):
    shipment = bought(client)
    with pytest.raises(easypost.errors.ApiError) as missing:
        client.pickup.create(address=FROM, shipment={"id": shipment.id}, min_datetime="2026-07-10 14:00:00")
    assert missing.value.code == "PARAMETER.REQUIRED"
    with pytest.raises(easypost.errors.ApiError) as backwards:
        client.pickup.create(address=FROM, shipment={"id": shipment.id}, min_datetime="2026-07-10 14:00:00",
                             max_datetime="2026-07-10 10:00:00")
    assert backwards.value.http_status == 422
