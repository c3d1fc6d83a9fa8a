"""The dispatch desk: ship parcels that already have their label by scanning each label's barcode
(its tracking number); each scan answers with one line (shipped, already shipped, unknown) and
the scan field keeps focus."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from fulfilment.forms import ScanForm
from fulfilment.services import scan_to_ship
from fulfilment.views.common import WORK, is_htmx
from sellerhub.access import RoleRequiredMixin


class DispatchDeskView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/dispatch_desk.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Dispatch desk", form=ScanForm(auto_id="desk_%s"))
        return context

    def post(self, request):
        result = scan_to_ship.ship_scanned_label(code=request.POST.get("code", ""), user=request.user)
        if is_htmx(request):
            response = render(request, "fulfilment/_dispatch_line.html", {"result": result})
            response["X-Scan-Outcome"] = result.outcome
            return response
        (messages.success if result.outcome == "shipped" else messages.error)(request, result.message)
        return HttpResponseRedirect(reverse("fulfilment:dispatch_desk"))
