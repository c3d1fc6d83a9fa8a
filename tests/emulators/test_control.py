"""The shared server: prefixes, control endpoints, seeds, order stream, CLI, concurrency."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from devtools.emulators import EmulatorConfig, EmulatorState, SeedItem, tracking
from tests.emulators.support import running_emulator, woo_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


def test_unknown_prefix_lists_services(emu):
    resp = requests.get(emu.base_url + "/shopify/admin/api/orders.json")
    assert resp.status_code == 404
    assert resp.json()["services"]["woocommerce"] == "/woocommerce"
    assert requests.get(emu.url("woocommerce") + "/wp-json/wc/v3/nope", auth=woo_session(emu).auth).json()["code"] == (
        "rest_no_route"
    )


def test_control_generates_records_and_resets(emu):
    control = emu.url("control")
    made = requests.post(control + "/orders", json={"channel": "etsy", "n": 4, "options": {"skus": ["MUG-RED"]}})
    assert made.status_code == 201 and len(made.json()["ids"]) == 4
    assert requests.post(control + "/orders", json={"channel": "shopify", "n": 1}).status_code == 400
    state = requests.get(control + "/state").json()
    assert state["services"]["etsy"]["receipts"] == 4
    assert set(state["services"]) >= {"tiktok", "woocommerce", "etsy", "square", "easypost"}
    pid = emu.state.mapping()["CAP-BLK"]["woocommerce"]["product_id"]
    woo_session(emu).put(emu.url("woocommerce") + f"/wp-json/wc/v3/products/{pid}", json={"stock_quantity": 2})
    received = requests.get(control + "/received", params={"service": "woocommerce", "kind": "stock_update"}).json()
    assert received[0]["sku"] == "CAP-BLK"
    assert requests.get(control + "/requests", params={"service": "woocommerce"}).json()[0]["status"] == 200
    catalogue = requests.get(control + "/catalogue").json()
    assert catalogue["TEE-BLK-M"]["square"]["variation_id"]
    before = emu.state.clock.now()
    assert requests.post(control + "/clock", json={"advance": 3600}).json()["now"] >= before + 3600
    assert requests.post(control + "/reset").status_code == 200
    assert requests.get(control + "/state").json()["services"]["etsy"]["receipts"] == 0
    assert emu.state.received() == []


def test_custom_seed():
    seed = [
        SeedItem("SOCK-RED", "Wool Socks", "9.50", 100, "SOCK", "Red", "Color"),
        SeedItem("SOCK-GRN", "Wool Socks", "9.50", 80, "SOCK", "Green", "Color", channels=("tiktok", "woocommerce")),
        {"sku": "BAG-1", "name": "Tote Bag", "price": "30.00", "stock": 5},
    ]
    with running_emulator(config=EmulatorConfig(seed=seed)) as emu:
        mapping = emu.state.mapping()
        assert set(mapping) == {"SOCK-RED", "SOCK-GRN", "BAG-1"}
        assert set(mapping["SOCK-GRN"]) == {"tiktok", "woocommerce"}
        products = woo_session(emu).get(emu.url("woocommerce") + "/wp-json/wc/v3/products").json()
        assert {p["sku"] for p in products} == {"SOCK", "BAG-1"}
        receipt = emu.state.etsy.receipts[emu.state.generate_orders("etsy", 1, skus={"BAG-1": 2})[0]]
        assert receipt["transactions"][0]["quantity"] == 2
    with pytest.raises(ValueError):
        EmulatorState(EmulatorConfig(seed=[{"sku": "X", "name": "x", "price": "abc"}]))


def test_background_order_stream(emu):
    st = emu.state
    st.start_order_stream(per_minute=1200, channels=["tiktok", "square"])
    deadline = time.time() + 5
    while not (st.tiktok.orders and st.square.orders) and time.time() < deadline:
        time.sleep(0.02)
    st.stop_order_stream()
    assert st.tiktok.orders and st.square.orders
    settled = len(st.tiktok.orders)
    time.sleep(0.1)
    assert len(st.tiktok.orders) == settled  # stopped


def test_concurrent_clients(emu):
    emu.state.generate_orders("woocommerce", 30)
    session_auth = woo_session(emu).auth
    url = emu.url("woocommerce") + "/wp-json/wc/v3/orders"

    def fetch(_):
        return requests.get(url, params={"per_page": 10}, auth=session_auth, timeout=5).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(fetch, range(40))) == {200}


def test_tracking_numbers_match_the_shared_test_data():
    valid = {
        "9400111206206406260787": "USPS",
        "420787459400111206206406260787": "USPS",
        "1Z5R89390357567127": "UPS",
        "1Z879E930346834440": "UPS",
        "986578788855": "FedEx",
        "477179081230": "FedEx",
    }
    for number, carrier in valid.items():
        assert tracking.detect(number) == carrier
    for number in ("9400111206206406260788", "1Z5R89390357567128", "986578788856", "12345"):
        assert tracking.detect(number) is None
    for carrier in tracking.CARRIERS:
        assert all(tracking.detect(tracking.generate(carrier)) == carrier for _ in range(50))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_line_process():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.emulators", "--port", str(port), "--orders", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_line = proc.stdout.readline()
        assert f"127.0.0.1:{port}" in first_line, first_line
        state = requests.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=5).json()
        assert state["services"]["tiktok"]["orders"] == 3
        assert state["services"]["square"]["orders"] == 3
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    assert proc.returncode == 0
