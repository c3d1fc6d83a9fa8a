"""Labels of packages: what stops one being made, rates quoted and bought from the label provider
(claimed, bought, then stored: never bought twice, and no HTTP call inside a transaction), labels
uploaded as a PDF or typed as a tracking number, SellerHub's own 4x6 label, and a label's bytes."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pypdfium2
import zxingcpp
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

import documents as docs
from fulfilment import printing
from fulfilment.models import Package
from fulfilment.services.common import P, copy_package, label_name, timeline
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.locks import lock_package
from fulfilment.shipping_rules import services as shipping_rules
from fulfilment.tiktok import shipping as tiktok_shipping
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code
from integrations.labels import (
    BoughtLabel,
    LabelAlreadyBought,
    LabelProvider,
    NotConfigured,
    ProviderError,
    Quote,
    Rate,
    get_provider,
)
from orders import services as orders
from orders.models import LabelSource

log = logging.getLogger("sellerhub.fulfilment")

BUY_CLAIM = dt.timedelta(minutes=2)
MAX_LABEL_BYTES = 5 * 1024 * 1024


def label_problems(package: Package) -> list[str]:
    """Why no label can be made for the package now ([] when one can)."""
    problems = []
    order = package.order
    if order.label_source == LabelSource.PLATFORM:
        where = "print it on Fulfilment → TikTok Shipping" if tiktok_shipping.is_platform(order) else \
            "print it from the channel's seller center"
        problems.append(f"{order.account.get_channel_display()} provides this order's label ({where})")
    if package.status == P.CANCELLED:
        problems.append("the package is cancelled")
    if package.is_shipped:
        problems.append("the package has shipped")
    missing = orders.address_problems(order)
    if missing:
        problems.append(f"the shipping address has no {', '.join(missing)}")
    problems += printing.ship_from_problems(printing.ship_from_location(order))
    return problems


def _ready_for_label(package: Package, *, need_weight: bool) -> None:
    if package.has_label:
        raise FulfilmentError(f"{label_name(package).capitalize()} already has its label; cancel the package to "
                              f"make another.")
    problems = label_problems(package)
    if need_weight and not package.weight_grams:
        problems.append("the package has no weight (weigh it first)")
    if problems:
        raise FulfilmentError(f"No label for {label_name(package)}: " + "; ".join(problems) + ".")


def quote_rates(*, package: Package, label_format: str = "pdf", user=None,
                provider: LabelProvider | None = None) -> Quote:
    """Ask the label provider for the rates of the package (ship-from warehouse, the order's
    address, weight and size); they are kept with the package until one is bought."""
    if label_format not in ("pdf", "zpl"):
        raise FulfilmentError("Choose PDF or ZPL.", field="label_format")
    current = Package.objects.select_related("order__account").get(pk=package.pk)
    _ready_for_label(current, need_weight=True)
    try:
        provider = provider or get_provider()
        quote = provider.quote(printing.shipment_request(current, label_format=label_format))
    except NotConfigured as exc:
        raise FulfilmentError(str(exc)) from exc
    except ProviderError as exc:
        raise FulfilmentError(f"No rates for {label_name(current)}: {exc}") from exc
    with transaction.atomic():
        locked = lock_package(package)
        _ready_for_label(locked, need_weight=True)
        locked.provider, locked.provider_shipment_id = provider.name, quote.shipment_id
        locked.provider_shipment_format = label_format
        locked.rates = [r.as_dict() for r in quote.rates]
        locked.rates_quoted_at = timezone.now()
        locked.save(update_fields=["provider", "provider_shipment_id", "provider_shipment_format", "rates",
                                   "rates_quoted_at", "updated_at"])
        copy_package(package, locked)
    return quote


def _claim_purchase(package: Package, rate_id: str) -> Package | None:
    """Mark the package as being bought; None when it already has its label."""
    with transaction.atomic():
        locked = lock_package(package)
        if locked.has_label:
            return None
        _ready_for_label(locked, need_weight=True)
        if not locked.provider_shipment_id:
            raise FulfilmentError(f"Get the rates of {label_name(locked)} first.")
        if rate_id not in {r.get("id") for r in locked.rates}:
            raise FulfilmentError("That rate is not one quoted for this package; get the rates again.",
                                  field="rate_id")
        now = timezone.now()
        if locked.buying_since and now - locked.buying_since < BUY_CLAIM:
            raise FulfilmentError(f"The label of {label_name(locked)} is being bought right now; wait a moment.")
        locked.buying_since = now
        locked.save(update_fields=["buying_since"])
        return locked


def _release_claim(package: Package) -> None:
    Package.objects.filter(pk=package.pk).update(buying_since=None)


def _store_bought(package: Package, bought: BoughtLabel, *, provider: LabelProvider, user) -> Package:
    with transaction.atomic():
        locked = lock_package(package)
        if locked.has_label:
            return copy_package(package, locked)
        rate = bought.rate
        code = rate.carrier_code or carrier_code(rate.carrier)
        verdict = carriers.validate(bought.tracking_number, carrier=code or None)
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.{bought.label_format}",
                               ContentFile(bought.content), save=False)
        locked.label_source, locked.label_format = Package.LabelSource.PROVIDER, bought.label_format
        locked.label_created_at = timezone.now()
        locked.provider, locked.provider_shipment_id, locked.provider_rate_id = (
            provider.name, bought.shipment_id, rate.id)
        locked.provider_tracker_id = bought.tracker_id
        locked.public_tracking_url = bought.public_url[:300]
        locked.tracking_number = carriers.normalise(bought.tracking_number)
        locked.tracking_format_valid = verdict.valid
        locked.carrier = code or (verdict.carrier if verdict.valid else "") or ""
        locked.carrier_name, locked.service = rate.carrier[:100], rate.service[:100]
        locked.rate_amount, locked.rate_currency, locked.delivery_days = rate.amount, rate.currency[:3], rate.days
        locked.buying_since = None
        locked.status = P.LABELLED
        locked.save()
        timeline(locked.order, kind="label", user=user,
                 message=f"Label bought for package {locked.pk}: {rate.carrier} {rate.service} "
                         f"{rate.amount} {rate.currency}, tracking {locked.tracking_number}",
                 data={"package": locked.pk, "provider": provider.name, "shipment": bought.shipment_id})
        return copy_package(package, locked)


def buy_label(*, package: Package, rate_id: str, user=None, provider: LabelProvider | None = None) -> Package:
    """Buy one of the quoted rates and store the carrier's label with its tracking number.
    Safe to repeat: a package with a label buys nothing, and a purchase whose answer was lost
    is picked up from the provider instead of bought again."""
    rate_id = (rate_id or "").strip()
    if not rate_id:
        raise FulfilmentError("Choose a rate.", field="rate_id")
    shipping_rules.before_own_label(package=package, rate_id=rate_id, user=user)  # a rule may forbid it
    claimed = _claim_purchase(package, rate_id)
    if claimed is None:
        return Package.objects.get(pk=package.pk)
    try:
        provider = provider or get_provider()
        try:
            bought = provider.buy(claimed.provider_shipment_id, rate_id)
        except LabelAlreadyBought:
            bought = provider.bought_label(claimed.provider_shipment_id)
            if bought is None:
                raise ProviderError("The provider says the label exists but did not give it; try again.",
                                    retryable=True) from None
    except NotConfigured as exc:
        _release_claim(claimed)
        raise FulfilmentError(str(exc)) from exc
    except ProviderError as exc:
        _release_claim(claimed)
        raise FulfilmentError(f"The label for {label_name(claimed)} was not bought: {exc}") from exc
    except Exception:
        _release_claim(claimed)
        raise
    return copy_package(package, _store_bought(claimed, bought, provider=provider, user=user))


def _pick_rate(rates: list[Rate], choose: str) -> Rate:
    if choose == "fastest":
        return min(rates, key=lambda r: (r.days if r.days is not None else 99, r.amount))
    return min(rates, key=lambda r: (r.amount, r.days if r.days is not None else 99))


def buy_best_rate(*, package: Package, choose: str = "cheapest", label_format: str = "pdf", user=None,
                  provider: LabelProvider | None = None) -> Package:
    """For batches: quote (unless already quoted in this format) and buy the cheapest or fastest
    rate. A package with a label buys nothing."""
    current = Package.objects.get(pk=package.pk)
    if current.has_label:
        return current
    provider = provider or get_provider()
    if current.provider_shipment_id and current.provider_shipment_format == label_format and current.rates:
        bought = None
        if current.buying_since:  # an earlier purchase may have gone through
            try:
                bought = provider.bought_label(current.provider_shipment_id)
            except ProviderError:
                bought = None
        if bought is not None:
            return _store_bought(current, bought, provider=provider, user=user)
        rates = [Rate.from_dict(r) for r in current.rates]
    else:
        rates = list(quote_rates(package=current, label_format=label_format, user=user, provider=provider).rates)
    if not rates:
        raise FulfilmentError(f"No rates for {label_name(current)}.")
    return buy_label(package=current, rate_id=_pick_rate(rates, choose).id, user=user, provider=provider)


def _label_from_pdf(content: bytes) -> list[str]:
    """Tracking numbers read from the barcodes of an uploaded label's first page."""
    try:
        pdf = pypdfium2.PdfDocument(content)
        try:
            image = pdf[0].render(scale=3).to_pil()
        finally:
            pdf.close()
        texts = [r.text for r in zxingcpp.read_barcodes(image)]
    except Exception:  # an unreadable image is no reason to refuse the upload
        log.info("could not read barcodes from an uploaded label", exc_info=True)
        return []
    return [t for t in texts if carriers.detect(t)]


