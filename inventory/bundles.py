"""Reads of bundles: which SKUs a bundle is made of, and which bundles a SKU is part of.

The stock-quantity code (selectors, the push job) asks these two questions to give a bundle's
listings the whole bundles its components can make and to re-push a bundle when a component's
stock moves. Each read is one query, whatever the number of SKUs asked about."""

from __future__ import annotations

from collections import defaultdict

from inventory.bundle_models import BundleComponent
from inventory.models import SKU


def components_of(sku_ids) -> dict[int, list[tuple[int, int]]]:
    """{bundle_sku_id: [(component_sku_id, units per bundle), ...]} for those of `sku_ids` that are
    bundles (SKUs that are not bundles are absent). One query."""
    ids = {int(pk) for pk in sku_ids}
    if not ids:
        return {}
    result: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bundle_id, component_id, units in (BundleComponent.objects.filter(bundle_id__in=ids)
                                           .order_by("bundle_id", "component_id")
                                           .values_list("bundle_id", "component_id", "units")):
        result[bundle_id].append((component_id, units))
    return dict(result)


def bundles_containing(sku_ids) -> set[int]:
    """Ids of the bundle SKUs that have any of `sku_ids` as a component. One query."""
    ids = {int(pk) for pk in sku_ids}
    if not ids:
        return set()
    return set(BundleComponent.objects.filter(component_id__in=ids).values_list("bundle_id", flat=True))


def whole_bundles(component_available: dict[int, int], components: list[tuple[int, int]]) -> int:
    """How many whole bundles the components' available units make (0 if a component is missing)."""
    if not components:
        return 0
    return max(0, min(component_available.get(sku_id, 0) // units for sku_id, units in components))


def parse_components(text: str) -> list[tuple[str, int]]:
    """The components typed on the SKU page, one a line: "TEE-BLK-M" or "TEE-BLK-M x 2" (also
    "2 x TEE-BLK-M" or "TEE-BLK-M, 2"). Raises ValueError naming the line it can't read."""
    parts = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        words = line.replace("×", " x ").replace(",", " x ").split()
        words = [w for w in words if w.lower() != "x"]
        if len(words) == 1:
            parts.append((words[0], 1))
        elif len(words) == 2 and words[1].isdigit():
            parts.append((words[0], int(words[1])))
        elif len(words) == 2 and words[0].isdigit():
            parts.append((words[1], int(words[0])))
        else:
            raise ValueError(f'Line {number} ("{line[:60]}"): write a seller SKU and how many, e.g. "TEE-BLK-M x 1".')
    return parts


def bundle_section(sku) -> dict:
    """What the SKU page shows about bundles: the components of a bundle with their available
    units and the whole bundles they make, or the bundles a SKU is part of. Three queries."""
    from inventory.selectors import with_stock  # noqa: PLC0415 -- the selectors import this module

    parts = components_of([sku.pk]).get(sku.pk, [])
    rows, whole = [], None
    if parts:
        skus = with_stock(SKU.objects.filter(pk__in=[pk for pk, _u in parts])).in_bulk()
        rows = [{"sku": skus[pk], "units": units, "makes": max(skus[pk].available, 0) // units} for pk, units in parts]
        whole = whole_bundles({pk: s.available for pk, s in skus.items()}, parts)
    part_of = list(SKU.objects.filter(pk__in=bundles_containing([sku.pk])).order_by("seller_sku")) if not parts else []
    text = "\n".join(f"{row['sku'].seller_sku} x {row['units']}" for row in rows)
    return {"components": rows, "whole": whole, "part_of": part_of, "text": text}
