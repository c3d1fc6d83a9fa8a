"""The after-sales pages of the metrics app: the orders behind each after-sales figure (with CSV
export) and the list of after-sales decisions due. Reads only through metrics/selectors/ (a fixed
number of queries); the metrics page's after-sales part is built in metrics/after_sales_context.py."""

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from metrics.after_sales_context import PART_TEXT, report_for
from metrics.after_sales_definitions import FIGURES, OWN_READING, at_risk_within
from metrics.selectors import MetricsInputError, resolve_scope
from metrics.selectors.after_sales_due import about_to_auto_approve, decisions_due
from metrics.tables_after_sales import DUE_COLUMNS, columns_for, due_rows, table_rows
from metrics.views import PAGE_SIZE, _WindowMixin
from sellerhub import csv_export
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class _RowsPage:
    def render_rows(self, *, objects, columns, title, subtitle, back_url, filename, unit="orders", paginate=True):
        if self.request.GET.get("format") == "csv":
            rows = ([getter(o) for _h, getter in columns] for o in objects)
            return csv_export.streaming_response([h for h, _ in columns], rows, filename=filename)
        paginator = Paginator(objects, PAGE_SIZE if paginate else max(len(objects), 1))
        page = paginator.get_page(self.request.GET.get("page"))
        headers, rows = (due_rows(page.object_list) if columns is DUE_COLUMNS
                         else table_rows(page.object_list, columns))
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        page_query = query.urlencode()
        query["format"] = "csv"
        context = {"title": title, "subtitle": subtitle, "headers": headers, "rows": rows, "page": page,
                   "paginator": paginator, "back_url": back_url, "unit": unit, "csv_url": f"?{query.urlencode()}",
                   "page_query": page_query}
        return self.response_class(request=self.request, template=["metrics/rows.html"], context=context,
                                   using=self.template_engine)


class AfterSalesRowsView(_WindowMixin, _RowsPage, TemplateView):
    """The orders behind one part of an after-sales figure (Owner and Ops, like the metrics page)."""

    template_name = "metrics/rows.html"

    def get(self, request, key, part):
        if (key, part) not in PART_TEXT:
            raise Http404("No such after-sales figure.")
        self.read_window()
        report = report_for(self)
        figure = report[key]
        try:
            rows = figure.rows(part)
        except MetricsInputError as exc:
            raise Http404(str(exc)) from exc
        meta = FIGURES[key]
        return self.render_rows(
            objects=rows, columns=columns_for(key, part),
            title=f"{meta.name}: {PART_TEXT[(key, part)]}",
            subtitle=f"{self.scope.label}, {figure.window} (each shop's own time zone). {OWN_READING}",
            back_url=f"{reverse('metrics:index')}?{self.window_query()}#after-sales",
            filename=f"{key}-{part}-{figure.window.date_from}-{figure.window.date_to}.csv",
        )


class DecisionsDueView(RoleRequiredMixin, _RowsPage, TemplateView):
    """Cancellation requests and returns waiting for the seller, soonest deadline first (everyone
    who sees the orders; ``?soon=1``: only those about to be auto-approved)."""

    permission_required = perm("view_operations")
    template_name = "metrics/rows.html"

    def get(self, request):
        now = timezone.now()
        scope = resolve_scope()
        soon = request.GET.get("soon") == "1"
        items = about_to_auto_approve(scope, now) if soon else decisions_due(scope, now)
        hours = int(at_risk_within().total_seconds() // 3600)
        title = (f"After-sales requests about to be approved by the channel (within {hours} h or past the deadline)"
                 if soon else "After-sales decisions due")
        stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M %Z")
        return self.render_rows(
            objects=items, columns=DUE_COLUMNS, title=title, unit="requests", paginate=False,
            subtitle=f"Soonest deadline first, as of {stamp}. Past its deadline the channel approves a request "
                     "on its own, and it counts as late in the after-sales response time.",
            back_url=reverse("dashboard"),
            filename=f"after-sales-due-{timezone.localtime(now):%Y%m%d-%H%M}.csv",
        )
