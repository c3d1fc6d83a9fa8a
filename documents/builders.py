"""The documents: SellerHub's own 4x6 label, packing slips, pick lists and handover manifests.

Each ``render_*`` function takes the dataclasses of ``documents.data`` and returns
PDF bytes; views return them as a download, jobs store them. Many labels (or slips) render as
ONE WeasyPrint document, one page each: far faster than a document per package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from documents.barcodes import Barcode, code128
from documents.data import LabelData, ManifestData, PickListData, SlipData
from documents.errors import BarcodeError, DocumentError
from documents.render import (
    PAGE_SIZES,
    css_string,
    get_page_size,
    render_html,
    render_pages,
    render_pdf,
)

LABEL_TEMPLATE = "documents/label_4x6.html"
SLIP_TEMPLATE = "documents/packing_slip.html"
PICK_LIST_TEMPLATE = "documents/pick_list.html"
MANIFEST_TEMPLATE = "documents/manifest.html"

# Room for the label's barcode: 4 in less the label's side padding (0.14 in each side).
LABEL_BARCODE_WIDTH_MM = (4 - 2 * 0.14) * 25.4
LABEL_BARCODE_HEIGHT_MM = 22.0

__all__ = [
    "label_context",
    "labels_html",
    "render_label_pdf",
    "render_labels_pdf",
    "render_manifest_pdf",
    "render_pick_list_pdf",
    "render_packing_slip_pdf",
    "render_packing_slips_pdf",
]


def _items(kind, values, cls) -> list:
    values = list(values)
    if not values:
        raise DocumentError(f"no {kind} to render")
    for value in values:
        if not isinstance(value, cls):
            raise DocumentError(f"{kind} must be {cls.__name__}, not {type(value).__name__}")
    return values


def _optional_code128(value: str, **options) -> Barcode | None:
    """A barcode where one helps but is not essential (slips, lists): left out, rather than
    failing the document, when the value cannot be printed as one in the room there is."""
    try:
        return code128(value, **options)
    except BarcodeError:
        return None


def _paper(page_size, document: str):
    size = get_page_size(page_size)
    if size.name not in ("letter", "a4"):
        raise DocumentError(f"{document} print on Letter or A4, not {size.label}")
    return size


# ---------------------------------------------------------------------------------------------
# Shipping labels


def label_context(label: LabelData) -> dict:
    """What label_4x6.html prints for one label."""
    to = label.ship_to
    # Name first (large), then company and streets; the city line and country are printed bold.
    name = to.name or to.company
    middle = [line for line in (to.company if to.name else "", to.street1, to.street2) if line]
    show_country = bool(to.country) and to.country != (label.ship_from.country or "US")
    # A long address gets smaller type rather than being clipped (about 30 characters fit on a
    # line at the normal size, 40 at the smaller one; the block holds 8 lines).
    wrapped = sum(max(1, math.ceil(len(line) / 30)) for line in (name, *middle, to.city_line))
    return {
        "to_long": wrapped > 7,
        "from_lines": label.ship_from.sender_lines(with_country=show_country),
        "to_name": name,
        "to_lines": middle,
        "to_city": to.city_line,
        "to_country": to.country if show_country else "",
        "carrier_name": label.carrier_name,
        "service": label.service,
        "order_number": label.order_number,
        "weight": label.weight_text,
        "ship_date": label.ship_date,
        "package_number": label.package_number,
        "package_count": label.package_count,
        "caption": "Tracking #" if label.tracking_number else "Reference",
        "number": label.barcode_value,
        "barcode": code128(label.barcode_value, height_mm=LABEL_BARCODE_HEIGHT_MM,
                           max_width_mm=LABEL_BARCODE_WIDTH_MM),
    }


def labels_html(labels: Sequence[LabelData]) -> str:
    """The HTML of a run of 4x6 labels, one page each (what render_labels_pdf prints)."""
    labels = _items("labels", labels, LabelData)
    return render_html(LABEL_TEMPLATE, {"labels": [label_context(x) for x in labels]},
                       page_size=PAGE_SIZES["4x6"], margin="0")


def render_labels_pdf(labels: Sequence[LabelData]) -> bytes:
    """SellerHub's own 4x6 labels, one page each, in one PDF."""
    labels = _items("labels", labels, LabelData)
    return render_pdf(LABEL_TEMPLATE, {"labels": [label_context(x) for x in labels]},
                      page_size=PAGE_SIZES["4x6"], margin="0")


def render_label_pdf(label: LabelData) -> bytes:
    return render_labels_pdf([label])


def render_labels_pages(labels: Sequence[LabelData]) -> tuple[bytes, list[range]]:
    """Like render_labels_pdf, plus the page range of each label (one page each)."""
    labels = _items("labels", labels, LabelData)
    return render_pages(LABEL_TEMPLATE, {"labels": [label_context(x) for x in labels]},
                        page_size=PAGE_SIZES["4x6"], margin="0", count=len(labels))


