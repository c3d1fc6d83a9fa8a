"""Scan-to-ship: one call packs, buys the cheapest rate (no rule) or the rule's service from the
EasyPost emulator over real HTTP, queues the label for the station's ZPL printer and ships with
the tracking upload queued; a label that can't be bought (address problem, provider error) leaves
the package packed with no label and says why. The dispatch desk ships a labelled parcel by its
tracking number and answers shipped / already shipped / unknown."""

from decimal import Decimal

import django_rq
import pytest
from django.urls import reverse
from rq import SimpleWorker

from fulfilment import services
from fulfilment.models import Package, TrackingPush
from fulfilment.printers import services as printers
from fulfilment.services import scan_to_ship
from fulfilment.shipping_rules.selectors import RuleDecision
from integrations.labels import Rate
from orders.models import OrderStatus
from tests.fulfilment.printer_support import LoopbackPrinter

pytestmark = pytest.mark.django_db


@pytest.fixture
def zebra(db):
    port = LoopbackPrinter()
    printer = printers.save_printer(name="Zebra", kind="zpl", host="127.0.0.1", port=port.port)
    station = printers.save_station(name="Bench 1", label_printer=printer, document_printer=None)
    yield station, port
    port.stop()


def verified_session(order, skus, user):
    session = services.start_packing(order=order, user=user)
    for line in order.lines.all():
        for _ in range(line.quantity):
            services.scan_item(session=session, code=line.sku.barcode, user=user)
    return session


def purchases(emu):
    return emu.state.received("easypost", "label_purchase")


def test_enter_packs_buys_prints_and_ships(make_order, skus, easypost, zebra, warehouse_user, uses_rq,
                                           django_capture_on_commit_callbacks):
    station, port = zebra
    order = make_order("W-501", {"TEE-BLK-M": 1, "MUG-01": 1})
    session = verified_session(order, skus, warehouse_user)
    with django_capture_on_commit_callbacks(execute=True):
        result = scan_to_ship.scan_to_ship(session=session, weight_grams=640, station=station, user=warehouse_user)
    assert result.shipped, result.message
    package = Package.objects.get(order=order)
    assert package.status == Package.Status.SHIPPED and package.label_format == "zpl"
    assert (package.carrier_name, package.service) == ("USPS", "GroundAdvantage")  # the cheapest: no rule
    assert "no shipping rule applies" in result.message and "sent to Zebra" in result.message
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert TrackingPush.objects.get(package=package).status == TrackingPush.Status.PENDING
    assert len(purchases(easypost)) == 1
    queue = django_rq.get_queue("documents")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    [zpl] = port.documents(1)
    assert package.tracking_number.encode() in zpl
    result.print_job.refresh_from_db()
    assert result.print_job.status == "sent"


def test_an_address_problem_leaves_the_package_packed_and_says_why(make_order, skus, easypost, zebra,
                                                                   warehouse_user):
    station, _port = zebra
    order = make_order("W-502", {"CAP-BLK": 1}, ship_postal_code="")
    result = scan_to_ship.scan_to_ship(session=verified_session(order, skus, warehouse_user), weight_grams=200,
                                       station=station, user=warehouse_user)
    assert not result.shipped
    assert "is packed but has no label" in result.message and "postal" in result.message
    package = Package.objects.get(order=order)
    assert package.status == Package.Status.DRAFT and not package.has_label and not package.buying_since
    assert purchases(easypost) == []


def test_a_provider_error_leaves_the_package_packed(make_order, skus, easypost, zebra, warehouse_user, settings):
    station, _port = zebra
    settings.EASYPOST_API_KEY = "wrong-key"
    order = make_order("W-503", {"CAP-BLK": 1})
    result = scan_to_ship.scan_to_ship(session=verified_session(order, skus, warehouse_user), weight_grams=200,
                                       station=station, user=warehouse_user)
    assert not result.shipped and "has no label" in result.message
    package = Package.objects.get(order=order)
    assert package.status == Package.Status.DRAFT and not package.has_label and not package.buying_since


