"""Reads of an order's bundle lines: a bundle line holds its components' reservations (line keys
``"<line id>:<component id>"``), shown on the order page as whole bundles held and shipped."""

from __future__ import annotations

from inventory.bundles import components_of


def bundle_line_counts(lines, held) -> dict[str, dict[str, int]]:
    """{str(line id): {"active": bundles held, "consumed": bundles shipped}} for the bundle lines,
    from ``held`` ({reservation line key: {"active": units, "consumed": units}}). One query."""
    parts = components_of({line.sku_id for line in lines if line.sku_id})
    counts = {}
    for line in lines:
        if line.sku_id not in parts:
            continue
        counts[str(line.pk)] = {state: min(held.get(f"{line.pk}:{component_id}", {}).get(state, 0) // units
                                           for component_id, units in parts[line.sku_id])
                                for state in ("active", "consumed")}
    return counts
