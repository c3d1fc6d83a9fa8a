"""Carton labels of an inbound shipment: one 4x6 page per carton with the carton's own barcode
(IB-00012-C02), the inbound reference (and TikTok's IBR number once known), the FBT warehouse,
and each SKU in the carton with its goods barcode and quantity.

Rendered like every SellerHub document (documents: a Django template through
WeasyPrint with its safe URL fetcher, Code 128 as inline SVG)."""

from __future__ import annotations

from django.utils import timezone

from documents import code128, render_pdf
from inventory.fbt.models import InboundShipment

TEMPLATE = "inventory/fbt/carton_label.html"
# 4 in less the label's padding; barcodes of a carton with many SKUs get less room.
WIDTH_MM = 4 * 25.4 - 2 * 4
MAX_ITEM_BARCODES = 4


class LabelError(Exception):
    pass


def goods_barcode_value(line) -> str:
    """What the goods barcode of a SKU carries: its GTIN (TikTok accepts the seller's own
    barcode for matched goods), else TikTok's goods id, else the seller SKU."""
    return line.sku.barcode or line.goods_id or line.sku.seller_sku


def carton_context(shipment: InboundShipment, cartons) -> dict:
    total = len(cartons)
    pages = []
    for carton in cartons:
        items = list(carton.items.all())
        with_barcodes = len(items) <= MAX_ITEM_BARCODES
        rows = []
        for item in items:
            line = item.line
            value = goods_barcode_value(line)
            rows.append({
                "seller_sku": line.sku.seller_sku,
                "name": line.sku.name,
                "goods_id": line.goods_id,
                "value": value,
                "quantity": item.quantity,
                "barcode": code128(value, height_mm=9 if len(items) > 2 else 12, max_width_mm=60)
                if with_barcodes else None,
            })
        pages.append({
            "code": carton.code,
            "number": carton.number,
            "barcode": code128(carton.code, height_mm=16, max_width_mm=WIDTH_MM),
            "rows": rows,
            "units": sum(r["quantity"] for r in rows),
            "weight_kg": f"{carton.weight_grams / 1000:.2f} kg" if carton.weight_grams else "",
            "dims": (f"{carton.length_mm / 10:g} × {carton.width_mm / 10:g} × {carton.height_mm / 10:g} cm"
                     if carton.length_mm and carton.width_mm and carton.height_mm else ""),
        })
    source = shipment.source
    return {
        "shipment": shipment,
        "reference": shipment.reference,
        "ibr_id": shipment.ibr_id,
        "destination": shipment.destination,
        "ship_from": ", ".join(p for p in (source.company or source.name, source.street1, source.city, source.state,
                                           source.postal_code) if p),
        "cartons": pages,
        "carton_total": total,
        "printed_at": timezone.localtime(),
    }


def render_carton_labels(shipment: InboundShipment, cartons=None) -> bytes:
    """The carton labels of a shipment (all its cartons, or the given ones) as one PDF."""
    all_cartons = list(shipment.cartons.prefetch_related("items__line__sku").order_by("number"))
    chosen = all_cartons if cartons is None else [c for c in all_cartons if c.pk in {x.pk for x in cartons}]
    if not chosen:
        raise LabelError(f"{shipment.reference} has no cartons to label yet: pack a carton first.")
    context = carton_context(shipment, chosen)
    context["carton_total"] = len(all_cartons)
    return render_pdf(TEMPLATE, context, page_size="4x6", margin="0")
