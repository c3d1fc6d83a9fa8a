"""Purchasing forms: suppliers, their SKUs, purchase order headers and lines. Bad input is a
form error with a message, never a database error."""

from decimal import Decimal

from django import forms

from inventory.forms import LocationChoiceField, SKUField
from inventory.models import Location
from inventory.purchasing.services import MAX_QUANTITY
from inventory.purchasing_models import PurchaseOrderStatus, Supplier

MAX_COST = Decimal("99999999.9999")


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "contact_name", "email", "phone", "address", "lead_time_days", "minimum_order_value",
                  "currency", "notes", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"minimum_order_value": "Minimum order (in its currency)", "lead_time_days": "Lead time (days)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_time_days"].max_value = 3650
        self.fields["lead_time_days"].widget.attrs["max"] = 3650
        self.fields["minimum_order_value"].max_value = MAX_COST

    def clean_lead_time_days(self):
        value = self.cleaned_data["lead_time_days"]
        if value is not None and value > 3650:
            raise forms.ValidationError("A lead time is at most 3650 days.")
        return value

    def clean_currency(self):
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError("A three-letter currency code, such as USD or EUR.")
        return value


class SupplierSKUForm(forms.Form):
    sku = SKUField(label="SKU (barcode or seller SKU)", required=False)
    supplier_code = forms.CharField(label="Supplier's code", max_length=64, required=False)
    unit_cost = forms.DecimalField(label="Unit cost", min_value=0, max_value=MAX_COST, decimal_places=4,
                                   max_digits=12, required=False)
    pack_size = forms.IntegerField(label="Pack size", min_value=1, max_value=100000, required=False)
    minimum_quantity = forms.IntegerField(label="Minimum quantity", min_value=0, max_value=MAX_QUANTITY,
                                          required=False)
    preferred = forms.BooleanField(label="Preferred", required=False)

    def clean(self):
        data = super().clean()
        if data.get("sku") and data.get("unit_cost") is None and not self.errors:
            self.add_error("unit_cost", "Give the unit cost from this supplier.")
        return data


SupplierSKUFormSet = forms.formset_factory(SupplierSKUForm, extra=3, can_delete=True, max_num=500,
                                           validate_max=True)


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.filter(active=True), required=True)
    deliver_to = LocationChoiceField(
        label="Deliver to", queryset=Location.objects.filter(
            active=True, kind__in=[Location.Kind.WAREHOUSE, Location.Kind.BIN]).select_related("parent"))
    expected_on = forms.DateField(label="Expected on", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="Note to the supplier", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the supplier of an existing draft does not change
            self.fields["supplier"].disabled = True
            self.fields["supplier"].queryset = Supplier.objects.all()


class POLineForm(forms.Form):
    sku = SKUField(label="SKU (barcode or seller SKU)", required=False)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_QUANTITY, required=False)
    unit_cost = forms.DecimalField(label="Unit cost (blank: the supplier's)", min_value=0, max_value=MAX_COST,
                                   decimal_places=4, max_digits=12, required=False)

    def clean(self):
        data = super().clean()
        if data.get("sku") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", "How many to order?")
        return data


POLineFormSet = forms.formset_factory(POLineForm, extra=3, can_delete=True, max_num=500, validate_max=True)


class POFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any status"), *PurchaseOrderStatus.choices])
