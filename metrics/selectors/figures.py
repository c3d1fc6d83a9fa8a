"""The four figures for a scope and window, counted in the database (at most two queries), with
the rows behind each part of a figure.

    report = metric_report(channel="tiktok", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    report.figures["late_dispatch_rate"].value        # 0.0417 (None for an empty denominator)
    report.figures["late_dispatch_rate"].numerator_rows  # the late orders (a QuerySet)
    report.as_dict()                                   # the JSON of metrics_report and the API
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone

from fulfilment.models import Package
from metrics.definitions import METRIC_KEYS, METRICS, VALID_TRACKING
from metrics.selectors.rules import Rule, packages, rules
from metrics.selectors.scope import (
    NOT_SHOWN,
    NOT_SHOWN_OF_PACKAGE,
    MetricsInputError,
    Scope,
    Window,
    bounds,
    default_window,
    resolve_scope,
)
from orders.models import Order

NUMERATOR = "numerator"
DENOMINATOR = "denominator"
PARTS = (NUMERATOR, DENOMINATOR)


def ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


@dataclass
class Figure:
    key: str
    numerator: int = 0
    denominator: int = 0
    rule: Rule | None = field(default=None, repr=False)

    @property
    def metric(self):
        return METRICS[self.key]

    @property
    def value(self):
        return ratio(self.numerator, self.denominator)

    @property
    def status(self):
        return self.metric.status(self.value)

    def as_dict(self):
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}

    def rows(self, part):
        """The orders (packages for the valid tracking rate) behind one part of the figure."""
        if part not in PARTS:
            raise MetricsInputError(f"Part must be one of {', '.join(PARTS)}.", field="part")
        q = self.rule.numerator if part == NUMERATOR else self.rule.denominator
        if self.rule.model is Package:
            return (packages().filter(q).select_related("order__account").defer(*NOT_SHOWN_OF_PACKAGE)
                    .order_by(*self.rule.order_by))
        return Order.objects.filter(q).select_related("account").defer(*NOT_SHOWN).order_by(*self.rule.order_by)

    @property
    def numerator_rows(self):
        return self.rows(NUMERATOR)

    @property
    def denominator_rows(self):
        return self.rows(DENOMINATOR)

    def orders(self, part):
        """The orders behind one part (for packages: the orders the packages belong to)."""
        rows = self.rows(part)
        if self.rule.model is Package:
            return Order.objects.filter(pk__in=rows.values("order_id")).select_related("account").defer(*NOT_SHOWN)
        return rows

    def add(self, numerator, denominator):
        self.numerator += numerator
        self.denominator += denominator


@dataclass
class Report:
    scope: Scope
    window: Window
    now: dt.datetime
    figures: dict  # key -> Figure
    per_account: dict  # account id -> {key: Figure}

    def as_dict(self):
        """Exactly the JSON of ``metrics_report --json`` and ``GET /api/v1/metrics``."""
        return {key: self.figures[key].as_dict() for key in self.figures}

    def __getitem__(self, key):
        return self.figures[key]

    @cached_property
    def by_channel(self):
        """[(channel, label, {key: Figure})] for the channels in scope, in channel order."""
        rows = {}
        for account in self.scope.accounts:
            entry = rows.setdefault(account.channel, (account.channel, account.channel_label,
                                                      {k: Figure(k, rule=None) for k in self.figures}))
            for key, figure in self.per_account.get(account.id, {}).items():
                entry[2][key].add(figure.numerator, figure.denominator)
        return list(rows.values())

    @cached_property
    def by_account(self):
        return [(account, self.per_account.get(account.id) or {k: Figure(k) for k in self.figures})
                for account in self.scope.accounts]


def counts_by_account(scope, window, now, keys=METRIC_KEYS):
    """{account id: {key: (numerator, denominator)}} in at most two queries (orders, packages)."""
    result = defaultdict(dict)
    if not scope.accounts:
        return result
    window_rules = rules(bounds(scope, window), now)
    order_keys = [k for k in keys if window_rules[k].model is Order]
    if order_keys:
        any_window = Q(pk__in=[])
        aggregates = {}
        for key in order_keys:
            rule = window_rules[key]
            any_window |= rule.window
            aggregates[f"{key}__n"] = Count("pk", filter=rule.numerator)
            aggregates[f"{key}__d"] = Count("pk", filter=rule.denominator)
        for row in Order.objects.filter(any_window).order_by().values("account_id").annotate(**aggregates):
            for key in order_keys:
                result[row["account_id"]][key] = (row[f"{key}__n"], row[f"{key}__d"])
    if VALID_TRACKING in keys:
        rule = window_rules[VALID_TRACKING]
        rows = (packages().filter(rule.denominator).order_by().values("order__account_id")
                .annotate(n=Count("pk", filter=rule.numerator), d=Count("pk")))
        for row in rows:
            result[row["order__account_id"]][VALID_TRACKING] = (row["n"], row["d"])
    return result


def metric_report(*, account=None, channel=None, date_from=None, date_to=None, now=None, scope=None,
                  keys=METRIC_KEYS):
    """The four figures (or ``keys``) for a scope and window; the default window is the last 30
    full days. Dates may be given as ``date`` objects; ``now`` decides which packages are still
    pending (default: the current time)."""
    now = now or timezone.now()
    scope = scope or resolve_scope(account=account, channel=channel)
    if date_from is None and date_to is None:
        window = default_window(scope, now)
    elif date_from is None or date_to is None:
        raise MetricsInputError("Give both 'from' and 'to', or neither for the last 30 full days.",
                                field="from" if date_from is None else "to")
    else:
        window = Window(date_from, date_to)
    return report_from_counts(scope, window, now, keys, counts_by_account(scope, window, now, keys))


def report_from_counts(scope, window, now, keys, counts) -> Report:
    """The Report of {account id: {key: (numerator, denominator)}} counts over the window: each
    figure summed over the accounts (with the window's rule) and each account's own figures."""
    window_rules = rules(bounds(scope, window), now)
    figures = {key: Figure(key, rule=window_rules[key]) for key in keys}
    per_account = {}
    for account_id, by_key in counts.items():
        per_account[account_id] = {}
        for key in keys:
            numerator, denominator = by_key.get(key, (0, 0))
            figures[key].add(numerator, denominator)
            per_account[account_id][key] = Figure(key, numerator, denominator)
    return Report(scope, window, now, figures, per_account)
