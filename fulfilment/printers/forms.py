"""Forms of the printer registry and the station setup."""

from __future__ import annotations

from django import forms

from fulfilment.printers.models import Printer


class PrinterForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    kind = forms.ChoiceField(label="Kind", choices=Printer.Kind.choices)
    host = forms.CharField(label="Address (ZPL)", max_length=200, required=False)
    port = forms.IntegerField(label="Port (ZPL)", min_value=1, max_value=65535, required=False, initial=9100)
    queue = forms.CharField(label="CUPS queue", max_length=100, required=False)
    active = forms.BooleanField(label="In use", required=False, initial=True)


class StationForm(forms.Form):
    name = forms.CharField(label="Station name", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    label_printer = forms.ModelChoiceField(label="Label printer", queryset=Printer.objects.filter(active=True),
                                           required=False, empty_label="None (pack only, no scan-to-ship)")
    document_printer = forms.ModelChoiceField(label="Document printer (slips, pick lists)", required=False,
                                              queryset=Printer.objects.filter(active=True), empty_label="None")
