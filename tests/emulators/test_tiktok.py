"""TikTok Shop 202309 emulator over real HTTP: auth, paging, fulfilment, inventory, FBT."""

from __future__ import annotations

import io
import json
import time

import pytest
import requests

from devtools.emulators import tracking
from devtools.emulators.tiktok import PROVIDER_BY_NAME
from integrations.channels import signing
from tests.emulators.support import TikTokClient, WebhookReceiver, running_emulator

USPS = PROVIDER_BY_NAME["USPS"]
UPS = PROVIDER_BY_NAME["UPS"]


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


def error_of(resp: requests.Response) -> tuple[int, int, str]:
    body = resp.json()
    assert set(body) >= {"code", "message", "request_id"}
    return resp.status_code, body["code"], body["message"]


# --- auth ---------------------------------------------------------------------------------


def test_signed_call_is_accepted(tt):
    shops = tt.ok("GET", "/authorization/202309/shops")["shops"]
    assert shops[0]["cipher"] == tt.cipher
    assert set(shops[0]) >= {"id", "cipher", "name", "region", "seller_type"}


def test_bad_signature_is_refused(emu, tt):
    emu.state.generate_orders("tiktok", 1)
    status, code, message = error_of(
        tt.call("POST", "/order/202309/orders/search", params={"page_size": 10}, body={}, sign="0" * 64)
    )
    assert (status, code) == (401, 106001)
    assert "signature" in message.lower()


def test_tampered_body_or_secret_is_refused(emu):
    good = TikTokClient(emu)
    resp = good.call(
        "POST",
        "/order/202309/orders/search",
        params={"page_size": 10},
        body={"order_status": "UNPAID"},
        tamper_body=b'{"order_status":"AWAITING_SHIPMENT"}',
    )
    assert error_of(resp)[:2] == (401, 106001)
    wrong_secret = TikTokClient(emu, app_secret="not-the-secret")
    assert error_of(wrong_secret.call("GET", "/authorization/202309/shops"))[:2] == (401, 106001)


def test_signing_the_prefixed_path_is_refused(emu, tt):
    # the emulator prefix is not part of the signed path
    path = "/authorization/202309/shops"
    query = {"app_key": tt.app_key, "timestamp": str(int(time.time()))}
    query["sign"] = signing.tiktok_sign(app_secret=tt.app_secret, path="/tiktok" + path, query=query)
    resp = requests.get(tt.base + path, params=query, headers={"x-tts-access-token": tt.token})
    assert error_of(resp)[:2] == (401, 106001)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"app_key": "someone-else"}, 400, 36009004),
        ({"timestamp": int(time.time()) - 3600}, 400, 36009004),
        ({"token": ""}, 401, 36009004),
        ({"token": "stolen"}, 401, 36009004),
    ],
)
def test_gateway_checks(emu, change, status, code):
    client = TikTokClient(emu, **{k: v for k, v in change.items() if k in ("app_key", "token")})
    resp = client.call("GET", "/authorization/202309/shops", timestamp=change.get("timestamp"))
    assert error_of(resp)[:2] == (status, code)


def test_shop_cipher_rules(tt):
    missing = tt.call("POST", "/order/202309/orders/search", params={"page_size": 5}, body={}, cipher=False)
    assert error_of(missing)[:2] == (400, 106013)
    unexpected = tt.call("GET", "/authorization/202309/shops", cipher=True)
    status, code, message = error_of(unexpected)
    assert (status, code) == (400, 36009004) and "shop_cipher" in message


def test_expired_token_then_refresh(emu, tt):
    emu.state.tiktok.expire_access_tokens()
    status, code, _ = error_of(tt.call("GET", "/authorization/202309/shops"))
    assert (status, code) == (401, 105002)
    c = emu.state.config.credentials
    resp = requests.get(
        emu.url("tiktok_auth") + "/api/v2/token/refresh",
        params={
            "app_key": c.tiktok_app_key,
            "app_secret": c.tiktok_app_secret,
            "refresh_token": c.tiktok_refresh_token,
            "grant_type": "refresh_token",
        },
    )
    data = resp.json()["data"]
    assert data["access_token_expire_in"] > time.time() + 6 * 86400  # absolute Unix time
    assert TikTokClient(emu, token=data["access_token"]).ok("GET", "/authorization/202309/shops")


