"""Code 128 barcodes as inline SVG, for documents rendered by WeasyPrint (and for pages).

python-barcode encodes the data (picking the Code 128 subsets that make the shortest symbol)
and lays out the modules; ``PathSVGWriter``, a python-barcode writer, draws them. It differs
from python-barcode's stock ``SVGWriter`` in two ways that matter for printing:

- every bar goes into ONE ``<path>`` in whole module units (the stock writer makes one
  ``<rect>`` per bar, positioned in rounded millimetres): WeasyPrint renders a 500-label batch
  about three times faster, and the bars keep exact widths;
- the module (narrowest bar) is a whole number of dots of a 203 dpi (8 dots/mm) thermal
  printer: 0.5 mm (4 dots), 0.375 mm (3) or 0.25 mm (2), the widest that fits, so the printer
  never has to round some bars up and others down. A 10-module quiet zone (the minimum of
  ISO/IEC 15417) is part of the symbol, white, on both sides.

    >>> code128("1Z5R89390357567127", max_width_mm=90).module_mm
    0.375
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from barcode import Code128
from barcode.errors import BarcodeError as _PyBarcodeError
from barcode.writer import BaseWriter
from django.utils.safestring import mark_safe

from documents.errors import BarcodeError

DOT_MM = 0.125  # one dot of a 203 dpi (8 dots/mm) thermal printer
MODULE_DOTS = (4, 3, 2)  # preferred module widths, widest first
QUIET_MODULES = 10
MIN_MODULE_MM = 0.19  # 7.5 mil: narrower bars are beyond ordinary warehouse scanners
MAX_LENGTH = 80

__all__ = ["Barcode", "PathSVGWriter", "code128", "code128_modules"]


@dataclass(frozen=True)
class Barcode:
    """A Code 128 symbol ready to embed in HTML: ``{{ barcode }}`` in a template prints the SVG."""

    value: str
    svg: str
    modules: int  # modules of the symbol itself (start to stop), quiet zones excluded
    module_mm: float
    height_mm: float

    @property
    def width_mm(self) -> float:
        """Printed width, quiet zones included."""
        return (self.modules + 2 * QUIET_MODULES) * self.module_mm

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:  # Django templates str() a value before escaping it: keep it safe
        return mark_safe(self.svg)  # built by PathSVGWriter, the value itself is escaped


class PathSVGWriter(BaseWriter):
    """A python-barcode writer painting all bars into one SVG path, in module units."""

    def __init__(self):
        super().__init__(self._start, self._paint_module, None, self._finish)
        self.module_mm = 0.375
        self.height_mm = 25.0
        self.title = ""
        self._bars: list[tuple[float, float]] = []
        self._width_units = 0

    def _start(self, code):
        self._bars = []
        self._width_units = len(code[0]) + 2 * self.quiet_zone

    def _paint_module(self, xpos, ypos, width, color):
        if color == self.foreground:
            self._bars.append((xpos, width))

    def _finish(self) -> str:
        width_units = self._width_units
        height_units = self.height_mm / self.module_mm
        h = _num(height_units)
        path = "".join(f"M{_num(x)} 0h{_num(w)}v{h}h-{_num(w)}z" for x, w in self._bars)
        label = escape(self.title or "barcode", quote=True)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" role="img" aria-label="{label}" '
            f'width="{_num(width_units * self.module_mm)}mm" height="{_num(self.height_mm)}mm" '
            f'viewBox="0 0 {_num(width_units)} {h}" preserveAspectRatio="none" shape-rendering="crispEdges">'
            f'<rect width="{_num(width_units)}" height="{h}" fill="#fff"/>'
            f'<path fill="#000" d="{path}"/></svg>'
        )


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _check(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise BarcodeError("there is nothing to put in the barcode")
    if len(value) > MAX_LENGTH:
        raise BarcodeError(f"{value[:20]!r}... is too long for a barcode ({len(value)} characters, at most "
                           f"{MAX_LENGTH})")
    bad = sorted({c for c in value if not (" " <= c <= "~")})
    if bad:
        raise BarcodeError(f"{value!r} cannot be put in a Code 128 barcode: it contains {''.join(bad)!r} "
                           "(only printable ASCII characters can be)")
    return value


def code128_modules(value: str) -> str:
    """The symbol as '1' (bar) and '0' (space) modules, quiet zones excluded."""
    try:
        return Code128(_check(value)).build()[0]
    except _PyBarcodeError as exc:  # pragma: no cover - _check lets only printable ASCII through
        raise BarcodeError(f"{value!r} cannot be put in a Code 128 barcode: {exc}") from exc


def module_width_mm(modules: int, max_width_mm: float | None, *, value: str = "") -> float:
    """The widest whole-dot module for which the symbol and its quiet zones fit."""
    total = modules + 2 * QUIET_MODULES
    for dots in MODULE_DOTS:
        if max_width_mm is None or total * dots * DOT_MM <= max_width_mm + 1e-9:
            return dots * DOT_MM
    fitted = max_width_mm / total
    if fitted < MIN_MODULE_MM:
        raise BarcodeError(f"{value!r} is too long for a scannable barcode {max_width_mm:g} mm wide "
                           f"(it needs {total * MIN_MODULE_MM:.0f} mm)")
    return fitted


def code128(value: str, *, height_mm: float = 25.0, max_width_mm: float | None = None,
            module_mm: float | None = None) -> Barcode:
    """A Code 128 barcode of ``value`` as inline SVG.

    ``max_width_mm`` is the room the symbol has (quiet zones included); the module width is
    chosen to fit it unless ``module_mm`` forces one.
    """
    pattern = code128_modules(value)
    if module_mm is None:
        module_mm = module_width_mm(len(pattern), max_width_mm, value=value)
    writer = PathSVGWriter()
    writer.set_options({"module_width": 1, "quiet_zone": QUIET_MODULES, "foreground": "black",
                        "background": "white", "text": ""})
    writer.module_mm = module_mm
    writer.height_mm = height_mm
    writer.title = f"Code 128 barcode {value}"
    svg = writer.render([pattern])
    return Barcode(value=value, svg=svg, modules=len(pattern), module_mm=module_mm, height_mm=height_mm)
