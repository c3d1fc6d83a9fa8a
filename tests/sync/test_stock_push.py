"""Stock pushes over real HTTP against the four emulated channels (acceptance 2 and 3): a stock
change reaches every channel, many changes make one push of the latest quantity, the outbox is
marked pushed only for what a channel accepted, and the last unit sold twice at once ends with
one confirmed order, one that needs attention and 0 everywhere."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from rq import SimpleWorker

from channels import coordination, jobs
from channels.models import SyncRun
from inventory import services as stock
from inventory.models import ChannelListing, Location, StockOutbox
from orders.models import AttentionReason, Order, OrderStatus

CHANNELS = ("tiktok", "woocommerce", "etsy", "square")


def channel_quantity(emu, channel: str, sku: str):
    state = emu.state
    if channel == "tiktok":
        ids = state.catalogue.ids(sku)["tiktok"]
        entry = state.tiktok.skus[ids["sku_id"]]["sku"]
        return sum(i["quantity"] for i in entry["inventory"])
    if channel == "woocommerce":
        ids = state.catalogue.ids(sku)["woocommerce"]
        if ids["variation_id"]:
            return state.woocommerce.variations[ids["product_id"]][ids["variation_id"]]["stock_quantity"]
        return state.woocommerce.products[ids["product_id"]]["stock_quantity"]
    if channel == "etsy":
        return state.etsy.stock(sku)
    return int(state.square.stock(sku))


def everywhere(emu, sku):
    return {channel: channel_quantity(emu, channel, sku) for channel in CHANNELS}


def run_sync_jobs():
    """Run what is queued on the push and sync queues, in this process (the test's database transaction)."""
    queue_connection = coordination.connection()
    import django_rq

    SimpleWorker([django_rq.get_queue("push"), django_rq.get_queue("sync")], connection=queue_connection).work(
        burst=True)


def push_all(accounts):
    for account in accounts.values():
        result = jobs.push_stock(account)
        assert not result.get("failed"), result


@pytest.mark.django_db
def test_a_stock_change_reaches_all_four_channels_in_one_push_each(listed, skus, emulator,
                                                                   django_capture_on_commit_callbacks):
    push_all(listed)  # the initial push after the listings were imported
    assert everywhere(emulator, "MUG-RED") == dict.fromkeys(CHANNELS, 100)
    main = Location.objects.get(code="MAIN")
    before = {c: len(emulator.state.received(c)) for c in CHANNELS}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):  # ten changes in a row ...
            stock.adjust(sku=skus["MUG-RED"], location=main, quantity=-3, reason="adjustment", note="breakage")
    queued = __import__("django_rq").get_queue("push")
    assert queued.count == 4, "one push job per account, however many changes"
    run_sync_jobs()
    assert everywhere(emulator, "MUG-RED") == dict.fromkeys(CHANNELS, 70)
    for channel in CHANNELS:  # ... make one push of the latest quantity per channel
        pushed = [r for r in emulator.state.received(channel)[before[channel]:]
                  if "MUG-RED" in (r.get("sku"), r.get("seller_sku"))]
        assert [r.get("quantity", r.get("stock_quantity")) for r in pushed] in ([70], ["70"]), (channel, pushed)
    assert not StockOutbox.objects.filter(pushed_at__isnull=True).exists()
    pushed_quantities = ChannelListing.objects.filter(sku=skus["MUG-RED"]).values_list("last_pushed_quantity",
                                                                                       flat=True)
    assert set(pushed_quantities) == {70}


@pytest.mark.django_db
def test_outbox_rows_stay_until_the_channel_accepts_them(listed, skus, emulator):
    push_all(listed)
    main = Location.objects.get(code="MAIN")
    stock.adjust(sku=skus["CAP-BLK"], location=main, quantity=-10, reason="adjustment")
    stock.adjust(sku=skus["MUG-BLU"], location=main, quantity=-5, reason="adjustment")
    # TikTok is down for good: its rows stay unpushed with the error, and retrying can help.
    emulator.state.faults.update(server_error=1.0, services=["tiktok"])
    result = jobs.push_stock(listed["tiktok"])
    waiting = StockOutbox.objects.filter(listing__account=listed["tiktok"], pushed_at__isnull=True)
    assert result["failed"] == 2 and waiting.count() == 2
    assert all(row.attempts == 1 and "Internal error" in row.last_error for row in waiting)
    run = SyncRun.objects.filter(account=listed["tiktok"], kind="push_stock").first()
    assert run.status == SyncRun.Status.FAILED and run.retryable is True
    # WooCommerce fails every second item of a batch: only the accepted listings are marked.
    stock.adjust(sku=skus["TEE-BLK-S"], location=main, quantity=-1, reason="adjustment")
    stock.adjust(sku=skus["TEE-BLK-M"], location=main, quantity=-2, reason="adjustment")
    emulator.state.faults.update(server_error=0.0, services=None, partial_batch=0.5)
    result = jobs.push_stock(listed["woocommerce"])
    assert result["pushed"] == 3 and result["failed"] == 1  # the T-shirt variations' batch had two items
    left = StockOutbox.objects.filter(listing__account=listed["woocommerce"], pushed_at__isnull=True)
    assert list(left.values_list("listing__sku__seller_sku", flat=True)) == ["TEE-BLK-M"]
    # Back up: the next push (the cron sweep's) pushes what was left, once.
    emulator.state.faults.clear()
    for channel in ("tiktok", "woocommerce"):
        assert jobs.push_stock(listed[channel])["pushed"] >= 1
    assert not StockOutbox.objects.filter(listing__account__in=[listed["tiktok"], listed["woocommerce"]],
                                          pushed_at__isnull=True).exists()
    assert channel_quantity(emulator, "tiktok", "CAP-BLK") == 90
    assert channel_quantity(emulator, "woocommerce", "TEE-BLK-M") == 98
    assert jobs.push_stock(listed["tiktok"])["message"] == "Nothing to push", "pushing again is a no-op"


