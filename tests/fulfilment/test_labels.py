"""Labels, from where they really come: bought through EasyPost (the loopback emulator over real
HTTP, with the official client), bought elsewhere (uploaded PDF or a typed tracking number,
checked where it is typed) and SellerHub's own 4x6 label. The files served are 4x6 and their
barcode scans as the tracking number."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import documents as docs
from fulfilment import services
from fulfilment.models import Package
from tests.fulfilment.conftest import A4, FOUR_BY_SIX, LETTER, barcodes, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(make_order, warehouse_user):
    order = make_order("W-300", {"TEE-BLK-M": 1, "MUG-01": 1})
    return services.create_package(order=order, user=warehouse_user)


def purchases(emu):
    return emu.state.received("easypost", "label_purchase")


def test_rates_then_buying_stores_the_carriers_4x6_label(package, easypost, warehouse_user):
    assert package.weight_grams == 590  # estimated from the SKUs' weights
    quote = services.quote_rates(package=package, user=warehouse_user)
    assert len(quote.rates) == 7 and quote.rates[0].amount <= quote.rates[-1].amount
    cheapest = quote.rates[0]
    assert (cheapest.carrier, cheapest.service, cheapest.days) == ("USPS", "GroundAdvantage", 3)
    request = [r for r in easypost.state.requests("easypost") if r["method"] == "POST"][0]
    assert request["path"].endswith("/v2/shipments")
    bought = services.buy_label(package=package, rate_id=cheapest.id, user=warehouse_user)
    assert bought.status == Package.Status.LABELLED and bought.label_source == "provider"
    assert bought.carrier == "usps" and bought.tracking_format_valid is True
    assert bought.rate_amount == cheapest.amount and bought.service == "GroundAdvantage"
    pdf, content_type = services.label_bytes(bought, "pdf")
    assert content_type == "application/pdf" and pdf_pages(pdf) == [FOUR_BY_SIX]
    assert barcodes(pdf) == [bought.tracking_number]
    # The shipment went from the warehouse to the order's address at the package's weight.
    shipment = easypost.state.easypost.objects[bought.provider_shipment_id]
    assert shipment["from_address"]["street1"] == "1450 Harbor Way"
    assert shipment["to_address"]["zip"] == "94110" and shipment["parcel"]["weight"] == 20.8  # ounces
    # Buying again buys nothing.
    again = services.buy_label(package=package, rate_id=cheapest.id, user=warehouse_user)
    assert again.tracking_number == bought.tracking_number and len(purchases(easypost)) == 1
    assert package.order.events.filter(kind="label", message__contains=bought.tracking_number).exists()


def test_a_purchase_whose_answer_was_lost_is_picked_up_not_bought_again(package, easypost):
    quote = services.quote_rates(package=package)
    rate = quote.rates[1]
    # EasyPost sold the label but SellerHub never heard back (the worker died): the shipment has it.
    import easypost as client_lib

    from devtools.emulators.routing import Request  # noqa: F401

    client = client_lib.EasyPostClient(easypost.state.config.credentials.easypost_test_key,
                                       api_base=easypost.url("easypost"))
    sold = client.shipment.buy(quote.shipment_id, rate={"id": rate.id})
    bought = services.buy_label(package=package, rate_id=rate.id)
    assert bought.tracking_number == sold.tracking_code and len(purchases(easypost)) == 1


def test_zpl_labels_are_served_as_zpl(package, easypost):
    quote = services.quote_rates(package=package, label_format="zpl")
    bought = services.buy_label(package=package, rate_id=quote.rates[0].id)
    content, content_type = services.label_bytes(bought, "zpl")
    assert content_type == "application/zpl" and content.startswith(b"^XA")
    assert bought.tracking_number.encode() in content
    with pytest.raises(services.FulfilmentError, match="came from the label provider as ZPL"):
        services.label_bytes(bought, "pdf")


def test_no_rates_without_a_weight_or_a_complete_address(make_order, easypost):
    order = make_order("W-301", {"CAP-BLK": 1}, ship_postal_code="")
    package = services.create_package(order=order, weight_grams=None)
    with pytest.raises(services.FulfilmentError, match="the shipping address has no postal code"):
        services.quote_rates(package=package)
    assert not easypost.state.requests("easypost")


def test_provider_errors_come_back_in_words(package, easypost, settings):
    settings.EASYPOST_API_KEY = "EZTKwrongkey"
    with pytest.raises(services.FulfilmentError, match="EasyPost refused the API key"):
        services.quote_rates(package=package)
    settings.EASYPOST_API_KEY = ""
    with pytest.raises(services.FulfilmentError, match="set EASYPOST_API_KEY"):
        services.quote_rates(package=package)


def test_a_typed_tracking_number_is_checked_where_it_is_typed(package, warehouse_client):
    url = reverse("fulfilment:package_action", args=[package.pk, "tracking"])
    bad = warehouse_client.post(url, {"tracking_number": "1Z5R89390357567128", "carrier": "ups"})
    assert bad.status_code == 400
    page = bad.content.decode()
    field = page.index('name="tracking_number"')
    reason = page.index("check digit mismatch for UPS")
    assert 0 < reason - field < 1500  # the reason sits by the field
    package.refresh_from_db()
    assert not package.tracking_number
    check = warehouse_client.get(reverse("fulfilment:tracking_check") + "?tracking_number=1Z5R89390357567128")
    assert "check digit mismatch for ups" in check.content.decode().lower()
    good = warehouse_client.post(url, {"tracking_number": "1Z 5R89 3903 5756 7127", "carrier": ""})
    assert good.status_code == 302
    package.refresh_from_db()
    assert (package.tracking_number, package.carrier, package.label_source) == ("1Z5R89390357567127", "ups", "typed")
    # a typed number prints on SellerHub's own 4x6 label (PDF or ZPL)
    pdf = warehouse_client.get(reverse("fulfilment:package_label", args=[package.pk, "pdf"]))
    assert pdf_pages(pdf.content) == [FOUR_BY_SIX] and barcodes(pdf.content) == ["1Z5R89390357567127"]
    zpl = warehouse_client.get(reverse("fulfilment:package_label", args=[package.pk, "zpl"]))
    assert zpl["Content-Type"] == "application/zpl" and b"1Z5R89390357567127" in zpl.content


def test_an_uploaded_label_pdf_gives_its_tracking_number(package, warehouse_client, make_order):
    label = docs.render_label_pdf(docs.LabelData(
        ship_from=docs.Address(name="Elsewhere", street1="1 Road", city="Town", state="CA", postal_code="90001"),
        ship_to=docs.Address(name="Buyer", street1="2 Road", city="Town", state="CA", postal_code="90002"),
        order_number="X", carrier="fedex", tracking_number="986578788855"))
    url = reverse("fulfilment:package_action", args=[package.pk, "upload"])
    response = warehouse_client.post(url, {"file": SimpleUploadedFile("label.pdf", label, "application/pdf")})
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.tracking_number, package.carrier, package.label_source) == ("986578788855", "fedex", "uploaded")
    served = warehouse_client.get(reverse("fulfilment:package_label", args=[package.pk, "pdf"]))
    assert served.content == label
    other = services.create_package(order=make_order("W-302", {"CAP-BLK": 1}))
    refused = warehouse_client.post(reverse("fulfilment:package_action", args=[other.pk, "upload"]),
                                    {"file": SimpleUploadedFile("label.pdf", b"not a pdf", "application/pdf")})
    assert refused.status_code == 400 and b"can&#x27;t be used as a label" in refused.content


def test_sellerhubs_own_label_for_own_delivery(package, warehouse_client):
    response = warehouse_client.post(reverse("fulfilment:package_action", args=[package.pk, "own"]),
                                     {"courier": "Metro Couriers", "service": "Same day"})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.label_source == "own" and package.carrier_name == "Metro Couriers" and not package.tracking_number
    pdf = warehouse_client.get(reverse("fulfilment:package_label", args=[package.pk, "pdf"]))
    assert pdf_pages(pdf.content) == [FOUR_BY_SIX] and barcodes(pdf.content) == [package.reference]
    zpl = warehouse_client.get(reverse("fulfilment:package_label", args=[package.pk, "zpl"]))
    assert package.reference.encode() in zpl.content


def test_packing_slips_are_letter_a4_or_4x6(package, warehouse_client):
    for size, expected in (("letter", LETTER), ("a4", A4), ("4x6", FOUR_BY_SIX)):
        response = warehouse_client.get(reverse("fulfilment:package_slip", args=[package.pk]) + f"?size={size}")
        assert response["Content-Type"] == "application/pdf" and set(pdf_pages(response.content)) == {expected}
        whole = warehouse_client.get(reverse("fulfilment:order_slip", args=[package.order_id]) + f"?size={size}")
        assert set(pdf_pages(whole.content)) == {expected}
    text = response.content
    assert b"%PDF" in text[:10]


def test_rates_buy_and_labels_through_the_api(make_order, easypost, warehouse_user, api_client_for):
    api = api_client_for(warehouse_user)
    order = make_order("W-310", {"TOTE-NAT": 1})
    package = api.post("/api/v1/packages", {"order": order.pk, "weight_grams": 400, "length_mm": 300,
                                            "width_mm": 200, "height_mm": 50}, format="json").json()
    no_label = api.get(f"/api/v1/packages/{package['id']}/label/pdf")
    assert no_label.status_code == 404 and "has no label yet" in no_label.json()["error"]
    rates = api.post(f"/api/v1/packages/{package['id']}/rates", {"label_format": "pdf"}, format="json")
    assert rates.status_code == 200
    first = rates.json()["rates"][0]
    assert set(first) == {"id", "carrier", "carrier_code", "service", "amount", "currency", "days"}
    wrong = api.post(f"/api/v1/packages/{package['id']}/buy", {"rate_id": "rate_not_quoted"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "rate_id"
    bought = api.post(f"/api/v1/packages/{package['id']}/buy", {"rate_id": first["id"]}, format="json").json()
    assert bought["status"] == "labelled" and bought["rate"]["amount"] == first["amount"]
    pdf = api.get(bought["label"]["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and pdf_pages(pdf.content) == [FOUR_BY_SIX]
    assert barcodes(pdf.content) == [bought["tracking_number"]]
    zpl = api.get(f"/api/v1/packages/{package['id']}/label/zpl")
    assert zpl.status_code == 409 and "can't be turned into ZPL" in zpl.json()["error"]
    slip = api.get(f"/api/v1/packages/{package['id']}/packing_slip?size=4x6")
    assert pdf_pages(slip.content) == [FOUR_BY_SIX]


def test_no_label_for_an_order_on_the_platforms_label(make_order):
    order = make_order("W-320", {"MUG-01": 1}, label_source="PLATFORM")
    package = services.create_package(order=order)
    with pytest.raises(services.FulfilmentError, match="provides this order's label"):
        services.set_tracking_number(package=package, tracking_number="1Z5R89390357567127")
