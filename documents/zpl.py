"""ZPL II for Zebra (and compatible) thermal printers: SellerHub's own 4x6 label and a 4x6
packing slip, and the concatenation of label streams into one print job.

Geometry: 4x6 in at 203 dpi (8 dots/mm) is 812 x 1218 dots (``^PW812``, ``^LL1218``); text is
UTF-8 (``^CI28``) in the printer's scalable font 0. Field data goes through ``^FH`` so that
``^``, ``~`` and ``_`` in an address cannot end a field or start a command.

The tracking barcode is ``^BC`` (Code 128) in automatic mode (``A``: the printer picks the
subsets, so digit runs pack two to a symbol; firmware x.14 and later), with the tracking number
as its ``^FD`` data, its module (``^BY``) the widest of 4, 3 or 2 dots that fits with quiet
zones, centred; the human-readable number is printed under it in larger type than ``^BC``'s own.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

from documents.barcodes import QUIET_MODULES, code128_modules
from documents.data import LabelData, SlipData
from documents.errors import BarcodeError, DocumentError

DPI = 203
WIDTH = 812  # 4 in
HEIGHT = 1218  # 6 in
MARGIN = 24  # 3 mm
INNER = WIDTH - 2 * MARGIN

__all__ = ["HEIGHT", "WIDTH", "barcode_field", "concat_zpl", "is_zpl", "label_zpl", "labels_zpl", "packing_slip_zpl"]


# ---------------------------------------------------------------------------------------------
# Field helpers


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    # "\" is ^FB's escape character (and "\&" its line break): never let data produce one. The
    # printer's font 0 may lack the middle dot that PDF lines use as a separator.
    return text.replace("\\", "/").replace("·", "-")


def _hex_escape(text: str) -> str:
    """Field data for ^FH_: the characters ZPL would take as commands, hex-escaped."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _fit(text: str, width: int, font: int) -> str:
    """Cut text to what fits on one line of ``width`` dots in font 0 of ``font`` dots."""
    limit = max(1, int(width / (font * 0.52)))
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _text(x: int, y: int, text: str, *, font: int, width: int = INNER, lines: int = 1, justify: str = "L",
          spacing: int = 4) -> str:
    """A text block: ^FB wraps it to ``width`` dots in at most ``lines`` lines."""
    text = _clean(text)
    if lines == 1:
        text = _fit(text, width, font)
    return (f"^FO{x},{y}^A0N,{font},{font}^FB{width},{lines},{spacing},{justify},0"
            f"^FH_^FD{_hex_escape(text)}^FS")


def _lines(x: int, y: int, lines: Sequence[str], *, font: int, width: int = INNER, spacing: int = 4) -> str:
    """Several lines, each cut to the width, as one block with ^FB line breaks."""
    body = "\\&".join(_hex_escape(_fit(_clean(line), width, font)) for line in lines)
    return (f"^FO{x},{y}^A0N,{font},{font}^FB{width},{max(1, len(lines))},{spacing},L,0"
            f"^FH_^FD{body}^FS")


def _wrap(lines: Sequence[str], *, width: int, font: int, max_lines: int) -> list[str]:
    """Lines wrapped at word boundaries to ``width`` dots, at most ``max_lines`` (the last one
    cut with "..." if the text goes on)."""
    limit = max(1, int(width / (font * 0.52)))
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(_clean(line), limit, break_long_words=True, break_on_hyphens=True) or [""]
    if len(out) > max_lines:
        out = out[:max_lines]
        out[-1] = out[-1][: limit - 3].rstrip() + "..."
    return out


def _rule(y: int, thickness: int = 3) -> str:
    return f"^FO{MARGIN},{y}^GB{INNER},{thickness},{thickness}^FS"


