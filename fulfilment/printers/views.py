"""Printer pages: the registry (the Owner's page, ``/fulfilment/printers/``) and sending a document
(label, packing slip, pick list, batch file) to this station's printer, the result kept as a
PrintJob shown on the station page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from fulfilment.printers import selectors, services, stations
from fulfilment.printers.forms import PrinterForm
from fulfilment.printers.models import Printer, PrintJob
from fulfilment.services.errors import FulfilmentError
from fulfilment.views.common import WORK, next_url, require
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

MANAGE = perm("manage_channels")


class PrintersView(RoleRequiredMixin, TemplateView):
    """Every printer; the Owner adds and changes them."""

    template_name = "fulfilment/printers.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = Printer.objects.filter(pk=self.request.GET.get("edit") or 0).first()
        initial = ({"name": editing.name, "kind": editing.kind, "host": editing.host, "port": editing.port,
                    "queue": editing.queue, "active": editing.active} if editing else None)
        can_edit = self.request.user.has_perm(MANAGE)
        context.update(title="Printers", printers=selectors.printers(), editing=editing, can_edit=can_edit,
                       jobs=selectors.recent_jobs(limit=20),
                       form=kwargs.get("form") or (PrinterForm(initial=initial) if can_edit else None))
        return context

    def post(self, request):
        require(request, MANAGE)
        printer = Printer.objects.filter(pk=request.POST.get("printer") or 0).first()
        form = PrinterForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            saved = services.save_printer(printer=printer, name=data["name"], kind=data["kind"],
                                          host=data.get("host", ""), port=data.get("port"),
                                          queue=data.get("queue", ""), active=data.get("active", False),
                                          user=request.user)
        except FulfilmentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"Printer {saved.name} saved ({saved.get_kind_display()}).")
        return HttpResponseRedirect(reverse("fulfilment:printers"))


class PrintView(RoleRequiredMixin, View):
    """Send a document to this station's printer: labels and label batches to its label printer,
    slips and pick lists to its document printer; a browser printer (or none) opens the PDF."""

    permission_required = WORK
    BROWSER_URLS = {"label": ("fulfilment:package_label", ("pdf",)), "slip": ("fulfilment:package_slip", ()),
                    "pick_list": ("fulfilment:pick_list_pdf", ()), "batch": ("fulfilment:batch_file", ())}

    def post(self, request, document, pk):
        if document not in PrintJob.Document.values:
            raise Http404("No such document.")
        back = next_url(request, reverse("fulfilment:pack"))
        station = stations.current(request)
        printer = None
        if station is not None:
            labels = document in (PrintJob.Document.LABEL, PrintJob.Document.BATCH)  # a batch is labels
            printer = station.label_printer if labels else station.document_printer
        if printer is None or printer.kind == Printer.Kind.BROWSER:
            name, extra = self.BROWSER_URLS[document]
            return HttpResponseRedirect(reverse(name, args=[pk, *extra]))
        title = f"{PrintJob.Document(document).label} {pk}"
        try:
            job = services.queue_print(printer=printer, document=document, object_id=pk, title=title,
                                       station=station, user=request.user)
        except FulfilmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{title} queued for {printer.name} (print job {job.pk}); the result shows "
                                      f"on the station page.")
        return HttpResponseRedirect(back)
