"""End of day pages under /fulfilment/end-of-day/: the day's own-label packages not yet handed
over, by carrier and origin, with one action each (a USPS SCAN form, or a manifest for other
carriers), the day's forms (print, download, barcode) and a pickup booked for a form. Reading
needs view_operations; ending the day and booking a pickup need work_warehouse."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

import documents as docs
from fulfilment.handover import selectors, services
from fulfilment.handover.models import HandoverRecord
from fulfilment.views.common import VIEW, WORK, form_errors, pdf_response
from sellerhub.access import RoleRequiredMixin


class EndDayForm(forms.Form):
    carrier = forms.CharField(max_length=32, required=False)
    origin = forms.IntegerField(required=False, min_value=0)
    kind = forms.ChoiceField(choices=HandoverRecord.Kind.choices)


class PickupForm(forms.Form):
    date = forms.DateField(label="Pickup day", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="From", initial=dt.time(14, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="Until", initial=dt.time(17, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    instructions = forms.CharField(label="Instructions for the driver", max_length=300, required=False)

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        day = self.cleaned_data["date"]
        tz = timezone.get_current_timezone()
        return (dt.datetime.combine(day, self.cleaned_data["start"], tzinfo=tz),
                dt.datetime.combine(day, self.cleaned_data["end"], tzinfo=tz))


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        return selectors.today()


class EndOfDayView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/end_of_day.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = _day(self.request)
        records = list(selectors.records(day=day))
        fresh = self.request.GET.get("record", "")
        for record in records:
            record.barcode = docs.code128(record.reference, height_mm=12, max_width_mm=110)
        context.update(day=day, today=selectors.today(), groups=selectors.groups(day), records=records,
                       fresh=int(fresh) if fresh.isdigit() else None,
                       can_work=self.request.user.has_perm(WORK),
                       pickup_form=PickupForm(initial={"date": selectors.today()}))
        return context


class EndOfDayCreateView(RoleRequiredMixin, View):
    """POST: make the handover form of one carrier, origin and kind for today."""

    permission_required = WORK

    def get(self, request):
        return HttpResponseRedirect(reverse("fulfilment:end_of_day"))

    def post(self, request):
        url = reverse("fulfilment:end_of_day")
        form = EndDayForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return HttpResponseRedirect(url)
        data = form.cleaned_data
        try:
            record = services.end_day(carrier=data["carrier"] or "", origin_id=data["origin"] or None,
                                      kind=data["kind"], user=request.user)
        except services.HandoverError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(url)
        count = len(record.tracking_numbers)
        messages.success(request, f"{record.get_kind_display()} {record.reference} made for {count} "
                                  f"package{'s' if count != 1 else ''}: print it and hand it to the driver with "
                                  "the packages.")
        return HttpResponseRedirect(f"{url}?record={record.pk}#record-{record.pk}")


class HandoverFormPDFView(RoleRequiredMixin, View):
    """The form's PDF (``?download=1`` to save it)."""

    permission_required = VIEW

    def get(self, request, pk):
        record = get_object_or_404(HandoverRecord, pk=pk)
        try:
            content = services.form_pdf(record)
        except (services.HandoverError, OSError) as exc:
            raise Http404(str(exc)) from exc
        return pdf_response(content, f"{record.reference}.pdf", download=request.GET.get("download") == "1")


class PickupView(RoleRequiredMixin, View):
    """POST: book the carrier's pickup of a form's packages for a window."""

    permission_required = WORK

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("fulfilment:end_of_day"))

    def post(self, request, pk):
        record = get_object_or_404(HandoverRecord.objects.select_related("origin"), pk=pk)
        url = f"{reverse('fulfilment:end_of_day')}?day={record.day.isoformat()}#record-{record.pk}"
        form = PickupForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return HttpResponseRedirect(url)
        start, end = form.window()
        try:
            pickup = services.book_pickup(record=record, window_start=start, window_end=end,
                                          instructions=form.cleaned_data["instructions"], user=request.user)
        except services.HandoverError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(url)
        messages.success(request, f"Pickup booked with {pickup.carrier} ({pickup.service}), confirmation "
                                  f"{pickup.confirmation}.")
        return HttpResponseRedirect(url)