def barcode_field(y: int, value: str, *, height: int, max_width: int = INNER) -> str:
    """Code 128 of ``value`` centred on the label, the widest whole-dot module that fits."""
    modules = len(code128_modules(value))
    for dots in (4, 3, 2):
        if (modules + 2 * QUIET_MODULES) * dots <= max_width:
            break
    else:
        raise BarcodeError(f"{value!r} is too long for a Code 128 barcode on a 4x6 label")
    x = (WIDTH - modules * dots) // 2
    data = f"^FH_^FD{_hex_escape(value)}" if any(c in value for c in "^~_") else f"^FD{value}"
    return f"^FO{x},{y}^BY{dots},3,{height}^BCN,{height},N,N,N,A{data}^FS"


def _date(value) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else ""


def _start() -> list[str]:
    return ["^XA", "^CI28", f"^PW{WIDTH}", f"^LL{HEIGHT}", "^LH0,0"]


# ---------------------------------------------------------------------------------------------
# SellerHub's 4x6 label


def label_zpl(label: LabelData) -> bytes:
    """SellerHub's own 4x6 label as one ZPL label (^XA...^XZ), as label_4x6.html lays it out."""
    if not isinstance(label, LabelData):
        raise DocumentError(f"a label must be LabelData, not {type(label).__name__}")
    to = label.ship_to
    name = to.name or to.company
    middle = [line for line in (to.company if to.name else "", to.street1, to.street2) if line][:3]
    show_country = bool(to.country) and to.country != (label.ship_from.country or "US")
    from_lines = label.ship_from.sender_lines(with_country=show_country)
    from_lines[0] = "From: " + from_lines[0]
    facts = f"Weight {label.weight_text or '-'}"
    if label.ship_date:
        facts += f"  -  Shipped {_date(label.ship_date)}"
    out = _start()
    # From: three lines
    out.append(_lines(MARGIN, 26, from_lines, font=26, spacing=6))
    out.append(_rule(136))
    # Ship to: name (large), up to 5 wrapped lines of company and street, city and country (large)
    out.append(_text(MARGIN, 148, "SHIP TO", font=24))
    out.append(_text(MARGIN + 40, 180, name, font=46, width=INNER - 40))
    if middle:
        wrapped = _wrap(middle, width=INNER - 40, font=38, max_lines=5)
        out.append(_lines(MARGIN + 40, 232, wrapped, font=38, width=INNER - 40, spacing=6))
    out.append(_text(MARGIN + 40, 456, to.city_line, font=46, width=INNER - 40))
    if show_country:
        out.append(_text(MARGIN + 40, 506, to.country, font=46, width=INNER - 40))
    out.append(_rule(562))
    # Carrier and service, the package's place in the shipment
    carrier_width = INNER - (210 if label.package_count > 1 else 0)
    out.append(_text(MARGIN, 578, label.carrier_name, font=64, width=carrier_width))
    if label.service:
        out.append(_text(MARGIN, 648, label.service, font=30, width=carrier_width))
    if label.package_count > 1:
        out.append(f"^FO{WIDTH - MARGIN - 200},584^GB200,58,3^FS")
        out.append(_text(WIDTH - MARGIN - 200, 598, f"PKG {label.package_number} of {label.package_count}",
                         font=30, width=200, justify="C"))
    out.append(_rule(716))
    # Order, weight, ship date
    out.append(_text(MARGIN, 732, f"Order {label.order_number}", font=36))
    out.append(_text(MARGIN, 776, facts, font=30))
    out.append(_rule(826))
    # Tracking barcode and number
    out.append(_text(MARGIN, 842, "TRACKING #" if label.tracking_number else "REFERENCE", font=24))
    out.append(barcode_field(880, label.barcode_value, height=210))
    out.append(_text(MARGIN, 1108, label.barcode_value, font=40, justify="C"))
    out.append("^PQ1")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def labels_zpl(labels: Iterable[LabelData]) -> bytes:
    return concat_zpl([label_zpl(label) for label in labels])


# ---------------------------------------------------------------------------------------------
# Packing slip on 4x6 stock


SLIP_FIRST_LINE_Y = 372
SLIP_LINE_HEIGHT = 64
SLIP_PAGE_LINES = 12  # lines on a page without the return note
SLIP_LAST_PAGE_LINES = 9  # the last page keeps room for the return note


