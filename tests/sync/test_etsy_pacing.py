"""Etsy's per-second quota, over real HTTP against the emulator: when an answer says the second's
calls are used up (``x-remaining-this-second: 0``), the *next* call on that API key waits, from
this connector or a later job's. The answer in hand is used at once, so a stock push whose last
call used the quota up ends without waiting (it used to sleep a second before returning)."""

from __future__ import annotations

import time

import pytest

from channels.token_refresh import open_connector
from integrations.channels.connectors import StockPush, pacing
from integrations.channels.connectors.etsy import inventory_request

LIMIT_PER_SECOND = 10  # the emulator's, as Etsy's default


@pytest.fixture
def etsy(listed, emulator):
    account = listed["etsy"]
    listing_id = str(emulator.state.catalogue.ids(emulator.state.catalogue.items[0].sku)["etsy"]["listing_id"])
    return account, listing_id


def recording(connector):
    slept = []
    connector.sleep = slept.append
    return slept


def test_the_call_after_the_quota_is_used_up_waits_not_the_one_that_used_it(etsy):
    account, listing_id = etsy
    connector = open_connector(account)
    slept = recording(connector)
    answers = [connector.call(inventory_request(listing_id)) for _ in range(LIMIT_PER_SECOND)]
    assert answers[-1].headers["x-remaining-this-second"] == "0"
    assert slept == []  # the tenth answer came back without a wait

    connector.call(inventory_request(listing_id))
    assert len(slept) == 1 and 0.5 < slept[0] <= 1.05  # the eleventh waited until the first was a second old

    later_job = open_connector(account)  # the next job in this worker keeps the same quota
    later_slept = recording(later_job)
    later_job.call(inventory_request(listing_id))
    assert len(later_slept) == 1 and 0.5 < later_slept[0] <= 1.05


def test_a_push_whose_last_call_uses_the_quota_up_returns_without_waiting(etsy, emulator):
    account, listing_id = etsy
    connector = open_connector(account)
    slept = recording(connector)
    for _ in range(LIMIT_PER_SECOND - 2):
        connector.call(inventory_request(listing_id))
    listing = account.listings.filter(external_product_id=listing_id).order_by("pk").first()
    outcomes = connector.push_stock([StockPush(listing_id=listing.pk, product_id=listing.external_product_id,
                                               variant_id=listing.external_variant_id,
                                               channel_sku=listing.channel_sku, quantity=7)])
    assert [o.ok for o in outcomes] == [True]
    assert slept == []
    assert emulator.state.services["etsy"].stock(listing.channel_sku) == 7


def test_the_wait_ends_when_this_workers_oldest_call_of_the_second_is_a_second_old(etsy):
    account, listing_id = etsy
    connector = open_connector(account)
    slept = recording(connector)
    first = time.monotonic()
    connector.call(inventory_request(listing_id))
    time.sleep(0.6)
    for _ in range(LIMIT_PER_SECOND - 1):  # the tenth call of the second, 0.6 s after the first
        connector.call(inventory_request(listing_id))
    connector.call(inventory_request(listing_id))
    assert len(slept) == 1
    # not a whole second: until the first call has left the window (the emulator counts a sliding second)
    assert 0.2 < slept[0] < 0.5
    assert abs(time.monotonic() + slept[0] - (first + 1.05)) < 0.1


def test_when_other_workers_used_the_second_it_waits_about_a_whole_second(etsy, emulator):
    account, listing_id = etsy
    others = open_connector(account)
    for _ in range(LIMIT_PER_SECOND):  # another worker's calls
        others.call(inventory_request(listing_id))
    pacing.forget()  # this worker knows nothing of them ...
    connector = open_connector(account)
    slept = recording(connector)
    connector.call(inventory_request(listing_id))  # ... until the channel says the second is used up
    connector.call(inventory_request(listing_id))
    assert len(slept) == 1 and 0.9 < slept[0] <= 1.05  # its only call of the second was the last


def test_a_connector_that_leaves_calls_waits_for_them_and_the_others_do_not(etsy):
    account, listing_id = etsy
    pull = open_connector(account)
    pull.quota_reserve = 2
    pulled = recording(pull)
    for _ in range(LIMIT_PER_SECOND - 2):  # Etsy answers the eighth with 2 left this second
        pull.call(inventory_request(listing_id))
    assert pulled == []
    push = open_connector(account)  # a stock push in the same worker takes the two left at once
    pushed = recording(push)
    push.call(inventory_request(listing_id))
    push.call(inventory_request(listing_id))
    assert pushed == []
    pull.call(inventory_request(listing_id))  # the pull waits until its first call is a second old
    assert len(pulled) == 1 and 0.5 < pulled[0] <= 1.05


def most_calls_in_a_second(times):
    return max(sum(1 for t in times if start <= t < start + 1) for start in times)


def test_an_order_pull_leaves_two_calls_a_second_to_the_stock_pushes(listed, emulator, settings):
    from channels import pulls
    from orders.models import Order

    settings.CHANNEL_SYNC_PULL_SLICE_SECONDS = 600  # one pull reads every page, however busy the machine
    account = listed["etsy"]
    emulator.state.generate_orders("etsy", 1000)  # ten pages of receipts: ten calls in a few seconds
    etsy_service = emulator.state.services["etsy"]
    etsy_service._calls.clear()
    pulls.pull_orders(account)  # as Sync now: it sleeps through the waits
    assert Order.objects.filter(account=account).count() == 1000
    assert len(etsy_service._calls) >= 10
    assert most_calls_in_a_second(list(etsy_service._calls)) <= LIMIT_PER_SECOND - 2

    settings.CHANNEL_SYNC_PULL_LEAVES_CALLS = 9  # all but one: the pull makes one call a second
    emulator.state.generate_orders("etsy", 300)
    etsy_service._calls.clear()
    pulls.pull_orders(account)
    assert Order.objects.filter(account=account).count() == 1300
    assert len(etsy_service._calls) >= 3
    assert most_calls_in_a_second(list(etsy_service._calls)) == 1
