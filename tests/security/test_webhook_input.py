"""Bad input on the six webhook endpoints (acceptance 4): every body signed correctly by its
sender, and still refused with a 4xx JSON answer (never a 500, never Django's HTML page), with
nothing stored in the inbox: deep nesting, a JSON array or null, malformed JSON (400, not 401),
bodies over the limit (413), and NUL characters (stored without them, or refused)."""

from __future__ import annotations

import json
import time

import pytest

from sellerhub.models import WebhookEvent
from tests.security.webhooks_support import ENDPOINTS, endpoints_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def assert_refused(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("name", ENDPOINTS)
def test_deep_nesting_is_400_json(client, endpoints, name):
    for depth in (100, 100_000):
        body = b"[" * depth + b"]" * depth
        assert_refused(endpoints[name].post(client, body), 400)
    nested = b'{"a":' * 5000 + b"1" + b"}" * 5000
    assert_refused(endpoints[name].post(client, nested), 400)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_signed_array_or_null_is_400_json(client, endpoints, name):
    for body in (b"[]", b"null", b'[{"id": 1}]', b"42", b'"text"'):
        response = endpoints[name].post(client, body)
        assert_refused(response, 400)
        assert "JSON object" in response.json()["error"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_malformed_json_with_a_valid_signature_is_400_not_401(client, endpoints, name):
    for body in (b'{"id": ', b"\xff\xfe{}", b"{'single': 'quotes'}", b'{"n": NaN}'):
        response = endpoints[name].post(client, body)
        assert_refused(response, 400)
        assert "not valid JSON" in response.json()["error"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_body_over_the_limit_is_413_json(client, endpoints, name, settings):
    body = json.dumps({"padding": "x" * 2_700_000}).encode()  # over the default 2.5 MB
    assert_refused(endpoints[name].post(client, body), 413)
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    assert_refused(endpoints[name].post(client, json.dumps({"padding": "x" * 2000}).encode()), 413)


def test_a_bad_signature_is_still_401(client, endpoints):
    for name in ENDPOINTS:
        response = endpoints[name].post(client, b"[]", headers={})
        assert response.status_code == 401, name
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("name", ["tiktok", "tiktok-fulfilment", "woocommerce", "square", "etsy"])
def test_nul_in_a_signed_payload_never_500s(client, endpoints, name):
    """A NUL escaped in the JSON (PostgreSQL's jsonb refuses it) is removed before storing; a raw
    NUL byte in a string is not JSON at all (400)."""
    payloads = {
        "tiktok": {"type": 6, "tts_notification_id": "nul\u0000-1", "shop_id": "", "timestamp": int(time.time()),
                   "data": {"note": "a\u0000b"}},
        "tiktok-fulfilment": {"type": 99, "tts_notification_id": "nul\u0000-2", "timestamp": int(time.time()),
                              "data": {"note": "a\u0000b"}},
        "woocommerce": {"id": 5, "note": "a\u0000b"},
        "square": {"event_id": "ev\u0000-1", "type": "customer.created", "data": {"note": "a\u0000b"}},
        "etsy": {"event_type": "other", "shop_id": "", "note": "a\u0000b"},
    }
    body = json.dumps(payloads[name]).encode()
    assert b"\\u0000" in body
    response = endpoints[name].post(client, body)
    assert response.status_code == 200, response.content[:300]
    stored = WebhookEvent.objects.get()
    assert "\x00" not in json.dumps(stored.payload).replace("\\u0000", "\x00")
    assert "\x00" not in stored.key
    raw_nul = b'{"tts_notification_id": "x\x00y", "type": 1}'
    WebhookEvent.objects.all().delete()
    assert_refused(endpoints[name].post(client, raw_nul), 400)


def test_easypost_nul_in_a_signed_event_never_500s(client, endpoints):
    body = json.dumps({"id": "evt_nul", "object": "Event", "description": "other.event",
                       "result": {"object": "Other", "note": "a\u0000b"}}).encode()
    response = endpoints["easypost"].post(client, body)
    assert response.status_code < 500
    for event in WebhookEvent.objects.all():
        assert "\x00" not in json.dumps(event.payload).replace("\\u0000", "\x00")


def test_the_api_answers_400_json_to_deep_nesting_and_bad_json(api_client_for, owner_user):
    api = api_client_for(owner_user)
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"sku": ', b"\xff\xfe{}"):
        response = api.post("/api/v1/stock/adjustments", data=body, content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]