def _slip_pages(lines: Sequence) -> list[Sequence]:
    pages, rest = [], list(lines)
    while len(rest) > SLIP_LAST_PAGE_LINES:
        take = min(SLIP_PAGE_LINES, len(rest) - 1)
        pages.append(rest[:take])
        rest = rest[take:]
    pages.append(rest)
    return pages


def packing_slip_zpl(slip: SlipData) -> bytes:
    """A packing slip on 4x6 label stock: as many labels as its lines need (9 to 12 each)."""
    if not isinstance(slip, SlipData):
        raise DocumentError(f"a packing slip must be SlipData, not {type(slip).__name__}")
    pages = _slip_pages(slip.lines)
    out: list[str] = []
    for number, lines in enumerate(pages, start=1):
        out += _start()
        head = slip.shop_name or "Packing slip"
        out.append(_text(MARGIN, 24, head, font=34, width=INNER - 200))
        if len(pages) > 1:
            out.append(_text(WIDTH - MARGIN - 200, 24, f"{number} of {len(pages)}", font=24, width=200, justify="R"))
        out.append(_text(MARGIN, 66, "PACKING SLIP", font=22))
        out.append(_text(MARGIN, 96, f"Order {slip.order_number}", font=40))
        when = _date(slip.order_date)
        out.append(_text(MARGIN, 142, " - ".join(p for p in (when and f"Ordered {when}", slip.channel) if p),
                         font=24))
        try:  # the order's barcode helps the packing station; a slip is still a slip without it
            out.append(barcode_field(176, slip.order_number, height=70))
        except BarcodeError:
            pass
        ship_to = slip.ship_to
        out.append(_lines(MARGIN, 262, [f"Ship to: {ship_to.name or ship_to.company}", ship_to.city_line],
                          font=26, spacing=2))
        out.append(_rule(322))
        out.append(_text(MARGIN, 334, "QTY", font=22, width=90))
        out.append(_text(MARGIN + 100, 334, "SKU / ITEM", font=22, width=INNER - 100))
        y = SLIP_FIRST_LINE_Y
        for line in lines:
            out.append(f"^FO{MARGIN},{y}^GB40,40,3^FS")  # tick box
            out.append(_text(MARGIN + 50, y + 4, str(line.quantity), font=34, width=50))
            out.append(_text(MARGIN + 100, y, line.sku or "-", font=28, width=INNER - 100))
            detail = " - ".join(p for p in (line.name, line.variant) if p)
            out.append(_text(MARGIN + 100, y + 32, detail, font=24, width=INNER - 100))
            y += SLIP_LINE_HEIGHT
        if number == len(pages):
            out.append(_rule(y + 4, 2))
            out.append(_text(MARGIN, y + 14, f"{len(slip.lines)} lines, {slip.unit_count} units", font=24))
            if slip.return_note:
                out.append(_rule(HEIGHT - 230, 2))
                out.append(_text(MARGIN, HEIGHT - 218, "RETURNS", font=22))
                out.append(_text(MARGIN, HEIGHT - 192, slip.return_note, font=21, lines=7, spacing=2))
        out.append("^PQ1")
        out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Streams


def is_zpl(data: bytes) -> bool:
    """Whether ``data`` looks like a ZPL print stream (at least one ^XA...^XZ label)."""
    if not isinstance(data, bytes | bytearray) or data.lstrip()[:5] == b"%PDF-":
        return False
    upper = bytes(data).upper()
    start = upper.find(b"^XA")
    return start >= 0 and upper.find(b"^XZ", start) > start


def concat_zpl(streams: Iterable[bytes]) -> bytes:
    """One print job from several ZPL streams (each one or more ^XA...^XZ labels), in order."""
    parts, problems = [], []
    for index, data in enumerate(streams, start=1):
        if not is_zpl(data):
            problems.append(f"stream {index} is not ZPL (no ^XA...^XZ label in it)")
            continue
        parts.append(bytes(data).strip())
    if problems:
        raise DocumentError("; ".join(problems))
    if not parts:
        raise DocumentError("there is nothing to print")
    return b"\n".join(parts) + b"\n"
