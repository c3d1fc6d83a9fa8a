"""TikTok's cancellation API on the emulator, over real HTTP with signed calls: a buyer's request
and its deadline, reject reasons, approve and reject with idempotency keys (a repeat answers the
first answer and changes nothing), auto-approval past the deadline, notification 11, and the
seller's own cancellation. Plus the known answer of a signed approve call."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import requests

from devtools.emulators.tiktok_cancellations import PENDING, SUCCESS
from integrations.channels import signing
from tests.emulators.support import TikTokClient, WebhookReceiver, running_emulator

BASE = "/return_refund/202309"


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


@pytest.fixture
def tt(emu):
    return TikTokClient(emu)


def ask(emu, order_id, **body):
    resp = requests.post(emu.url("tiktok") + "/_emulator/cancellations", json={"order_id": order_id, **body}, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_signed_approve_call_known_answer():
    """The documented recipe (secret + path + sorted key/values + body + secret, HMAC-SHA256 keyed
    with the secret), pinned for a cancellation approval."""
    query = {"app_key": "29a39d", "timestamp": "1623812664", "shop_cipher": "ROW_x", "idempotency_key": "k-1"}
    path, body = f"{BASE}/cancellations/4035000000000000001/approve", b"{}"
    plain = "e59af819cc" + path + "".join(f"{k}{query[k]}" for k in sorted(query)) + body.decode() + "e59af819cc"
    expected = hmac.new(b"e59af819cc", plain.encode(), hashlib.sha256).hexdigest()
    assert signing.tiktok_sign(app_secret="e59af819cc", path=path, query=query, body=body,
                               content_type="application/json") == expected
    assert expected == "035190364fc4cfe132e78b72e5f1ea9b4ed34595cc7ac38ef3b9a2a6c4bcd199"


def test_buyer_request_search_reasons_and_approve_once(emu, tt):
    order_id = emu.state.generate_orders("tiktok", 1, skus={"TEE-BLK-M": 1})[0]
    opened = ask(emu, order_id, reason="Ordered the wrong size or color")
    assert opened["cancel_status"] == PENDING and opened["seller_next_action_response"][0]["deadline"] > 0
    found = tt.ok("POST", f"{BASE}/cancellations/search", params={"page_size": 10},
                  body={"order_ids": [order_id]})
    assert [c["cancel_id"] for c in found["cancellations"]] == [opened["cancel_id"]]
    assert found["cancellations"][0]["cancel_reason_text"] == "Ordered the wrong size or color"
    reasons = tt.ok("GET", f"{BASE}/reject_reasons", params={"return_or_cancel_id": opened["cancel_id"]})
    assert reasons["reasons"] and all({"name", "text"} <= set(r) for r in reasons["reasons"])

    path = f"{BASE}/cancellations/{opened['cancel_id']}/approve"
    missing = tt.call("POST", path, body={})
    assert missing.status_code == 400  # every decision carries an idempotency key
    for _ in range(2):
        tt.ok("POST", path, params={"idempotency_key": "sellerhub-1-approve"}, body={})
    assert len(emu.state.received("tiktok", "cancellation_approved")) == 1
    assert len(emu.state.received("tiktok", "idempotent_replay")) == 1
    assert emu.state.tiktok.orders[order_id]["status"] == "CANCELLED"
    assert emu.state.tiktok.orders[order_id]["cancellation_initiator"] == "BUYER"


def test_reject_needs_a_listed_reason_and_a_decided_request_refuses_more(emu, tt):
    order_id = emu.state.generate_orders("tiktok", 1)[0]
    cancel_id = ask(emu, order_id)["cancel_id"]
    path = f"{BASE}/cancellations/{cancel_id}/reject"
    bad = tt.call("POST", path, params={"idempotency_key": "r-1"}, body={"reject_reason": "because"}).json()
    assert bad["code"] != 0 and "reject_reason" in bad["message"]
    tt.ok("POST", path, params={"idempotency_key": "r-2"},
          body={"reject_reason": "seller_reject_apply_product_has_been_packed", "comment": "packed"})
    again = tt.call("POST", f"{BASE}/cancellations/{cancel_id}/approve", params={"idempotency_key": "a-1"},
                    body={}).json()
    assert again["code"] != 0 and "only a pending request" in again["message"]
    assert emu.state.tiktok.orders[order_id]["status"] == "AWAITING_SHIPMENT"


def test_past_the_deadline_tiktok_approves_and_notifies(emu, tt):
    receiver = WebhookReceiver()
    try:
        tt.ok("PUT", "/event/202309/webhooks", body={"address": receiver.url,
                                                     "event_type": "CANCELLATION_STATUS_CHANGE"})
        order_id = emu.state.generate_orders("tiktok", 1)[0]
        cancel_id = ask(emu, order_id, respond_within=60)["cancel_id"]
        emu.state.clock.advance(120)
        found = tt.ok("POST", f"{BASE}/cancellations/search", params={"page_size": 10},
                      body={"cancel_ids": [cancel_id]})["cancellations"][0]
        assert found["cancel_status"] == SUCCESS
        assert emu.state.received("tiktok", "cancellation_auto_approved")[0]["cancel_id"] == cancel_id
        assert emu.state.tiktok.orders[order_id]["status"] == "CANCELLED"
        bodies = [json.loads(r["body"]) for r in receiver.wait_for(2)]
    finally:
        receiver.close()
    assert [b["data"]["cancel_status"] for b in bodies if b["type"] == 11] == [PENDING, SUCCESS]


def test_seller_cancellation_with_a_tiktok_reason(emu, tt):
    order_id = emu.state.generate_orders("tiktok", 1)[0]
    bad = tt.call("POST", f"{BASE}/cancellations", params={"idempotency_key": "s-0"},
                  body={"order_id": order_id, "cancel_reason": "out_of_stock"}).json()
    assert bad["code"] != 0
    data = tt.ok("POST", f"{BASE}/cancellations", params={"idempotency_key": "s-1"},
                 body={"order_id": order_id, "cancel_reason": "seller_cancel_reason_out_of_stock"})
    assert data["cancel_id"]
    sent = emu.state.received("tiktok", "seller_cancellation")
    assert [(s["order_id"], s["cancel_reason"]) for s in sent] == [(order_id, "seller_cancel_reason_out_of_stock")]
    assert emu.state.tiktok.orders[order_id]["cancellation_initiator"] == "SELLER"


def test_shipping_the_order_rejects_the_pending_request(emu, tt):
    order_id = emu.state.generate_orders("tiktok", 1)[0]
    cancel_id = ask(emu, order_id)["cancel_id"]
    emu.state.tiktok.ship(order_id)
    found = tt.ok("POST", f"{BASE}/cancellations/search", params={"page_size": 10},
                  body={"cancel_ids": [cancel_id]})["cancellations"][0]
    assert found["cancel_status"] == "CANCELLATION_REQUEST_CANCEL"
    assert found["reject_reason"] == "seller_reject_apply_product_has_been_shipped"
