"""Bundles on /api/v1/skus: a SKU's ``components`` ([{"sku", "units"}], empty for an ordinary
SKU), read with the SKU and written with it (``set_components``: same rules as the SKU page)."""

from __future__ import annotations

from django.db.models import F, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from rest_framework import serializers

from inventory.bundle_models import BundleComponent
from inventory.bundles import whole_bundles
from inventory.models import SKU, Location, StockLevel
from inventory.services.bundles import set_components
from inventory.services.catalogue import CatalogueError
from inventory.services.errors import StockError


class BundleComponentSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="The component's seller SKU.")
    units = serializers.IntegerField(min_value=1, max_value=1000, default=1, help_text="Units of it in one bundle.")


class BundleComponentsField(serializers.ListField):
    """The bundle's components; reading needs ``prefetch_related(components_prefetch())``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", BundleComponentSerializer())
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "A bundle's components (it holds no stock of its own: its available is the "
                                       "whole bundles they make); empty for an ordinary SKU. Writing replaces them.")
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, data):
        return [{"sku": part.component.seller_sku, "units": part.units} for part in data.components.all()]


def components_prefetch() -> Prefetch:
    """The components of each SKU with their available units (sellable own), in one query."""
    free = (StockLevel.objects.filter(sku_id=OuterRef("component_id"), location__sellable=True,
                                      location__active=True,
                                      location__kind__in=(Location.Kind.WAREHOUSE, Location.Kind.BIN))
            .order_by().values("sku_id").annotate(total=Sum(F("on_hand") - F("reserved"))).values("total"))
    return Prefetch("components", queryset=BundleComponent.objects.select_related("component").annotate(
        component_available=Coalesce(Subquery(free, output_field=IntegerField()), Value(0))))


def with_bundle_available(instance, data: dict) -> dict:
    """A bundle's row: available is the whole bundles its components make (it has no stock)."""
    parts = list(instance.components.all())
    if parts and "available" in data:
        data["available"] = whole_bundles({p.component_id: p.component_available for p in parts},
                                          [(p.component_id, p.units) for p in parts])
    return data


def apply_components(*, sku: SKU, components: list[dict], user=None) -> None:
    """Set the SKU's components from the API's [{"sku", "units"}]; a refusal names the field."""
    names = [part["sku"] for part in components]
    found = dict(SKU.objects.filter(seller_sku__in=names).values_list("seller_sku", "pk"))
    unknown = [name for name in names if name not in found]
    try:
        if unknown:
            raise StockError(f"There is no SKU {', '.join(unknown)}.")
        set_components(bundle=sku, components=[(found[part["sku"]], part["units"]) for part in components],
                       user=user)
    except StockError as exc:
        raise CatalogueError(str(exc), {"components": [str(exc)]}) from exc
