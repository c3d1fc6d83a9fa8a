"""Forms of the order pages. Every field has a label; the views hand cleaned data to services."""

from __future__ import annotations

import re

from django import forms

from inventory.models import SKU, Location
from orders.models import AttentionReason, Fulfilment, OrderStatus
from orders.selectors import SORTS, STATUS_VIEWS, QueueFilters
from sellerhub.models import Channel


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "data-search": "",
                                                      "placeholder": "Order id, buyer, SKU or tracking number",
                                                      "autocomplete": "off"}))
    status = forms.ChoiceField(label="Status", required=False, choices=[
        *[(key, label) for key, (label, _s) in STATUS_VIEWS.items()], *OrderStatus.choices])
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
    due = forms.ChoiceField(label="Dispatch", required=False, choices=[
        ("", "Any deadline"), ("overdue", "Overdue"), ("today", "Due today")])
    fulfilment = forms.ChoiceField(label="Fulfilment", required=False,
                                   choices=[("", "FBS and FBT"), *Fulfilment.choices])
    attention = forms.ChoiceField(label="Needs attention", required=False, choices=[
        ("", "Any"), ("any", "Needs attention"), *[c for c in AttentionReason.choices if c[0]]])
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[(k, label) for k, (label, _o) in SORTS.items()])

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(status=data.get("status") or "to_ship", channel=data.get("channel") or "",
                            due=data.get("due") or "", fulfilment=data.get("fulfilment") or "",
                            attention=data.get("attention") or "", q=(data.get("q") or "").strip(),
                            sort=data.get("sort") or "due")


BULK_ACTIONS = (("confirm", "Confirm"), ("send_to_picking", "Send to picking"), ("cancel", "Cancel"))


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=BULK_ACTIONS)
    ids = forms.TypedMultipleChoiceField(label="Orders", coerce=int, choices=())
    reason = forms.CharField(label="Cancellation reason", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any order ids may be posted; the services refuse what can't be done, order by order.
        self.fields["ids"].choices = [(v, v) for v in self.data.getlist("ids") if str(v).isdigit()] \
            if hasattr(self.data, "getlist") else []

    def clean(self):
        data = super().clean()
        if data.get("action") == "cancel" and not (data.get("reason") or "").strip():
            self.add_error("reason", "A reason is required to cancel orders.")
        return data


class AddressForm(forms.Form):
    buyer_name = forms.CharField(label="Buyer name", required=False, max_length=200)
    buyer_email = forms.EmailField(label="Buyer email", required=False)
    buyer_phone = forms.CharField(label="Buyer phone", required=False, max_length=40)
    ship_name = forms.CharField(label="Recipient name", required=False, max_length=200)
    ship_company = forms.CharField(label="Company", required=False, max_length=200)
    ship_street1 = forms.CharField(label="Street", required=False, max_length=200)
    ship_street2 = forms.CharField(label="Street (line 2)", required=False, max_length=200)
    ship_city = forms.CharField(label="City", required=False, max_length=100)
    ship_state = forms.CharField(label="State", required=False, max_length=100)
    ship_postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    ship_country = forms.CharField(label="Country (two letters)", required=False, max_length=2, min_length=2)
    ship_phone = forms.CharField(label="Phone", required=False, max_length=40)

    def __init__(self, *args, prefix_id="", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"


class MapSKUForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    channel_sku = forms.CharField(required=False, widget=forms.HiddenInput)
    product_id = forms.CharField(required=False, widget=forms.HiddenInput)
    variant_id = forms.CharField(required=False, widget=forms.HiddenInput)
    seller_sku = forms.CharField(label="Your SKU", max_length=64)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_seller_sku(self):
        value = self.cleaned_data["seller_sku"].strip()
        sku = SKU.objects.filter(seller_sku=value).first() or SKU.objects.filter(seller_sku__iexact=value).first()
        if sku is None:
            raise forms.ValidationError(f"There is no SKU {value!r}. Create it in Inventory first.")
        return sku


class ReturnRequestForm(forms.Form):
    reason = forms.CharField(label="Return reason", max_length=300)
    refund_amount = forms.DecimalField(label="Refund amount", min_value=0, max_digits=12, decimal_places=2,
                                       required=False, initial=0)
    external_id = forms.CharField(label="Channel return id (optional)", required=False, max_length=64)


class ReturnActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=[("receive", "Received"), ("inspect", "Inspected"),
                                                        ("restock", "Restock"), ("write_off", "Write off")])
    note = forms.CharField(label="Note", required=False, max_length=500)
    location = forms.ModelChoiceField(label="Restock into", required=False, queryset=Location.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            kind__in=(Location.Kind.WAREHOUSE, Location.Kind.BIN), active=True)


LINE_PATTERN = re.compile(r"^\s*(?P<sku>\S+)\s*(?:[x×*,;]?\s*(?P<qty>\d+))?\s*$", re.IGNORECASE)


class ManualOrderForm(forms.Form):
    lines = forms.CharField(label="Lines (one per line: SKU and quantity, e.g. TEE-BLK-M 2)",
                            widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}))
    buyer_name = forms.CharField(label="Buyer name", required=False, max_length=200)
    buyer_email = forms.EmailField(label="Buyer email", required=False)
    ship_street1 = forms.CharField(label="Street", required=False, max_length=200)
    ship_street2 = forms.CharField(label="Street (line 2)", required=False, max_length=200)
    ship_city = forms.CharField(label="City", required=False, max_length=100)
    ship_state = forms.CharField(label="State", required=False, max_length=100)
    ship_postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    ship_country = forms.CharField(label="Country (two letters)", required=False, max_length=2, initial="US")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_lines(self):
        parsed, problems = [], []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not text.strip():
                continue
            match = LINE_PATTERN.match(text)
            if not match:
                problems.append(f"line {number}: write the SKU, then the quantity (e.g. TEE-BLK-M 2)")
                continue
            parsed.append({"sku": match["sku"], "quantity": int(match["qty"] or 1)})
        if problems:
            raise forms.ValidationError("; ".join(problems))
        if not parsed:
            raise forms.ValidationError("Add at least one line.")
        return parsed
