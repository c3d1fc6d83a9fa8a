"""Acceptance 2: orders imported with ``import_orders`` from TikTok JSON give, through
``metrics_report``, exactly the figures the definitions give by hand.

The file tests/metrics/data/tiktok_orders_march_2025.json holds 20 TikTok Shop 202309 order
details. ``import_orders`` puts them in the TikTok account it creates (America/Los_Angeles). The
window is March 2025, [2025-03-01, 2025-03-31) in local dates, judged as of 2025-04-03 12:00
PDT (``--as-of``, so that "pending tracking" does not depend on the day the test runs). All
times below are Los Angeles wall-clock times (PST before 2025-03-09 02:00, PDT after).

Order (last digits of the id), what it is, and where it lands by hand ("num": numerator and
denominator; "den": denominator only; "out": in neither):

| #  | what                                                            | LDR | VTR    | OTDR | SFCR |
|----|-----------------------------------------------------------------|-----|--------|------|------|
| 01 | FBS, own label, scanned 03-05 09:00 (due 03-05 23:59), upload   | den | num    | num  | den  |
|    | 03-04 15:00, delivered 03-09 (due 03-11)                        |     |        |      |      |
| 02 | scanned 03-14 11:00, due 03-12 23:59: late; upload 03-12 20:00; | num | num    | den  | den  |
|    | delivered 03-19 10:00, due 03-18 23:59: late                    |     |        |      |      |
| 03 | FBT, scanned 03-15 after its 03-13 deadline                     | den | out    | out  | den  |
| 04 | FBS on TikTok's label (shipping_type TIKTOK), on time           | den | out    | num  | den  |
| 05 | tracking number with a wrong USPS check digit, scanned the next | den | den    | den  | den  |
|    | day; due for delivery 03-28, not delivered                      |     |        |      |      |
| 06 | uploaded 03-26 16:00, never scanned: 7.8 days by "now";         | out | den    | out  | den  |
|    | delivery due 04-02 (after the window)                           |     |        |      |      |
| 07 | uploaded 03-30 23:30, never scanned: 3.5 days, pending          | out | out    | out  | den  |
| 08 | cancelled by the SELLER (delivery due 03-14, but cancelled)     | out | out    | out  | num  |
| 09 | cancelled by the SYSTEM (auto-cancel)                           | out | out    | out  | num  |
| 10 | cancelled by the BUYER                                          | out | out    | out  | den  |
| 11 | never paid, cancelled by the system                             | out | out    | out  | out  |
| 12 | sample order cancelled by the seller                            | out | out    | out  | out  |
| 13 | placed 03-30 23:59 (last day), cancelled by the seller 03-31    | out | out    | out  | num  |
| 14 | placed 03-31 00:00 (the day after), cancelled by the seller     | out | out    | out  | out  |
| 15 | scanned 03-30 23:59 (last day), due 03-28 23:59: late; upload   | num | num    | out  | den  |
|    | 03-28 20:00; delivery due 04-05 (after the window)              |     |        |      |      |
| 16 | scanned 03-31 00:00 (the day after); upload 03-27 12:00, 3.5    | out | num    | out  | den  |
|    | days before the scan; delivery due 04-04                        |     |        |      |      |
| 17 | placed in February; scanned 03-01 00:00 (first instant), due    | num | out    | num  | out  |
|    | 02-28 23:59; uploaded 02-28; delivered 03-05, due 03-06         |     |        |      |      |
| 19 | two packages uploaded 03-06 10:00, first scan 03-12 11:00 (6    | num | den x2 | den  | den  |
|    | days): late dispatch (due 03-07), both packages invalid;        |     |        |      |      |
|    | delivered 03-14 09:00, due 03-13 23:59: late                    |     |        |      |      |
| 20 | on time everywhere                                              | den | num    | num  | den  |
| 21 | delivered 03-30 23:59, exactly at its deliver-by time           | den | num    | num  | den  |

Late dispatch: denominator 01 02 03 04 05 15 17 19 20 21 = 10; numerator 02 15 17 19 = 4.
Valid tracking: denominator packages of 01 02 05 06 15 16 19 19 20 21 = 10; numerator 01 02 15 16 20 21 = 6.
On-time delivery: denominator 01 02 04 05 17 19 20 21 = 8; numerator 01 04 17 20 21 = 5.
Seller-fault cancellation: denominator 01-10 13 15 16 19 20 21 = 16; numerator 08 09 13 = 3.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from metrics.selectors import metric_report

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "tiktok_orders_march_2025.json"
AS_OF = "2025-04-03T12:00:00-07:00"

EXPECTED = {
    "late_dispatch_rate": {"value": 4 / 10, "numerator": 4, "denominator": 10},
    "valid_tracking_rate": {"value": 6 / 10, "numerator": 6, "denominator": 10},
    "on_time_delivery_rate": {"value": 5 / 8, "numerator": 5, "denominator": 8},
    "seller_fault_cancellation_rate": {"value": 3 / 16, "numerator": 3, "denominator": 16},
}


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def report(date_from="2025-03-01", date_to="2025-03-31", *extra):
    text = run("metrics_report", "--channel", "tiktok", "--from", date_from, "--to", date_to, "--as-of", AS_OF,
               "--json", *extra)
    return json.loads(text)


def test_imported_tiktok_orders_give_the_figures_computed_by_hand():
    output = run("import_orders", "--channel", "tiktok", str(DATA))
    assert "created 20" in output and "rejected 0" in output, output

    figures = report()
    assert list(figures) == list(EXPECTED)  # exactly the four keys, in the documented order
    assert figures == EXPECTED

    # Importing the same file again changes nothing.
    run("import_orders", "--channel", "tiktok", str(DATA))
    assert report() == EXPECTED


def test_the_late_orders_behind_the_figure_are_the_ones_found_by_hand():
    run("import_orders", "--channel", "tiktok", str(DATA))
    result = metric_report(channel="tiktok", date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31),
                           now=dt.datetime.fromisoformat(AS_OF))
    late = sorted(o.external_id[-2:] for o in result.figures["late_dispatch_rate"].numerator_rows)
    assert late == ["02", "15", "17", "19"]
    cancelled = sorted(o.external_id[-2:] for o in result.figures["seller_fault_cancellation_rate"].numerator_rows)
    assert cancelled == ["08", "09", "13"]
    valid = sorted(p.order.external_id[-2:] for p in result.figures["valid_tracking_rate"].numerator_rows)
    assert valid == ["01", "02", "15", "16", "20", "21"]


def test_a_window_with_no_orders_reports_null_values():
    run("import_orders", "--channel", "tiktok", str(DATA))
    figures = report("2024-01-01", "2024-02-01")
    assert figures == {key: {"value": None, "numerator": 0, "denominator": 0} for key in EXPECTED}
    text = run("metrics_report", "--channel", "tiktok", "--from", "2024-01-01", "--to", "2024-02-01", "--json")
    assert '"value": null' in text
