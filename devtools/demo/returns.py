"""Demo TikTok returns (docs/after-sales/returns.md): the returns of the seeded world
(``devtools/emulators/return_story.py``: one waiting for a decision with a day left, a refund-only
request due two hours after loading, a parcel the buyer has shipped back for the warehouse to scan,
one TikTok approved itself after the deadline), stored as a returns pull would store them, with the
same return ids and records the emulator holds. So the list shows live countdowns, a decision taken
in SellerHub reaches the emulated TikTok shop, the warehouse can receive the shipped parcel by its
tracking number, and a deadline passing while ``make run`` is up turns into an auto-approval on the
next pull. The emulator's buyers also open new returns on delivered orders now and then.

Runs after the orders and channels loaders; safe to run again (a return is unique per account and
channel id; storing the same data again changes nothing)."""

from __future__ import annotations

from pathlib import Path

from devtools.demo import world
from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState
from integrations.tiktok.returns import parse_records, parse_return
from orders.models import Order
from orders.services import record_channel_return

SEED_FILE = Path(__file__).with_name("catalogue.json")


def world_returns(anchor: float) -> list[tuple]:
    """[(ChannelReturn, records)] of the seeded world at ``anchor``, as TikTok answers them."""
    state = EmulatorState(EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, world_anchor=anchor))
    desk = state.tiktok.returns_desk
    return [(parse_return(raw), parse_records({"records": desk.records[return_id]}))
            for return_id, raw in desk.returns.items()]


def load(*, users):
    anchor = world.current_anchor()
    if anchor is None:
        return
    for channel_return, records in world_returns(anchor):
        order = Order.objects.filter(account__channel="tiktok", external_id=channel_return.order_external_id
                                     ).select_related("account").first()
        if order is not None:
            record_channel_return(account=order.account, channel_return=channel_return, records=records,
                                  actor="demo")
