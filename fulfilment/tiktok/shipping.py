"""Platform labels: packages of orders shipped with TikTok's label (``label_source`` PLATFORM).

    prepare_package(package=)    create the package on TikTok (weight, dimensions, its lines) unless
                                 it exists, keep its tracking number and carrier, and ask for the
                                 shipping document's URL
    ensure_label(package=)       the package's label: TikTok's shipping label (PDF), downloaded and
                                 kept as the package's label file; an expired URL (it lives 24 h) is
                                 asked for again. The print batch calls it for platform packages.
    document_pdf(package=, doc_type=)  the label, or label + packing slip, as PDF bytes (kept)

Calls to TikTok never run inside a database transaction; each write afterwards is one short
transaction, safe to repeat: a package is never created twice on TikTok (a create whose answer
was lost is found again on the order), and a stored label is never downloaded again.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fulfilment.models import Package
from fulfilment.services.locks import lock_package, lock_platform_package
from fulfilment.tiktok.models import PlatformPackage
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code
from integrations.channels.connectors.tiktok import order_detail_request
from integrations.tiktok import shipping as api
from orders.models import Fulfilment, LabelSource, OrderEvent, OrderStatus
from sellerhub.models import Channel

log = logging.getLogger("sellerhub.fulfilment")

P = Package.Status
PLATFORM = getattr(getattr(Package, "LabelSource", None), "PLATFORM", "platform")
LABEL_DOC = "SHIPPING_LABEL"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
ShippingError = api.ShippingError


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _timeline(order, *, kind, message, user=None, data=None):
    user = _user(user)
    OrderEvent.objects.create(order_id=order.pk, kind=kind, user=user, actor=(user.get_username() if user else
                                                                               "tiktok")[:60],
                              message=message[:500], data=data or {})


def is_platform(order) -> bool:
    return (order.label_source == LabelSource.PLATFORM and order.fulfilment == Fulfilment.FBS
            and order.account.channel == Channel.TIKTOK)


def check_platform(package: Package) -> None:
    order = package.order
    if not is_platform(order):
        raise ShippingError(f"Order {order.external_id} does not ship with TikTok's label.")
    if package.status == P.CANCELLED:
        raise ShippingError(f"Package {package.pk} of order {order.external_id} is cancelled.")
    if order.status == OrderStatus.CANCELLED:
        raise ShippingError(f"Order {order.external_id} is cancelled.")


def ship_refusal(package: Package) -> str:
    """Why a TikTok-label package may not be marked shipped here yet ("" when it may): TikTok
    must first be asked to ship it with its handover (a collection request: pickup or drop-off),
    or the order would stay unshipped on TikTok."""
    if not is_platform(package.order):
        return ""
    handed = PlatformPackage.objects.filter(package=package, collection_status__in=[
        PlatformPackage.Collection.SCHEDULED, PlatformPackage.Collection.COLLECTED]).exists()
    if handed:
        return ""
    return (f"Package {package.pk} of order {package.order.external_id} ships with TikTok's label: hand it over "
            f"through a collection request (Fulfilment → TikTok Shipping), which tells TikTok the pickup or "
            f"drop-off and marks it shipped here.")


def _line_ids(package: Package) -> list[str]:
    ids = []
    for pl in package.lines.select_related("order_line"):
        if pl.order_line.external_id:
            ids.append(pl.order_line.external_id)
    return ids


def _platform(package: Package) -> PlatformPackage:
    return PlatformPackage.objects.get_or_create(package=package)[0]


class Session:
    """One connector (and HTTP session) per account for a run over many packages."""

    def __init__(self):
        self.connectors = {}

    def connector(self, account):
        if account.pk not in self.connectors:
            self.connectors[account.pk] = api.open_connector(account)
        return self.connectors[account.pk]

    def close(self):
        for connector in self.connectors.values():
            connector.close()
        self.connectors = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _existing_on_tiktok(connector, package: Package) -> str:
    """TikTok's package id already holding this package's lines (a create whose answer was
    lost), or ""."""
    data = api.call(connector, order_detail_request([package.order.external_id]))
    wanted = set(_line_ids(package))
    for order in data.get("orders") or []:
        for line in order.get("line_items") or []:
            if str(line.get("id")) in wanted and line.get("package_id"):
                return str(line["package_id"])
    return ""


def _store_created(package: Package, package_id: str, service, info: api.PackageInfo | None, *, user) -> Package:
    with transaction.atomic():
        locked = lock_package(package)
        if locked.external_id and locked.external_id != package_id:
            raise ShippingError(f"Package {locked.pk} is already TikTok package {locked.external_id}.")
        locked.external_id = package_id
        provider_name = (service.provider_name if service else "") or (info.provider_name if info else "")
        provider_id = (service.provider_id if service else "") or (info.provider_id if info else "")
        number = carriers.normalise(info.tracking_number) if info and info.tracking_number else ""
        if number:
            code = carrier_code(provider_name) if provider_name else ""
            verdict = carriers.validate(number, carrier=code or None)
            locked.tracking_number = number
            locked.tracking_format_valid = verdict.valid
            locked.carrier = code or (verdict.carrier if verdict.valid else "") or ""
        locked.carrier_name = provider_name[:100] or locked.carrier_name
        locked.shipping_provider_id = provider_id[:64] or locked.shipping_provider_id
        if service and service.name:
            locked.service = service.name[:100]
        locked.save()
        platform, _ = PlatformPackage.objects.get_or_create(package=locked)
        platform.shipping_service_id = (service.id if service else "") or platform.shipping_service_id
        platform.shipping_service_name = (service.name if service else "")[:120] or platform.shipping_service_name
        platform.provider_id, platform.provider_name = provider_id[:64], provider_name[:100]
        if info and info.status:
            platform.tiktok_status = info.status
        platform.save()
        _timeline(locked.order, kind="tiktok_package", user=user,
                  message=f"Package {locked.pk} created on TikTok as {package_id}: {provider_name} {number}".strip(),
                  data={"package": locked.pk, "tiktok_package": package_id})
        package.refresh_from_db()
        return package


def prepare_package(*, package: Package, user=None, session: Session | None = None,
                    doc_type: str = LABEL_DOC) -> PlatformPackage:
    """The package exists on TikTok (created with its weight and dimensions when not), with its
    tracking number and carrier here, and a document URL that has not expired."""
    package = Package.objects.select_related("order__account").get(pk=package.pk)
    check_platform(package)
    own = session is None
    session = session or Session()
    try:
        connector = session.connector(package.order.account)
        if not package.external_id:
            if package.is_shipped:
                raise ShippingError(f"Package {package.pk} has shipped without a TikTok package.")
            if not package.weight_grams:
                raise ShippingError(f"Package {package.pk} of order {package.order.external_id} has no weight: weigh "
                                    f"it first (TikTok's label needs it).")
            package_id = _existing_on_tiktok(connector, package)
            service = None
            if not package_id:
                request = api.create_package_request(
                    package.order.external_id, line_ids=_line_ids(package), weight_grams=package.weight_grams,
                    length_mm=package.length_mm, width_mm=package.width_mm, height_mm=package.height_mm)
                try:
                    created = api.parse_created(api.call(connector, request))
                except ShippingError as exc:
                    if not exc.retryable:
                        raise
                    package_id = _existing_on_tiktok(connector, package)  # the create may have gone through
                    if not package_id:
                        raise
                else:
                    package_id, service = created.package_id, created.service
            info = api.parse_package(api.call(connector, api.package_request(package_id)))
            package = _store_created(package, package_id, service, info, user=user)
        platform = _platform(package)
        if not platform.doc_url or platform.document_type != doc_type or _expired(platform):
            refresh_document_url(platform=platform, connector=connector, doc_type=doc_type)
            platform.refresh_from_db()
        return platform
    finally:
        if own:
            session.close()


def _expired(platform: PlatformPackage, *, margin_seconds: int = 300) -> bool:
    if not platform.doc_url_expires_at:
        return True
    return (platform.doc_url_expires_at - timezone.now()).total_seconds() < margin_seconds


def refresh_document_url(*, platform: PlatformPackage, connector, doc_type: str = LABEL_DOC,
                         size: str = "A6") -> PlatformPackage:
    """Ask TikTok for a (new) URL of the package's shipping document and keep it."""
    package_id = platform.package.external_id
    document = api.parse_document(api.call(connector, api.documents_request(package_id, doc_type=doc_type,
                                                                              size=size)), now=timezone.now())
    PlatformPackage.objects.filter(pk=platform.pk).update(
        doc_url=document.url, doc_url_expires_at=document.expires_at, document_type=doc_type, document_size=size,
        doc_urls_fetched=F("doc_urls_fetched") + 1, updated_at=timezone.now())
    return platform


