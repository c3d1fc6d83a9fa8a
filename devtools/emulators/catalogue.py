"""The seeded catalogue: seller SKUs and the id each channel gives them.

Items sharing a ``group`` are variants of one product (a TikTok product with several SKUs,
a variable WooCommerce product with variations, one Etsy listing with several inventory
products, one Square item with several variations). Ids are deterministic, so tests and
demo data can refer to them; :meth:`Catalogue.mapping` lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .util import square_like_id

CHANNELS = ("tiktok", "woocommerce", "etsy", "square")


@dataclass(frozen=True)
class SeedItem:
    sku: str
    name: str
    price: str
    stock: int = 25
    group: str | None = None
    option: str | None = None
    option_name: str = "Size"
    weight_oz: float = 8.0
    channels: tuple[str, ...] = CHANNELS

    def __post_init__(self) -> None:
        if not self.sku or not isinstance(self.sku, str):
            raise ValueError("every seed item needs a sku")
        bad = set(self.channels) - set(CHANNELS)
        if bad:
            raise ValueError(f"{self.sku}: unknown channel(s) {sorted(bad)}")
        try:
            float(self.price)
        except ValueError:
            raise ValueError(f"{self.sku}: price must be a decimal string") from None
        if int(self.stock) < 0:
            raise ValueError(f"{self.sku}: stock must be >= 0")

    @property
    def group_key(self) -> str:
        return self.group or self.sku

    @property
    def price_cents(self) -> int:
        return round(float(self.price) * 100)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SeedItem:
        data = dict(data)
        if "channels" in data:
            data["channels"] = tuple(data["channels"])
        return cls(**data)


DEFAULT_SEED: tuple[SeedItem, ...] = (
    SeedItem("TEE-BLK-S", "Classic Tee - Black", "24.00", 40, "TEE-BLK", "S"),
    SeedItem("TEE-BLK-M", "Classic Tee - Black", "24.00", 60, "TEE-BLK", "M"),
    SeedItem("TEE-BLK-L", "Classic Tee - Black", "24.00", 35, "TEE-BLK", "L"),
    SeedItem("TEE-WHT-M", "Classic Tee - White", "24.00", 30, "TEE-WHT", "M"),
    SeedItem("HOODIE-GRY-L", "Heavy Hoodie - Grey", "54.00", 12, weight_oz=22.0),
    SeedItem("MUG-RED", "Enamel Mug", "16.00", 50, "MUG", "Red", "Color", 12.0),
    SeedItem("MUG-BLU", "Enamel Mug", "16.00", 45, "MUG", "Blue", "Color", 12.0),
    SeedItem("CAP-BLK", "Dad Cap - Black", "22.00", 20, weight_oz=4.0),
)


@dataclass
class Group:
    key: str
    name: str
    items: list[SeedItem] = field(default_factory=list)

    @property
    def is_variable(self) -> bool:
        return len(self.items) > 1 or self.items[0].group is not None


class Catalogue:
    """Seed items plus the deterministic per-channel ids."""

    def __init__(self, items: Iterable[SeedItem | Mapping[str, Any]] | None = None):
        raw = DEFAULT_SEED if items is None else items
        self.items: list[SeedItem] = [i if isinstance(i, SeedItem) else SeedItem.from_dict(i) for i in raw]
        skus = [i.sku for i in self.items]
        if len(set(skus)) != len(skus):
            raise ValueError("seed SKUs must be unique")
        self.groups: list[Group] = []
        by_key: dict[str, Group] = {}
        for item in self.items:
            group = by_key.get(item.group_key)
            if group is None:
                group = by_key[item.group_key] = Group(item.group_key, item.name)
                self.groups.append(group)
            group.items.append(item)
        self._ids: dict[str, dict[str, dict[str, Any]]] = {}
        self._assign_ids()

    @classmethod
    def from_file(cls, path: str | Path) -> Catalogue:
        data = json.loads(Path(path).read_text())
        if isinstance(data, dict):
            data = data.get("items", [])
        return cls(data)

    def _assign_ids(self) -> None:
        woo_variation = 201
        for g_index, group in enumerate(self.groups):
            woo_product = 101 + g_index
            for item in group.items:
                i_index = self.items.index(item)
                ids: dict[str, dict[str, Any]] = {}
                if "tiktok" in item.channels:
                    ids["tiktok"] = {
                        "product_id": str(1729500000000000000 + g_index * 1000),
                        "sku_id": str(1729600000000000000 + i_index),
                    }
                if "woocommerce" in item.channels:
                    if group.is_variable:
                        ids["woocommerce"] = {"product_id": woo_product, "variation_id": woo_variation}
                        woo_variation += 1
                    else:
                        ids["woocommerce"] = {"product_id": woo_product, "variation_id": 0}
                if "etsy" in item.channels:
                    ids["etsy"] = {"listing_id": 1800000001 + g_index}
                if "square" in item.channels:
                    ids["square"] = {
                        "item_id": square_like_id("item", group.key),
                        "variation_id": square_like_id("variation", item.sku),
                    }
                self._ids[item.sku] = ids

    # --- lookups -------------------------------------------------------------------------
    def item(self, sku: str) -> SeedItem:
        for item in self.items:
            if item.sku == sku:
                return item
        raise KeyError(sku)

    def ids(self, sku: str) -> dict[str, dict[str, Any]]:
        return self._ids[sku]

    def items_for(self, channel: str) -> list[SeedItem]:
        return [i for i in self.items if channel in i.channels]

    def groups_for(self, channel: str) -> list[Group]:
        out = []
        for group in self.groups:
            items = [i for i in group.items if channel in i.channels]
            if items:
                out.append(Group(group.key, group.name, items))
        return out

    def mapping(self) -> dict[str, dict[str, dict[str, Any]]]:
        """``{sku: {channel: {ids...}}}`` for every seeded SKU (Etsy product ids change on
        every inventory PUT, as on Etsy, so only the listing id is fixed)."""
        return {sku: {ch: dict(v) for ch, v in ids.items()} for sku, ids in self._ids.items()}