def upload_label(*, package: Package, content: bytes, tracking_number: str = "", carrier: str = "",
                 service: str = "", user=None) -> Package:
    """A label bought elsewhere, uploaded as a PDF. Without a tracking number, the one in the
    label's barcode is used (when one is readable and valid)."""
    if not isinstance(content, bytes | bytearray) or not content:
        raise FulfilmentError("Choose the label's PDF file.", field="file")
    if len(content) > MAX_LABEL_BYTES:
        raise FulfilmentError("The file is larger than 5 MB; upload the label page only.", field="file")
    try:
        pages = docs.merge.page_sizes(bytes(content))
    except docs.DocumentError as exc:
        raise FulfilmentError(f"That file can't be used as a label: {exc}.", field="file") from None
    if len(pages) > 4:
        raise FulfilmentError("The PDF has more than 4 pages; upload the label alone.", field="file")
    number = carriers.normalise(tracking_number)
    if not number:
        found = _label_from_pdf(bytes(content))
        if not found:
            raise FulfilmentError("No tracking number could be read from the label's barcode: type it.",
                                  field="tracking_number")
        number = carriers.normalise(found[0])
    verdict = _validated(number, carrier)
    with transaction.atomic():
        locked = lock_package(package)
        _ready_for_label(locked, need_weight=False)
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.pdf", ContentFile(bytes(content)), save=False)
        _set_number(locked, verdict, service)
        locked.label_source, locked.label_format = Package.LabelSource.UPLOADED, Package.LabelFormat.PDF
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        timeline(locked.order, kind="label", user=user,
                 message=f"Label uploaded for package {locked.pk}: {locked.carrier_name} {locked.tracking_number}",
                 data={"package": locked.pk})
        return copy_package(package, locked)