# ---------------------------------------------------------------------------------------------
# Packing slips


def slip_context(slip: SlipData, *, page_name: str) -> dict:
    narrow = page_name == "4x6"
    return {
        "order_number": slip.order_number,
        "order_date": slip.order_date,
        "channel": slip.channel,
        "shop_name": slip.shop_name,
        "logo": slip.logo,
        "ship_to_lines": slip.ship_to.lines(),
        "return_lines": slip.ship_from.lines() if slip.ship_from and not slip.ship_from.is_blank else [],
        "lines": slip.lines,
        "line_count": len(slip.lines),
        "unit_count": slip.unit_count,
        "note": slip.note,
        "return_note": slip.return_note,
        "barcode": _optional_code128(slip.order_number, height_mm=7 if narrow else 10,
                                     max_width_mm=55 if narrow else 75),
    }


def _slips_context(slips, page_size):
    size = get_page_size(page_size)
    slips = _items("packing slips", slips, SlipData)
    return size, {"slips": [slip_context(s, page_name=size.name) for s in slips]}


def render_packing_slips_pdf(slips: Sequence[SlipData], *, page_size: str = "letter") -> bytes:
    """Packing slips (Letter, A4 or 4x6), each starting on a new page."""
    size, context = _slips_context(slips, page_size)
    return render_pdf(SLIP_TEMPLATE, context, page_size=size)


def render_packing_slip_pdf(slip: SlipData, *, page_size: str = "letter") -> bytes:
    return render_packing_slips_pdf([slip], page_size=page_size)


def render_packing_slips_pages(slips: Sequence[SlipData], *, page_size: str = "4x6") -> tuple[bytes, list[range]]:
    """Like render_packing_slips_pdf, plus the page range of each slip (a long one takes more)."""
    size, context = _slips_context(slips, page_size)
    return render_pages(SLIP_TEMPLATE, context, page_size=size, count=len(context["slips"]))


# ---------------------------------------------------------------------------------------------
# Pick list


def render_pick_list_pdf(pick_list: PickListData, *, page_size: str = "letter") -> bytes:
    """The pick list, grouped by SKU and bin in walking order (Letter or A4)."""
    if not isinstance(pick_list, PickListData):
        raise DocumentError(f"a pick list must be PickListData, not {type(pick_list).__name__}")
    size = _paper(page_size, "pick lists")
    groups = pick_list.groups()
    units: dict[str, int] = {}
    for item in pick_list.items:
        units[item.order_number] = units.get(item.order_number, 0) + item.quantity
    context = {
        "p": {
            "reference": pick_list.reference,
            "warehouse": pick_list.warehouse,
            "created_at": pick_list.created_at,
            "created_by": pick_list.created_by,
            "note": pick_list.note,
            "groups": groups,
            "orders": list(units.items()),
            "order_count": len(units),
            "unit_count": pick_list.unit_count,
            "stop_count": len(groups),
            "barcode": _optional_code128(pick_list.reference, height_mm=10, max_width_mm=70),
        },
        "footer_left": css_string(f"Pick list {pick_list.reference}"),
    }
    return render_pdf(PICK_LIST_TEMPLATE, context, page_size=size)


# ---------------------------------------------------------------------------------------------
# Handover manifest


def render_manifest_pdf(manifest: ManifestData, *, page_size: str = "letter") -> bytes:
    """A collection / handover manifest with each package's tracking barcode (Letter or A4)."""
    if not isinstance(manifest, ManifestData):
        raise DocumentError(f"a manifest must be ManifestData, not {type(manifest).__name__}")
    size = _paper(page_size, "manifests")
    rows = [
        {
            "tracking_number": p.tracking_number,
            "order_number": p.order_number,
            "carrier_name": p.carrier_name,
            "service": p.service,
            "weight": p.weight_text,
            "barcode": _optional_code128(p.tracking_number, height_mm=9, max_width_mm=76),
        }
        for p in manifest.packages
    ]
    context = {
        "m": {
            "title": manifest.title,
            "reference": manifest.reference,
            "carrier_name": manifest.carrier_name,
            "ship_from": manifest.ship_from.one_line() if manifest.ship_from else "",
            "created_at": manifest.created_at,
            "extra": [(str(k), str(v)) for k, v in manifest.extra.items()],
            "note": manifest.note,
            "rows": rows,
            "package_count": len(rows),
            "total_weight": manifest.total_weight_text,
            "barcode": _optional_code128(manifest.reference, height_mm=10, max_width_mm=70),
        },
        "footer_left": css_string(f"{manifest.title} {manifest.reference}"),
    }
    return render_pdf(MANIFEST_TEMPLATE, context, page_size=size)
