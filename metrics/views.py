"""The metrics page, the orders behind each figure (with CSV export) and the at-risk lists.

Every page reads through metrics/selectors/ and runs a fixed number of queries whatever the
number of orders (tests/metrics/test_pages.py counts them).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from metrics.after_sales_context import index_context as after_sales_context
from metrics.after_sales_context import placed_windows
from metrics.charts import trend_chart
from metrics.definitions import LATE_DISPATCH, METRIC_KEYS, METRICS, SELLER_FAULT_CANCELLATION, STATUS_LABELS
from metrics.forms import WindowForm
from metrics.jobs import take_snapshots_job
from metrics.selectors import (
    AT_RISK_KINDS,
    DENOMINATOR,
    NUMERATOR,
    PARTS,
    at_risk_rows,
    at_risk_summary,
    default_window,
    metric_report,
    page_reports,
    resolve_scope,
    weekly_trend,
)
from metrics.tables import columns_for, table_markup, table_rows
from sellerhub import csv_export, datetimes
from sellerhub.access import RoleRequiredMixin
from sellerhub.jobs import enqueue_job
from sellerhub.models import JobRun
from sellerhub.roles import perm

PAGE_SIZE = 50
AT_RISK_PREVIEW = 10
SNAPSHOT_JOB = "metrics.snapshots"


class _WindowMixin(RoleRequiredMixin):
    permission_required = perm("view_metrics")

    def read_window(self):
        """(form, scope, window); an invalid form falls back to all channels, last 30 full days."""
        self.now = timezone.now()
        form = WindowForm(self.request.GET, now=self.now)
        if form.is_valid():
            scope, window = form.cleaned_data["scope"], form.cleaned_data["window"]
        else:
            scope = resolve_scope()
            window = default_window(scope, self.now)
        self.form, self.scope, self.window = form, scope, window
        return form, scope, window

    def window_query(self, **extra):
        params = {"from": self.window.date_from.isoformat(), "to": self.window.date_to.isoformat()}
        if self.scope.channel:
            params["channel"] = self.scope.channel
        if self.scope.account_id:
            params["account"] = self.scope.account_id
        params.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(params)


class IndexView(_WindowMixin, TemplateView):
    """The four figures for a window (default: the last 30 full days), the weekly trend, the
    breakdown by channel and the at-risk lists."""

    template_name = "metrics/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, scope, window = self.read_window()
        # Tiles from the daily snapshots plus live counts; the drill-downs below count live. The
        # late dispatch rate of the last 30 full days (the at-risk projection builds on it) and the
        # after-sales rates' orders placed come from the same read of the snapshots.
        standard = default_window(scope, self.now)
        requests = {window: METRIC_KEYS}
        for other, key in [(standard, LATE_DISPATCH)] + [(w, SELLER_FAULT_CANCELLATION)
                                                          for w in sorted(placed_windows(self), key=str)]:
            if key not in requests.get(other, ()):
                requests[other] = (*requests.get(other, ()), key)
        self.page_reports = page_reports(scope=scope, requests=requests, now=self.now)  # after-sales reads them too
        report = self.page_reports[window]
        ldr_now = self.page_reports[standard].figures[LATE_DISPATCH]
        trend = weekly_trend(scope, self.now)
        charts = [trend_chart(METRICS[key], trend[key]) for key in METRIC_KEYS]
        incomplete = sum(1 for key in METRIC_KEYS[:1] for week in trend[key] if not week.complete)
        at_risk = at_risk_summary(scope, self.now, ldr=ldr_now)
        lists = []
        for kind, title in AT_RISK_KINDS.items():
            # An empty count needs no preview query (the counts and the lists share one condition).
            rows = list(at_risk_rows(kind, scope, self.now)[:AT_RISK_PREVIEW]) if at_risk.counts()[kind] else []
            headers, cells = table_rows(rows, kind, is_package=kind == "unscanned")
            lists.append({"kind": kind, "title": title, "count": at_risk.counts()[kind], "headers": headers,
                          "rows": cells, "table": table_markup(headers, cells),
                          "url": f"{reverse('metrics:at_risk', args=[kind])}?{self.window_query()}"})
        run = None
        run_id = self.request.GET.get("run")
        if run_id and run_id.isdigit():
            run = JobRun.objects.filter(pk=int(run_id), kind=SNAPSHOT_JOB).first()
        tiles = []
        for key, figure in report.figures.items():
            tiles.append({
                "key": key, "metric": figure.metric, "figure": figure, "status_label": STATUS_LABELS[figure.status],
                "numerator_url": f"{reverse('metrics:rows', args=[key, NUMERATOR])}?{self.window_query()}",
                "denominator_url": f"{reverse('metrics:rows', args=[key, DENOMINATOR])}?{self.window_query()}",
            })
        context.update({
            "title": "Metrics", "form": form, "scope": scope, "window": window, "report": report, "tiles": tiles,
            "is_default_window": window == standard, "charts": charts, "incomplete_weeks": incomplete,
            "at_risk": at_risk, "at_risk_lists": lists, "snapshot_run": run, "query": self.window_query(),
        })
        # The after-sales figures and the requests about to be auto-approved (metrics/after_sales_context.py).
        context.update(after_sales_context(self))
        context["at_risk_lists"] = [*lists, context["after_sales_at_risk"]]
        return context


class _ListMixin:
    """Paginated HTML list or CSV export (``?format=csv``) of orders or packages."""

    def render_list(self, *, queryset, kind, is_package, title, subtitle, back_url, filename):
        if self.request.GET.get("format") == "csv":
            return csv_response(queryset, kind, is_package, filename)
        paginator = Paginator(queryset, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        headers, rows = table_rows(page.object_list, kind, is_package)
        context = {
            "title": title, "subtitle": subtitle, "headers": headers, "rows": rows, "page": page,
            "paginator": paginator, "back_url": back_url, "unit": "packages" if is_package else "orders",
            "csv_url": f"?{self.window_query(format='csv')}", "page_query": self.window_query(),
        }
        return self.response_class(request=self.request, template=["metrics/rows.html"], context=context,
                                   using=self.template_engine)


class FigureRowsView(_WindowMixin, _ListMixin, TemplateView):
    """The orders (packages for the valid tracking rate) behind a figure's numerator or denominator."""

    template_name = "metrics/rows.html"

    def get(self, request, key, part):
        if key not in METRICS or part not in PARTS:
            raise Http404("No such figure.")
        _form, scope, window = self.read_window()
        report = metric_report(scope=scope, date_from=window.date_from, date_to=window.date_to, now=self.now,
                               keys=(key,))
        figure = report.figures[key]
        metric = METRICS[key]
        text = metric.numerator_text if part == NUMERATOR else metric.denominator_text
        total = figure.numerator if part == NUMERATOR else figure.denominator
        title = f"{metric.name}: {total} {metric.unit} {text}"
        subtitle = f"{scope.label}, {window} (each shop's own time zone)"
        return self.render_list(
            queryset=figure.rows(part), kind=key, is_package=metric.unit == "packages", title=title,
            subtitle=subtitle, back_url=f"{reverse('metrics:index')}?{self.window_query()}",
            filename=f"{key}-{part}-{window.date_from}-{window.date_to}.csv",
        )


