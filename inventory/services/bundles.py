"""Bundles and kits: setting (or clearing) a bundle's components, and the guard that keeps stock
off a bundle SKU.

A bundle holds no stock of its own: its components do. So a bundle can't be received, adjusted,
counted or transferred (``bundle_guard.refuse_bundle_stock``, called by those services), a SKU with stock
can't become a bundle, and a bundle can't be a component (so there is never a bundle inside
itself, nor a cycle). Orders reserve, ship and return a bundle's components (see
``orders.services.stock_effects`` and ``restock_returned``)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, Sum

from inventory.bundle_models import BundleComponent
from inventory.bundles import components_of
from inventory.models import SKU, Reservation, StockLevel
from inventory.services.catalogue import create_sku
from inventory.services.errors import StockError
from inventory.services.ledger import pk_of
from inventory.services.outbox import write_outbox

MAX_COMPONENTS = 20
MAX_UNITS = 1000


class BundleError(StockError):
    """A bundle that cannot be set up as asked (the message says what to change)."""


def _lock_skus(ids) -> dict[int, SKU]:
    rows = SKU.objects.select_for_update(of=("self",)).filter(pk__in=sorted(ids)).order_by("pk")
    return {sku.pk: sku for sku in rows}


def _clean(components) -> list[tuple[int, int]]:
    cleaned: dict[int, int] = {}
    for item in components:
        sku, units = item
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
            raise BundleError(f"Units per bundle must be a whole number from 1 to {MAX_UNITS}.")
        sku_id = pk_of(sku)
        if sku_id in cleaned:
            raise BundleError("Each component may appear only once; give its units per bundle instead.")
        cleaned[sku_id] = units
    if len(cleaned) > MAX_COMPONENTS:
        raise BundleError(f"A bundle has at most {MAX_COMPONENTS} components.")
    return sorted(cleaned.items())


def set_components(*, bundle, components, user=None) -> list[BundleComponent]:
    """Make `bundle` a bundle of `components` ([(sku or sku id, units per bundle)]), replacing any
    it had; an empty list makes it an ordinary SKU again. Refused (nothing written) when the
    bundle has stock of its own, is a component of another bundle, or a component is the bundle
    itself, a bundle, inactive or unknown. Its listings get the new whole-bundle quantity."""
    bundle_id = pk_of(bundle)
    wanted = _clean(components)
    with transaction.atomic():
        skus = _lock_skus({bundle_id, *(sku_id for sku_id, _u in wanted)})
        me = skus.get(bundle_id)
        if me is None:
            raise BundleError("Unknown bundle SKU.")
        unknown = [str(sku_id) for sku_id, _u in wanted if sku_id not in skus]
        if unknown:
            raise BundleError(f"Unknown component SKU id(s): {', '.join(unknown)}.")
        if any(sku_id == bundle_id for sku_id, _u in wanted):
            raise BundleError(f"{me.seller_sku} can't be a component of itself.")
        if wanted:
            _check_can_be_bundle(me, [skus[sku_id] for sku_id, _u in wanted])
        BundleComponent.objects.filter(bundle_id=bundle_id).delete()
        rows = BundleComponent.objects.bulk_create(
            [BundleComponent(bundle_id=bundle_id, component_id=sku_id, units=units) for sku_id, units in wanted])
        write_outbox([bundle_id])
        return rows


def _check_can_be_bundle(me: SKU, parts: list[SKU]) -> None:
    inactive = [p.seller_sku for p in parts if not p.active]
    if inactive:
        raise BundleError(f"Component {', '.join(inactive)} is inactive; activate it or choose another.")
    nested = components_of([p.pk for p in parts])
    if nested:
        names = ", ".join(p.seller_sku for p in parts if p.pk in nested)
        raise BundleError(f"{names} is itself a bundle: add its components instead (a bundle can't hold a bundle).")
    if BundleComponent.objects.filter(component_id=me.pk).exists():
        outer = BundleComponent.objects.filter(component_id=me.pk).values_list("bundle__seller_sku", flat=True)
        raise BundleError(f"{me.seller_sku} is a component of bundle {', '.join(sorted(outer))}, so it holds stock "
                          f"and can't become a bundle itself.")
    held = StockLevel.objects.filter(sku_id=me.pk).aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    if held["on_hand"] or held["reserved"]:
        raise BundleError(f"{me.seller_sku} has {held['on_hand'] or 0} unit(s) on hand of its own; a bundle holds no "
                          f"stock. Count it to zero (or move the units) first.")
    if Reservation.objects.filter(Q(sku_id=me.pk), state=Reservation.State.ACTIVE).exists():
        raise BundleError(f"{me.seller_sku} is reserved for open orders; ship or release them first.")


def create_bundle(*, seller_sku: str, name: str, components, user=None, **fields) -> SKU:
    """A new bundle SKU with its components, in one transaction (the seller SKU unique)."""
    with transaction.atomic():
        sku = create_sku(seller_sku=seller_sku, name=name, user=user, **fields)
        set_components(bundle=sku, components=components, user=user)
        return sku
