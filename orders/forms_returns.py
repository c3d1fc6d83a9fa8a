"""Forms of the return pages: the Owner's decision, the warehouse's scan."""

from django import forms

from integrations.tiktok.returns import REJECT_REASONS
from orders.models import ReturnDecisionKind


class ReturnDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=ReturnDecisionKind.choices)
    reject_reason = forms.ChoiceField(label="Reason to reject", required=False,
                                      choices=[("", "—"), *REJECT_REASONS.items()])
    comment = forms.CharField(label="Comment to the buyer", required=False, max_length=500)
    partial_refund = forms.DecimalField(label="Partial refund", required=False, min_value=0.01, max_digits=12,
                                        decimal_places=2)


class ReturnScanForm(forms.Form):
    code = forms.CharField(label="Scan the return tracking number or the order number", max_length=64)
