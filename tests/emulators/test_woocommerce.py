"""WooCommerce REST v3 emulator over real HTTP."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from integrations.channels import signing
from tests.emulators.support import WebhookReceiver, running_emulator, woo_session

API = "/wp-json/wc/v3"


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


@pytest.fixture
def woo(emu):
    session = woo_session(emu)
    base = emu.url("woocommerce") + API

    class Client:
        def get(self, path, **kw):
            return session.get(base + path, **kw)

        def put(self, path, body):
            return session.put(base + path, json=body)

        def post(self, path, body):
            return session.post(base + path, json=body)

    return Client()


def test_missing_basic_auth_is_401(emu):
    resp = requests.get(emu.url("woocommerce") + API + "/orders")
    assert resp.status_code == 401
    assert resp.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


def test_wrong_secret_and_query_string_auth(emu):
    c = emu.state.config.credentials
    url = emu.url("woocommerce") + API + "/orders"
    wrong = requests.get(url, auth=(c.woo_consumer_key, "cs_wrong"))
    assert wrong.status_code == 401 and wrong.json()["code"] == "woocommerce_rest_authentication_error"
    ok = requests.get(url, params={"consumer_key": c.woo_consumer_key, "consumer_secret": c.woo_consumer_secret})
    assert ok.status_code == 200


def test_250_orders_page_through_with_wp_headers(emu, woo):
    created = emu.state.generate_orders("woocommerce", 250)
    seen = []
    page = 1
    while True:
        resp = woo.get("/orders", params={"per_page": 100, "page": page, "order": "asc", "orderby": "id"})
        assert resp.status_code == 200
        assert resp.headers["X-WP-Total"] == "250" and resp.headers["X-WP-TotalPages"] == "3"
        batch = resp.json()
        if not batch:
            break
        seen += [o["id"] for o in batch]
        if 'rel="next"' not in resp.headers.get("Link", ""):
            break
        page += 1
    assert page == 3
    assert seen == sorted(created) and len(set(seen)) == 250


def test_modified_after_uses_site_time_unless_gmt(emu, woo):
    st = emu.state
    base = st.clock.now()
    old = st.generate_orders("woocommerce", 3, at=base - 7200)
    new = st.generate_orders("woocommerce", 2, at=base)
    cutoff_gmt = dt.datetime.fromtimestamp(base - 3600, dt.UTC)
    gmt = woo.get(
        "/orders",
        params={"modified_after": cutoff_gmt.strftime("%Y-%m-%dT%H:%M:%S"), "dates_are_gmt": "true"},
    ).json()
    assert sorted(o["id"] for o in gmt) == sorted(new)
    site = cutoff_gmt.astimezone(st.woocommerce.tz).strftime("%Y-%m-%dT%H:%M:%S")
    assert sorted(o["id"] for o in woo.get("/orders", params={"modified_after": site}).json()) == sorted(new)
    order = woo.get(f"/orders/{old[0]}").json()
    assert order["date_created"] != order["date_created_gmt"]  # site time is not GMT
    assert order["line_items"][0]["sku"] and isinstance(order["total"], str)


def test_paging_parameters_are_validated(woo):
    resp = woo.get("/orders", params={"per_page": 101})
    assert resp.status_code == 400 and resp.json()["code"] == "rest_invalid_param"
    resp = woo.get("/orders", params={"orderby": "modified"})
    assert resp.status_code == 400


def test_find_skus_and_set_stock(emu, woo):
    ids = emu.state.mapping()
    simple = woo.get("/products", params={"sku": "HOODIE-GRY-L"}).json()
    assert [p["id"] for p in simple] == [ids["HOODIE-GRY-L"]["woocommerce"]["product_id"]]
    assert woo.get("/products", params={"sku": "TEE-BLK-M"}).json() == []  # variations are not products
    tee = ids["TEE-BLK-M"]["woocommerce"]
    found = woo.get(f"/products/{tee['product_id']}/variations", params={"sku": "TEE-BLK-M"}).json()
    assert [v["id"] for v in found] == [tee["variation_id"]]
    resp = woo.put(
        f"/products/{tee['product_id']}/variations/{tee['variation_id']}", {"manage_stock": True, "stock_quantity": 0}
    )
    assert resp.status_code == 200 and resp.json()["stock_status"] == "outofstock"
    woo.put(f"/products/{simple[0]['id']}", {"manage_stock": True, "stock_quantity": 7})
    pushes = emu.state.received("woocommerce", "stock_update")
    assert [(p["sku"], p["stock_quantity"]) for p in pushes] == [("TEE-BLK-M", 0), ("HOODIE-GRY-L", 7)]


def test_batch_over_100_items_is_refused(emu, woo):
    pid = emu.state.mapping()["HOODIE-GRY-L"]["woocommerce"]["product_id"]
    resp = woo.post("/products/batch", {"update": [{"id": pid, "stock_quantity": 1}] * 101})
    assert resp.status_code == 413
    assert resp.json()["code"] == "woocommerce_rest_request_entity_too_large"
    assert emu.state.received("woocommerce", "stock_update") == []


def test_batch_reports_errors_per_item(emu, woo):
    m = emu.state.mapping()
    hoodie = m["HOODIE-GRY-L"]["woocommerce"]["product_id"]
    cap = m["CAP-BLK"]["woocommerce"]["product_id"]
    resp = woo.post(
        "/products/batch",
        {
            "update": [
                {"id": hoodie, "stock_quantity": 4},
                {"id": 999999, "stock_quantity": 1},
                {"id": cap, "stock_quantity": 9},
            ]
        },
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"create", "update", "delete"}
    assert body["update"][0]["stock_quantity"] == 4
    assert body["update"][1] == {
        "id": 999999,
        "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}},
    }
    assert body["update"][2]["stock_quantity"] == 9


def test_variation_batch_and_partial_fault(emu, woo):
    m = emu.state.mapping()
    parent = m["TEE-BLK-S"]["woocommerce"]["product_id"]
    updates = [
        {"id": m[s]["woocommerce"]["variation_id"], "stock_quantity": 5}
        for s in ("TEE-BLK-S", "TEE-BLK-M", "TEE-BLK-L")
    ]
    emu.state.faults.partial_batch = 1 / 3
    body = woo.post(f"/products/{parent}/variations/batch", {"update": updates}).json()
    errors = [u for u in body["update"] if "error" in u]
    assert len(errors) == 1 and errors[0]["error"]["data"]["status"] == 500
    assert len(emu.state.received("woocommerce", "stock_update")) == 2


def test_order_shipped_with_meta_note_and_tracking(emu, woo):
    oid = emu.state.generate_orders("woocommerce", 1)[0]
    updated = woo.put(
        f"/orders/{oid}",
        {"status": "completed", "meta_data": [{"key": "_tracking_number", "value": "9400111206206406260787"}]},
    ).json()
    assert updated["status"] == "completed" and updated["date_completed"]
    assert {"key": "_tracking_number", "value": "9400111206206406260787"}.items() <= updated["meta_data"][0].items()
    note = woo.post(f"/orders/{oid}/notes", {"note": "Shipped with USPS", "customer_note": True})
    assert note.status_code == 201 and note.json()["customer_note"] is True
    track = requests.post(
        emu.url("woocommerce") + f"/wp-json/wc-shipment-tracking/v3/orders/{oid}/shipment-trackings",
        json={"tracking_provider": "USPS", "tracking_number": "9400111206206406260787", "date_shipped": "2026-07-10"},
        auth=woo_session(emu).auth,
    )
    assert track.status_code == 201
    assert set(track.json()) == {"tracking_id", "tracking_provider", "tracking_link", "tracking_number", "date_shipped"}
    st = emu.state
    assert st.received("woocommerce", "order_update")[0]["changes"]["status"] == "completed"
    assert st.received("woocommerce", "order_note")[0]["customer_note"] is True
    assert st.received("woocommerce", "tracking_upload")[0]["tracking_number"] == "9400111206206406260787"
    assert woo.put("/orders/424242", {"status": "completed"}).status_code == 404


def test_order_webhook_is_signed(emu, woo):
    receiver = WebhookReceiver()
    try:
        resp = woo.post(
            "/webhooks", {"name": "orders", "topic": "order.created", "delivery_url": receiver.url, "secret": "s3cret"}
        )
        assert resp.status_code == 201
        oid = emu.state.generate_orders("woocommerce", 1)[0]
        ping, delivery = receiver.wait_for(2)
        assert ping["body"] == f"webhook_id={resp.json()['id']}".encode()
        h = delivery["headers"]
        assert h["x-wc-webhook-topic"] == "order.created"
        assert signing.verify_woocommerce_webhook(
            secret="s3cret", body=delivery["body"], signature=h["x-wc-webhook-signature"]
        )
        assert json.loads(delivery["body"])["id"] == oid
    finally:
        receiver.close()
