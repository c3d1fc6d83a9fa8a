"""Square emulator over real HTTP: orders search, catalog, idempotent inventory, updates."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from integrations.channels import signing
from tests.emulators.support import WebhookReceiver, running_emulator, square_session


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


@pytest.fixture
def sq(emu):
    session = square_session(emu)
    base = emu.url("square")

    class Client:
        location = emu.state.config.credentials.square_location_id

        def post(self, path, body):
            return session.post(base + path, json=body)

        def put(self, path, body):
            return session.put(base + path, json=body)

        def get(self, path):
            return session.get(base + path)

    return Client()


def now_rfc3339(offset: float = 0) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset)).isoformat().replace("+00:00", "Z")


def test_bearer_token_and_version_header(emu, sq):
    resp = requests.get(emu.url("square") + "/v2/locations")
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["category"] == "AUTHENTICATION_ERROR"
    c = emu.state.config.credentials
    bad_version = requests.get(
        emu.url("square") + "/v2/locations",
        headers={"Authorization": f"Bearer {c.square_access_token}", "Square-Version": "latest"},
    )
    assert bad_version.status_code == 400
    assert sq.get("/v2/locations").json()["locations"][0]["id"] == sq.location
    assert "2025-08-20" in emu.state.square.versions_seen


def test_250_orders_page_through_with_cursor(emu, sq):
    created = emu.state.generate_orders("square", 250)
    query = {
        "filter": {"date_time_filter": {"updated_at": {"start_at": now_rfc3339(-3600)}}},
        "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
    }
    seen, cursor, pages = [], None, 0
    while True:
        body = {"location_ids": [sq.location], "limit": 100, "query": query}
        if cursor:
            body["cursor"] = cursor
        data = sq.post("/v2/orders/search", body).json()
        seen += [o["id"] for o in data.get("orders", [])]
        pages += 1
        cursor = data.get("cursor")
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 250 and set(seen) == set(created)


def test_search_rules(emu, sq):
    emu.state.generate_orders("square", 2)
    wrong_sort = sq.post(
        "/v2/orders/search",
        {
            "location_ids": [sq.location],
            "query": {"filter": {"date_time_filter": {"updated_at": {"start_at": now_rfc3339(-60)}}}},
        },
    )
    assert wrong_sort.status_code == 400  # default sort is CREATED_AT
    assert sq.post("/v2/orders/search", {}).status_code == 400  # location_ids required
    nothing = sq.post(
        "/v2/orders/search",
        {"location_ids": [sq.location], "query": {"filter": {"state_filter": {"states": ["CANCELED"]}}}},
    )
    assert nothing.status_code == 200 and nothing.json() == {}
    order = sq.post("/v2/orders/search", {"location_ids": [sq.location]}).json()["orders"][0]
    line = order["line_items"][0]
    assert "sku" not in line and line["catalog_object_id"] and isinstance(line["quantity"], str)
    assert order["fulfillments"][0]["shipment_details"]["recipient"]["address"]["postal_code"]


def test_catalog_sku_search_is_loose(sq):
    body = {
        "object_types": ["ITEM_VARIATION"],
        "query": {"exact_query": {"attribute_name": "sku", "attribute_value": "tee-blk"}},
    }
    found = sq.post("/v2/catalog/search", body).json()["objects"]
    assert {o["item_variation_data"]["sku"] for o in found} == {"TEE-BLK-S", "TEE-BLK-M", "TEE-BLK-L"}
    body["query"]["exact_query"]["attribute_value"] = "TEE-BLK-M"
    exact = [
        o
        for o in sq.post("/v2/catalog/search", body).json()["objects"]
        if o["item_variation_data"]["sku"] == "TEE-BLK-M"
    ]
    assert len(exact) == 1


def test_inventory_idempotency_key_dedupes(emu, sq):
    vid = emu.state.mapping()["MUG-RED"]["square"]["variation_id"]
    body = {
        "idempotency_key": "push-1",
        "changes": [
            {
                "type": "ADJUSTMENT",
                "adjustment": {
                    "catalog_object_id": vid,
                    "location_id": sq.location,
                    "from_state": "NONE",
                    "to_state": "IN_STOCK",
                    "quantity": "3",
                    "occurred_at": now_rfc3339(),
                },
            }
        ],
    }
    before = int(emu.state.square.stock("MUG-RED"))
    first = sq.post("/v2/inventory/changes/batch-create", body)
    second = sq.post("/v2/inventory/changes/batch-create", body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["counts"][0]["quantity"] == str(before + 3)
    assert emu.state.square.stock("MUG-RED") == str(before + 3)  # applied once
    assert len(emu.state.received("square", "inventory_change")) == 1
    body["changes"][0]["adjustment"]["quantity"] = "4"
    reused = sq.post("/v2/inventory/changes/batch-create", body)
    assert reused.status_code == 400 and reused.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_inventory_batch_is_all_or_nothing(emu, sq):
    m = emu.state.mapping()
    good = {
        "type": "PHYSICAL_COUNT",
        "physical_count": {
            "catalog_object_id": m["CAP-BLK"]["square"]["variation_id"],
            "location_id": sq.location,
            "state": "IN_STOCK",
            "quantity": "7",
            "occurred_at": now_rfc3339(),
        },
    }
    stale = {
        "type": "PHYSICAL_COUNT",
        "physical_count": dict(good["physical_count"], occurred_at=now_rfc3339(-2 * 86400)),
    }
    resp = sq.post("/v2/inventory/changes/batch-create", {"idempotency_key": "k2", "changes": [good, stale]})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"].startswith("changes[1]")
    assert emu.state.square.stock("CAP-BLK") == "20"
    assert sq.post("/v2/inventory/changes/batch-create", {"changes": [good]}).status_code == 400  # key required
    ok = sq.post("/v2/inventory/changes/batch-create", {"idempotency_key": "k3", "changes": [good]})
    assert ok.status_code == 200 and emu.state.square.stock("CAP-BLK") == "7"
    counts = sq.post(
        "/v2/inventory/counts/batch-retrieve", {"catalog_object_ids": [m["CAP-BLK"]["square"]["variation_id"]]}
    ).json()
    assert counts["counts"][0]["quantity"] == "7"


def test_fulfilment_update_needs_current_version(emu, sq):
    oid = emu.state.generate_orders("square", 1)[0]
    order = sq.get(f"/v2/orders/{oid}").json()["order"]
    uid = order["fulfillments"][0]["uid"]
    patch = {
        "idempotency_key": "ship-1",
        "order": {
            "location_id": sq.location,
            "version": order["version"],
            "fulfillments": [
                {
                    "uid": uid,
                    "state": "COMPLETED",
                    "shipment_details": {"carrier": "USPS", "tracking_number": "9400111206206406260787"},
                }
            ],
        },
    }
    resp = sq.put(f"/v2/orders/{oid}", patch)
    assert resp.status_code == 200
    updated = resp.json()["order"]
    assert updated["version"] == order["version"] + 1
    assert updated["fulfillments"][0]["shipment_details"]["tracking_number"] == "9400111206206406260787"
    assert sq.put(f"/v2/orders/{oid}", patch).json() == resp.json()  # idempotent replay
    stale = dict(patch, idempotency_key="ship-2")
    conflict = sq.put(f"/v2/orders/{oid}", stale)
    assert conflict.status_code == 400 and conflict.json()["errors"][0]["code"] == "VERSION_MISMATCH"
    missing = {"idempotency_key": "ship-3", "order": {"location_id": sq.location, "fulfillments": []}}
    assert sq.put(f"/v2/orders/{oid}", missing).status_code == 400
    updates = emu.state.received("square", "fulfillment_update")
    assert len(updates) == 1 and updates[0]["new_state"] == "COMPLETED" and updates[0]["carrier"] == "USPS"
    emu.state.square.complete(oid)
    closed = sq.put(
        f"/v2/orders/{oid}",
        dict(patch, idempotency_key="ship-4", order=dict(patch["order"], version=updated["version"] + 1)),
    )
    assert closed.status_code == 400


def test_order_webhooks_are_signed(emu, sq):
    receiver = WebhookReceiver()
    try:
        sub = sq.post(
            "/v2/webhooks/subscriptions",
            {
                "idempotency_key": "sub-1",
                "subscription": {"name": "sh", "event_types": ["order.created"], "notification_url": receiver.url},
            },
        ).json()["subscription"]
        oid = emu.state.generate_orders("square", 1)[0]
        got = receiver.wait_for(1)[0]
        assert signing.verify_square_webhook(
            signature_key=sub["signature_key"],
            notification_url=receiver.url,
            body=got["body"],
            signature=got["headers"]["x-square-hmacsha256-signature"],
        )
        assert oid.encode() in got["body"]
    finally:
        receiver.close()