@pytest.mark.django_db
def test_square_pushes_are_idempotent_and_batched(listed, skus, emulator):
    push_all(listed)
    main = Location.objects.get(code="MAIN")
    stock.adjust(sku=skus["TEE-BLK-M"], location=main, quantity=-1, reason="adjustment")
    # The first answer is lost (slower than the timeout) after Square applied it: the retry sends
    # the same body and idempotency key, and Square answers the first result again.
    emulator.state.faults.update(script=["slow"], slow_seconds=2.3, services=["square"])
    assert jobs.push_stock(listed["square"])["pushed"] == 1
    deadline = time.monotonic() + 3
    while not emulator.state.received("square", "idempotent_replay") and time.monotonic() < deadline:
        time.sleep(0.05)  # the slow first call finishes after the retry's
    changes = [r for r in emulator.state.received("square", "inventory_change") if r["sku"] == "TEE-BLK-M"]
    assert len(emulator.state.received("square", "idempotent_replay")) == 1
    assert [c["quantity"] for c in changes] == ["100", "99"], "applied once"


def _sell_last_unit(listed, skus, emulator):
    main = Location.objects.get(code="MAIN")
    stock.count(sku=skus["HOODIE-GRY-L"], location=main, counted=1)
    push_all(listed)
    assert everywhere(emulator, "HOODIE-GRY-L") == dict.fromkeys(CHANNELS, 1)
    at = emulator.state.clock.now()
    emulator.state.generate_orders("tiktok", 1, skus=["HOODIE-GRY-L"], at=at)
    emulator.state.generate_orders("woocommerce", 1, skus=["HOODIE-GRY-L"], at=at)


def _check_last_unit(listed, emulator):
    orders = {o.account.channel: o for o in Order.objects.filter(lines__channel_sku="HOODIE-GRY-L")
              .select_related("account")}
    assert set(orders) == {"tiktok", "woocommerce"}
    statuses = sorted(o.status for o in orders.values())
    assert statuses == [OrderStatus.AWAITING_CONFIRMATION, OrderStatus.CONFIRMED], statuses
    waiting = next(o for o in orders.values() if o.status == OrderStatus.AWAITING_CONFIRMATION)
    assert waiting.attention_reason == AttentionReason.SHORT_STOCK
    # One sync: each account's stock push runs once.
    for account in listed.values():
        jobs.push_stock(account)
    assert everywhere(emulator, "HOODIE-GRY-L") == dict.fromkeys(CHANNELS, 0)


@pytest.mark.django_db
def test_the_last_unit_sold_on_two_channels_confirms_one_order(listed, skus, emulator):
    _sell_last_unit(listed, skus, emulator)
    for channel in ("tiktok", "woocommerce"):
        jobs.pull_orders(listed[channel])
    _check_last_unit(listed, emulator)


@pytest.mark.django_db(transaction=True)
def test_the_last_unit_sold_at_the_same_moment_on_postgres(on_postgres, listed, skus, emulator):
    """The two pulls store their orders at the same time, in two threads with their own
    database connections: the stock row lock lets exactly one reservation through."""
    _sell_last_unit(listed, skus, emulator)
    barrier = threading.Barrier(2)
    errors = []

    def pull(account):
        try:
            barrier.wait(5)
            jobs.pull_orders(account)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pull, args=(listed[c],)) for c in ("tiktok", "woocommerce")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    _check_last_unit(listed, emulator)


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_of_one_sku_on_postgres_makes_one_push_per_listing(on_postgres, listed, skus, emulator):
    """Four threads (own connections) reserve and release the same SKU 24 times, each commit asking
    for the pushes: the four push jobs stay coalesced, and each channel gets one push of the final
    quantity."""
    push_all(listed)
    mug = skus["MUG-RED"]
    before = {c: len(emulator.state.received(c)) for c in CHANNELS}
    barrier = threading.Barrier(4)
    errors = []

    def work(index):
        try:
            barrier.wait(5)
            for n in range(5):
                stock.reserve(reference=f"burst:{index}:{n}", requests=[stock.StockRequest("1", mug.pk, 2)])
            stock.release(reference=f"burst:{index}:0")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    queued = __import__("django_rq").get_queue("push")
    assert queued.count <= 4, "at most one waiting push job per account, however many commits"
    run_sync_jobs()
    final = 100 - 4 * 4 * 2  # 4 threads keep 4 of their 5 reservations of 2
    assert everywhere(emulator, "MUG-RED") == dict.fromkeys(CHANNELS, final)
    for channel in CHANNELS:
        pushed = [r for r in emulator.state.received(channel)[before[channel]:]
                  if "MUG-RED" in (r.get("sku"), r.get("seller_sku"))]
        quantities = [r.get("quantity", r.get("stock_quantity")) for r in pushed]
        assert quantities in ([final], [str(final)]), (channel, pushed)
    assert not StockOutbox.objects.filter(pushed_at__isnull=True).exists()
