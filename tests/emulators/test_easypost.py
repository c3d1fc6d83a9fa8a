"""EasyPost v2 emulator, driven by the official easypost client over real HTTP."""

from __future__ import annotations

import io

import pytest
import requests

from devtools.emulators import tracking
from integrations.channels import signing
from tests.emulators.support import WebhookReceiver, running_emulator

easypost = pytest.importorskip("easypost")

TO = {
    "name": "Avery Jones",
    "street1": "2250 Mission St",
    "city": "San Francisco",
    "state": "CA",
    "zip": "94110",
    "country": "US",
}
FROM = {
    "company": "SellerHub Demo",
    "street1": "1200 S Figueroa St",
    "city": "Los Angeles",
    "state": "CA",
    "zip": "90015",
}


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


def test_buy_lowest_rate_gets_a_scannable_pdf_label(emu, client):
    shipment = client.shipment.create(
        to_address=TO,
        from_address=FROM,
        parcel={"length": 10, "width": 8, "height": 4, "weight": 12},
        options={"label_format": "PDF", "label_size": "4x6"},
        reference="SH-1001",
    )
    assert shipment.id.startswith("shp_") and len(shipment.rates) >= 3
    rate = shipment.lowest_rate()
    bought = client.shipment.buy(shipment.id, rate=rate)
    label = bought.postage_label
    assert label.label_file_type == "application/pdf" and label.label_size == "4x6"
    assert tracking.detect(bought.tracking_code) == rate.carrier
    pdf = requests.get(label.label_pdf_url)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert decode_barcode(pdf.content) == bought.tracking_code
    purchase = emu.state.received("easypost", "label_purchase")[0]
    assert (purchase["reference"], purchase["tracking_code"]) == ("SH-1001", bought.tracking_code)
    with pytest.raises(easypost.errors.ApiError):
        client.shipment.buy(shipment.id, rate=rate)  # postage exists


def test_png_label_converts_and_refunds(emu, client):
    shipment = client.shipment.create(to_address=TO, from_address=FROM, parcel={"weight": 4})
    bought = client.shipment.buy(shipment.id, rate={"id": shipment.rates[0].id})
    assert bought.postage_label.label_file_type == "image/png"
    assert requests.get(bought.postage_label.label_url).content.startswith(b"\x89PNG")
    converted = client.shipment.label(shipment.id, file_format="ZPL")
    zpl = requests.get(converted.postage_label.label_zpl_url).text
    assert bought.tracking_code in zpl and zpl.startswith("^XA")
    refunded = client.shipment.refund(shipment.id)
    assert refunded.refund_status == "submitted"
    assert emu.state.received("easypost", "refund")[0]["shipment_id"] == shipment.id


def test_errors_in_easypost_shape(emu, client):
    resp = requests.post(
        emu.url("easypost") + "/shipments", json={}, auth=(emu.state.config.credentials.easypost_test_key, "")
    )
    assert resp.status_code == 422
    assert resp.json() == {
        "error": {
            "code": "PARAMETER.REQUIRED",
            "message": "Missing required parameter.",
            "errors": [{"field": "shipment", "message": "cannot be blank"}],
        }
    }
    assert requests.get(emu.url("easypost") + "/shipments").status_code == 401
    with pytest.raises(easypost.errors.NotFoundError):
        client.shipment.retrieve("shp_missing")
    prod = easypost.EasyPostClient(emu.state.config.credentials.easypost_production_key, api_base=emu.url("easypost"))
    shipment = client.shipment.create(to_address=TO, from_address=FROM, parcel={"weight": 4})
    with pytest.raises(easypost.errors.NotFoundError):
        prod.shipment.retrieve(shipment.id)  # test and production objects are apart
    # The official client (HTTPAdapter(max_retries=3)) silently retries a 429 three times when
    # it carries Retry-After; EasyPost documents no such header.
    emu.state.faults.update(rate_limit=1.0, retry_after=0, services=["easypost"])
    calls_before = len(emu.state.requests("easypost"))
    with pytest.raises(easypost.errors.RateLimitError):
        client.shipment.retrieve(shipment.id)
    assert len(emu.state.requests("easypost")) - calls_before == 4
    emu.state.faults.update(retry_after=None)
    calls_before = len(emu.state.requests("easypost"))
    with pytest.raises(easypost.errors.RateLimitError):
        client.shipment.retrieve(shipment.id)
    assert len(emu.state.requests("easypost")) - calls_before == 1


def test_trackers_and_signed_events(emu, client):
    delivered = client.tracker.create(tracking_code="EZ4000000004", carrier="USPS")
    assert delivered.status == "delivered"
    assert client.tracker.create(tracking_code="EZ4000000004").id == delivered.id  # no duplicate
    receiver = WebhookReceiver()
    try:
        client.webhook.create(url=receiver.url, webhook_secret="s\u00e9cret")
        shipment = client.shipment.create(to_address=TO, from_address=FROM, parcel={"weight": 4})
        bought = client.shipment.buy(shipment.id, rate={"id": shipment.rates[0].id})
        emu.state.easypost.advance_tracker(bought.tracking_code, "in_transit", city="Los Angeles")
        got = receiver.wait_for(1)[0]
        assert signing.verify_easypost_webhook(
            secret="s\u00e9cret", body=got["body"], signature=got["headers"]["x-hmac-signature"]
        )
        easypost.util.validate_webhook(
            got["body"], {"X-Hmac-Signature": got["headers"]["x-hmac-signature"]}, "s\u00e9cret"
        )
        tracker = client.tracker.retrieve(bought.tracker.id)
        assert tracker.status == "in_transit"
        assert [d.status for d in tracker.tracking_details] == ["pre_transit", "in_transit"]
    finally:
        receiver.close()


def decode_barcode(pdf: bytes) -> str:
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pdfium.PdfDocument(io.BytesIO(pdf))[0]
    assert (page.get_width(), page.get_height()) == (288, 432)  # 4x6 inches
    results = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    assert results, "no barcode found on the label"
    return results[0].text
