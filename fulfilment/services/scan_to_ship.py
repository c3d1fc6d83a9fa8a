"""Scan-to-ship: at a packing station, the box closed, its label bought for the shipping rule's
service, sent to the station's label printer, and the package shipped with its tracking upload
queued, from one Enter. Each step is its own transaction (``packing``, ``labels``, ``shipping``,
the printers' queue) and the label provider's HTTP runs outside any of them.

The service comes from the shipping rule that applies (``fulfilment.shipping_rules``): its
carrier and service, or the cheapest rate arriving by the order's deliver-by date. With no rule
the cheapest rate is bought (the station's default). A carrier a rule forbids as an own label
(the built-in TikTok USPS rule) is skipped for the next cheapest rate. A rule that holds the order, or gives the
label to the platform, stops before any purchase. Whatever stops the label (no rate, an address
problem, the provider's error) leaves the package packed with no label, never half-bought: the
result says why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from fulfilment.models import BoxPreset, Package, PackingSession
from fulfilment.printers import services as printers
from fulfilment.printers.models import PackingStation, Printer, PrintJob
from fulfilment.services import labels, packing, shipping
from fulfilment.services.errors import FulfilmentError
from fulfilment.shipping_rules import selectors as rules
from fulfilment.shipping_rules import services as rule_services
from integrations.carriers import registry as carriers
from integrations.labels import Rate


@dataclass
class ShipResult:
    package: Package
    shipped: bool
    message: str
    rule: str = ""
    print_job: PrintJob | None = None
    label_format: str = "pdf"


def label_format_for(station: PackingStation | None) -> str:
    printer = station.label_printer if station is not None else None
    return "zpl" if printer is not None and printer.kind == Printer.Kind.ZPL else "pdf"


def _matches(rate: Rate, carrier: str, service: str) -> bool:
    carrier, service = (carrier or "").lower(), (service or "").lower()
    if carrier and carrier not in (rate.carrier_code.lower(), rate.carrier.lower()):
        return False
    return not service or service == rate.service.lower()


def choose_rate(rates: list[Rate], decision, *, deliver_by: dt.datetime | None = None, allowed=None) -> Rate:
    """The rate to buy: the rule's carrier and service, the cheapest arriving by the deliver-by
    date, or (no rule) the cheapest; ``allowed(rate)`` raises for a carrier a rule forbids (the
    next cheapest is taken; if every rate is forbidden, its reason is the error)."""
    refusal = None
    if allowed is not None:
        kept = []
        for rate in rates:
            try:
                allowed(rate)
            except FulfilmentError as exc:
                refusal = refusal or exc
            else:
                kept.append(rate)
        if not kept and refusal is not None:
            raise refusal
        rates = kept
    if not rates:
        raise FulfilmentError("the label provider offered no rate for this package")
    cheapest = lambda rs: min(rs, key=lambda r: (r.amount, r.days if r.days is not None else 99))  # noqa: E731
    if decision is None:
        return cheapest(rates)
    if decision.cheapest_by_deliver_date:
        candidates = [r for r in rates if _matches(r, decision.carrier, "")]
        if deliver_by is not None:
            days_left = max(0, (deliver_by - timezone.now()).days)
            candidates = [r for r in candidates if r.days is not None and r.days <= days_left]
        if not candidates:
            raise FulfilmentError(f"rule {decision.rule_name}: no rate arrives by the deliver-by date")
        return cheapest(candidates)
    wanted = [r for r in rates if _matches(r, decision.carrier, decision.service)]
    if not wanted:
        offered = ", ".join(sorted({f"{r.carrier} {r.service}" for r in rates}))
        raise FulfilmentError(f"rule {decision.rule_name} asks for {decision.carrier} {decision.service}".rstrip()
                              + f"; the provider offers {offered}")
    return cheapest(wanted)


def _check_decision(package: Package, decision) -> None:
    if decision is None:
        return
    if decision.hold_reason:
        raise FulfilmentError(f"rule {decision.rule_name} holds this order: {decision.hold_reason}")
    if decision.label_source == "platform":
        raise FulfilmentError(f"rule {decision.rule_name}: the channel's platform provides this label (print it on "
                              f"Fulfilment → TikTok Shipping or the channel's seller center)")


def buy_for_rule(*, package: Package, station: PackingStation | None = None, user=None) -> tuple[Package, str]:
    """Quote and buy the label the rule (or, with none, the cheapest rate) asks for; returns the
    labelled package and the rule's name ("" without one). Raises ``FulfilmentError`` with
    nothing bought."""
    current = Package.objects.select_related("order__account").get(pk=package.pk)
    if current.has_label:
        return current, ""
    decision = rules.decision_for(current.order)
    _check_decision(current, decision)
    fmt = label_format_for(station)
    quote = labels.quote_rates(package=current, label_format=fmt, user=user)  # HTTP, then one short transaction

    def allowed(rate: Rate) -> None:
        rule_services.check_own_label(package=current, carrier=rate.carrier_code or rate.carrier)

    rate = choose_rate(list(quote.rates), decision, deliver_by=current.order.delivery_due_at, allowed=allowed)
    bought = labels.buy_label(package=current, rate_id=rate.id, user=user)  # claimed, bought, stored
    return bought, decision.rule_name if decision is not None else ""


def print_label(*, package: Package, station: PackingStation | None, user=None) -> PrintJob | None:
    """Queue the label for the station's label printer (None for the browser or no printer)."""
    printer = station.label_printer if station is not None else None
    if printer is None or printer.kind == Printer.Kind.BROWSER:
        return None
    return printers.queue_print(printer=printer, document=PrintJob.Document.LABEL, object_id=package.pk,
                                title=f"Label of order {package.order.external_id}, package {package.pk}",
                                station=station, user=user)


