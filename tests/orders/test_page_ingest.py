"""Ingest by page: a page of orders stored in one transaction ends exactly as the same orders
stored one by one (statuses, needs-attention reasons, timeline, reservations), in a number of
order statements that does not grow with the page."""

import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.models import Reservation
from inventory.services.bundles import set_components
from orders.mapping import map_order
from orders.models import Order, OrderStatus
from orders.samples import tiktok_payload
from orders.services.page_ingest import _insert_orders, store_page
from orders.services.upsert import upsert_order

S = OrderStatus


class Rollback(Exception):
    pass


def _payloads(now):
    def one(n, lines, **fields):
        return map_order("tiktok", tiktok_payload(order_id=f"5760000000000{n:05d}", lines=lines, created=now,
                                                  paid=now, rts_sla=now + dt.timedelta(days=2), **fields))

    return [
        one(1, (("MUG-RED", 2, "9.00"),)),                      # in stock: confirmed
        one(2, (("CAP-BLU", 3, "7.00"),)),                      # 2 on the shelf: short
        one(3, (("CAP-BLU", 2, "7.00"),)),                      # the 2 the order before could not take
        one(4, (("NOPE-1", 1, "5.00"),)),                       # unknown SKU: unmatched
        one(5, (("MUG-RED", 1, "9.00"),), status="UNPAID"),     # not paid: waits, nothing reserved
        one(6, (("MUG-RED", 1, "9.00"),), hold=True),           # no address yet: address problem
        one(7, (("NOPE-2", 1, "5.00"),), fbt=True),              # TikTok ships it: confirmed, nothing reserved
    ]


def _picture():
    """What a person would see of each order: status, attention, timeline, reservations."""
    out = {}
    for order in Order.objects.order_by("external_id"):
        events = [(e.kind, e.from_status, e.to_status, e.message, e.data) for e in order.events.order_by("id")]
        held = sorted(Reservation.objects.filter(reference=order.reservation_reference, state="active")
                      .values_list("sku__seller_sku", "quantity"))
        out[order.external_id] = (order.status, order.attention_reason, order.attention_detail, events, held,
                                  sorted((ln.channel_sku, ln.quantity, ln.sku_id is None) for ln in order.lines.all()))
    return out


def test_a_page_ends_as_the_same_orders_one_by_one(tiktok_account, stocked, now):
    stocked("MUG-RED", 5)
    stocked("CAP-BLU", 2)
    incoming = _payloads(now)
    try:
        with transaction.atomic():
            for inc in incoming:
                upsert_order(account=tiktok_account, incoming=inc)
            one_by_one = _picture()
            raise Rollback
    except Rollback:
        pass
    assert not Order.objects.exists()
    results = store_page(account=tiktok_account, incoming=incoming)
    assert [r.outcome for r in results] == ["created"] * 7
    assert _picture() == one_by_one
    statuses = {ext: (status, reason) for ext, (status, reason, *_rest) in one_by_one.items()}
    assert list(statuses.values()) == [
        (S.CONFIRMED, ""), (S.AWAITING_CONFIRMATION, "short_stock"), (S.CONFIRMED, ""),
        (S.AWAITING_CONFIRMATION, "unmatched_sku"), (S.AWAITING_PAYMENT, ""),
        (S.AWAITING_CONFIRMATION, "address_problem"), (S.CONFIRMED, "")]
    assert "CAP-BLU: 3 ordered, 2 available" in one_by_one["576000000000000002"][2]

    again = store_page(account=tiktok_account, incoming=incoming)  # the same page again writes nothing
    assert [r.outcome for r in again] == ["unchanged"] * 7
    assert _picture() == one_by_one


def test_a_page_costs_the_same_order_statements_whatever_its_size(tiktok_account, stocked, now):
    stocked("MUG-RED", 500)
    incoming = [map_order("tiktok", tiktok_payload(order_id=f"5761000000000{n:05d}", lines=(("MUG-RED", 1, "9"),),
                                                   created=now, paid=now, rts_sla=now + dt.timedelta(days=2)))
                for n in range(30)]
    with CaptureQueriesContext(connection) as queries:
        store_page(account=tiktok_account, incoming=incoming)
    on_orders = [q["sql"] for q in queries.captured_queries if '"orders_order' in q["sql"]]
    # lock the stored ones, insert orders, insert lines, events, one status update, their events
    assert len(on_orders) <= 7, on_orders
    assert Order.objects.filter(status=S.CONFIRMED).count() == 30


def _short_page(now, first: int, count: int):
    return [map_order("tiktok", tiktok_payload(order_id=f"5763000000000{n:05d}", lines=(("CAP-BLU", 5, "7"),),
                                               created=now, paid=now, rts_sla=now + dt.timedelta(days=2)))
            for n in range(first, first + count)]


def test_short_orders_cost_the_same_statements_however_many_a_page_holds(tiktok_account, stocked, now):
    stocked("CAP-BLU", 4)  # every order asks for 5: each one is short
    with CaptureQueriesContext(connection) as one:
        store_page(account=tiktok_account, incoming=_short_page(now, 0, 1))
    with CaptureQueriesContext(connection) as many:
        store_page(account=tiktok_account, incoming=_short_page(now, 1, 20))
    def reads(queries):  # the statements that read (SQLite splits a bulk insert into batches)
        return [q["sql"][:120] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    assert len(reads(many)) == len(reads(one)), reads(many)
    short = Order.objects.filter(attention_reason="short_stock")
    assert short.count() == 21
    assert all("CAP-BLU: 5 ordered, 4 available" in o.attention_detail for o in short)


def test_short_bundle_orders_cost_the_same_statements_however_many_a_page_holds(tiktok_account, stocked, now):
    black, white = stocked("TEE-BLK-M", 1), stocked("TEE-WHT-M", 0)  # a bundle of both: none whole
    set_components(bundle=stocked("TT-TEE2"), components=[(black, 1), (white, 1)])

    def page(first, count):
        return [map_order("tiktok", tiktok_payload(order_id=f"5764000000000{n:05d}", lines=(("TT-TEE2", 1, "20"),),
                                                   created=now, paid=now, rts_sla=now + dt.timedelta(days=2)))
                for n in range(first, first + count)]

    with CaptureQueriesContext(connection) as one:
        store_page(account=tiktok_account, incoming=page(0, 1))
    with CaptureQueriesContext(connection) as many:
        store_page(account=tiktok_account, incoming=page(1, 12))
    reads = [[q["sql"] for q in c.captured_queries if q["sql"].startswith("SELECT")] for c in (one, many)]
    assert len(reads[1]) == len(reads[0]), reads[1]
    short = Order.objects.filter(attention_reason="short_stock")
    assert short.count() == 13
    assert all("TEE-WHT-M: 1 ordered, 0 available" in o.attention_detail for o in short)


def test_an_order_another_writer_inserted_first_is_left_to_the_update(tiktok_account, now):
    incoming = map_order("tiktok", tiktok_payload(order_id="576200000000000001", created=now, paid=now))
    upsert_order(account=tiktok_account, incoming=incoming, confirm=False)
    twin = Order(account=tiktok_account, external_id=incoming.external_id, created_at=now)
    fresh = Order(account=tiktok_account, external_id="576200000000000002", created_at=now)
    assert _insert_orders([twin]) == set() and twin.pk is None
    assert _insert_orders([twin, fresh]) == {"576200000000000002"} and fresh.pk and twin.pk is None
    assert Order.objects.filter(external_id=incoming.external_id).count() == 1
