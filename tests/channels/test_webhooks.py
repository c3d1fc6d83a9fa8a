"""Webhooks (acceptance 4): each channel's signature is checked exactly as the channel computes
it; a wrong one gets 401 and changes nothing; the same notification twice is processed once;
the answer is quick and the work is left to a job."""

from __future__ import annotations

import json
import time

import django_rq
import pytest
from rq import SimpleWorker

from channels import coordination, services
from devtools.demo.emulated import WOO_WEBHOOK_SECRET
from orders.models import Order
from sellerhub.models import WebhookEvent

pytestmark = pytest.mark.django_db
SQUARE_KEY = "sq-signature-key-for-tests"


def url(account):
    return f"/webhooks/{account.channel}/{account.pk}"


def signed(emulator, account, channel):
    """Headers and body of a real notification about a new order on ``channel``."""
    state = emulator.state
    if channel == "tiktok":
        order_id = state.generate_orders("tiktok", 1)[0]
        return state.tiktok.build_webhook(order_id)
    if channel == "woocommerce":
        order_id = state.generate_orders("woocommerce", 1)[0]
        return state.woocommerce.build_webhook("order.created", state.woocommerce.orders[order_id],
                                               WOO_WEBHOOK_SECRET, 7)
    if channel == "etsy":
        receipt_id = state.generate_orders("etsy", 1)[0]
        return state.etsy.build_webhook(receipt_id)
    order_id = state.generate_orders("square", 1)[0]
    order = state.square.orders[order_id]
    data = {"type": "order", "id": order_id, "object": {"order_created": {"order_id": order_id,
                                                                           "version": order["version"]}}}
    return state.square.build_webhook("order.created", data, SQUARE_KEY, f"http://testserver{url(account)}")


def post(client, account, headers, body):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post(url(account), data=body, content_type=headers.get("Content-Type", "application/json"), **extra)


def run_jobs():
    SimpleWorker([django_rq.get_queue("push"), django_rq.get_queue("sync")],
                 connection=coordination.connection()).work(burst=True)


@pytest.fixture
def hooked(listed):
    square = listed["square"]
    services.save_connection(account=square, channel="square", name=square.name, api_base_url=square.api_base_url,
                             shop_id=square.shop_id, credentials={"webhook_signature_key": SQUARE_KEY})
    square.refresh_from_db()
    return listed


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "etsy", "square"])
def test_a_signed_notification_is_stored_once_and_its_order_fetched(client, hooked, emulator, channel,
                                                                     django_capture_on_commit_callbacks):
    account = hooked[channel]
    headers, body = signed(emulator, account, channel)
    client.post(url(account), data=b"{}", content_type="application/json")  # loads the URLconf (a 401)
    with django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        first = post(client, account, headers, body)
        took = time.monotonic() - started
        again = post(client, account, headers, body)
    assert first.status_code == 200 and first.json()["status"] == "accepted", first.content
    assert took < 1.0
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert WebhookEvent.objects.filter(account=account).count() == 1
    assert django_rq.get_queue("sync").count == 1, "one job for the two deliveries"
    run_jobs()
    delivery = WebhookEvent.objects.get(account=account)
    assert delivery.status == WebhookEvent.Status.PROCESSED, delivery.error
    assert Order.objects.filter(account=account).count() == 1


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "etsy", "square"])
def test_a_wrong_signature_gets_401_and_changes_nothing(client, hooked, emulator, channel,
                                                        django_capture_on_commit_callbacks):
    account = hooked[channel]
    headers, body = signed(emulator, account, channel)
    tampered = body.replace(b'"', b' "', 1)  # one byte more: the signature no longer matches
    forged = dict(headers)
    for name in ("Authorization", "X-WC-Webhook-Signature", "webhook-signature", "x-square-hmacsha256-signature"):
        if name in forged:
            forged[name] = forged[name][:-4] + ("AAAA" if forged[name][-4:] != "AAAA" else "BBBB")
    with django_capture_on_commit_callbacks(execute=True):
        for bad_headers, bad_body in ((headers, tampered), (forged, body), ({"Content-Type": "application/json"},
                                                                            body)):
            response = post(client, account, bad_headers, bad_body)
            assert response.status_code == 401, response.content
            assert "signature" in response.json()["error"]
    assert not WebhookEvent.objects.exists()
    assert django_rq.get_queue("sync").count == 0
    assert not Order.objects.filter(account=account).exists()


def test_square_signs_the_notification_url_too(client, hooked, emulator):
    account = hooked["square"]
    headers, body = signed(emulator, account, "square")
    services.save_connection(account=account, channel="square", name=account.name, api_base_url=account.api_base_url,
                             shop_id=account.shop_id, credentials={"webhook_url": "https://shop.example.com/hook"})
    assert post(client, account, headers, body).status_code == 401, "signed for another URL"


def test_woocommerce_ping_is_answered_and_ignored(client, hooked):
    account = hooked["woocommerce"]
    response = client.post(url(account), data="webhook_id=7", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and not WebhookEvent.objects.exists()


def test_etsy_refuses_an_old_timestamp(client, hooked, emulator):
    account = hooked["etsy"]
    emulator.state.clock.advance(-3600)  # the notification was signed an hour ago: a replay
    headers, body = signed(emulator, account, "etsy")
    emulator.state.clock.advance(3600)
    assert post(client, account, headers, body).status_code == 401


def test_notifications_for_unknown_accounts_or_other_methods(client, hooked):
    assert client.post("/webhooks/tiktok/999999", data=b"{}", content_type="application/json").status_code == 404
    assert client.post(f"/webhooks/square/{hooked['tiktok'].pk}", data=b"{}",
                       content_type="application/json").status_code == 404
    assert client.get(url(hooked["tiktok"])).status_code == 405


def test_other_events_are_recorded_but_not_acted_on(client, hooked, emulator, django_capture_on_commit_callbacks):
    account = hooked["tiktok"]
    creds = emulator.state.config.credentials
    # Type 5 (product status): SellerHub has nothing to do with it. (Type 6, the seller's
    # deauthorisation, is acted on: tests/channels/test_channel_health_authorization.py.)
    body = json.dumps({"type": 5, "tts_notification_id": "product-1", "shop_id": creds.tiktok_shop_id,
                       "timestamp": int(time.time()), "data": {}}).encode()  # inside the replay window
    from integrations.channels.signing import tiktok_webhook_signature

    sig = tiktok_webhook_signature(app_key=creds.tiktok_app_key, app_secret=creds.tiktok_app_secret, body=body)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, account, {"Authorization": sig}, body)
    assert response.json()["status"] == "ignored"
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED
    assert django_rq.get_queue("sync").count == 0


@pytest.mark.django_db(transaction=True)
def test_the_emulator_delivers_to_the_endpoint_over_http(live_server, hooked, emulator):
    """End to end: TikTok (the emulator) posts its signed notification to our server."""
    account = hooked["tiktok"]
    emulator.state.tiktok.webhooks["ORDER_STATUS_CHANGE"] = {"address": live_server.url + url(account),
                                                            "event_type": "ORDER_STATUS_CHANGE"}
    emulator.state.generate_orders("tiktok", 1)
    assert emulator.state.webhooks.flush(10)
    delivery = emulator.state.webhooks.deliveries[-1]
    assert delivery.status == 200, delivery.error
    assert WebhookEvent.objects.filter(account=account).count() == 1
