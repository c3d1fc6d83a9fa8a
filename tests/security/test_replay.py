"""Replay windows: a WooCommerce delivery resent with a new (unsigned) delivery id is a duplicate;
a TikTok notification whose signed timestamp is older than the window is refused with its reason
(logged, nothing stored); the inbox keeps its dedupe keys at least as long as the window."""

from __future__ import annotations

import json
import time

import pytest
from django.core import checks

from sellerhub import inbox
from sellerhub.models import WebhookEvent
from tests.security.webhooks_support import endpoints_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = 86_400


def test_the_same_signed_woocommerce_body_with_a_new_delivery_id_is_a_duplicate(client, endpoints):
    woo = endpoints["woocommerce"]
    body = json.dumps({"id": 501, "status": "processing", "date_modified_gmt": "2026-01-05T10:00:00"}).encode()
    first = woo.post(client, body, delivery_id="1001")
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    again = woo.post(client, body, delivery_id="9999")  # the attacker's new id: not covered by the signature
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    changed = json.dumps({"id": 501, "status": "completed", "date_modified_gmt": "2026-01-05T11:00:00"}).encode()
    assert woo.post(client, changed, delivery_id="9999").json()["status"] == "accepted"  # a real change is new
    assert WebhookEvent.objects.count() == 2


def tiktok_body(age_seconds: float, notification_id: str, kind: int = 6) -> bytes:
    return json.dumps({"type": kind, "tts_notification_id": notification_id, "shop_id": "",
                       "timestamp": int(time.time() - age_seconds), "data": {}}).encode()


@pytest.mark.parametrize("name", ["tiktok", "tiktok-fulfilment"])
def test_an_old_tiktok_notification_is_refused_with_a_logged_reason(client, endpoints, name, caplog):
    endpoint = endpoints[name]
    response = endpoint.post(client, tiktok_body(100 * DAY, "old-1"))
    assert response.status_code == 400
    assert "older than the 40-hour replay window" in response.json()["error"]
    assert "older than the 40-hour replay window" in caplog.text
    assert not WebhookEvent.objects.exists()
    for bad in ("not-a-time", None, 10**13):
        body = json.dumps({"type": 6, "tts_notification_id": "old-2", "timestamp": bad, "data": {}}).encode()
        assert endpoint.post(client, body).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("name", ["tiktok", "tiktok-fulfilment"])
def test_a_notification_inside_the_window_is_accepted_and_the_window_is_a_setting(client, endpoints, name, settings):
    endpoint = endpoints[name]
    late_retry = 16 * 3600  # TikTok's last retry: about 16 hours after the first try
    assert endpoint.post(client, tiktok_body(late_retry, "fresh-1")).status_code == 200
    assert WebhookEvent.objects.count() == 1
    settings.TIKTOK_WEBHOOK_MAX_AGE_HOURS = 1
    response = endpoint.post(client, tiktok_body(2 * 3600, "fresh-2"))
    assert response.status_code == 400 and "1-hour replay window" in response.json()["error"]
    assert WebhookEvent.objects.count() == 1


def test_the_inbox_keeps_keys_at_least_as_long_as_the_window(settings):
    assert inbox.check_retention_covers_replay_window() == []
    settings.WEBHOOK_RETENTION_DAYS = 1  # 24 h < the 40-hour window
    errors = inbox.check_retention_covers_replay_window()
    assert [e.id for e in errors] == ["sellerhub.E017"]
    assert any(e.id == "sellerhub.E017" for e in checks.run_checks())
    settings.TIKTOK_WEBHOOK_MAX_AGE_HOURS = 20
    assert inbox.check_retention_covers_replay_window() == []
