"""Proof of handover reads: the day's own-label packages not yet on a handover form, grouped by
carrier, origin warehouse and form kind (a USPS SCAN form for labels bought through the label
provider, a manifest otherwise), the day's forms with their pickups, and which packages have
proof of handover (for the at-risk list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from documents.data import carrier_display_name
from fulfilment import printing
from fulfilment.handover.models import HandoverPackage, HandoverPickup, HandoverRecord
from fulfilment.models import Package
from inventory.models import Location, Reservation

P = Package.Status
# Labels SellerHub bought or printed itself (TikTok's platform labels have TikTok's own handover).
OWN_LABEL_SOURCES = (Package.LabelSource.PROVIDER, Package.LabelSource.UPLOADED, Package.LabelSource.TYPED,
                     Package.LabelSource.OWN)
HANDOVER_STATUSES = (P.LABELLED, P.SHIPPED, P.IN_TRANSIT)
SCAN_FORM_CARRIERS = ("usps",)
K = HandoverRecord.Kind


@dataclass
class HandoverGroup:
    """The packages of one end-of-day form to make."""

    carrier: str
    origin: Location | None
    kind: str
    packages: list[Package] = field(default_factory=list)

    @property
    def carrier_name(self) -> str:
        return carrier_display_name(self.carrier) if self.carrier else "No carrier"

    @property
    def kind_label(self) -> str:
        return K(self.kind).label

    @property
    def origin_id(self) -> int | None:
        return self.origin.pk if self.origin else None

    @property
    def key(self) -> str:
        return f"{self.carrier}:{self.origin_id or 0}:{self.kind}"


def today() -> dt.date:
    return timezone.localdate()


def form_kind(package: Package) -> str:
    """A USPS label bought through the label provider goes on a SCAN form; the rest on a manifest."""
    if package.carrier in SCAN_FORM_CARRIERS and package.provider_shipment_id:
        return K.SCAN_FORM
    return K.MANIFEST


def pending_packages(day: dt.date) -> list[Package]:
    """Own-label packages labelled on ``day`` with a tracking number, not cancelled or refunded,
    and not yet on a handover form."""
    return list(Package.objects.filter(label_source__in=OWN_LABEL_SOURCES, status__in=HANDOVER_STATUSES,
                                       label_created_at__date=day, handover__isnull=True, refund_status="")
                .exclude(tracking_number="").select_related("order__account").order_by("pk"))


def origins(packages: list[Package]) -> dict[int, Location | None]:
    """package id -> the warehouse it ships from (as its label was bought: where its order's stock
    was reserved, see ``fulfilment.printing.ship_from_location``), in a few queries."""
    refs = {p.order.reservation_reference for p in packages if p.order.reservation_reference}
    by_ref: dict[str, Location] = {}
    for reservation in (Reservation.objects.filter(reference__in=refs).select_related("location__parent")
                        .order_by("pk")):
        found = printing._warehouse_of(reservation.location)
        if found is not None and found.kind == Location.Kind.WAREHOUSE:
            by_ref.setdefault(reservation.reference, found)
    out: dict[int, Location | None] = {}
    fallback: dict[int, Location | None] = {}
    for package in packages:
        origin = by_ref.get(package.order.reservation_reference)
        if origin is None:
            if package.order_id not in fallback:
                fallback[package.order_id] = printing.ship_from_location(package.order)
            origin = fallback[package.order_id]
        out[package.pk] = origin
    return out


def groups(day: dt.date) -> list[HandoverGroup]:
    """The forms ``day`` still needs, by carrier, origin and kind (SCAN forms first)."""
    packages = pending_packages(day)
    where = origins(packages)
    out: dict[tuple, HandoverGroup] = {}
    for package in packages:
        origin = where.get(package.pk)
        kind = form_kind(package)
        key = (package.carrier, origin.pk if origin else 0, kind)
        if key not in out:
            out[key] = HandoverGroup(carrier=package.carrier, origin=origin, kind=kind)
        out[key].packages.append(package)
    return sorted(out.values(), key=lambda g: (g.kind != K.SCAN_FORM, g.carrier, g.origin_id or 0))


def group(day: dt.date, *, carrier: str, origin_id: int | None, kind: str = "") -> HandoverGroup | None:
    for candidate in groups(day):
        if (candidate.carrier == carrier and (candidate.origin_id or 0) == (origin_id or 0)
                and (not kind or candidate.kind == kind)):
            return candidate
    return None


def records(*, day: dt.date | None = None, carrier: str = "", origin_id: int | None = None):
    """Handover forms, newest first, with their origin, package count and pickups."""
    rows = (HandoverRecord.objects.select_related("origin", "created_by").annotate(package_count=Count("entries"))
            .prefetch_related(Prefetch("pickups", queryset=HandoverPickup.objects.order_by("-pk"))))
    if day is not None:
        rows = rows.filter(day=day)
    if carrier:
        rows = rows.filter(carrier=carrier)
    if origin_id:
        rows = rows.filter(origin_id=origin_id)
    return rows.order_by("-day", "-pk")


def record_detail(pk: int) -> HandoverRecord:
    return (HandoverRecord.objects.select_related("origin", "created_by")
            .prefetch_related(Prefetch("entries", queryset=HandoverPackage.objects.select_related("package__order")),
                              Prefetch("pickups", queryset=HandoverPickup.objects.order_by("-pk")))
            .get(pk=pk))


def handed_over(package_ids) -> dict[int, HandoverRecord]:
    """package id -> its handover form, for the packages that have proof of handover."""
    return {e.package_id: e.record for e in HandoverPackage.objects.filter(package_id__in=list(package_ids))
            .select_related("record")}
