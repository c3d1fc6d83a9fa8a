"""The TikTok emulator's FBT and logistics additions: inbound orders with received batches,
FBT stock, and the signed notifications of types 4, 21 and 27 sent to the registered addresses."""

from __future__ import annotations

import json

import pytest

from integrations.channels import signing
from tests.emulators.support import TikTokClient, WebhookReceiver, running_emulator


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


@pytest.fixture
def receiver():
    r = WebhookReceiver()
    yield r
    r.close()


def register(tt, receiver, *events):
    for event in events:
        tt.ok("PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": event})


def verified(emu, delivery):
    c = emu.state.config.credentials
    assert signing.verify_tiktok_webhook(app_key=c.tiktok_app_key, app_secret=c.tiktok_app_secret,
                                         body=delivery["body"], authorization=delivery["headers"]["authorization"])
    return json.loads(delivery["body"])


def test_inbound_order_receipts_and_notification_21(emu, tt, receiver):
    register(tt, receiver, "INBOUND_FBT_ORDER_STATUS_CHANGE")
    tiktok = emu.state.tiktok

    def tee_stock():
        rows = tt.ok("POST", "/fbt/202408/inventory/search", body={})["inventory"]
        return next(e for e in rows if e["goods"]["reference_code"] == "TEE-BLK-S")

    seeded = tee_stock()["in_transit_quantity"]  # the seeded inbound order
    ibr = tiktok.create_inbound_order({"TEE-BLK-S": 10, "TEE-BLK-M": 5})
    tee_before = tee_stock()
    assert tee_before["in_transit_quantity"] == seeded + 10

    tiktok.receive_inbound(ibr, {"TEE-BLK-S": 8}, defective={"TEE-BLK-S": 1})
    payload = verified(emu, receiver.wait_for(1)[0])
    assert payload["type"] == 21 and payload["seller_open_id"] and "shop_id" not in payload
    assert payload["data"] == {"inbound_order_id": ibr, "order_status": "PARTIALLY_RECEIVED",
                               "update_time": payload["data"]["update_time"]}

    order = tt.ok("GET", "/fbt/202409/inbound_orders", params={"ids": ibr})["inbound_orders"][0]
    assert order["status"] == "PARTIALLY_RECEIVED"
    assert {(p["reference_code"], p["quantity"]) for p in order["planned_goods"]} == {("TEE-BLK-S", 10),
                                                                                      ("TEE-BLK-M", 5)}
    batch = order["received_batches"][0]
    assert (batch["normal_quantity"], batch["defective_quantity"], batch["total_quantity"]) == (8, 1, 9)
    tee = tee_stock()
    assert tee["on_hand_detail"]["total"] == tee_before["on_hand_detail"]["total"] + 9
    assert tee["on_hand_detail"]["available"] == tee_before["on_hand_detail"]["available"] + 8
    assert tee["in_transit_quantity"] == seeded + 1

    tiktok.receive_inbound(ibr, {"TEE-BLK-S": 1, "TEE-BLK-M": 5})
    assert verified(emu, receiver.wait_for(2)[1])["data"]["order_status"] == "RECEIVED"


def test_inventory_status_notification_27(emu, tt, receiver):
    register(tt, receiver, "INVENTORY_STATUS_CHANGE")
    emu.state.tiktok.inventory_alert("TEE-BLK-L", alert_type="PREDICTION", lead_days=9)
    payload = verified(emu, receiver.wait_for(1)[0])
    ids = emu.state.catalogue.ids("TEE-BLK-L")["tiktok"]
    assert payload["type"] == 27 and payload["shop_id"] == emu.state.config.credentials.tiktok_shop_id
    assert payload["data"]["sku_id"] == ids["sku_id"]
    assert payload["data"]["trigger_reason"] == {"alert_type": "PREDICTION", "lead_days": 9}
    # Not registered: nothing is sent, but the notification can be built and posted by hand.
    headers, body = emu.state.tiktok.build_inventory_alert("TEE-BLK-L", status="OUT_OF_STOCK", available=0)
    assert json.loads(body)["data"]["current_inventory_status"] == "OUT_OF_STOCK" and headers["Authorization"]


def test_package_updates_on_ship_and_collection(emu, tt, receiver):
    register(tt, receiver, "PACKAGE_UPDATE")
    order_id = emu.state.generate_orders("tiktok", 1, shipping_type="TIKTOK")[0]
    pid = tt.ok("POST", "/fulfillment/202309/packages", body={"order_id": order_id})["package_id"]
    slot = tt.ok("GET", f"/fulfillment/202309/packages/{pid}/handover_time_slots")["pickup_slots"][0]
    slot = {k: slot[k] for k in ("start_time", "end_time")}
    tt.ok("POST", f"/fulfillment/202309/packages/{pid}/ship", body={"handover_method": "PICKUP", "pickup_slot": slot})
    scheduled = verified(emu, receiver.wait_for(1)[0])
    assert scheduled["type"] == 4 and scheduled["data"]["package_list"] == [{"package_id": pid,
                                                                            "order_id_list": [order_id]}]
    detail = tt.ok("GET", f"/fulfillment/202309/packages/{pid}")
    assert (detail["package_status"], detail["handover_method"], detail["pickup_slot"]) == ("PROCESSING", "PICKUP",
                                                                                          slot)
    emu.state.tiktok.collect_package(pid)
    verified(emu, receiver.wait_for(2)[1])
    assert tt.ok("GET", f"/fulfillment/202309/packages/{pid}")["package_status"] == "FULFILLING"
    assert tt.ok("GET", "/order/202309/orders", params={"ids": order_id})["orders"][0]["status"] == "IN_TRANSIT"
