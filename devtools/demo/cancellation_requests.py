"""Demo buyer cancellation requests (docs/after-sales/cancellation-requests.md): the requests of the
seeded world (``devtools/emulators/cancellation_story.py``: two buyers asked TikTok to cancel
unshipped orders; one answer is due 90 minutes after the demo was loaded, one the next day) stored
as a cancellations pull would store them, with the same cancel ids the emulator holds. So the queue
shows them with live countdowns, approving or rejecting one reaches the emulated TikTok shop, and
once a deadline passes the emulator approves the request itself and the next pull shows it
auto-approved. While ``make run`` is up the emulator's buyers open more requests now and then
(``--cancellation-requests-per-hour``, a few at a time at most).

Runs after the orders and channels loaders; safe to run again (requests are unique per account and
channel id, and storing the same data again changes nothing)."""

from __future__ import annotations

from pathlib import Path

from channels.cancellation_requests import to_channel_cancellation
from devtools.demo import world
from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState
from integrations.tiktok.cancellations import parse_cancellation
from orders.models import Order
from orders.services.cancellation_requests import record_from_channel

SEED_FILE = Path(__file__).with_name("catalogue.json")


def world_cancellations(anchor: float) -> list:
    """The seeded world's cancellations at ``anchor``, as TikTok's search returns them."""
    state = EmulatorState(EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, world_anchor=anchor))
    found = [parse_cancellation(raw) for raw in state.tiktok.cancellation_desk.cancellations.values()]
    return [c for c in found if c is not None]


def load(*, users):
    anchor = world.current_anchor()
    if anchor is None:
        return
    for item in world_cancellations(anchor):
        order = Order.objects.filter(account__channel="tiktok", external_id=item.order_id).select_related(
            "account").first()
        if order is not None:
            record_from_channel(account=order.account, data=to_channel_cancellation(item))