def test_auth_code_is_single_use(emu):
    c = emu.state.config.credentials
    params = {
        "app_key": c.tiktok_app_key,
        "app_secret": c.tiktok_app_secret,
        "auth_code": c.tiktok_auth_code,
        "grant_type": "authorized_code",
    }
    url = emu.url("tiktok_auth") + "/api/v2/token/get"
    first = requests.get(url, params=params).json()
    assert first["code"] == 0 and first["data"]["access_token"].startswith("TTP_")
    second = requests.get(url, params=params).json()
    assert second["code"] == 36004004
    fresh = requests.get(emu.url("tiktok_auth") + "/open/authorize", params={"service_id": "1", "state": "s1"})
    assert fresh.json()["state"] == "s1"
    again = requests.get(url, params=dict(params, auth_code=fresh.json()["code"])).json()
    assert again["code"] == 0


# --- orders -------------------------------------------------------------------------------


def page_through(tt, body, page_size=100, sort_order="ASC", between_pages=None):
    seen, token, pages = [], None, 0
    while True:
        params = {"page_size": page_size, "sort_field": "update_time", "sort_order": sort_order}
        if token:
            params["page_token"] = token
        data = tt.ok("POST", "/order/202309/orders/search", params=params, body=body)
        seen += [o["id"] for o in data["orders"]]
        pages += 1
        if between_pages:
            between_pages(pages)
        token = data["next_page_token"]
        if not token:
            return seen, pages, data["total_count"]


def test_250_orders_page_through_without_gaps_or_duplicates(emu, tt):
    created = emu.state.generate_orders("tiktok", 250)
    seen, pages, total = page_through(tt, {})
    assert pages == 3 and total == 250
    assert len(seen) == len(set(seen)) == 250
    assert set(seen) == set(created)


def test_paging_stays_consistent_while_orders_arrive(emu, tt):
    created = emu.state.generate_orders("tiktok", 250)
    start = min(emu.state.tiktok.orders[i]["update_time"] for i in created)
    arriving: list[str] = []

    def more(_page):
        arriving.extend(emu.state.generate_orders("tiktok", 7))

    seen, _, _ = page_through(tt, {"update_time_ge": start}, between_pages=more)
    assert len(seen) == len(set(seen))
    assert set(created) <= set(seen)  # nothing that existed at the start was skipped


def test_search_filters_and_detail(emu, tt):
    st = emu.state
    held = st.generate_orders("tiktok", 2, status="ON_HOLD")
    st.generate_orders("tiktok", 3)
    data = tt.ok("POST", "/order/202309/orders/search", params={"page_size": 50}, body={"order_status": "ON_HOLD"})
    assert sorted(o["id"] for o in data["orders"]) == sorted(held)
    assert all(o["recipient_address"] == {} and o["is_on_hold_order"] for o in data["orders"])
    detail = tt.ok("GET", "/order/202309/orders", params={"ids": ",".join(held)})["orders"]
    order = detail[0]
    for key in (
        "id",
        "status",
        "create_time",
        "update_time",
        "line_items",
        "fulfillment_type",
        "shipping_type",
        "is_sample_order",
        "rts_sla_time",
        "delivery_sla_time",
        "payment",
        "recipient_address",
        "warehouse_id",
    ):
        assert key in order, key
    line = order["line_items"][0]
    assert {"id", "sku_id", "product_id", "seller_sku", "package_id", "package_status"} <= set(line)
    assert "quantity" not in line  # 202309 lists one line item per unit


