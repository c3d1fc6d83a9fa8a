"""Demo refunds and cancellation reasons: the refunds of the seeded world (a partial refund on a
delivered WooCommerce order, a goodwill refund on a delivered Square order; see
``devtools/emulators/refund_story.py``) stored as a refunds pull would store them, with the same
ids the emulator holds, so a pull after ``make run`` finds them already there and a new refund
from the WooCommerce order page is checked against what is left. The demo's cancelled orders get
their reason code where their words tell (as the migration does for existing data).

Runs after the orders, metrics and channels loaders; safe to run again (refunds are unique per
account and channel id)."""

from __future__ import annotations

from pathlib import Path

from devtools.demo import world
from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState
from integrations.channels.connectors.refunds import square_refund, woo_refund
from orders.cancel_reasons import classify
from orders.models import Order, OrderStatus
from orders.services.refunds import record_refunds
from sellerhub.models import ChannelAccount

SEED_FILE = Path(__file__).with_name("catalogue.json")


def _world_refunds(anchor: float) -> dict[str, list]:
    state = EmulatorState(EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, world_anchor=anchor))
    return {
        "woocommerce": [woo_refund(str(order_id), refund) for order_id, rows in state.woocommerce.refunds.items()
                        for refund in rows],
        "square": [square_refund(refund) for refund in state.square.refunds.values()],
    }


def _reason_codes() -> int:
    done = 0
    for order in Order.objects.filter(status=OrderStatus.CANCELLED, cancel_reason_code="").only(
            "pk", "cancel_initiator", "cancel_reason"):
        code = classify(order.cancel_initiator, order.cancel_reason)
        if code:
            done += Order.objects.filter(pk=order.pk).update(cancel_reason_code=code)
    return done


def load(*, users):
    _reason_codes()
    anchor = world.current_anchor()
    if anchor is None:
        return
    for channel, refunds in _world_refunds(anchor).items():
        account = ChannelAccount.objects.filter(channel=channel).order_by("pk").first()
        if account is not None and refunds:
            record_refunds(account=account, refunds=refunds)
