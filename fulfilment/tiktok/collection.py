"""Collection requests: handing TikTok-label packages to the carrier TikTok designated.

    ready_groups(account=None)           the packages ready to hand over (TikTok package and label,
                                         not shipped, not in an open request), by account and carrier
    handover_options(package=)           TikTok's pickup / drop-off options and pickup slots
    request_collection(packages=, method=, slot=, user=)
                                         one collection request per account, slot (or the day's
                                         drop-off) and carrier; its packages become "requested" and
                                         the job ships them with that handover method
    ship_collection(collection=)         the job's work: TikTok is asked to ship each package (batch
                                         ship, PICKUP with the slot or DROP_OFF); a package TikTok
                                         accepts is shipped here too, then read back: "scheduled"
    apply_package_info(platform=, info=) TikTok's view of a package: scheduled -> collected
    handle_package_update(account=, payload=)
                                         a PACKAGE_UPDATE notification (type 4): those packages read
    sync_open(limit=)                    cron: the open requests' packages read again (lost webhooks)
    manifest_pdf(collection=)            the handover manifest, every package with its barcode

Calls to TikTok run outside transactions; each write is one short transaction, safe to repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import documents as docs
from fulfilment import printing, services
from fulfilment.models import Package
from fulfilment.services.locks import (
    lock_first_collection,
    lock_packages,
    lock_platform_package,
    lock_platform_packages,
)
from fulfilment.tiktok import shipping
from fulfilment.tiktok.models import CollectionRequest, Handover, PlatformPackage
from integrations.tiktok import shipping as api
from orders.models import Fulfilment, LabelSource, OrderStatus
from sellerhub.models import Channel

log = logging.getLogger("sellerhub.fulfilment")

P = Package.Status
C = PlatformPackage.Collection
CR = CollectionRequest.Status
OPEN_PACKAGE_STATES = (C.REQUESTED, C.SCHEDULED)
MAX_PACKAGES = 500


class CollectionError(ValueError):
    """A collection step that cannot be taken; nothing was changed. The message says why."""


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------
# What is ready


def platform_packages():
    """Live packages of TikTok-label orders (FBS, TikTok accounts)."""
    return (Package.objects.filter(order__label_source=LabelSource.PLATFORM, order__fulfilment=Fulfilment.FBS,
                                   order__account__channel=Channel.TIKTOK)
            .exclude(status=P.CANCELLED).exclude(order__status=OrderStatus.CANCELLED))


def ready_packages():
    """Packages with a TikTok package, not shipped and in no open collection request."""
    return (platform_packages().filter(status__in=[P.DRAFT, P.LABELLED]).exclude(external_id="")
            .exclude(platform__collection_status__in=OPEN_PACKAGE_STATES + (C.COLLECTED,))
            .select_related("order__account", "platform").order_by("order__dispatch_due_at", "pk"))


@dataclass
class Group:
    account: object
    carrier: str
    provider_id: str
    packages: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.account.pk}-{self.provider_id or self.carrier or 'none'}"


def ready_groups(*, account=None) -> list[Group]:
    """The packages ready to hand over, grouped by shop and designated carrier (two queries)."""
    packages = ready_packages()
    if account is not None:
        packages = packages.filter(order__account=account)
    groups: dict[tuple, Group] = {}
    for package in packages[:MAX_PACKAGES]:
        platform = getattr(package, "platform", None)
        carrier = (platform.provider_name if platform else "") or package.carrier_name or "Carrier not known yet"
        provider = (platform.provider_id if platform else "") or package.shipping_provider_id
        key = (package.order.account_id, provider or carrier)
        if key not in groups:
            groups[key] = Group(account=package.order.account, carrier=carrier, provider_id=provider)
        groups[key].packages.append(package)
    return sorted(groups.values(), key=lambda g: (g.account.name, g.carrier))


def handover_options(*, package: Package, session: shipping.Session | None = None) -> api.HandoverOptions:
    package = Package.objects.select_related("order__account").get(pk=package.pk)
    if not package.external_id:
        raise CollectionError(f"Package {package.pk} has no TikTok package yet: get its TikTok label first.")
    own = session is None
    session = session or shipping.Session()
    try:
        data = api.call(session.connector(package.order.account), api.handover_slots_request(package.external_id))
    finally:
        if own:
            session.close()
    return api.parse_handover(data)


# ---------------------------------------------------------------------------------------------
# Requesting


def _local_day(when: dt.datetime | None) -> dt.date:
    return timezone.localtime(when).date() if when else timezone.localdate()


def request_collection(*, packages, method: str, slot: tuple[int, int] | None = None, user=None) -> CollectionRequest:
    """Put packages in the collection request of their shop, slot (or today's drop-off) and
    carrier (made when there is none), and mark them requested; the caller queues the job that
    ships them (``jobs.enqueue_collection``). All or nothing."""
    if method not in Handover.values:
        raise CollectionError("Choose pickup (with a time slot) or drop-off.")
    if method == Handover.PICKUP:
        if not slot or not all(isinstance(v, int) for v in slot) or slot[1] <= slot[0]:
            raise CollectionError("Choose a pickup time slot.")
    else:
        slot = None
    ids = sorted({p.pk if isinstance(p, Package) else int(p) for p in packages})
    if not ids:
        raise CollectionError("Choose at least one package.")
    if len(ids) > MAX_PACKAGES:
        raise CollectionError(f"A collection request holds at most {MAX_PACKAGES} packages.")
    start = dt.datetime.fromtimestamp(slot[0], tz=dt.UTC) if slot else None
    end = dt.datetime.fromtimestamp(slot[1], tz=dt.UTC) if slot else None
    now = timezone.now()
    with transaction.atomic():
        locked = lock_packages(ids)
        found = {p.pk for p in locked}
        problems = [f"package {pk} does not exist" for pk in ids if pk not in found]
        platforms = {pp.package_id: pp for pp in lock_platform_packages(package_id__in=ids)}
        accounts, carriers_ = set(), set()
        for package in locked:
            name = f"package {package.pk} (order {package.order.external_id})"
            platform = platforms.get(package.pk)
            if not shipping.is_platform(package.order):
                problems.append(f"{name} does not ship with TikTok's label")
            elif not package.external_id or platform is None:
                problems.append(f"{name} has no TikTok package yet")
            elif package.status not in (P.DRAFT, P.LABELLED):
                problems.append(f"{name} is {package.get_status_display().lower()}")
            elif platform.collection_status in OPEN_PACKAGE_STATES + (C.COLLECTED,):
                problems.append(f"{name} is already {platform.get_collection_status_display().lower()}"
                                + (f" in {platform.collection.reference}" if platform.collection_id else ""))
            else:
                accounts.add(package.order.account_id)
                carriers_.add((platform.provider_id, platform.provider_name or package.carrier_name))
        if problems:
            raise CollectionError("Not requested: " + "; ".join(problems) + ".")
        if len(accounts) != 1:
            raise CollectionError("A collection request is for one shop: choose packages of one TikTok account.")
        if len(carriers_) != 1:
            names = ", ".join(sorted(n or "?" for _i, n in carriers_))
            raise CollectionError(f"TikTok designated different carriers ({names}): request each carrier's packages "
                                  f"on its own.")
        account = locked[0].order.account
        provider_id, carrier_name = next(iter(carriers_))
        day = _local_day(start)
        lookup = Q(account=account, handover_method=method, provider_id=provider_id,
                   status__in=CollectionRequest.OPEN_STATUSES)
        lookup &= Q(slot_start=start, slot_end=end) if slot else Q(handover_date=day, slot_start__isnull=True)
        collection = lock_first_collection(lookup)
        if collection is None:
            collection = CollectionRequest.objects.create(
                account=account, handover_method=method, slot_start=start, slot_end=end, handover_date=day,
                provider_id=provider_id[:64], carrier_name=(carrier_name or "")[:100], created_by=_user(user))
        PlatformPackage.objects.filter(package_id__in=ids).update(
            collection=collection, collection_status=C.REQUESTED, handover_method=method, pickup_start=start,
            pickup_end=end, collection_error="", requested_at=now, scheduled_at=None, updated_at=now)
        CollectionRequest.objects.filter(pk=collection.pk).update(status=CR.REQUESTED, message="", updated_at=now)
        collection.refresh_from_db()
        return collection


def _ship_locally(package: Package, user) -> str:
    """Record the handover here (tracking uploaded, the order shipped when all its units are):
    the fulfilment ship flow. Returns "" or why it could not be recorded."""
    try:
        services.ship_package(package=package, user=user)
    except services.FulfilmentError as exc:
        return str(exc)
    return ""


def ship_collection(*, collection: CollectionRequest, user=None, report=None) -> dict:
    """Ask TikTok to ship the request's packages still "requested" (or refused before) with its
    handover method and slot; read each accepted package back. Safe to run again: a package
    TikTok already shipped is read back, not shipped twice."""
    report = report or (lambda pct, msg: None)
    collection = CollectionRequest.objects.select_related("account").get(pk=collection.pk)
    platforms = list(PlatformPackage.objects.filter(collection=collection, collection_status__in=[C.REQUESTED,
                                                                                                   C.FAILED])
                     .select_related("package__order__account").order_by("pk"))
    slot = None
    if collection.handover_method == Handover.PICKUP:
        slot = (int(collection.slot_start.timestamp()), int(collection.slot_end.timestamp()))
    shipped = refused = 0
    with shipping.Session() as session:
        connector = session.connector(collection.account)
        # Labels first: a package is handed over with its label on it.
        for index, platform in enumerate(platforms, start=1):
            try:
                shipping.ensure_label(package=platform.package, user=user, session=session)
            except shipping.ShippingError as exc:
                _refuse(platform, f"no label: {exc}")
                refused += 1
            if index % 10 == 0:
                report(5 + index * 25 // max(len(platforms), 1), f"Labels of {index} of {len(platforms)} packages")
        todo = list(PlatformPackage.objects.filter(pk__in=[p.pk for p in platforms],
                                                   collection_status__in=[C.REQUESTED, C.FAILED])
                    .exclude(collection_error__startswith="no label").select_related("package__order__account"))
        for start in range(0, len(todo), api.BATCH_SHIP_MAX):
            batch = todo[start:start + api.BATCH_SHIP_MAX]
            ids = [p.package.external_id for p in batch]
            try:
                errors = api.batch_errors(api.call(connector, api.batch_ship_request(ids, method=collection
                                                                                     .handover_method, slot=slot)))
            except api.ShippingError as exc:
                if not exc.retryable:
                    errors = {pid: str(exc) for pid in ids}
                else:  # the answer was lost: read the packages back to see what TikTok did
                    errors = {}
            for platform in batch:
                package = platform.package
                error = errors.get(package.external_id, "")
                info = api.parse_package(api.call(connector, api.package_request(package.external_id)))
                if error and info.status not in api.PACKAGE_SHIPPED + api.PACKAGE_COLLECTED:
                    _refuse(platform, f"TikTok refused: {error}")
                    refused += 1
                    continue
                apply_package_info(platform=platform, info=info)  # scheduled: TikTok has it
                problem = _ship_locally(package, user)
                if problem:
                    PlatformPackage.objects.filter(pk=platform.pk).update(collection_error=problem[:500])
                shipped += 1
            report(30 + (start + len(batch)) * 65 // max(len(todo), 1),
                   f"Asked TikTok to ship {start + len(batch)} of {len(todo)} packages")
    refresh_collection(collection=collection)
    collection.refresh_from_db()
    message = f"{collection.reference}: {shipped} package(s) {collection.get_status_display().lower()}"
    if refused:
        message += f", {refused} refused (see the request)"
    return {"message": message, "shipped": shipped, "refused": refused, "collection": collection.pk}


def _refuse(platform: PlatformPackage, error: str) -> None:
    PlatformPackage.objects.filter(pk=platform.pk).update(collection_status=C.FAILED, collection_error=error[:500],
                                                          updated_at=timezone.now())
    platform.collection_status, platform.collection_error = C.FAILED, error[:500]


# ---------------------------------------------------------------------------------------------
# Following: requested -> scheduled -> collected


def apply_package_info(*, platform: PlatformPackage, info: api.PackageInfo) -> str:
    """TikTok's view of a package moves its handover forward (never back). Returns its state."""
    state = api.collection_state(info)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_platform_package(platform, with_package=True)
        fields = {"tiktok_status": info.status, "synced_at": now, "updated_at": now}
        current = locked.collection_status
        rank = {C.NONE: 0, C.FAILED: 0, C.REQUESTED: 1, C.SCHEDULED: 2, C.COLLECTED: 3}
        if state == "cancelled":
            fields.update(collection_status=C.CANCELLED, collection_error="TikTok cancelled the package")
        elif state in ("scheduled", "collected") and rank.get(state, 0) > rank.get(current, 0):
            fields["collection_status"] = state
            fields["collection_error"] = ""
            if state == "scheduled" or not locked.scheduled_at:
                fields["scheduled_at"] = locked.scheduled_at or now
            if state == "collected":
                fields["collected_at"] = now
            if info.handover_method:
                fields["handover_method"] = info.handover_method
            if info.pickup_slot:
                fields["pickup_start"] = dt.datetime.fromtimestamp(info.pickup_slot[0], tz=dt.UTC)
                fields["pickup_end"] = dt.datetime.fromtimestamp(info.pickup_slot[1], tz=dt.UTC)
        PlatformPackage.objects.filter(pk=locked.pk).update(**fields)
        if fields.get("collection_status") == C.COLLECTED:
            package = locked.package
            if package.status == P.SHIPPED:
                Package.objects.filter(pk=package.pk, status=P.SHIPPED).update(status=P.IN_TRANSIT,
                                                                               updated_at=now)
        return fields.get("collection_status", current)


def refresh_collection(*, collection) -> str:
    """A request's status from its packages': scheduled, partly collected, collected, or needs
    attention when TikTok refused one."""
    pk = collection if isinstance(collection, int) else collection.pk
    states = list(PlatformPackage.objects.filter(collection_id=pk).values_list("collection_status", flat=True))
    now = timezone.now()
    if not states:
        status = CR.CANCELLED
    elif all(s == C.COLLECTED for s in states):
        status = CR.COLLECTED
    elif any(s == C.COLLECTED for s in states):
        status = CR.PARTLY_COLLECTED
    elif any(s == C.FAILED for s in states):
        status = CR.FAILED
    elif all(s == C.SCHEDULED for s in states):
        status = CR.SCHEDULED
    elif all(s == C.CANCELLED for s in states):
        status = CR.CANCELLED
    else:
        status = CR.REQUESTED
    fields = {"status": status, "updated_at": now}
    failed = [s for s in states if s == C.FAILED]
    fields["message"] = f"{len(failed)} package(s) refused by TikTok" if failed else ""
    update = CollectionRequest.objects.filter(pk=pk)
    update.update(**fields)
    if status in (CR.SCHEDULED, CR.PARTLY_COLLECTED, CR.COLLECTED):
        update.filter(scheduled_at__isnull=True).update(scheduled_at=now)
    if status == CR.COLLECTED:
        update.filter(collected_at__isnull=True).update(collected_at=now)
    return status


def read_packages(*, account, package_ids, session: shipping.Session | None = None) -> dict:
    """Read TikTok packages (by TikTok id) and move their handover forward."""
    platforms = {pp.package.external_id: pp for pp in PlatformPackage.objects.filter(
        package__external_id__in=list(package_ids), package__order__account=account).select_related("package")}
    counts = defaultdict(int)
    own = session is None
    session = session or shipping.Session()
    try:
        connector = session.connector(account)
        for package_id, platform in platforms.items():
            try:
                info = api.parse_package(api.call(connector, api.package_request(package_id)))
            except api.ShippingError as exc:
                if exc.retryable:
                    raise  # TikTok unreachable: the next run reads them all again
                # TikTok refuses to show this one (unknown or no longer ours): say so, go on.
                PlatformPackage.objects.filter(pk=platform.pk).update(
                    collection_error=f"TikTok could not be read: {exc}"[:500], synced_at=timezone.now())
                counts["unreadable"] += 1
                continue
            counts[apply_package_info(platform=platform, info=info) or "none"] += 1
    finally:
        if own:
            session.close()
        for collection_id in {p.collection_id for p in platforms.values() if p.collection_id}:
            refresh_collection(collection=collection_id)
    return dict(counts)


def handle_package_update(*, account, payload) -> tuple[str, str]:
    """A PACKAGE_UPDATE notification (type 4): the packages it names are read from TikTok and
    their handover moves forward. Returns (notification status, message)."""
    ids = api.package_ids_of(payload)
    known = list(PlatformPackage.objects.filter(package__external_id__in=ids, package__order__account=account)
                 .values_list("package__external_id", flat=True))
    if not known:
        return "ignored", f"no TikTok-label package of ours among {', '.join(ids[:5]) or 'none'}"
    try:
        counts = read_packages(account=account, package_ids=known)
    except api.ShippingError as exc:
        return "failed", str(exc)
    return "processed", ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))


