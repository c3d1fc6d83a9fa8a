"""Demo proof of handover: a few of today's USPS packages ready for the "End of day" page
(/fulfilment/end-of-day/). With the label provider reachable (the loopback emulator of
``make run`` already up), their USPS labels are bought through it, so one click makes the
day's SCAN form; otherwise they are left packed and weighed (buy their labels on the package
page, then end the day). A label typed by hand (USPS) and one of another courier show the
manifest path. Runs after ``devtools.demo.fulfilment``."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

from django.conf import settings

from fulfilment import services
from fulfilment.models import Package
from integrations.labels import ProviderError
from orders import services as order_services
from orders.models import Fulfilment, Order, OrderStatus
from sellerhub.models import Channel

log = logging.getLogger("sellerhub.demo")
COUNT = 3


def _orders(limit):
    """Confirmed FBS orders of non-TikTok shops with no package yet (TikTok's USPS labels go
    through TikTok Shipping), soonest deadline first."""
    orders = (Order.objects.filter(fulfilment=Fulfilment.FBS, status=OrderStatus.CONFIRMED, packages__isnull=True)
              .exclude(ship_street1="").exclude(account__channel=Channel.TIKTOK).select_related("account")
              .order_by("dispatch_due_at", "pk"))
    return [o for o in orders if not order_services.address_problems(o)][:limit]


def _provider_answers() -> bool:
    """Whether something listens at the label provider's address (under ``make run`` the demo is
    loaded before the emulator starts: no purchase is tried, nothing waits for retries)."""
    url = urlsplit(getattr(settings, "EASYPOST_BASE_URL", "") or "")
    if not url.hostname:
        return bool(getattr(settings, "EASYPOST_API_KEY", ""))
    try:
        with socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)),
                                      timeout=0.5):
            return True
    except OSError:
        return False


def _buy_usps(package, user) -> bool:
    try:
        quote = services.quote_rates(package=package, user=user)
        rate = next((r for r in quote.rates if r.carrier_code == "usps"), None)
        if rate is None:
            return False
        services.buy_label(package=package, rate_id=rate.id, user=user)
    except (ProviderError, services.FulfilmentError) as exc:
        log.info("handover demo: package %s left packed (%s)", package.pk, exc)
        return False
    return True


def load(*, users):
    warehouse = users.get("warehouse")
    if Package.objects.filter(reference__startswith="EOD-DEMO").exists():
        return  # loaded before
    bought, reachable = 0, _provider_answers()
    try:
        for number, order in enumerate(_orders(COUNT), start=1):
            package = services.create_package(order=order, user=warehouse)
            Package.objects.filter(pk=package.pk).update(reference=f"EOD-DEMO-{number}")
            if reachable:  # one failed try is enough: the others would wait for the same provider
                reachable = _buy_usps(package, warehouse)
                bought += reachable
    except services.FulfilmentError as exc:  # demo data that does not fit: say so, don't break the demo
        log.warning("handover demo stopped early: %s", exc)
    if not bought:
        log.info("handover demo: the label provider was not reachable; buy the USPS labels of the packages "
                 "EOD-DEMO-1..%s on their pages, then end the day on /fulfilment/end-of-day/", COUNT)