def ship_packed(*, package: Package, station: PackingStation | None = None, user=None) -> ShipResult:
    """Buy, print and ship a packed package. A label that can't be bought leaves it packed (the
    message says why); a bought label is printed even if the handover is then refused."""
    try:
        labelled, rule = buy_for_rule(package=package, station=station, user=user)
    except FulfilmentError as exc:
        current = Package.objects.get(pk=package.pk)
        return ShipResult(package=current, shipped=False, label_format=label_format_for(station),
                          message=f"Package {current.pk} is packed but has no label: {exc}")
    job = print_label(package=labelled, station=station, user=user)
    try:
        shipped = shipping.ship_package(package=labelled, user=user)
    except FulfilmentError as exc:
        return ShipResult(package=labelled, shipped=False, rule=rule, print_job=job, label_format=labelled.label_format,
                          message=f"Package {labelled.pk} has its label ({labelled.tracking_number}) but did not "
                                  f"ship: {exc}")
    via = f" (rule {rule})" if rule else " (cheapest rate: no shipping rule applies)"
    printed = f"; label sent to {job.printer.name}" if job is not None else ""
    return ShipResult(package=shipped, shipped=True, rule=rule, print_job=job, label_format=shipped.label_format,
                      message=f"Order {shipped.order.external_id} shipped: {shipped.carrier_name} {shipped.service} "
                              f"{shipped.tracking_number}{via}{printed}.")


def scan_to_ship(*, session: PackingSession, weight_grams: int, box: BoxPreset | None = None,
                 length_mm: int | None = None, width_mm: int | None = None, height_mm: int | None = None,
                 partial: bool = False, station: PackingStation | None = None, user=None) -> ShipResult:
    """Close the box, then buy, print and ship (``ship_packed``). A box that can't be closed
    raises ``FulfilmentError`` and changes nothing."""
    package = packing.finish_packing(session=session, weight_grams=weight_grams, box=box, length_mm=length_mm,
                                     width_mm=width_mm, height_mm=height_mm, partial=partial, user=user)
    return ship_packed(package=package, station=station, user=user)


@dataclass
class DeskResult:
    outcome: str  # shipped, already, unknown, refused
    message: str
    package: Package | None = None


def ship_scanned_label(*, code: str, user=None) -> DeskResult:
    """The dispatch desk: ship the labelled package whose label barcode (tracking number) was
    scanned; a shipped one or an unknown number changes nothing."""
    number = carriers.normalise(code or "")
    if not number:
        return DeskResult("unknown", "Scan a label's barcode.")
    candidates = [number]
    if number.startswith("420") and len(number) > 20:  # a USPS label's barcode: 420 + ZIP (5 or 9) + number
        candidates += [number[8:], number[12:]]
    package = (Package.objects.select_related("order__account").filter(tracking_number__in=candidates)
               .exclude(status=Package.Status.CANCELLED).order_by("-pk").first())
    if package is None:
        return DeskResult("unknown", f"{number}: no package has this tracking number.")
    order = package.order.external_id
    if package.is_shipped:
        return DeskResult("already", f"{number}: order {order}, package {package.pk} has already shipped.", package)
    try:
        shipped = shipping.ship_package(package=package, user=user)
    except FulfilmentError as exc:
        return DeskResult("refused", f"{number}: order {order} did not ship: {exc}", package)
    return DeskResult("shipped", f"{number}: order {order}, package {shipped.pk} shipped.", shipped)
