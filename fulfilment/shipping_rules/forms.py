"""Forms of the shipping rules page: a rule (every field labelled) and the dry-run box. They parse
and check input; the services decide."""

from __future__ import annotations

from django import forms

from fulfilment.forms import carrier_choices
from fulfilment.models import BoxPreset
from fulfilment.shipping_rules.models import ShippingRule
from sellerhub.models import ChannelAccount

FIELDS = ["name", "enabled", "channel", "account", "fulfilment", "countries", "states", "min_weight_grams",
          "max_weight_grams", "skus", "has_tag", "min_value", "max_value", "due_within_hours", "carrier", "service",
          "cheapest_by_deliver_date", "box", "label_source", "hold_reason", "tag"]
CONDITIONS = FIELDS[2:14]
ACTIONS = FIELDS[14:]


class RuleForm(forms.ModelForm):
    carrier = forms.ChoiceField(label="Carrier", required=False, choices=())

    class Meta:
        model = ShippingRule
        fields = FIELDS
        labels = {"name": "Rule name", "enabled": "Enabled", "channel": "Channel", "account": "Shop",
                  "fulfilment": "Fulfilment", "service": "Service", "box": "Box", "label_source": "Label source",
                  "carrier": "Carrier"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices("Any carrier (or none)")
        self.fields["account"].queryset = ChannelAccount.objects.order_by("name")
        self.fields["account"].empty_label = "Any shop"
        self.fields["box"].queryset = BoxPreset.objects.filter(active=True)
        self.fields["box"].empty_label = "No box preset"
        self.fields["channel"].choices = [("", "Any channel")] + list(self.fields["channel"].choices)[1:]
        self.fields["fulfilment"].choices = [("", "Any")] + list(self.fields["fulfilment"].choices)[1:]

    def conditions(self):
        return [self[name] for name in CONDITIONS]

    def actions(self):
        return [self[name] for name in ACTIONS]


class DryRunForm(forms.Form):
    order = forms.CharField(label="Order number", max_length=64, widget=forms.TextInput(attrs={
        "autocomplete": "off", "spellcheck": "false", "enterkeyhint": "go"}))
