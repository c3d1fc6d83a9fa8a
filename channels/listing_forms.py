"""Forms of the listing page: the owner's new title and price of a listing, and the listing's own
stock rule (each field empty = the account's value; see ``inventory.stock_rules``)."""

from decimal import Decimal

from django import forms


class ListingEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False)
    price = forms.DecimalField(label="Price", max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                               required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("title") or "").strip() and data.get("price") is None:
            raise forms.ValidationError("Enter a new title, a new price, or both.")
        return data


class ListingRuleForm(forms.Form):
    stock_buffer_units = forms.IntegerField(label="Buffer (units)", min_value=0, required=False)
    stock_buffer_percent = forms.IntegerField(label="Buffer (%)", min_value=0, max_value=100, required=False)
    stock_share_percent = forms.IntegerField(label="Share shown (%)", min_value=0, max_value=100, required=False)
    stock_max_shown = forms.IntegerField(label="Maximum shown", min_value=0, required=False)
    stock_zero_at_or_below = forms.IntegerField(label="Show 0 at or below", min_value=0, required=False)