def sync_open(*, limit: int = 500) -> dict:
    """Cron: read back the packages of open collection requests (a lost notification never
    leaves a package "scheduled" for ever)."""
    rows = (PlatformPackage.objects.filter(collection_status__in=OPEN_PACKAGE_STATES)
            .exclude(package__external_id="").select_related("package__order__account").order_by("synced_at", "pk")
            [:limit])
    by_account = defaultdict(list)
    for platform in rows:
        by_account[platform.package.order.account].append(platform.package.external_id)
    result = {}
    for account, ids in by_account.items():
        try:
            result[account.name] = read_packages(account=account, package_ids=ids)
        except api.ShippingError as exc:
            log.warning("collection sync of %s failed: %s", account, exc)
            result[account.name] = {"error": str(exc)}
    return result


# ---------------------------------------------------------------------------------------------
# Manifest


def manifest_pdf(*, collection: CollectionRequest, page_size: str = "letter") -> bytes:
    """The handover manifest of a collection request: every package with its tracking barcode,
    and a signature block (documents)."""
    platforms = list(PlatformPackage.objects.filter(collection=collection).exclude(collection_status=C.CANCELLED)
                     .select_related("package__order").order_by("package__order__external_id", "pk"))
    rows = [docs.ManifestPackage(tracking_number=p.package.tracking_number, order_number=p.package.order.external_id,
                                 carrier=p.package.carrier_name or p.package.carrier,
                                 service=p.package.service or p.shipping_service_name,
                                 weight_grams=p.package.weight_grams or None)
            for p in platforms if p.package.tracking_number]
    if not rows:
        raise CollectionError(f"{collection.reference} has no package with a tracking number to list.")
    warehouse = printing.ship_from_location(platforms[0].package.order)
    extra = {"Handover": Handover(collection.handover_method).label, "Shop": collection.account.name}
    if collection.slot_start:
        start, end = timezone.localtime(collection.slot_start), timezone.localtime(collection.slot_end)
        extra["Pickup window"] = f"{start:%a %b %-d, %H:%M}–{end:%H:%M}"
    else:
        extra["Drop-off day"] = f"{collection.handover_date:%a %b %-d}"
    manifest = docs.ManifestData(
        reference=collection.reference, packages=rows, carrier=collection.carrier_name,
        ship_from=docs.Address.from_location(warehouse) if warehouse else None, created_at=timezone.localtime(),
        title="Collection manifest", extra=extra,
        note="TikTok Shipping collection: the carrier's driver signs for every package listed.")
    return docs.render_manifest_pdf(manifest, page_size=page_size)