def _validated(number: str, carrier: str) -> carriers.ValidationResult:
    verdict = carriers.validate(number, carrier=(carrier or "").strip().lower() or None)
    if not verdict.valid:
        reason = verdict.reason
        raise FulfilmentError(f"{number or 'That'} is not a valid tracking number: {reason}.",
                              field="tracking_number")
    return verdict


def _set_number(package: Package, verdict: carriers.ValidationResult, service: str) -> None:
    package.tracking_number = verdict.number
    package.tracking_format_valid = True
    package.carrier = verdict.carrier or ""
    package.carrier_name = carriers.CARRIERS[verdict.carrier].name if verdict.carrier in carriers.CARRIERS else ""
    package.service = (service or "").strip()[:100]


def set_tracking_number(*, package: Package, tracking_number: str, carrier: str = "", service: str = "",
                        user=None) -> Package:
    """A label bought elsewhere (printed there): its tracking number, checked against the
    carrier's format and check digit (the carrier is detected when not given)."""
    verdict = _validated(carriers.normalise(tracking_number), carrier)
    with transaction.atomic():
        locked = lock_package(package)
        _ready_for_label(locked, need_weight=False)
        _set_number(locked, verdict, service)
        locked.label_source, locked.label_format = Package.LabelSource.TYPED, Package.LabelFormat.NONE
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        timeline(locked.order, kind="label", user=user,
                 message=f"Tracking number typed for package {locked.pk}: {locked.carrier_name} "
                         f"{locked.tracking_number}", data={"package": locked.pk})
        return copy_package(package, locked)