def test_detail_takes_at_most_50_ids(emu, tt):
    ids = emu.state.generate_orders("tiktok", 51)
    assert len(tt.ok("GET", "/order/202309/orders", params={"ids": ",".join(ids[:50])})["orders"]) == 50
    resp = tt.call("GET", "/order/202309/orders", params={"ids": ",".join(ids)})
    assert error_of(resp)[:2] == (400, 36009004)


def test_page_size_is_validated(tt):
    resp = tt.call("POST", "/order/202309/orders/search", params={"page_size": 101}, body={})
    assert error_of(resp)[:2] == (400, 36009004)


def test_lifecycle_timestamps_for_metrics(emu, tt):
    st = emu.state
    oid = st.generate_orders("tiktok", 1)[0]
    st.tiktok.ship(oid, at=time.time())
    st.tiktok.collect(oid)
    st.tiktok.deliver(oid)
    order = tt.ok("GET", "/order/202309/orders", params={"ids": oid})["orders"][0]
    assert order["status"] == "DELIVERED"
    assert order["rts_time"] <= order["collection_time"] <= order["delivery_time"]
    assert tracking.detect(order["tracking_number"]) == "USPS"
    cancelled = st.generate_orders("tiktok", 1, status="CANCELLED")[0]
    st.tiktok.cancel(cancelled, initiator="SYSTEM", reason="Missed SLA")
    order = tt.ok("GET", "/order/202309/orders", params={"ids": cancelled})["orders"][0]
    assert order["cancellation_initiator"] == "SYSTEM" and order["cancel_time"]


# --- fulfilment ---------------------------------------------------------------------------


def test_mark_as_shipped_is_recorded(emu, tt):
    oid = emu.state.generate_orders("tiktok", 1, skus={"TEE-BLK-M": 2, "MUG-RED": 1})[0]
    lines = tt.ok("GET", "/order/202309/orders", params={"ids": oid})["orders"][0]["line_items"]
    assert len(lines) == 3
    number = tracking.generate("USPS")
    first = tt.ok(
        "POST",
        f"/fulfillment/202309/orders/{oid}/packages",
        body={"tracking_number": number, "shipping_provider_id": USPS, "order_line_item_ids": [lines[0]["id"]]},
    )
    assert first["package_id"] and "warning" not in first
    order = tt.ok("GET", "/order/202309/orders", params={"ids": oid})["orders"][0]
    assert order["status"] == "PARTIALLY_SHIPPING"
    second = tt.ok(
        "POST",
        f"/fulfillment/202309/orders/{oid}/packages",
        body={"tracking_number": "1Z5R89390357567127", "shipping_provider_id": USPS},
    )
    assert "UPS" in second["warning"]["message"]  # carrier mismatch warning
    order = tt.ok("GET", "/order/202309/orders", params={"ids": oid})["orders"][0]
    assert order["status"] == "AWAITING_COLLECTION" and order["rts_time"]
    uploads = emu.state.received("tiktok", "tracking_upload")
    assert [u["tracking_number"] for u in uploads] == [number, "1Z5R89390357567127"]
    assert uploads[0]["line_item_ids"] == [lines[0]["id"]]


def test_on_hold_and_fbt_orders_cannot_be_shipped(emu, tt):
    held = emu.state.generate_orders("tiktok", 1, status="ON_HOLD")[0]
    resp = tt.call(
        "POST",
        f"/fulfillment/202309/orders/{held}/packages",
        body={"tracking_number": "X1", "shipping_provider_id": USPS},
    )
    assert resp.status_code == 200 and resp.json()["code"] == 21011044
    fbt = emu.state.generate_orders("tiktok", 1, fulfillment_type="FULFILLMENT_BY_TIKTOK")[0]
    resp = tt.call(
        "POST",
        f"/fulfillment/202309/orders/{fbt}/packages",
        body={"tracking_number": "X1", "shipping_provider_id": USPS},
    )
    assert resp.json()["code"] != 0
    assert emu.state.received("tiktok", "tracking_upload") == []


