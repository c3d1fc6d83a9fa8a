"""Placeholder shipping labels: a one-page PDF (or PNG/ZPL/EPL2) whose Code 128 barcode
carries the tracking number. Hand-written PDF, no rendering dependency; the bar pattern
comes from python-barcode (part of the project stack) when installed.
"""

from __future__ import annotations

import struct
import zlib

PAGE_SIZES = {  # points (1/72 in)
    "4x6": (288.0, 432.0),
    "A6": (297.64, 419.53),
    "A5": (419.53, 595.28),
}


def code128_modules(data: str) -> str:
    """The bar pattern as a string of '1' (bar) and '0' (space), quiet zones excluded."""
    try:
        from barcode import Code128
    except ImportError:  # pragma: no cover - python-barcode is in requirements
        return ""
    return Code128(data).build()[0]


def _pdf_text(value: str) -> str:
    safe = value.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def label_pdf(tracking_number: str, lines: list[str] | None = None, *, page: str = "4x6") -> bytes:
    width, height = PAGE_SIZES.get(page, PAGE_SIZES["4x6"])
    margin = 18.0
    ops = ["BT /F1 11 Tf"]
    y = height - margin - 12
    for line in lines or []:
        ops.append(f"1 0 0 1 {margin:.2f} {y:.2f} Tm ({_pdf_text(line)}) Tj")
        y -= 15
    ops.append("ET")
    modules = code128_modules(tracking_number)
    if modules:
        module_w = min(2.0, (width - 2 * margin) / len(modules))
        bar_h = 90.0
        x0 = (width - module_w * len(modules)) / 2
        y0 = 110.0
        ops.append("0 g")
        run = 0
        for i, bit in enumerate(modules + "0"):
            if bit == "1":
                run += 1
            elif run:
                x = x0 + (i - run) * module_w
                ops.append(f"{x:.3f} {y0:.2f} {run * module_w:.3f} {bar_h:.2f} re f")
                run = 0
    ops.append(f"BT /F1 12 Tf 1 0 0 1 {margin:.2f} 85 Tm (TRACKING # {_pdf_text(tracking_number)}) Tj ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def label_png(tracking_number: str, *, width: int = 812, height: int = 1218) -> bytes:
    """4x6 at 203 dpi, 8-bit greyscale, barcode only."""
    modules = code128_modules(tracking_number) or "0"
    module_px = max(1, (width - 80) // len(modules))
    bars = bytearray(b"\xff" * width)
    x0 = (width - module_px * len(modules)) // 2
    for i, bit in enumerate(modules):
        if bit == "1":
            bars[x0 + i * module_px : x0 + (i + 1) * module_px] = b"\x00" * module_px
    white = b"\x00" + b"\xff" * width
    bar_row = b"\x00" + bytes(bars)
    top, bar_h = height - 500, 300
    raw = white * top + bar_row * bar_h + white * (height - top - bar_h)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def label_zpl(tracking_number: str, lines: list[str] | None = None) -> bytes:
    parts = ["^XA", "^CF0,30"]
    y = 40
    for line in lines or []:
        parts.append(f"^FO40,{y}^FD{line}^FS")
        y += 40
    parts.append(f"^FO60,700^BY3^BCN,200,Y,N,N^FD{tracking_number}^FS")
    parts.append("^XZ")
    return "\n".join(parts).encode()


def label_epl2(tracking_number: str, lines: list[str] | None = None) -> bytes:
    parts = ["N", "q812", "Q1218,24"]
    y = 40
    for line in lines or []:
        parts.append(f'A40,{y},0,4,1,1,N,"{line}"')
        y += 40
    parts.append(f'B60,700,0,1,3,6,200,B,"{tracking_number}"')
    parts.append("P1")
    return ("\n".join(parts) + "\n").encode()
