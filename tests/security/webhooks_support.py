"""The six webhook endpoints, each with an account (or provider) and a way to sign any raw body
exactly as its sender does (``integrations.channels.signing``), so the tests can send hostile
bodies with a *valid* signature."""

from __future__ import annotations

import base64
import time

import pytest

from integrations.channels import signing
from sellerhub.models import ChannelAccount

APP_KEY, APP_SECRET = "sec-app-key", "sec-app-secret"
WOO_SECRET = "woo-webhook-secret"
ETSY_SECRET = "whsec_" + base64.b64encode(b"etsy-webhook-secret-32-bytes-long").decode()
SQUARE_KEY = "square-signature-key"
EASYPOST_SECRET = "easypost-webhook-secret"
ENDPOINTS = ("tiktok", "woocommerce", "etsy", "square", "easypost", "tiktok-fulfilment")


class Endpoint:
    def __init__(self, name: str, account: ChannelAccount | None):
        self.name, self.account = name, account
        if name == "easypost":
            self.url = "/webhooks/easypost/"
        elif name == "tiktok-fulfilment":
            self.url = f"/webhooks/tiktok-fulfilment/{account.pk}"
        else:
            self.url = f"/webhooks/{name}/{account.pk}"

    def headers(self, body: bytes, *, delivery_id: str = "d-1", notification_id: str = "n-1") -> dict:
        if self.name in ("tiktok", "tiktok-fulfilment"):
            return {"Authorization": signing.tiktok_webhook_signature(app_key=APP_KEY, app_secret=APP_SECRET,
                                                                      body=body)}
        if self.name == "woocommerce":
            return {"X-WC-Webhook-Signature": signing.woocommerce_webhook_signature(secret=WOO_SECRET, body=body),
                    "X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Delivery-ID": delivery_id}
        if self.name == "etsy":
            ts = str(int(time.time()))
            sig = signing.etsy_webhook_signature(secret=ETSY_SECRET, webhook_id=notification_id, timestamp=ts,
                                                 body=body)
            return {"webhook-id": notification_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{sig}"}
        if self.name == "square":
            return {"x-square-hmacsha256-signature": signing.square_webhook_signature(
                signature_key=SQUARE_KEY, notification_url=f"http://testserver{self.url}", body=body)}
        return {"X-Hmac-Signature": signing.easypost_webhook_signature(secret=EASYPOST_SECRET, body=body)}

    def post(self, client, body: bytes, headers: dict | None = None, **kwargs):
        headers = self.headers(body, **kwargs) if headers is None else headers
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        return client.post(self.url, data=body, content_type="application/json", **extra)


@pytest.fixture(name="endpoints")
def endpoints_fixture(db, settings):
    settings.EASYPOST_API_KEY = "EZTK-test-key"
    settings.EASYPOST_BASE_URL = "http://127.0.0.1:9/easypost"  # never called: refused before
    settings.EASYPOST_WEBHOOK_SECRET = EASYPOST_SECRET
    creds = {"tiktok": {"app_key": APP_KEY, "app_secret": APP_SECRET},
             "woocommerce": {"webhook_secret": WOO_SECRET},
             "etsy": {"webhook_secret": ETSY_SECRET},
             "square": {"webhook_signature_key": SQUARE_KEY}}
    accounts = {channel: ChannelAccount.objects.create(name=f"{channel} sec", channel=channel, credentials=c)
                for channel, c in creds.items()}
    out = {name: Endpoint(name, accounts.get(name)) for name in ENDPOINTS if name in accounts}
    out["easypost"] = Endpoint("easypost", None)
    out["tiktok-fulfilment"] = Endpoint("tiktok-fulfilment", accounts["tiktok"])
    return out
