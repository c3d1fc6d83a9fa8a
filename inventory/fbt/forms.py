"""Forms of the FBT pages. Quantity grids (one field per SKU or line) are built per shipment."""

from django import forms

from inventory.forms import SKUField
from inventory.models import Location

MAX_UNITS = 1_000_000


def _qty(label, initial=0, required=False, help_text=""):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_UNITS, initial=initial, required=required,
                              help_text=help_text, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class LocationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class PlanForm(forms.Form):
    """Step one of a new inbound shipment: where from, where to."""

    destination = LocationField(label="FBT warehouse to send to", queryset=Location.objects.none(),
                                to_field_name="code", empty_label=None)
    source = LocationField(label="Own warehouse to send from", queryset=Location.objects.none(),
                           to_field_name="code", empty_label=None)

    def __init__(self, *args, destinations=None, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations if destinations is not None else Location.objects.filter(
            kind=Location.Kind.FBT, active=True)
        self.fields["source"].queryset = sources if sources is not None else Location.objects.filter(
            kind=Location.Kind.WAREHOUSE, active=True)


class CreateInboundForm(PlanForm):
    """Step two: a quantity per suggested SKU (prefilled with the suggestion), and more SKUs."""

    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    EXTRA = 3

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = list(suggestions)
        for row in self.suggestions:
            self.fields[f"qty_{row.sku.pk}"] = _qty(f"Units of {row.sku.seller_sku} to send", initial=row.suggested)
        for i in range(self.EXTRA):
            self.fields[f"extra_sku_{i}"] = SKUField(label=f"Another SKU ({i + 1}): scan or type it", required=False)
            self.fields[f"extra_qty_{i}"] = _qty(f"Units of that SKU ({i + 1})")

    def lines(self):
        """[(sku, quantity, suggested)] with a quantity above zero."""
        data = self.cleaned_data
        out, seen = [], set()
        for row in self.suggestions:
            quantity = data.get(f"qty_{row.sku.pk}") or 0
            seen.add(row.sku.pk)
            out.append((row.sku, quantity, row.suggested))
        for i in range(self.EXTRA):
            sku, quantity = data.get(f"extra_sku_{i}"), data.get(f"extra_qty_{i}") or 0
            if sku is None:
                continue
            if sku.pk in seen:
                self.add_error(f"extra_sku_{i}", f"{sku.seller_sku} is already in the list above.")
                continue
            seen.add(sku.pk)
            out.append((sku, quantity, None))
        return out

    def clean(self):
        data = super().clean()
        for i in range(self.EXTRA):
            if data.get(f"extra_qty_{i}") and not data.get(f"extra_sku_{i}"):
                self.add_error(f"extra_sku_{i}", "Scan or type the SKU these units are of.")
        return data


class LinesForm(forms.Form):
    """Planned quantities of a shipment being planned (0 removes the line), and one more SKU."""

    add_sku = SKUField(label="Add a SKU: scan or type it", required=False)
    add_quantity = _qty("Units of it to send")

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = _qty(f"Units of {line.sku.seller_sku}", initial=line.quantity,
                                                 required=True)

    def quantities(self):
        return {line.pk: self.cleaned_data[f"qty_{line.pk}"] for line in self.lines}

    def clean(self):
        data = super().clean()
        if data.get("add_quantity") and not data.get("add_sku"):
            self.add_error("add_sku", "Scan or type the SKU to add.")
        return data


class DetailsForm(forms.Form):
    ibr_id = forms.CharField(label="TikTok inbound order (IBR) number", max_length=64, required=False,
                             help_text="From Seller Center, e.g. IBR577087614418520388: TikTok's receiving "
                                       "notifications name it.")
    carrier = forms.CharField(label="Freight carrier", max_length=100, required=False)
    tracking_number = forms.CharField(label="Tracking or PRO number", max_length=100, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False)

    def clean_ibr_id(self):
        value = (self.cleaned_data.get("ibr_id") or "").strip().upper()
        if value and not value.replace("IBR", "", 1).isalnum():
            raise forms.ValidationError("An IBR number has letters and digits only, e.g. IBR577087614418520388.")
        return value


class CartonForm(forms.Form):
    """Pack one carton: units per line (prefilled with what is left to pack)."""

    weight_grams = forms.IntegerField(label="Carton weight (g)", min_value=1, max_value=100_000, required=False)
    length_mm = forms.IntegerField(label="Length (mm)", min_value=1, max_value=5000, required=False)
    width_mm = forms.IntegerField(label="Width (mm)", min_value=1, max_value=5000, required=False)
    height_mm = forms.IntegerField(label="Height (mm)", min_value=1, max_value=5000, required=False)

    def __init__(self, *args, lines=(), packed=None, **kwargs):
        super().__init__(*args, **kwargs)
        packed = packed or {}
        self.lines = list(lines)
        for line in self.lines:
            left = max(line.quantity - packed.get(line.pk, 0), 0)
            field = _qty(f"Units of {line.sku.seller_sku} in this carton", initial=left,
                         help_text=f"{left} left to pack")
            field.widget.attrs.update({"data-barcode": line.sku.barcode, "data-sku": line.sku.seller_sku,
                                       "max": left})
            self.fields[f"qty_{line.pk}"] = field

    def contents(self):
        return {line.pk: self.cleaned_data.get(f"qty_{line.pk}") or 0 for line in self.lines}

    def dims(self):
        values = [self.cleaned_data.get(f) for f in ("length_mm", "width_mm", "height_mm")]
        return values if all(values) else None

    def clean(self):
        data = super().clean()
        given = [data.get(f) for f in ("length_mm", "width_mm", "height_mm")]
        if any(given) and not all(given):
            raise forms.ValidationError("Give all three carton dimensions, or none.")
        return data


class ReceiveForm(forms.Form):
    """What TikTok has received so far, per line: running totals from Seller Center."""

    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"received_{line.pk}"] = _qty(f"{line.sku.seller_sku}: received in good condition (total)",
                                                      initial=line.received, required=True)
            self.fields[f"damaged_{line.pk}"] = _qty(f"{line.sku.seller_sku}: received damaged (total)",
                                                     initial=line.damaged, required=True)

    def counts(self):
        return {line.pk: (self.cleaned_data[f"received_{line.pk}"], self.cleaned_data[f"damaged_{line.pk}"])
                for line in self.lines}


class CloseForm(forms.Form):
    ACTIONS = [("write_off", "Write the missing units off (lost or kept by TikTok)"),
               ("return", "The missing units came back to the own warehouse")]
    action = forms.ChoiceField(label="What happened to the missing units?", choices=ACTIONS,
                               widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


class DismissForm(forms.Form):
    note = forms.CharField(label="Why (optional)", max_length=300, required=False)
