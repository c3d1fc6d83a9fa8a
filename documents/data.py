"""What documents are made of: plain, frozen dataclasses, free of the database.

Views and jobs build them from models (``Address.from_order``, ``Address.from_location``) or
from anything else (a provider's response, a form), then hand them to the render functions in
``documents``. Each validates itself when created, so a bad value fails where it is
made with a message saying what is wrong, not deep inside WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from documents.errors import DocumentError
from integrations.carriers.registry import CARRIERS
from sellerhub.addresses import Address

GRAMS_PER_OUNCE = 28.349523125

DEFAULT_RETURN_NOTE = (
    "Need to return something? Keep this slip and contact us within 30 days of delivery through the "
    "shop you ordered from, quoting your order number. Unused items in their original packaging can be "
    "returned for a refund or an exchange."
)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def format_weight(grams: int | None) -> str:
    """A parcel weight as US labels print it, with the metric weight: "1 lb 4.2 oz (575 g)"."""
    if grams is None:
        return ""
    ounces = grams / GRAMS_PER_OUNCE
    pounds = int(ounces // 16)
    rest = round(ounces - pounds * 16, 1)
    if rest >= 16:  # 15.96 oz rounds up to a whole pound
        pounds, rest = pounds + 1, 0.0
    imperial = f"{pounds} lb {rest:.1f} oz" if pounds else f"{rest:.1f} oz"
    metric = f"{grams / 1000:.2f} kg" if grams >= 1000 else f"{grams} g"
    return f"{imperial} ({metric})"


def carrier_display_name(carrier: str) -> str:
    """The carrier's name for a registry code ("ups" -> "UPS"), else the text as given."""
    known = CARRIERS.get(_text(carrier).lower())
    return known.name if known else _text(carrier)


