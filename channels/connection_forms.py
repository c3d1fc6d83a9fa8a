"""The "connect an account" form: per channel, the credentials its connector needs.

Secrets are write-only: their inputs never render a value, a blank one keeps what is stored,
and no page, admin screen or API answer ever shows them. (The account's calendar and stock rules
are edited on the account settings form, ``forms.ChannelAccountForm``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms

from integrations.channels import hosts
from integrations.channels.connectors import CONNECTORS
from sellerhub.models import ChannelAccount


@dataclass(frozen=True)
class CredentialField:
    key: str
    label: str
    secret: bool = False
    required: bool = False
    kind: str = "text"  # text, int, url, bool
    help: str = ""


# What each channel needs (README "Connecting each channel" says where to find each value).
CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "tiktok": (
        CredentialField("app_key", "App key", required=True, help="Partner Center: your app's App key."),
        CredentialField("app_secret", "App secret", secret=True, required=True),
        CredentialField("service_id", "Service id (for the Authorise link)",
                        help="Partner Center: your app's service id. With it this page links to TikTok's "
                             "authorisation page for the seller."),
        CredentialField("auth_code", "Authorisation code", secret=True,
                        help="After the seller authorised the app, TikTok sends its browser to your redirect "
                             "address with ?code=...; paste that code here: Save and test connection exchanges it "
                             "for the tokens (it is used once and never stored)."),
        CredentialField("access_token", "Access token", secret=True,
                        help="Or the tokens themselves, from a token exchange you did elsewhere."),
        CredentialField("access_token_expire_in", "Access token expires at (Unix time)", kind="int",
                        help="access_token_expire_in from the token answer; the token is refreshed a day before."),
        CredentialField("refresh_token", "Refresh token", secret=True),
        CredentialField("shop_cipher", "Shop cipher",
                        help="Blank: found by Test connection (the shop with this shop id, or the token's only shop)."),
        CredentialField("warehouse_id", "Warehouse id for stock pushes",
                        help="Blank: the shop's default warehouse (found by Test connection)."),
        CredentialField("auth_base_url", "Token host", kind="url",
                        help="Blank: https://auth.tiktok-shops.com."),
    ),
    "woocommerce": (
        CredentialField("consumer_key", "Consumer key (ck_...)", secret=True, required=True,
                        help="WooCommerce > Settings > Advanced > REST API, read/write."),
        CredentialField("consumer_secret", "Consumer secret (cs_...)", secret=True, required=True),
        CredentialField("webhook_secret", "Webhook secret", secret=True,
                        help="The secret you give the store's order webhooks."),
        CredentialField("query_string_auth", "Send the keys as query parameters (hosts that drop the "
                                             "Authorization header)", kind="bool"),
    ),
    "etsy": (
        CredentialField("keystring", "Keystring (API key)", required=True),
        CredentialField("shared_secret", "Shared secret", secret=True, required=True),
        CredentialField("access_token", "OAuth access token ({user_id}.{token})", secret=True, required=True),
        CredentialField("refresh_token", "OAuth refresh token", secret=True, required=True),
        CredentialField("access_token_expires_at", "Access token expires at (Unix time)", kind="int",
                        help="Blank: refreshed when Etsy says it expired."),
        CredentialField("webhook_secret", "Webhook signing secret (whsec_...)", secret=True),
    ),
    "square": (
        CredentialField("access_token", "Access token", secret=True, required=True,
                        help="Developer Console > your app > Credentials (production)."),
        CredentialField("webhook_signature_key", "Webhook signature key", secret=True),
        CredentialField("webhook_url", "Webhook notification URL (exactly as registered)", kind="url",
                        help="Blank: this site's webhook address for the account."),
    ),
}

BASE_URL_LABELS = {
    "tiktok": ("API host", "Blank: https://open-api.tiktokglobalshop.com."),
    "woocommerce": ("Store URL", "The shop's address, e.g. https://shop.example.com (HTTPS)."),
    "etsy": ("API host", "Blank: https://api.etsy.com."),
    "square": ("API host", "Blank: https://connect.squareup.com (sandbox: https://connect.squareupsandbox.com)."),
}
SHOP_ID_LABELS = {
    "tiktok": ("Shop id", "TikTok's shop id (webhooks name it)."),
    "woocommerce": ("Store name (optional)", ""),
    "etsy": ("Shop id", "Etsy's numeric shop id."),
    "square": ("Location id", "The Square location orders ship from."),
}


def secret_keys(channel: str) -> tuple[str, ...]:
    return tuple(f.key for f in CREDENTIAL_FIELDS.get(channel, ()) if f.secret)


# Typed on the form but never stored: TikTok's one-use authorisation code.
NOT_STORED = ("auth_code",)
TIKTOK_AUTHORIZE_URL = "https://services.tiktokshops.us/open/authorize"


def authorize_url(credentials: dict) -> str:
    """TikTok's page where the seller authorises the app (the emulator's, when its token host is set)."""
    service_id = (credentials or {}).get("service_id")
    if not service_id:
        return ""
    base = (credentials.get("auth_base_url") or "").rstrip("/")
    return f"{base + '/open/authorize' if base else TIKTOK_AUTHORIZE_URL}?service_id={service_id}"


class ChannelChoiceForm(forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=[
        ("tiktok", "TikTok Shop"), ("woocommerce", "WooCommerce"), ("etsy", "Etsy"), ("square", "Square")])


class ConnectionForm(forms.Form):
    name = forms.CharField(label="Account name", max_length=120)
    api_base_url = forms.URLField(required=False, assume_scheme="https")
    shop_id = forms.CharField(required=False, max_length=120)

    def __init__(self, *args, channel: str, account=None, **kwargs):
        self.channel = channel
        self.account = account
        stored = dict(account.credentials or {}) if account is not None else {}
        initial = kwargs.pop("initial", {}) or {}
        if account is not None:
            initial.update(name=account.name, api_base_url=account.api_base_url, shop_id=account.shop_id)
            for spec in CREDENTIAL_FIELDS[channel]:
                if not spec.secret and spec.key in stored:
                    initial[spec.key] = stored[spec.key]
        super().__init__(*args, initial=initial, **kwargs)
        label, help_text = BASE_URL_LABELS[channel]
        self.fields["api_base_url"].label, self.fields["api_base_url"].help_text = label, help_text
        self.fields["api_base_url"].required = not CONNECTORS[channel].default_base_url
        label, help_text = SHOP_ID_LABELS[channel]
        self.fields["shop_id"].label, self.fields["shop_id"].help_text = label, help_text
        self.fields["shop_id"].required = channel in ("etsy", "square")
        self.stored_secrets = set()
        for spec in CREDENTIAL_FIELDS[channel]:
            self.fields[spec.key] = self._field(spec, stored)
        for name, field in self.fields.items():
            if field.help_text:  # the page prints it under the input with this id
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def _field(self, spec: CredentialField, stored: dict) -> forms.Field:
        help_text = spec.help
        if spec.secret:
            have = bool(stored.get(spec.key))
            if have:
                self.stored_secrets.add(spec.key)
                help_text = ("A value is stored (encrypted). Leave blank to keep it. " + help_text).strip()
            return forms.CharField(label=spec.label, required=spec.required and not have, help_text=help_text,
                                   strip=True, widget=forms.PasswordInput(render_value=False,
                                                                          attrs={"autocomplete": "new-password"}))
        if spec.kind == "int":
            return forms.IntegerField(label=spec.label, required=spec.required, help_text=help_text, min_value=0)
        if spec.kind == "url":
            return forms.URLField(label=spec.label, required=spec.required, help_text=help_text, assume_scheme="https")
        if spec.kind == "bool":
            return forms.BooleanField(label=spec.label, required=False, help_text=help_text)
        return forms.CharField(label=spec.label, required=spec.required, help_text=help_text, max_length=300)

    def clean_api_base_url(self):
        url = (self.cleaned_data.get("api_base_url") or "").rstrip("/")
        if self.channel == "woocommerce" and url.startswith("http://") and not _is_loopback(url):
            raise forms.ValidationError("Use the store's https:// address: over plain HTTP WooCommerce needs OAuth "
                                        "1.0a signatures instead of the keys.")
        try:
            hosts.check_base_url(self.channel, url)
        except hosts.UntrustedHost as exc:
            raise forms.ValidationError(exc.message) from None
        return url

    def clean(self):
        data = super().clean()
        stored = dict(self.account.credentials or {}) if self.account is not None else {}
        if self.channel == "tiktok" and not (data.get("auth_code") or data.get("access_token")
                                             or stored.get("access_token")):
            self.add_error("auth_code", "Paste the authorisation code from TikTok (or enter the access token).")
        if self.channel == "tiktok" and data.get("auth_base_url"):
            try:  # the token host receives the app secret and the refresh token
                hosts.check_base_url("tiktok", data["auth_base_url"])
            except hosts.UntrustedHost as exc:
                self.add_error("auth_base_url", exc.message)
        return data

    def credentials(self) -> dict:
        """What is stored: the typed values (TikTok's authorisation code aside)."""
        values = {}
        for spec in CREDENTIAL_FIELDS[self.channel]:
            if spec.key in NOT_STORED:
                continue
            value = self.cleaned_data.get(spec.key)
            if spec.kind == "bool":
                value = bool(value) or None
            values[spec.key] = value
        return values

    def credential_fields(self):
        return [self[spec.key] for spec in CREDENTIAL_FIELDS[self.channel]]

    def merged_credentials(self) -> dict:
        """The credentials the account would have once saved: the stored ones, with every value
        typed here; a blank secret keeps the stored one, a blank other value removes it (the same
        rule as ``services.save_connection``)."""
        keep = set(secret_keys(self.channel))
        merged = dict(self.account.credentials or {}) if self.account is not None else {}
        for key, value in self.credentials().items():
            if value in (None, "") and key in keep:
                continue
            if value in (None, ""):
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def new_tokens(self) -> bool:
        """Whether new tokens or keys were typed (the seller authorised the app again)."""
        return any(self.cleaned_data.get(key) for key in secret_keys(self.channel))

    def candidate(self):
        """The account as it would be saved (not saved): what "Save and test" tests."""
        account = ChannelAccount(pk=self.account.pk if self.account is not None else None, channel=self.channel,
                                 name=self.cleaned_data["name"], api_base_url=self.cleaned_data["api_base_url"],
                                 shop_id=(self.cleaned_data.get("shop_id") or "").strip())
        account.credentials = self.merged_credentials()
        if self.cleaned_data.get("auth_code"):  # exchanged for tokens by the connection test
            account.credentials["auth_code"] = self.cleaned_data["auth_code"]
        return account


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")
