"""python manage.py metrics_report --channel tiktok --from 2026-03-01 --to 2026-03-31 --json"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from metrics.definitions import METRICS
from metrics.selectors import MetricsInputError, metric_report


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = ("Print the late dispatch, valid tracking, on-time delivery and seller-fault cancellation rates "
            "over the local dates [--from, --to) (default: the last 30 full days), each account in its own "
            "time zone.")

    def add_arguments(self, parser):
        parser.add_argument("--channel", help="Only this channel's accounts (tiktok, woocommerce, etsy, square).")
        parser.add_argument("--account", type=int, help="Only this channel account (id).")
        parser.add_argument("--from", dest="date_from", type=_date, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", type=_date, help="Day after the last day, YYYY-MM-DD (not "
                                                                      "included).")
        parser.add_argument("--as-of", dest="as_of", help="Judge pending tracking as at this ISO date-time "
                                                          "(default: now), to reproduce an earlier report.")
        parser.add_argument("--json", action="store_true", help="Print JSON (value is null for an empty "
                                                                "denominator).")

    def handle(self, *args, date_from=None, date_to=None, as_of=None, **options):
        now = None
        if as_of:
            now = parse_datetime(as_of)
            if now is None or now.tzinfo is None:
                raise CommandError(f"--as-of {as_of!r}: give an ISO date-time with its UTC offset, "
                                   "e.g. 2026-04-01T00:00:00+00:00.")
        if (date_from is None) != (date_to is None):
            raise CommandError("Give both --from and --to, or neither for the last 30 full days.")
        try:
            report = metric_report(account=options["account"], channel=options["channel"], date_from=date_from,
                                   date_to=date_to, now=now)
        except MetricsInputError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(f"{report.scope.label}, {report.window} "
                          f"(local dates [{report.window.date_from}, {report.window.date_to}))")
        for key, figure in report.figures.items():
            value = "-" if figure.value is None else f"{figure.value * 100:.2f} %"
            metric = METRICS[key]
            self.stdout.write(f"  {metric.name:<32} {value:>9}  {figure.numerator:>7} / {figure.denominator:<7} "
                              f"{metric.status(figure.value)}")
