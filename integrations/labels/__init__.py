"""Shipping-label providers. ``get_provider()`` returns the configured one (EasyPost), or raises
``NotConfigured`` with what to set.

Settings (environment): ``EASYPOST_API_KEY``, ``EASYPOST_BASE_URL`` (default
``https://api.easypost.com/v2``), ``EASYPOST_WEBHOOK_SECRET``, ``EASYPOST_TIMEOUT``. With no API
key and ``DEBUG`` on (``make run``), labels come from the loopback emulator the Procfile starts
(``EMULATOR_URL``, default http://127.0.0.1:8010) with its test key, so the demo buys real-looking
labels with no account and no internet.
"""

from __future__ import annotations

from django.conf import settings

from integrations.labels.base import (
    BoughtLabel,
    LabelAlreadyBought,
    LabelProvider,
    NotConfigured,
    Parcel,
    ProviderError,
    ProviderEventData,
    Quote,
    Rate,
    Scan,
    ShipmentRequest,
    TrackerUpdate,
)

__all__ = [
    "BoughtLabel", "LabelAlreadyBought", "LabelProvider", "NotConfigured", "Parcel", "ProviderError",
    "ProviderEventData", "Quote", "Rate", "Scan", "ShipmentRequest", "TrackerUpdate", "get_provider",
    "provider_status",
]

DEMO_WEBHOOK_SECRET = "sellerhub-demo-easypost-webhook-secret"
DEFAULT_EMULATOR_URL = "http://127.0.0.1:8010"

# Tests may install a provider instance here (e.g. one pointed at an in-process emulator).
_override: LabelProvider | None = None


def _emulator_defaults() -> tuple[str, str, str] | None:
    """(base URL, API key, webhook secret) of the demo emulator, in DEBUG without a key."""
    if not settings.DEBUG:
        return None
    from devtools.emulators.state import Credentials  # noqa: PLC0415

    base = (getattr(settings, "EMULATOR_URL", "") or DEFAULT_EMULATOR_URL).rstrip("/")
    return f"{base}/easypost/v2", Credentials().easypost_test_key, DEMO_WEBHOOK_SECRET


def get_provider() -> LabelProvider:
    if _override is not None:
        return _override
    from integrations.labels.easypost import EasyPostProvider  # noqa: PLC0415

    key = getattr(settings, "EASYPOST_API_KEY", "")
    base = getattr(settings, "EASYPOST_BASE_URL", "")
    secret = getattr(settings, "EASYPOST_WEBHOOK_SECRET", "")
    timeout = float(getattr(settings, "EASYPOST_TIMEOUT", 30) or 30)
    note = ""
    if not key:
        demo = _emulator_defaults()
        if demo is None:
            raise NotConfigured("No label provider is configured: set EASYPOST_API_KEY (see README, "
                                "\"Label providers\").")
        base, key, secret = base or demo[0], demo[1], secret or demo[2]
        note = "demo emulator"
    return EasyPostProvider(api_key=key, base_url=base, webhook_secret=secret, timeout=timeout, note=note)


def provider_status() -> tuple[bool, str]:
    """(configured, what the settings page says)."""
    try:
        return True, get_provider().describe()
    except NotConfigured as exc:
        return False, str(exc)