class AtRiskView(_WindowMixin, _ListMixin, TemplateView):
    template_name = "metrics/rows.html"

    def get(self, request, kind):
        if kind not in AT_RISK_KINDS:
            raise Http404("No such list.")
        _form, scope, _window = self.read_window()
        rows = at_risk_rows(kind, scope, self.now)
        stamp = datetimes.format_when(self.now)
        return self.render_list(
            queryset=rows, kind=kind, is_package=kind == "unscanned", title=f"At risk: {AT_RISK_KINDS[kind]}",
            subtitle=f"{scope.label}, as of {stamp}",
            back_url=f"{reverse('metrics:index')}?{self.window_query()}#at-risk",
            filename=f"at-risk-{kind}-{timezone.localtime(self.now):%Y%m%d-%H%M}.csv",
        )


def csv_response(queryset, kind, is_package, filename):
    """The at-risk list as CSV, through the one CSV writer (formula cells neutralised)."""
    columns = columns_for(kind, is_package)
    rows = ([getter(obj) for _header, getter in columns] for obj in queryset.iterator(chunk_size=2000))
    return csv_export.streaming_response([header for header, _ in columns], rows, filename=filename)


class RefreshSnapshotsView(RoleRequiredMixin, View):
    """POST: store the daily figures now (the hourly job does it too), with progress on the page."""

    permission_required = perm("view_metrics")
    http_method_names = ["post"]

    def post(self, request):
        run = enqueue_job(kind=SNAPSHOT_JOB, func=take_snapshots_job, user=request.user,
                          message="Waiting for a worker to store the daily figures")
        messages.info(request, "Storing the daily figures for the trend; this page shows the progress.")
        given = QueryDict(request.POST.get("query", ""))
        params = {k: given[k] for k in ("from", "to", "channel", "account") if given.get(k)}
        params["run"] = run.pk
        return redirect(f"{reverse('metrics:index')}?{urlencode(params)}#trend")