def _natural_key(text: str):
    """Sort "A-2" before "A-10" (bin codes carry numbers)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", text) if part]


# ---------------------------------------------------------------------------------------------
# Addresses


def _need_address(owner: str, label: str, value) -> None:
    if not isinstance(value, Address):
        raise DocumentError(f"{owner}: {label} must be an Address, not {type(value).__name__}")
    if value.is_blank:
        raise DocumentError(f"{owner}: the {label} address is empty")


def _need_weight(owner: str, grams) -> None:
    if grams is not None and (not isinstance(grams, int) or isinstance(grams, bool) or grams <= 0):
        raise DocumentError(f"{owner}: the weight must be a whole, positive number of grams, not {grams!r}")


# ---------------------------------------------------------------------------------------------
# Shipping label (SellerHub's own, 4x6)


@dataclass(frozen=True)
class LabelData:
    """SellerHub's own 4x6 label, for own delivery and local couriers (or any carrier when the
    number was bought elsewhere). The barcode carries the tracking number, or the reference
    when there is none yet."""

    ship_from: Address
    ship_to: Address
    order_number: str
    carrier: str  # a registry code ("ups") or a courier's name ("Metro Couriers")
    service: str = ""
    tracking_number: str = ""
    reference: str = ""
    weight_grams: int | None = None
    package_number: int = 1
    package_count: int = 1
    ship_date: date | None = None

    def __post_init__(self):
        for f in ("order_number", "carrier", "service", "tracking_number", "reference"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        owner = f"label for order {self.order_number or '?'}"
        if not self.order_number:
            raise DocumentError("a label needs the order number")
        _need_address(owner, "ship-from", self.ship_from)
        _need_address(owner, "ship-to", self.ship_to)
        if not self.carrier:
            raise DocumentError(f"{owner}: the carrier is missing")
        if not self.barcode_value:
            raise DocumentError(f"{owner}: give a tracking number or a reference to print as the barcode")
        _need_weight(owner, self.weight_grams)
        if not (1 <= self.package_number <= self.package_count):
            raise DocumentError(f"{owner}: package {self.package_number} of {self.package_count} does not exist")

    @property
    def barcode_value(self) -> str:
        return self.tracking_number or self.reference

    @property
    def carrier_name(self) -> str:
        return carrier_display_name(self.carrier)

    @property
    def weight_text(self) -> str:
        return format_weight(self.weight_grams)


# ---------------------------------------------------------------------------------------------
# Packing slip


@dataclass(frozen=True)
class SlipLine:
    sku: str
    name: str
    quantity: int
    variant: str = ""  # e.g. "Size M / Blue"

    def __post_init__(self):
        object.__setattr__(self, "sku", _text(self.sku))
        object.__setattr__(self, "name", _text(self.name))
        object.__setattr__(self, "variant", _text(self.variant))
        if not isinstance(self.quantity, int) or isinstance(self.quantity, bool) or self.quantity <= 0:
            raise DocumentError(f"packing slip line {self.sku or self.name!r}: quantity must be a positive whole "
                                f"number, not {self.quantity!r}")
        if not (self.sku or self.name):
            raise DocumentError("a packing slip line needs a SKU or a name")


@dataclass(frozen=True)
class SlipData:
    order_number: str
    order_date: date | datetime | None
    ship_to: Address
    lines: Sequence[SlipLine]
    ship_from: Address | None = None  # printed as the return address
    shop_name: str = ""
    channel: str = ""  # "TikTok Shop", "Etsy"...
    return_note: str = DEFAULT_RETURN_NOTE
    note: str = ""  # the buyer's note or a gift message
    logo: str = ""  # a data: URI or a static path ("/static/img/logo.png")

    def __post_init__(self):
        for f in ("order_number", "shop_name", "channel", "return_note", "note", "logo"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.order_number:
            raise DocumentError("a packing slip needs the order number")
        owner = f"packing slip for order {self.order_number}"
        _need_address(owner, "ship-to", self.ship_to)
        if self.ship_from is not None and not isinstance(self.ship_from, Address):
            raise DocumentError(f"{owner}: the return address must be an Address")
        if not self.lines:
            raise DocumentError(f"{owner}: there are no lines to list")
        for line in self.lines:
            if not isinstance(line, SlipLine):
                raise DocumentError(f"{owner}: lines must be SlipLine, not {type(line).__name__}")

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines)


# ---------------------------------------------------------------------------------------------
# Pick list


@dataclass(frozen=True)
class PickItem:
    """One order line to pick: so many of a SKU, for an order, from a bin."""

    order_number: str
    sku: str
    name: str
    quantity: int
    bin_code: str = ""  # empty when the SKU has no bin: listed last, under "no bin"
    bin_sequence: int = 0  # the bin's place on the walking path (Location.pick_sequence)
    barcode: str = ""
    image: str = ""  # the SKU's thumbnail, by its /media/products/... path (read from MEDIA_ROOT)

    def __post_init__(self):
        for f in ("order_number", "sku", "name", "bin_code", "barcode", "image"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        if not self.order_number or not self.sku:
            raise DocumentError("a pick list line needs an order number and a SKU")
        if not isinstance(self.quantity, int) or isinstance(self.quantity, bool) or self.quantity <= 0:
            raise DocumentError(f"pick list line {self.sku} for order {self.order_number}: quantity must be a "
                                f"positive whole number, not {self.quantity!r}")


@dataclass(frozen=True)
class PickGroup:
    """One stop on the walk: a SKU at a bin, the total to take and how much goes to each order."""

    bin_code: str
    sku: str
    name: str
    barcode: str
    total: int
    orders: tuple[tuple[str, int], ...]  # (order number, quantity), in the orders' first appearance
    image: str = ""  # the SKU's thumbnail (/media/products/...), if it has one


@dataclass(frozen=True)
class PickListData:
    reference: str
    items: Sequence[PickItem]
    created_at: datetime | None = None
    created_by: str = ""
    warehouse: str = ""
    note: str = ""

    def __post_init__(self):
        for f in ("reference", "created_by", "warehouse", "note"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        object.__setattr__(self, "items", tuple(self.items))
        if not self.reference:
            raise DocumentError("a pick list needs a reference (its number)")
        if not self.items:
            raise DocumentError(f"pick list {self.reference} has nothing to pick")
        for item in self.items:
            if not isinstance(item, PickItem):
                raise DocumentError(f"pick list {self.reference}: items must be PickItem, not {type(item).__name__}")

    def groups(self) -> list[PickGroup]:
        """Grouped by (bin, SKU), in walking order: the bins' pick sequence, then bin code
        (naturally sorted), then SKU; lines without a bin come last."""
        order_rank: dict[str, int] = {}
        grouped: dict[tuple[str, str], dict] = {}
        for item in self.items:
            order_rank.setdefault(item.order_number, len(order_rank))
            group = grouped.setdefault((item.bin_code, item.sku), {
                "sequence": item.bin_sequence, "name": item.name, "barcode": item.barcode, "image": item.image,
                "orders": {}})
            group["sequence"] = min(group["sequence"], item.bin_sequence)
            group["name"] = group["name"] or item.name
            group["barcode"] = group["barcode"] or item.barcode
            group["image"] = group["image"] or item.image
            group["orders"][item.order_number] = group["orders"].get(item.order_number, 0) + item.quantity

        def walk_key(entry):
            (bin_code, sku), group = entry
            return (not bin_code, group["sequence"], _natural_key(bin_code), _natural_key(sku))

        out = []
        for (bin_code, sku), group in sorted(grouped.items(), key=walk_key):
            orders = tuple(sorted(group["orders"].items(), key=lambda pair: order_rank[pair[0]]))
            out.append(PickGroup(bin_code=bin_code, sku=sku, name=group["name"], barcode=group["barcode"],
                                 total=sum(q for _, q in orders), orders=orders, image=group["image"]))
        return out

    @property
    def order_numbers(self) -> list[str]:
        return list(dict.fromkeys(item.order_number for item in self.items))

    @property
    def unit_count(self) -> int:
        return sum(item.quantity for item in self.items)


# ---------------------------------------------------------------------------------------------
# Collection / handover manifest


@dataclass(frozen=True)
class ManifestPackage:
    tracking_number: str
    order_number: str = ""
    carrier: str = ""
    service: str = ""
    weight_grams: int | None = None

    def __post_init__(self):
        for f in ("tracking_number", "order_number", "carrier", "service"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        if not self.tracking_number:
            raise DocumentError(f"manifest package of order {self.order_number or '?'} has no tracking number")
        _need_weight(f"manifest package {self.tracking_number}", self.weight_grams)

    @property
    def carrier_name(self) -> str:
        return carrier_display_name(self.carrier)

    @property
    def weight_text(self) -> str:
        return format_weight(self.weight_grams)


@dataclass(frozen=True)
class ManifestData:
    """The list of packages handed to a carrier's driver (or collected by TikTok's carrier),
    signed on both sides."""

    reference: str
    packages: Sequence[ManifestPackage]
    carrier: str = ""  # code or name; empty when the packages go with several carriers
    ship_from: Address | None = None
    created_at: datetime | None = None
    title: str = "Handover manifest"
    note: str = ""
    extra: dict = field(default_factory=dict)  # more header facts, e.g. {"Collection id": "7312..."}

    def __post_init__(self):
        for f in ("reference", "carrier", "title", "note"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        object.__setattr__(self, "packages", tuple(self.packages))
        if not self.reference:
            raise DocumentError("a manifest needs a reference")
        if not self.packages:
            raise DocumentError(f"manifest {self.reference} lists no packages")
        seen = set()
        for package in self.packages:
            if not isinstance(package, ManifestPackage):
                raise DocumentError(f"manifest {self.reference}: packages must be ManifestPackage")
            if package.tracking_number in seen:
                raise DocumentError(f"manifest {self.reference}: package {package.tracking_number} is listed twice")
            seen.add(package.tracking_number)

    @property
    def carrier_name(self) -> str:
        return carrier_display_name(self.carrier)

    @property
    def total_weight_text(self) -> str:
        weights = [p.weight_grams for p in self.packages if p.weight_grams]
        return format_weight(sum(weights)) if weights else ""
