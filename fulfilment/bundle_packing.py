"""Packing a bundle line: the station scans its components (or the bundle's own barcode, a kit
packed beforehand, which counts as one whole bundle). A bundle line is verified for as many whole
bundles as its scanned components make.

Reads only: ``bundle_parts`` gives each bundle line of an order its components with what is
needed and what this packing session scanned of each (three queries, whatever the lines)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from inventory.bundles import components_of
from inventory.models import SKU


@dataclass
class PackPart:
    """One component of a bundle line at the packing station."""

    sku: SKU
    units: int  # per bundle
    needed: int  # units of it for the bundles still to pack
    scanned: int  # units of it verified in this session (whole-bundle scans count `units` each)

    @property
    def left(self) -> int:
        return max(self.needed - self.scanned, 0)

    @property
    def done(self) -> bool:
        return self.needed > 0 and self.scanned >= self.needed


def bundle_parts(lines, to_pack: dict[int, int], scans) -> dict[int, list[PackPart]]:
    """{bundle line id: [PackPart]} for the bundle lines among `lines`; `to_pack`: bundles still to
    pack per line id; `scans`: the session's verified scans as (order line id, SKU id, quantity)."""
    parts = components_of({line.sku_id for line in lines if line.sku_id})
    if not parts:
        return {}
    skus = SKU.objects.in_bulk({component_id for components in parts.values() for component_id, _u in components})
    scanned: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, sku_id, quantity in scans:
        scanned[(line_id, sku_id)] += quantity
    result = {}
    for line in lines:
        if line.sku_id not in parts:
            continue
        whole = scanned.get((line.pk, line.sku_id), 0)  # the bundle's own barcode, or verified by hand
        result[line.pk] = [PackPart(sku=skus[component_id], units=units, needed=to_pack.get(line.pk, 0) * units,
                                    scanned=scanned.get((line.pk, component_id), 0) + whole * units)
                           for component_id, units in parts[line.sku_id]]
    return result


def bundles_verified(parts: list[PackPart]) -> int:
    """Whole bundles the scanned components make."""
    return min(part.scanned // part.units for part in parts) if parts else 0