def test_shipping_info_update_window(emu, tt):
    oid = emu.state.generate_orders("tiktok", 1)[0]
    tt.ok(
        "POST",
        f"/fulfillment/202309/orders/{oid}/packages",
        body={"tracking_number": "A1", "shipping_provider_id": UPS},
    )
    number = tracking.generate("UPS")
    tt.ok(
        "POST",
        f"/fulfillment/202309/orders/{oid}/shipping_info/update",
        body={"tracking_number": number, "shipping_provider_id": UPS},
    )
    assert emu.state.received("tiktok", "tracking_update")[0]["tracking_number"] == number
    emu.state.clock.advance(73 * 3600)
    resp = tt.call(
        "POST",
        f"/fulfillment/202309/orders/{oid}/shipping_info/update",
        body={"tracking_number": number, "shipping_provider_id": UPS},
    )
    assert resp.json()["code"] == 21011049


def test_tiktok_label_and_collection_flow(emu, tt):
    oid = emu.state.generate_orders("tiktok", 1, shipping_type="TIKTOK")[0]
    services = tt.ok("POST", f"/fulfillment/202309/orders/{oid}/shipping_services/query", body={})
    package = tt.ok(
        "POST",
        "/fulfillment/202309/packages",
        body={
            "order_id": oid,
            "weight": {"value": "12", "unit": "GRAM"},
            "shipping_service_id": services["shipping_services"][0]["id"],
        },
    )
    pid = package["package_id"]
    doc = tt.ok(
        "GET",
        f"/fulfillment/202309/packages/{pid}/shipping_documents",
        params={"document_type": "SHIPPING_LABEL", "document_size": "A6"},
    )
    pdf = requests.get(doc["doc_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    number = tt.ok("GET", f"/fulfillment/202309/packages/{pid}")["tracking_number"]
    assert decode_barcode(pdf.content) == number
    slots = tt.ok("GET", f"/fulfillment/202309/packages/{pid}/handover_time_slots")
    assert slots["can_pickup"] and slots["pickup_slots"]
    slot = {k: slots["pickup_slots"][0][k] for k in ("start_time", "end_time")}
    bad = tt.call("POST", f"/fulfillment/202309/packages/{pid}/ship", body={"handover_method": "PICKUP"})
    assert bad.json()["code"] != 0
    tt.ok("POST", f"/fulfillment/202309/packages/{pid}/ship", body={"handover_method": "PICKUP", "pickup_slot": slot})
    shipped = emu.state.received("tiktok", "ship_package")
    assert shipped[0]["handover_method"] == "PICKUP" and shipped[0]["pickup_slot"] == slot
    order = tt.ok("GET", "/order/202309/orders", params={"ids": oid})["orders"][0]
    assert order["status"] == "AWAITING_COLLECTION"
    emu.state.clock.advance(25 * 3600)  # doc_url is valid for 24 hours
    assert requests.get(doc["doc_url"]).status_code == 403


def test_batch_ship_reports_partial_failures(emu, tt):
    ids = emu.state.generate_orders("tiktok", 4, shipping_type="TIKTOK")
    pids = [tt.ok("POST", "/fulfillment/202309/packages", body={"order_id": oid})["package_id"] for oid in ids]
    emu.state.faults.partial_batch = 0.5
    data = tt.ok(
        "POST",
        "/fulfillment/202309/packages/ship",
        body={"packages": [{"id": pid, "handover_method": "DROP_OFF"} for pid in pids]},
    )
    failed = {e["detail"]["package_id"] for e in data["errors"]}
    assert len(failed) == 2
    assert {r["package_id"] for r in emu.state.received("tiktok", "ship_package")} == set(pids) - failed


# --- products, inventory, logistics -----------------------------------------------------


def test_inventory_update_and_search(emu, tt):
    ids = emu.state.mapping()["TEE-BLK-M"]["tiktok"]
    tt.ok(
        "POST",
        f"/product/202309/products/{ids['product_id']}/inventory/update",
        body={"skus": [{"id": ids["sku_id"], "inventory": [{"quantity": 7}]}]},
    )
    pushes = emu.state.received("tiktok", "stock_update")
    assert [(p["seller_sku"], p["quantity"]) for p in pushes] == [("TEE-BLK-M", 7)]
    emu.state.generate_orders("tiktok", 1, skus={"TEE-BLK-M": 2})
    inv = tt.ok("POST", "/product/202309/inventory/search", body={"sku_ids": [ids["sku_id"]]})["inventory"]
    sku = inv[0]["skus"][0]
    assert sku["total_available_quantity"] == 7 and sku["total_committed_quantity"] == 2


def test_inventory_update_errors_per_sku(emu, tt):
    m = emu.state.mapping()
    pid = m["TEE-BLK-S"]["tiktok"]["product_id"]
    data = tt.ok(
        "POST",
        f"/product/202309/products/{pid}/inventory/update",
        body={
            "skus": [
                {"id": m["TEE-BLK-S"]["tiktok"]["sku_id"], "inventory": [{"quantity": 3}]},
                {"id": m["MUG-RED"]["tiktok"]["sku_id"], "inventory": [{"quantity": 3}]},  # other product
                {"id": m["TEE-BLK-L"]["tiktok"]["sku_id"], "inventory": [{"quantity": -1}]},
            ]
        },
    )
    assert [e["detail"]["sku_id"] for e in data["errors"]] == [
        m["MUG-RED"]["tiktok"]["sku_id"],
        m["TEE-BLK-L"]["tiktok"]["sku_id"],
    ]
    assert [p["seller_sku"] for p in emu.state.received("tiktok", "stock_update")] == ["TEE-BLK-S"]


def test_products_logistics_and_fbt(emu, tt):
    products = tt.ok("POST", "/product/202309/products/search", params={"page_size": 2}, body={})
    assert products["total_count"] == 5 and products["next_page_token"]
    skus = {s["seller_sku"] for p in products["products"] for s in p["skus"]}
    assert skus
    warehouses = tt.ok("GET", "/logistics/202309/warehouses")["warehouses"]
    options = tt.ok("GET", f"/logistics/202309/warehouses/{warehouses[0]['id']}/delivery_options")["delivery_options"]
    providers = tt.ok("GET", f"/logistics/202309/delivery_options/{options[0]['id']}/shipping_providers")
    assert {"USPS", "UPS", "FedEx"} <= {p["name"] for p in providers["shipping_providers"]}
    fbt = tt.ok("POST", "/fbt/202408/inventory/search", body={})["inventory"]
    assert set(fbt[0]["on_hand_detail"]) == {"total", "available", "reserved", "unfulfillable"}
    assert fbt[0]["goods"]["reference_code"] == "TEE-BLK-S"
    assert tt.ok("GET", "/fbt/202408/warehouses")["warehouses"]
    assert tt.ok("GET", "/fbt/202409/inbound_orders", params={"ids": "IBR7500000000000001"})["inbound_orders"]


def test_order_status_webhook_is_signed(emu, tt):
    receiver = WebhookReceiver()
    try:
        tt.ok("PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": "ORDER_STATUS_CHANGE"})
        oid = emu.state.generate_orders("tiktok", 1)[0]
        got = receiver.wait_for(1)[0]
        c = emu.state.config.credentials
        assert signing.verify_tiktok_webhook(
            app_key=c.tiktok_app_key,
            app_secret=c.tiktok_app_secret,
            body=got["body"],
            authorization=got["headers"]["authorization"],
        )
        payload = json.loads(got["body"])
        assert payload["type"] == 1 and payload["data"]["order_id"] == oid and payload["tts_notification_id"]
    finally:
        receiver.close()


def decode_barcode(pdf: bytes) -> str:
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pdfium.PdfDocument(io.BytesIO(pdf))[0]
    results = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    assert results, "no barcode found on the label"
    return results[0].text