def rate(id_, carrier, service, amount, days):
    return Rate(id=id_, carrier=carrier, carrier_code=carrier.lower(), service=service, amount=Decimal(amount),
                days=days)


RATES = [rate("r1", "USPS", "GroundAdvantage", "5.10", 5), rate("r2", "USPS", "Priority", "8.00", 2),
         rate("r3", "UPS", "Ground", "7.00", 3)]


@pytest.mark.parametrize(("decision", "chosen"), [
    (None, "r1"),
    (RuleDecision(rule_id=1, rule_name="Fast", carrier="usps", service="Priority"), "r2"),
    (RuleDecision(rule_id=1, rule_name="UPS", carrier="ups"), "r3"),
    (RuleDecision(rule_id=1, rule_name="By date", cheapest_by_deliver_date=True), "r3"),
])
def test_the_rate_follows_the_rule(decision, chosen):
    import datetime as dt

    from django.utils import timezone
    deliver_by = timezone.now() + dt.timedelta(days=4, hours=1)
    assert scan_to_ship.choose_rate(RATES, decision, deliver_by=deliver_by).id == chosen


def test_a_rule_asking_for_a_service_not_offered_says_so():
    decision = RuleDecision(rule_id=1, rule_name="Overnight", carrier="fedex", service="Overnight")
    with pytest.raises(services.FulfilmentError, match="rule Overnight asks for fedex Overnight; the provider"):
        scan_to_ship.choose_rate(RATES, decision)


def test_the_dispatch_desk_ships_a_labelled_parcel_by_its_barcode(make_order, warehouse_user, warehouse_client):
    order = make_order("W-504", {"MUG-01": 1})
    package = services.create_package(order=order, user=warehouse_user)
    services.make_own_label(package=package, courier="UPS", tracking_number="1Z5R89390357567127",
                            user=warehouse_user)
    url = reverse("fulfilment:dispatch_desk")
    assert "Scan each parcel" in warehouse_client.get(url).content.decode()
    answer = warehouse_client.post(url, {"code": "1z5r 8939 0357 5671 27"}, HTTP_HX_REQUEST="true")
    assert answer["X-Scan-Outcome"] == "shipped" and "W-504" in answer.content.decode()
    assert Package.objects.get(pk=package.pk).status == Package.Status.SHIPPED
    again = warehouse_client.post(url, {"code": "1Z5R89390357567127"}, HTTP_HX_REQUEST="true")
    assert again["X-Scan-Outcome"] == "already" and "Already shipped" in again.content.decode()
    unknown = warehouse_client.post(url, {"code": "NOPE123"}, HTTP_HX_REQUEST="true")
    assert unknown["X-Scan-Outcome"] == "unknown" and "no package has this tracking number" in unknown.content.decode()


def test_the_pack_page_ships_with_enter_at_a_station(make_order, skus, easypost, zebra, warehouse_user,
                                                     warehouse_client, settings):
    station, _port = zebra
    settings.PACK_WEIGHT_FROM_ESTIMATE = True
    warehouse_client.post(reverse("fulfilment:station"), {"action": "use", "station": station.pk})
    order = make_order("W-505", {"TEE-BLK-M": 1})
    verified_session(order, skus, warehouse_user)
    page = warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk])).content.decode()
    assert "Pack and ship" in page and 'value="170"' in page  # prefilled from the estimate
    assert "Every item is verified: enter the weight and press Enter." in page
    response = warehouse_client.post(reverse("fulfilment:pack_finish", args=[order.pk]),
                                     {"action": "ship", "weight": "300", "unit": "g"})
    assert response.status_code == 302 and response["Location"] == reverse("fulfilment:pack")
    assert Package.objects.get(order=order).status == Package.Status.SHIPPED
