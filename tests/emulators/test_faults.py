"""Fault switches: 429 + Retry-After, 500, malformed JSON, slow answers, scripts, scope."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.emulators.support import TikTokClient, etsy_session, running_emulator, square_session, woo_session


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


def call(emu, service: str, timeout: float = 5) -> requests.Response:
    """One harmless authenticated read on ``service``."""
    c = emu.state.config.credentials
    if service == "tiktok":
        return TikTokClient(emu).call("GET", "/authorization/202309/shops", timeout=timeout)
    if service == "woocommerce":
        return woo_session(emu).get(emu.url("woocommerce") + "/wp-json/wc/v3/orders", timeout=timeout)
    if service == "etsy":
        return etsy_session(emu).get(
            emu.url("etsy") + f"/v3/application/shops/{c.etsy_shop_id}/receipts", timeout=timeout
        )
    if service == "square":
        return square_session(emu).get(emu.url("square") + "/v2/locations", timeout=timeout)
    return requests.get(emu.url("easypost") + "/shipments", auth=(c.easypost_test_key, ""), timeout=timeout)


RATE_LIMIT_SHAPES = {
    "tiktok": lambda b: b["code"] == 36009002 and "request_id" in b,
    "woocommerce": lambda b: b["data"]["status"] == 429 and b["code"],
    "etsy": lambda b: isinstance(b["error"], str),
    "square": lambda b: b["errors"][0]["code"] == "RATE_LIMITED" and b["errors"][0]["category"] == "RATE_LIMIT_ERROR",
    "easypost": lambda b: b["error"]["code"] == "RATE_LIMITED",
}
SERVER_ERROR_SHAPES = {
    "tiktok": lambda b: b["code"] == 36009003,
    "woocommerce": lambda b: b["code"] == "internal_server_error",
    "etsy": lambda b: "error" in b,
    "square": lambda b: b["errors"][0]["category"] == "API_ERROR",
    "easypost": lambda b: b["error"]["code"] == "INTERNAL_SERVER_ERROR",
}


@pytest.mark.parametrize("service", sorted(RATE_LIMIT_SHAPES))
def test_rate_limit_answers_429_with_retry_after_in_each_shape(emu, service):
    emu.state.faults.update(rate_limit=1.0, retry_after=3)
    resp = call(emu, service)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "3"
    assert RATE_LIMIT_SHAPES[service](resp.json())


@pytest.mark.parametrize("service", sorted(SERVER_ERROR_SHAPES))
def test_server_error_in_each_shape(emu, service):
    emu.state.faults.server_error = 1.0
    resp = call(emu, service)
    assert resp.status_code == 500
    assert SERVER_ERROR_SHAPES[service](resp.json())


def test_fractions_are_deterministic(emu):
    emu.state.faults.rate_limit = 0.5
    statuses = [call(emu, "square").status_code for _ in range(6)]
    assert statuses == [200, 429, 200, 429, 200, 429]
    emu.state.faults.update(rate_limit=0.0, server_error=0.25)
    statuses = [call(emu, "square").status_code for _ in range(8)]
    assert statuses.count(500) == 2


def test_random_mode_is_seeded(emu):
    emu.state.faults.update(rate_limit=0.3, random=True, seed=7)
    first = [call(emu, "square").status_code for _ in range(20)]
    emu.state.faults.update(rate_limit=0.3, random=True, seed=7)
    second = [call(emu, "square").status_code for _ in range(20)]
    assert first == second and 429 in first and 200 in first


def test_malformed_json(emu):
    emu.state.faults.malformed = 1.0
    resp = call(emu, "woocommerce")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)


def test_slow_answer_times_out_but_work_is_done(emu):
    st = emu.state
    pid = st.mapping()["CAP-BLK"]["woocommerce"]["product_id"]
    st.faults.update(slow=1.0, slow_seconds=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        woo_session(emu).put(
            emu.url("woocommerce") + f"/wp-json/wc/v3/products/{pid}", json={"stock_quantity": 3}, timeout=0.2
        )
    deadline = time.time() + 3
    while not st.received("woocommerce", "stock_update") and time.time() < deadline:
        time.sleep(0.05)
    assert st.received("woocommerce", "stock_update")[0]["stock_quantity"] == 3


def test_refused_calls_change_nothing(emu):
    st = emu.state
    pid = st.mapping()["CAP-BLK"]["woocommerce"]["product_id"]
    st.faults.update(script=["429", "500", "malformed"])
    for expected in (429, 500, 200):
        resp = woo_session(emu).put(
            emu.url("woocommerce") + f"/wp-json/wc/v3/products/{pid}", json={"stock_quantity": 1}
        )
        assert resp.status_code == expected
    assert st.received("woocommerce", "stock_update") == []
    ok = woo_session(emu).put(emu.url("woocommerce") + f"/wp-json/wc/v3/products/{pid}", json={"stock_quantity": 1})
    assert ok.status_code == 200 and ok.json()["stock_quantity"] == 1


def test_scope_by_service_and_path(emu):
    emu.state.faults.update(rate_limit=1.0, services=["tiktok"])
    assert call(emu, "tiktok").status_code == 429
    assert call(emu, "woocommerce").status_code == 200
    emu.state.faults.update(services=None, paths=["/v2/locations"])
    assert call(emu, "square").status_code == 429
    assert call(emu, "easypost").status_code == 200


def test_faults_over_http(emu):
    control = emu.url("control")
    resp = requests.post(control + "/faults", json={"rate_limit": 1, "retry_after": 7, "services": ["etsy"]})
    assert resp.status_code == 200 and resp.json()["retry_after"] == 7
    limited = call(emu, "etsy")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert requests.get(control + "/state").status_code == 200  # control is never faulted
    assert requests.get(control + "/faults").json()["fired"]["rate_limit"] == 1
    assert requests.post(control + "/faults", json={"rate_limit": 2}).status_code == 400
    assert requests.post(control + "/faults", json={"explode": True}).status_code == 400
    requests.post(control + "/faults", json={"retry_after": None})
    assert "Retry-After" not in call(emu, "etsy").headers
    requests.delete(control + "/faults")
    assert call(emu, "etsy").status_code == 200