def make_own_label(*, package: Package, courier: str, service: str = "", tracking_number: str = "",
                   user=None) -> Package:
    """SellerHub's own 4x6 label, for own delivery and local couriers: ship-from, ship-to, order
    number, courier and service, weight, and a Code 128 of the courier's tracking number (or of
    the package reference)."""
    courier = (courier or "").strip()
    if not courier:
        raise FulfilmentError("Name the courier (or \"Own delivery\").", field="courier")
    number = carriers.normalise(tracking_number)
    code = courier.lower() if courier.lower() in carriers.CARRIERS else carrier_code(courier)
    valid = None
    if number and code:
        verdict = carriers.validate(number, carrier=code)
        if not verdict.valid:
            raise FulfilmentError(f"{number} is not a valid tracking number: {verdict.reason}.",
                                  field="tracking_number")
        valid = True
    if number and not re.fullmatch(r"[A-Z0-9]{4,40}", number):
        raise FulfilmentError("A tracking number has 4 to 40 letters and digits.", field="tracking_number")
    shipping_rules.before_own_label(package=package, carrier=code or courier, user=user)  # a rule may forbid it
    with transaction.atomic():
        locked = lock_package(package)
        _ready_for_label(locked, need_weight=False)
        locked.carrier, locked.carrier_name = code or "", (carriers.CARRIERS[code].name if code else courier)[:100]
        locked.service, locked.tracking_number = (service or "").strip()[:100], number
        locked.tracking_format_valid = valid if number else None
        try:
            pdf = docs.render_label_pdf(printing.label_data(locked))
        except docs.DocumentError as exc:
            raise FulfilmentError(f"The label could not be made: {exc}.") from None
        locked.label_file.save(f"{locked.order.external_id}-{locked.pk}.pdf", ContentFile(pdf), save=False)
        locked.label_source, locked.label_format = Package.LabelSource.OWN, Package.LabelFormat.PDF
        locked.label_created_at, locked.status = timezone.now(), P.LABELLED
        locked.save()
        timeline(locked.order, kind="label", user=user,
                 message=f"SellerHub label made for package {locked.pk}: {locked.carrier_name}"
                         + (f" {number}" if number else f" (reference {locked.reference})"),
                 data={"package": locked.pk})
        return copy_package(package, locked)


def label_bytes(package: Package, fmt: str) -> tuple[bytes, str]:
    """The package's label as PDF or ZPL bytes, with the content type. SellerHub's own labels
    (and typed numbers) render in either format; a provider's or uploaded label is served in
    the format it came in."""
    if not package.has_label:
        raise FulfilmentError(f"{label_name(package).capitalize()} has no label yet.")
    if fmt not in ("pdf", "zpl"):
        raise FulfilmentError("Ask for pdf or zpl.")
    if package.label_source in (Package.LabelSource.OWN, Package.LabelSource.TYPED):
        data = printing.label_data(package)
        if fmt == "zpl":
            return docs.label_zpl(data), "application/zpl"
        if package.label_source == Package.LabelSource.OWN and package.label_file:
            with package.label_file.open("rb") as fh:
                return fh.read(), "application/pdf"
        return docs.render_label_pdf(data), "application/pdf"
    if package.label_format != fmt:
        source = "the label provider" if package.label_source == Package.LabelSource.PROVIDER else "the upload"
        raise FulfilmentError(f"The label of {label_name(package)} came from {source} as "
                              f"{package.label_format.upper()}; it can't be turned into {fmt.upper()}.")
    with package.label_file.open("rb") as fh:
        return fh.read(), ("application/pdf" if fmt == "pdf" else "application/zpl")
