"""Carrier mappings: which channel shipping-provider id an account's carrier is uploaded as."""

from __future__ import annotations

from django.db import transaction

from fulfilment.models import CarrierMapping
from fulfilment.services.errors import FulfilmentError
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code


def set_carrier_mapping(*, account, carrier: str, provider_id: str, provider_name: str = "",
                        user=None) -> CarrierMapping | None:
    """Map a carrier (a registry code, or a local courier's name) to the account's channel
    provider id. A blank provider id removes the mapping."""
    carrier = (carrier or "").strip()
    if not carrier:
        raise FulfilmentError("Choose the carrier.", field="carrier")
    code = carrier.lower() if carrier.lower() in carriers.CARRIERS else carrier_code(carrier) or carrier
    provider_id = (provider_id or "").strip()
    if len(provider_id) > 64 or len(code) > 100:
        raise FulfilmentError("The provider id is at most 64 characters.", field="provider_id")
    with transaction.atomic():
        if not provider_id:
            CarrierMapping.objects.filter(account=account, carrier__iexact=code).delete()
            return None
        mapping, _ = CarrierMapping.objects.update_or_create(
            account=account, carrier=code, defaults={"provider_id": provider_id,
                                                     "provider_name": (provider_name or "").strip()[:100]})
        return mapping
