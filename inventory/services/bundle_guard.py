"""The guard that keeps stock off a bundle SKU: a bundle's stock lives in its components, so
receiving, adjusting, counting or transferring a bundle is refused with a message naming them."""

from __future__ import annotations

from inventory.bundle_models import BundleComponent
from inventory.services.errors import StockError
from inventory.services.ledger import pk_of


def refuse_bundle_stock(sku_ids, *, doing: str = "change the stock of") -> None:
    """StockError when any of `sku_ids` is a bundle: its stock lives in its components. One query."""
    ids = {pk_of(s) for s in sku_ids}
    if not ids:
        return
    rows = list(BundleComponent.objects.filter(bundle_id__in=ids)
                .order_by("bundle__seller_sku", "component__seller_sku")
                .values_list("bundle__seller_sku", "component__seller_sku"))
    if not rows:
        return
    parts: dict[str, list[str]] = {}
    for bundle, component in rows:
        parts.setdefault(bundle, []).append(component)
    bundle, components = next(iter(parts.items()))
    raise StockError(f"{bundle} is a bundle and holds no stock of its own: {doing} its components "
                     f"({', '.join(components)}) instead.")
