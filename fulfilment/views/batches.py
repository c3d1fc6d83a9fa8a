"""Batch printing: choosing the orders to print, a batch's page with its progress (htmx), its file,
and printing it again (nothing bought twice)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from fulfilment import selectors, services
from fulfilment.forms import BatchForm
from fulfilment.models import PrintBatch
from fulfilment.views.common import WORK, form_errors
from sellerhub.access import RoleRequiredMixin
from sellerhub.downloads import content_disposition


class BatchListView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/batches.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = list(selectors.orders_for_batch()[:PrintBatch.MAX_PACKAGES])
        context.update(title="Print labels", orders=orders, batches=selectors.batches(),
                       form=kwargs.get("form") or BatchForm(), max=PrintBatch.MAX_PACKAGES)
        return context

    def post(self, request):
        form = BatchForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            batch = services.create_print_batch(
                order_ids=request.POST.getlist("order"), package_ids=request.POST.getlist("package"),
                fmt=data["fmt"], with_slips=data["with_slips"], label_policy=data["label_policy"],
                own_carrier=data.get("own_carrier", ""), user=request.user)
        except (services.FulfilmentError, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, services.FulfilmentError) else "Choose orders.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return HttpResponseRedirect(reverse("fulfilment:batch", args=[batch.pk]))


class BatchView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/batch.html"
    permission_required = WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            batch = selectors.batch_detail(self.kwargs["pk"])
        except PrintBatch.DoesNotExist:
            raise Http404("No such batch.")
        context.update(title=f"Print batch {batch.pk}", batch=batch, packages=selectors.batch_packages(batch))
        return context


class BatchProgressView(RoleRequiredMixin, View):
    """htmx fragment: the batch's progress, polling itself until the file is ready."""

    permission_required = WORK

    def get(self, request, pk):
        batch = get_object_or_404(PrintBatch.objects.select_related("run"), pk=pk)
        return render(request, "fulfilment/_batch_progress.html", {"batch": batch})


class BatchFileView(RoleRequiredMixin, View):
    permission_required = WORK

    def get(self, request, pk):
        batch = get_object_or_404(PrintBatch, pk=pk)
        if not batch.file:
            raise Http404("The batch's file is not ready.")
        ext = "zpl" if batch.fmt == "zpl" else "pdf"
        content_type = "application/zpl" if ext == "zpl" else "application/pdf"
        response = FileResponse(batch.file.open("rb"), content_type=content_type)
        attachment = ext == "zpl" or request.GET.get("download") == "1"
        response["Content-Disposition"] = content_disposition(f"labels-batch-{batch.pk}.{ext}", attachment=attachment)
        response["Cache-Control"] = "private, no-store"
        return response


class BatchReprintView(RoleRequiredMixin, View):
    permission_required = WORK

    def post(self, request, pk):
        batch = get_object_or_404(PrintBatch, pk=pk)
        try:
            services.reprint_batch(batch=batch, user=request.user)
            messages.success(request, f"Batch {batch.pk} is being printed again (nothing is bought twice).")
        except services.FulfilmentError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("fulfilment:batch", args=[pk]))
