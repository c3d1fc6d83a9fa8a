"""The demo's cancellation requests come from the seeded world: the emulator process and the demo
loader build the same pending requests (same cancel ids, same orders), with deadlines still ahead
when the demo was just loaded, so the queue shows live countdowns and decisions reach the
emulator."""

import time
from pathlib import Path

from devtools.demo.cancellation_requests import world_cancellations
from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState

SEED_FILE = Path("devtools/demo/catalogue.json")


def test_the_demo_and_the_emulator_hold_the_same_pending_requests():
    anchor = float(int(time.time()))
    loaded = world_cancellations(anchor)
    assert len(loaded) == 2 and {c.status for c in loaded} == {"CANCELLATION_REQUEST_PENDING"}
    assert all(c.respond_by.timestamp() > time.time() for c in loaded)
    emulator = EmulatorState(EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, world_anchor=anchor))
    held = emulator.tiktok.cancellation_desk.cancellations
    assert {(c.cancel_id, c.order_id) for c in loaded} == {(c["cancel_id"], c["order_id"]) for c in held.values()}
    assert all(emulator.tiktok.orders[c.order_id]["status"] == "AWAITING_SHIPMENT" for c in loaded)
