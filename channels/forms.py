"""The channel account form: name, channel, calendar (time zone, handling days, cut-off, transit
days, holidays) and stock rules. Credentials are entered on the per-channel connection form
(``connection_forms.ConnectionForm``), never as raw JSON; whether the account syncs is its
connection state (``channels.health``: Disconnect, Reconnect, Save as paused)."""

from django import forms

from integrations.channels import hosts
from orders.deadlines import ShopCalendar
from sellerhub.models import ChannelAccount

# The stock rules beyond the buffer (inventory.stock_rules); listing_forms uses the same words.
STOCK_RULE_FIELDS = ["stock_share_percent", "stock_max_shown", "stock_zero_at_or_below"]
STOCK_RULE_LABELS = {
    "stock_share_percent": "Share of available shown (%)",
    "stock_max_shown": "Maximum shown (empty: no maximum)",
    "stock_zero_at_or_below": "Show 0 at or below (units; 0: off)",
}


class ChannelAccountForm(forms.ModelForm):
    api_base_url = forms.URLField(label="API base URL (blank: the channel's public API)", required=False,
                                  assume_scheme="https")
    location_codes = forms.CharField(
        label="Reserve stock from (location codes, in order)", required=False,
        help_text="Comma-separated, e.g. MAIN, A-01. Empty: MAIN first, then every other sellable warehouse.")

    class Meta:
        model = ChannelAccount
        fields = ["name", "channel", "shop_id", "api_base_url", "time_zone", "handling_days", "cutoff_time",
                  "transit_days", "holiday_country", "holiday_subdivision", "stock_buffer_units",
                  "stock_buffer_percent", *STOCK_RULE_FIELDS]
        labels = {
            "shop_id": "Shop id on the channel", "time_zone": "Time zone",
            "handling_days": "Handling time (business days)",
            "cutoff_time": "Daily cut-off (local time)", "transit_days": "Transit time (business days)",
            "holiday_country": "Holiday country (two letters)", "holiday_subdivision": "Holiday region (optional)",
            "stock_buffer_units": "Stock buffer (units held back)", "stock_buffer_percent": "Stock buffer (%)",
            **STOCK_RULE_LABELS,
        }
        widgets = {"cutoff_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("stock_share_percent", "stock_zero_at_or_below"):  # a form without them keeps the default
            self.fields[name].required = False
        if self.instance.pk:
            self.fields["location_codes"].initial = ", ".join(self.instance.location_priority or [])

    def clean_api_base_url(self):
        url = (self.cleaned_data.get("api_base_url") or "").rstrip("/")
        channel = self.cleaned_data.get("channel") or self.instance.channel
        try:
            hosts.check_base_url(channel, url)
        except hosts.UntrustedHost as exc:
            raise forms.ValidationError(exc.message) from None
        return url

    def clean_stock_buffer_percent(self):
        return _percent(self.cleaned_data.get("stock_buffer_percent"), "The buffer")

    def clean_stock_share_percent(self):
        value = _percent(self.cleaned_data.get("stock_share_percent"), "The share")
        return 100 if value is None else value

    def clean_stock_zero_at_or_below(self):
        return self.cleaned_data.get("stock_zero_at_or_below") or 0

    def clean_holiday_country(self):
        return (self.cleaned_data.get("holiday_country") or "").strip().upper()

    def clean_location_codes(self):
        text = self.cleaned_data.get("location_codes") or ""
        return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]

    def clean(self):
        data = super().clean()
        try:
            ShopCalendar(handling_days=data.get("handling_days") or 0, transit_days=data.get("transit_days") or 0,
                         time_zone=data.get("time_zone") or "", country=data.get("holiday_country") or "US",
                         subdivision=(data.get("holiday_subdivision") or "").strip() or None,
                         cutoff=data.get("cutoff_time") or ShopCalendar.cutoff)
        except ValueError as exc:
            raise forms.ValidationError(f"The calendar is not valid: {exc}.")
        return data

    def save(self, commit=True):
        account = super().save(commit=False)
        account.location_priority = self.cleaned_data.get("location_codes") or ["MAIN"]
        account.holiday_subdivision = (account.holiday_subdivision or "").strip()
        if commit:
            account.save()
        return account


def _percent(value, what):
    if value is not None and value > 100:
        raise forms.ValidationError(f"{what} is a percentage: enter 0 to 100.")
    return value
