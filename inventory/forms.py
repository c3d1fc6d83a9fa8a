"""Inventory forms: bad input is a form error, never a database error (bounded integers)."""

from django import forms
from django.core.validators import MaxValueValidator

from inventory import selectors
from inventory.imports import INT_MAX, MAX_QUANTITY, FileProblem, decode_upload, format_attributes, parse_attributes
from inventory.models import SKU, ImportFile, Location, StockMovement
from inventory.services import ADJUST_REASONS

Reason = StockMovement.Reason


class SKUField(forms.CharField):
    """A SKU typed or scanned: its barcode or its seller SKU."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "SKU (scan its barcode or type the seller SKU)")
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        sku = selectors.find_sku(value)
        if sku is None:
            raise forms.ValidationError(f"No SKU has the barcode or seller SKU {value}.")
        return sku


class LocationChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Location.objects.filter(active=True).select_related("parent"))
        kwargs.setdefault("to_field_name", "code")
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name} ({obj.get_kind_display()})"


class SKUSearchForm(forms.Form):
    STATUS = [("active", "Active"), ("inactive", "Inactive"), ("all", "All")]
    PER_PAGE = [(50, "50"), (100, "100"), (500, "500")]

    q = forms.CharField(label="Search (SKU, name, barcode, product)", required=False,
                        widget=forms.TextInput(attrs={"type": "search", "data-search": "", "autocomplete": "off"}))
    status = forms.ChoiceField(label="Status", choices=STATUS, required=False, initial="active")
    low = forms.BooleanField(label="Low stock only", required=False)
    location = forms.ChoiceField(label="Held at", required=False)
    per_page = forms.TypedChoiceField(label="Rows per page", choices=PER_PAGE, coerce=int, required=False,
                                      empty_value=50)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", "Any location")] + [
            (loc.code, f"{loc.code} · {loc.name}") for loc in locations if loc.kind != Location.Kind.BIN
        ]

    def filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {"q": data.get("q", ""), "status": data.get("status") or "active", "low": bool(data.get("low")),
                "location": data.get("location") or ""}


class SKUForm(forms.ModelForm):
    product_name = forms.CharField(label="Product (groups the variants)", required=False, max_length=200)
    attributes_text = forms.CharField(label='Variant attributes (e.g. "size=M; color=Black")', required=False,
                                      max_length=500)

    class Meta:
        model = SKU
        fields = ["seller_sku", "name", "barcode", "weight_grams", "length_mm", "width_mm", "height_mm",
                  "reorder_point", "safety_stock_days", "active"]
        labels = {"barcode": "Barcode (GTIN / UPC / EAN)", "weight_grams": "Weight (g)", "length_mm": "Length (mm)",
                  "width_mm": "Width (mm)", "height_mm": "Height (mm)",
                  "safety_stock_days": "Safety stock (days of demand, for reorder suggestions)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("weight_grams", "length_mm", "width_mm", "height_mm", "reorder_point"):
            field = self.fields[name]  # the column's range, on every database (SQLite sets none)
            field.max_value = INT_MAX
            field.validators.append(MaxValueValidator(INT_MAX))
            field.widget.attrs["max"] = INT_MAX
        self.fields["safety_stock_days"].required = False  # left empty: stays as it is (7 for a new SKU)
        self.fields["safety_stock_days"].max_value = self.fields["safety_stock_days"].widget.attrs["max"] = 365
        self.fields["safety_stock_days"].validators.append(MaxValueValidator(365))
        if self.instance.pk:
            self.fields["attributes_text"].initial = format_attributes(self.instance.attributes)
            self.fields["product_name"].initial = self.instance.product.name if self.instance.product else ""

    def clean_safety_stock_days(self):
        value = self.cleaned_data.get("safety_stock_days")
        return self.instance.safety_stock_days if value is None else value

    def clean_attributes_text(self):
        try:
            return parse_attributes(self.cleaned_data.get("attributes_text", "").strip())
        except (ValueError, TypeError):
            raise forms.ValidationError('Write attributes as "size=M; color=Black".') from None


class AdjustmentForm(forms.Form):
    REASONS = [(r, Reason(r).label) for r in (Reason.ADJUSTMENT, Reason.RECEIPT, Reason.RETURN, Reason.SALE,
                                              Reason.FBT_INBOUND, Reason.COUNT)]

    sku = SKUField()
    location = LocationChoiceField(label="Location")
    quantity = forms.IntegerField(label="Change to on hand (e.g. -2 or 5)", min_value=-MAX_QUANTITY,
                                  max_value=MAX_QUANTITY)
    reason = forms.ChoiceField(label="Reason", choices=REASONS, initial=Reason.ADJUSTMENT)
    note = forms.CharField(label="Note (e.g. damaged in the warehouse)", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("quantity") == 0:
            self.add_error("quantity", "Enter a change other than zero.")
        sign = ADJUST_REASONS.get(data.get("reason"))
        if data.get("quantity") and sign is not None and (data["quantity"] > 0) != (sign > 0):
            self.add_error("quantity", f"A {Reason(data['reason']).label.lower()} must be "
                                       f"{'positive' if sign > 0 else 'negative'}.")
        return data


class CountForm(forms.Form):
    """One step of a count a scanner can do (inventory/count_views.py): a scan (the bin label
    first, then items), or record / undo / discard. Without its session nothing is done."""

    ACTIONS = [("scan", "Add scan"), ("record", "Record count"), ("undo", "Undo last scan"), ("discard", "Discard")]

    session = forms.CharField(max_length=40, widget=forms.HiddenInput, error_messages={
        "required": "This count has no session: reload the page, then scan the bin label."})
    action = forms.ChoiceField(choices=ACTIONS, required=False)
    code = forms.CharField(label="Scan (bin label first, then each item; Enter adds the scan)", max_length=80,
                           required=False, widget=forms.TextInput(attrs={
                               "autocomplete": "off", "autofocus": True, "spellcheck": "false",
                               "enterkeyhint": "done", "inputmode": "text"}))
    quantity = forms.IntegerField(label="Quantity for the next scan (type it in the scan field, then *)",
                                  min_value=0, max_value=100000, required=False,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label="Note (e.g. cycle count of aisle A)", required=False, max_length=500)


class CycleCountForm(forms.Form):
    days = forms.IntegerField(label="Not counted for (days)", min_value=1, max_value=3650, required=False)
    movement_days = forms.IntegerField(label="Most movement in the last (days)", min_value=1, max_value=365,
                                       required=False)
    limit = forms.IntegerField(label="At most (rows)", min_value=1, max_value=500, required=False)


class ReceiveForm(forms.Form):
    location = LocationChoiceField(label="Bin or location to receive into (scan its code)",
                                   widget=forms.Select(attrs={"id": "id_location"}))
    reference = forms.CharField(label="Delivery reference (purchase order or delivery note)", required=False,
                                max_length=100)
    quantity = forms.IntegerField(label="Units per scan", min_value=1, max_value=100000, initial=1)
    code = forms.CharField(label="Scan item barcode (or type the seller SKU, then Enter)", max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                                         "inputmode": "text", "enterkeyhint": "done"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            active=True, kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN]).select_related("parent")


class ImportForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    kind = forms.ChoiceField(label="What the file holds", choices=ImportFile.Kind.choices, widget=forms.RadioSelect,
                             initial=ImportFile.Kind.SKUS)
    file = forms.FileField(label="CSV file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; split it.")
        try:
            return upload.name, decode_upload(upload.read())
        except FileProblem as exc:
            raise forms.ValidationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
