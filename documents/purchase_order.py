"""The purchase order PDF (Letter or A4) sent to a supplier: who buys, who supplies, where to
deliver, and each line with its quantity, unit cost and amount. The data comes in as the plain
dataclasses below; the purchasing services build them from their models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from documents.builders import _optional_code128, _paper
from documents.errors import DocumentError
from documents.render import css_string, render_pdf

PURCHASE_ORDER_TEMPLATE = "documents/purchase_order.html"

__all__ = ["PurchaseOrderData", "PurchaseOrderLineData", "render_purchase_order_pdf"]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class PurchaseOrderLineData:
    sku: str
    name: str
    quantity: int
    unit_cost: Decimal
    supplier_code: str = ""
    pack_size: int = 1

    def __post_init__(self):
        for f in ("sku", "name", "supplier_code"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        if not self.sku:
            raise DocumentError("a purchase order line needs a SKU")
        if not isinstance(self.quantity, int) or isinstance(self.quantity, bool) or self.quantity <= 0:
            raise DocumentError(f"purchase order line {self.sku}: quantity must be a positive whole number")
        object.__setattr__(self, "unit_cost", Decimal(self.unit_cost or 0))

    @property
    def amount(self) -> Decimal:
        return (self.unit_cost * self.quantity).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PurchaseOrderData:
    number: str
    supplier_name: str
    lines: Sequence[PurchaseOrderLineData]
    currency: str = "USD"
    buyer: str = ""  # the shop's name
    supplier_contact: str = ""
    supplier_email: str = ""
    supplier_address: str = ""
    deliver_to: str = ""  # the delivery address, one line per line
    created_at: datetime | None = None
    expected_on: date | None = None
    note: str = ""

    def __post_init__(self):
        for f in ("number", "supplier_name", "currency", "buyer", "supplier_contact", "supplier_email",
                  "supplier_address", "deliver_to", "note"):
            object.__setattr__(self, f, _text(getattr(self, f)))
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.number or not self.supplier_name:
            raise DocumentError("a purchase order needs a number and a supplier")
        if not self.lines:
            raise DocumentError(f"purchase order {self.number} has no lines")
        for line in self.lines:
            if not isinstance(line, PurchaseOrderLineData):
                raise DocumentError(f"purchase order {self.number}: lines must be PurchaseOrderLineData")

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def render_purchase_order_pdf(po: PurchaseOrderData, *, page_size: str = "letter") -> bytes:
    """The purchase order as a PDF (Letter or A4), in the style of the pick list."""
    if not isinstance(po, PurchaseOrderData):
        raise DocumentError(f"a purchase order must be PurchaseOrderData, not {type(po).__name__}")
    size = _paper(page_size, "purchase orders")
    context = {
        "po": po,
        "barcode": _optional_code128(po.number, height_mm=10, max_width_mm=70),
        "footer_left": css_string(f"Purchase order {po.number}"),
    }
    return render_pdf(PURCHASE_ORDER_TEMPLATE, context, page_size=size)
