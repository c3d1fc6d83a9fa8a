"""Shipping-label providers. ``get_provider()`` returns the configured one (EasyPost), or raises
``NotConfigured`` with what to set.

Settings (environment): ``EASYPOST_API_KEY``, ``EASYPOST_BASE_URL`` (default
``https://api.easypost.com/v2``), ``EASYPOST_WEBHOOK_SECRET``, ``EASYPOST_TIMEOUT`` and
``EASYPOST_NOTE`` (shown with the provider). The provider comes from settings only: with ``DEBUG``
and no key (``make run``), ``config/settings.py`` points them at the loopback emulator the
Procfile starts (``EMULATOR_URL``) with its test key ``DEMO_API_KEY`` and ``DEMO_WEBHOOK_SECRET``,
so the demo buys real-looking labels with no account and no internet.
"""

from __future__ import annotations

from django.conf import settings

from integrations.labels.base import (
    BoughtLabel,
    LabelAlreadyBought,
    LabelProvider,
    NotConfigured,
    Parcel,
    Pickup,
    PickupRate,
    PickupRequest,
    ProviderError,
    ProviderEventData,
    Quote,
    Rate,
    Scan,
    ScanForm,
    ShipmentRequest,
    TrackerUpdate,
)
from integrations.labels.easypost import EasyPostProvider

__all__ = [
    "BoughtLabel", "LabelAlreadyBought", "LabelProvider", "NotConfigured", "Parcel", "Pickup", "PickupRate",
    "PickupRequest", "ProviderError", "ProviderEventData", "Quote", "Rate", "Scan", "ScanForm", "ShipmentRequest",
    "TrackerUpdate", "get_provider", "provider_status",
]

DEMO_WEBHOOK_SECRET = "sellerhub-demo-easypost-webhook-secret"
DEMO_API_KEY = "EZTKemulator0000000000000001"  # the loopback emulator's test key (kept in step by a test)

# Tests may install a provider instance here (e.g. one pointed at an in-process emulator).
_override: LabelProvider | None = None


def get_provider() -> LabelProvider:
    if _override is not None:
        return _override
    key = getattr(settings, "EASYPOST_API_KEY", "")
    if not key:
        raise NotConfigured("No label provider is configured: set EASYPOST_API_KEY (see README, "
                            "\"Label providers\").")
    return EasyPostProvider(api_key=key, base_url=getattr(settings, "EASYPOST_BASE_URL", ""),
                            webhook_secret=getattr(settings, "EASYPOST_WEBHOOK_SECRET", ""),
                            timeout=float(getattr(settings, "EASYPOST_TIMEOUT", 30) or 30),
                            note=getattr(settings, "EASYPOST_NOTE", ""))


def provider_status() -> tuple[bool, str]:
    """(configured, what the settings page says)."""
    try:
        return True, get_provider().describe()
    except NotConfigured as exc:
        return False, str(exc)