def _download(platform: PlatformPackage, connector, doc_type: str) -> bytes:
    """The document's PDF from its stored URL; an expired URL is asked again once."""
    platform.refresh_from_db()
    try:
        content = api.download(connector.session, platform.doc_url)
    except api.DocumentExpired:
        log.info("document URL of TikTok package %s expired; asking for a new one", platform.package.external_id)
        refresh_document_url(platform=platform, connector=connector, doc_type=doc_type)
        platform.refresh_from_db()
        content = api.download(connector.session, platform.doc_url)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ShippingError("TikTok's document is larger than 5 MB")
    return content


def ensure_label(*, package: Package, user=None, session: Session | None = None) -> Package:
    """The package with TikTok's shipping label as its label file (created and downloaded when
    needed). A package that already has its label is returned as it is."""
    package = Package.objects.select_related("order__account").get(pk=package.pk)
    if package.has_label:
        return package
    own = session is None
    session = session or Session()
    try:
        platform = prepare_package(package=package, user=user, session=session, doc_type=LABEL_DOC)
        connector = session.connector(package.order.account)
        content = _download(platform, connector, LABEL_DOC)
    finally:
        if own:
            session.close()
    with transaction.atomic():
        locked = lock_package(package)
        if locked.has_label:
            return locked
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}-tiktok.pdf", ContentFile(content),
                               save=False)
        locked.label_source = PLATFORM
        locked.label_format = "pdf"
        locked.label_created_at = timezone.now()
        if locked.status == P.DRAFT:
            locked.status = P.LABELLED
        locked.save()
        PlatformPackage.objects.filter(package=locked).update(document_downloaded_at=timezone.now())
        _timeline(locked.order, kind="label", user=user,
                  message=f"TikTok's label downloaded for package {locked.pk}: {locked.carrier_name} "
                          f"{locked.tracking_number}", data={"package": locked.pk})
        return locked


def document_pdf(*, package: Package, doc_type: str = LABEL_DOC, user=None, session: Session | None = None) -> bytes:
    """TikTok's document of a package as PDF bytes: the label (kept as the package's label) or
    the label with TikTok's packing slip (kept on the TikTok package)."""
    if doc_type == LABEL_DOC:
        package = ensure_label(package=package, user=user, session=session)
        with package.label_file.open("rb") as fh:
            return fh.read()
    platform = PlatformPackage.objects.filter(package=package, document_type=doc_type).exclude(document="").first()
    if platform is not None:
        with platform.document.open("rb") as fh:
            return fh.read()
    own = session is None
    session = session or Session()
    try:
        platform = prepare_package(package=package, user=user, session=session, doc_type=doc_type)
        content = _download(platform, session.connector(package.order.account), doc_type)
    finally:
        if own:
            session.close()
    with transaction.atomic():
        locked = lock_platform_package(platform)
        locked.document.save(f"{package.order.external_id}-{package.pk}-{doc_type.lower()}.pdf", ContentFile(content),
                             save=False)
        locked.document_downloaded_at = timezone.now()
        locked.save()
    return content
