"""The one CSV writer of every export (at-risk lists, SKUs, templates...).

Exports carry channel data (order ids, SKU names, buyer notes). A spreadsheet runs a cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection), so
every *text* cell beginning with one of them is written with a leading ``'`` (the spreadsheet
shows the text as it is). Numbers handed over as numbers (``int``, ``Decimal``, ``float``: stock
quantities, amounts) stay numbers, so ``-3`` remains a negative number a sum can use; a number
that arrives as text (``"-3"``, from a channel) is text and is neutralised like any other.

    return csv_export.streaming_response(header, rows, filename="skus.csv", bom=True)
    return csv_export.response(rows, filename="template.csv")
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from sellerhub.downloads import content_disposition

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """The cell as written: None -> "", numbers as they are, text neutralised (see above)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable[Any]) -> list:
    return [safe_cell(value) for value in row]


class _Echo:
    def write(self, value):
        return value


class Writer:
    """``csv.writer`` that neutralises every cell; over a file, or returning lines (no file)."""

    def __init__(self, file=None):
        self._writer = csv.writer(file if file is not None else _Echo())

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def lines(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> Iterator[str]:
    writer = Writer()
    yield ("\ufeff" if bom else "") + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def streaming_response(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, filename: str,
                       bom: bool = False) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines(header, rows, bom=bom), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def response(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    out = HttpResponse(content_type=CONTENT_TYPE)
    out["Content-Disposition"] = content_disposition(filename)
    Writer(out).writerows(rows)
    return out
