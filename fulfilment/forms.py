"""Forms of the fulfilment pages. They parse and check input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from fulfilment.models import BoxPreset, PrintBatch
from integrations.carriers import registry as carriers

WEIGHT_UNITS = (("g", "g"), ("kg", "kg"), ("oz", "oz"), ("lb", "lb"))
GRAMS = {"g": Decimal("1"), "kg": Decimal("1000"), "oz": Decimal("28.349523125"), "lb": Decimal("453.59237")}
PAPER = (("letter", "Letter"), ("a4", "A4"))


def to_grams(value: Decimal | None, unit: str) -> int | None:
    if value is None:
        return None
    return int((value * GRAMS.get(unit, Decimal("1"))).to_integral_value())


def carrier_choices(blank: str = "Detect from the number"):
    return [("", blank)] + carriers.choices()


class ScanForm(forms.Form):
    code = forms.CharField(label="Scan", max_length=100, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "autofocus": True,
        "enterkeyhint": "go"}))


class OverrideForm(forms.Form):
    reason = forms.CharField(label="Why verify by hand?", max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class WeightMixin(forms.Form):
    weight = forms.DecimalField(label="Weight", min_value=Decimal("0.01"), max_digits=9, decimal_places=3,
                                required=False, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    unit = forms.ChoiceField(label="Unit", choices=WEIGHT_UNITS, initial="g")

    @property
    def grams(self) -> int | None:
        return to_grams(self.cleaned_data.get("weight"), self.cleaned_data.get("unit") or "g")


class PackForm(WeightMixin):
    box = forms.ModelChoiceField(label="Box", queryset=BoxPreset.objects.filter(active=True), required=False,
                                 empty_label="Other size")
    length_mm = forms.IntegerField(label="Length (mm)", min_value=1, max_value=3000, required=False)
    width_mm = forms.IntegerField(label="Width (mm)", min_value=1, max_value=3000, required=False)
    height_mm = forms.IntegerField(label="Height (mm)", min_value=1, max_value=3000, required=False)
    partial = forms.BooleanField(label="Only the verified items go in this box", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].required = True


class PackageEditForm(PackForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["partial"]


class RatesForm(forms.Form):
    label_format = forms.ChoiceField(label="Label format", choices=(("pdf", "PDF 4×6"), ("zpl", "ZPL (Zebra)")),
                                     initial="pdf")


class BuyForm(forms.Form):
    rate_id = forms.CharField(max_length=64)


class TrackingNumberForm(forms.Form):
    tracking_number = forms.CharField(label="Tracking number", max_length=64, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}))
    carrier = forms.ChoiceField(label="Carrier", required=False)
    service = forms.CharField(label="Service (optional)", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()


class UploadLabelForm(forms.Form):
    file = forms.FileField(label="Label PDF", widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    tracking_number = forms.CharField(label="Tracking number (read from the label if empty)", max_length=64,
                                      required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    carrier = forms.ChoiceField(label="Carrier", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()


class OwnLabelForm(forms.Form):
    courier = forms.CharField(label="Courier", max_length=100, initial="Own delivery",
                              help_text="Own delivery, a local courier's name, or a carrier.")
    service = forms.CharField(label="Service (optional)", max_length=100, required=False)
    tracking_number = forms.CharField(label="Courier's tracking number (optional)", max_length=64, required=False,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why cancel this package?", max_length=300)


class BatchForm(forms.Form):
    orders = forms.CharField(required=False, widget=forms.HiddenInput)
    fmt = forms.ChoiceField(label="File", choices=PrintBatch.Format.choices, initial="pdf")
    with_slips = forms.BooleanField(label="A packing slip after each label", required=False)
    label_policy = forms.ChoiceField(label="Packages without a label", choices=PrintBatch.LabelPolicy.choices,
                                     initial=PrintBatch.LabelPolicy.EXISTING)
    own_carrier = forms.CharField(label="Courier on SellerHub's own labels", max_length=100, required=False,
                                  initial="Own delivery")


class BoxForm(forms.ModelForm):
    class Meta:
        model = BoxPreset
        fields = ["name", "length_mm", "width_mm", "height_mm", "tare_grams", "barcode", "position", "active"]
        labels = {"length_mm": "Length (mm)", "width_mm": "Width (mm)", "height_mm": "Height (mm)",
                  "tare_grams": "Empty weight (g)", "position": "Position in the list"}


class CarrierMappingForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    carrier = forms.CharField(label="Carrier", max_length=100)
    provider_id = forms.CharField(label="Channel's provider id", max_length=64, required=False)
    provider_name = forms.CharField(label="Channel's name for it", max_length=100, required=False)


class WebhookForm(forms.Form):
    url = forms.URLField(label="Public URL of /webhooks/easypost/", max_length=300, assume_scheme="https")
