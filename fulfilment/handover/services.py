"""Proof of handover writes: ending the day for one carrier and origin (a USPS SCAN form made by
the label provider for the day's provider-bought USPS labels, or a handover manifest rendered by
``documents`` for other carriers) and booking a carrier pickup for a form.

Provider calls run before the transaction (never inside one); the record, its packages (locked
in primary-key order) and its PDF are then written in one transaction. A package is on one form
at most (``HandoverPackage.package`` is one-to-one), and the provider refuses a shipment already
on a scan form, so two clicks make one form.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

import documents as docs
from documents.data import carrier_display_name
from fulfilment.handover import selectors
from fulfilment.handover.models import HandoverPackage, HandoverPickup, HandoverRecord
from fulfilment.models import Package
from fulfilment.services.common import timeline, user_or_none
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.locks import lock_packages
from integrations.labels import PickupRequest, ProviderError, get_provider
from inventory.models import Location
from sellerhub.addresses import Address

log = logging.getLogger("sellerhub.fulfilment")
K = HandoverRecord.Kind
MAX_WINDOW = dt.timedelta(days=7)


class HandoverError(FulfilmentError):
    """An end-of-day step that cannot be taken; the message says why and what to do."""


def _where(carrier: str, origin) -> str:
    return f"{carrier_display_name(carrier) if carrier else 'no carrier'} from " \
           f"{origin.code if origin else 'no warehouse'}"


def end_day(*, carrier: str, origin_id: int | None, day: dt.date | None = None, kind: str = "",
            user=None) -> HandoverRecord:
    """Make the handover form of ``day`` (today) for one carrier and origin: one SCAN form for the
    USPS labels bought through the label provider, else a manifest. Raises ``HandoverError``
    when there is nothing new to hand over (a second end of day makes nothing)."""
    day = day or selectors.today()
    group = selectors.group(day, carrier=carrier, origin_id=origin_id, kind=kind)
    if group is None:
        origin = Location.objects.filter(pk=origin_id).first() if origin_id else None
        raise HandoverError(f"Nothing new to hand over for {_where(carrier, origin)} on {day:%b %-d}: every "
                            f"package labelled that day is already on a form.")
    if group.kind == K.SCAN_FORM:
        try:
            form = get_provider().create_scan_form([p.provider_shipment_id for p in group.packages])
        except ProviderError as exc:
            raise HandoverError(f"The SCAN form was not made: {exc.message}") from exc
        return _record(group, day=day, user=user, reference=form.id, provider="easypost", provider_id=form.id,
                       provider_status=form.status, batch_id=form.batch_id,
                       tracking_numbers=list(form.tracking_codes), content=form.content)
    reference = f"EOD-{day:%Y%m%d}-{group.carrier.upper() or 'NONE'}-{group.origin.code if group.origin else 'X'}"
    reference = f"{reference}-{HandoverRecord.objects.filter(reference__startswith=reference).count() + 1}"
    manifest = docs.ManifestData(
        reference=reference, carrier=group.carrier, title="End of day manifest", created_at=timezone.now(),
        ship_from=Address.from_location(group.origin) if group.origin else None,
        packages=[docs.ManifestPackage(tracking_number=p.tracking_number, order_number=p.order.external_id,
                                       carrier=p.carrier, service=p.service, weight_grams=p.weight_grams)
                  for p in group.packages])
    try:
        content = docs.render_manifest_pdf(manifest)
    except docs.DocumentError as exc:
        raise HandoverError(f"The manifest was not made: {exc}") from exc
    return _record(group, day=day, user=user, reference=reference,
                   tracking_numbers=[p.tracking_number for p in group.packages], content=content)


def _record(group: selectors.HandoverGroup, *, day, user, reference, content: bytes, tracking_numbers: list[str],
            provider="", provider_id="", provider_status="", batch_id="") -> HandoverRecord:
    with transaction.atomic():
        locked = lock_packages([p.pk for p in group.packages])
        taken = set(HandoverPackage.objects.filter(package__in=locked).values_list("package_id", flat=True))
        fresh = [p for p in locked if p.pk not in taken]
        if not fresh and not provider_id:
            raise HandoverError("Someone else just handed these packages over; reload the page.")
        record = HandoverRecord(kind=group.kind, carrier=group.carrier, origin=group.origin, day=day,
                                reference=reference, provider=provider, provider_id=provider_id,
                                provider_status=provider_status, batch_id=batch_id,
                                tracking_numbers=tracking_numbers, created_by=user_or_none(user))
        record.form_file.save(f"{reference}.pdf", ContentFile(content), save=False)
        record.save()
        HandoverPackage.objects.bulk_create([HandoverPackage(record=record, package=p) for p in fresh])
        for package in fresh:
            timeline(package.order, kind="handover", user=user,
                     message=f"{record.get_kind_display()} {reference}: package {package.tracking_number} "
                             f"handed over to {carrier_display_name(group.carrier)}.",
                     data={"package": package.pk, "handover": record.pk})
    log.info("handover %s: %s packages (%s)", reference, len(fresh), _where(group.carrier, group.origin))
    return record


def form_pdf(record: HandoverRecord) -> bytes:
    if not record.form_file:
        raise HandoverError(f"{record} has no form file.")
    with record.form_file.open("rb") as f:
        return f.read()


def book_pickup(*, record: HandoverRecord, window_start: dt.datetime, window_end: dt.datetime,
                instructions: str = "", user=None) -> HandoverPickup:
    """Book the carrier's pickup of a form's packages for a window (the provider's cheapest pickup
    rate of the form's carrier); the confirmation is the proof of pickup."""
    if window_end <= window_start:
        raise HandoverError("The pickup window must end after it starts.", field="window_end")
    if window_end - window_start > MAX_WINDOW:
        raise HandoverError("A pickup window is at most 7 days long.", field="window_end")
    if window_end < timezone.now():
        raise HandoverError("The pickup window is over; choose a window that has not passed.", field="window_end")
    if record.pickups.filter(status=HandoverPickup.Status.SCHEDULED).exists():
        raise HandoverError(f"A pickup is already booked for {record.reference}.")
    if record.origin is None:
        raise HandoverError("The form has no origin warehouse to be picked up from.")
    shipment_id = "" if record.batch_id else (
        Package.objects.filter(handover__record=record).exclude(provider_shipment_id="")
        .values_list("provider_shipment_id", flat=True).first() or "")
    if not record.batch_id and not shipment_id:
        raise HandoverError("A pickup is booked through the label provider: this form lists no label bought "
                            "through it.")
    request = PickupRequest(address=Address.from_location(record.origin), min_datetime=window_start,
                            max_datetime=window_end, batch_id=record.batch_id, shipment_id=shipment_id,
                            instructions=instructions[:300], reference=record.reference)
    provider = get_provider()
    try:
        quoted = provider.create_pickup(request)
        wanted = carrier_display_name(record.carrier).lower()
        rates = [r for r in quoted.rates if r.carrier.lower() == wanted] or list(quoted.rates)
        if not rates:
            raise HandoverError(f"The carrier offers no pickup for {record.reference}.")
        rate = rates[0]
        booked = provider.buy_pickup(quoted.id, carrier=rate.carrier, service=rate.service)
    except ProviderError as exc:
        raise HandoverError(f"The pickup was not booked: {exc.message}") from exc
    with transaction.atomic():
        pickup = HandoverPickup.objects.create(
            record=record, provider_id=booked.id, window_start=window_start, window_end=window_end,
            instructions=instructions[:300], carrier=rate.carrier, service=rate.service, amount=rate.amount,
            confirmation=booked.confirmation, created_by=user_or_none(user))
    return pickup
