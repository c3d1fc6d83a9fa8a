"""The page's bulk inserts (``orders.services.bulk_rows``) write what Django's own insert writes:
every column read back the same, primary keys set in order, a conflicting order left out."""

import datetime as dt
from decimal import Decimal

from orders.mapping import map_order
from orders.models import Order, OrderEvent, OrderLine
from orders.samples import tiktok_payload
from orders.services.bulk_rows import create_rows, insert_rows, update_text
from orders.services.channel_updates import new_order


def _columns(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields
            if not f.primary_key and f.attname not in ("recorded_at", "updated_at", "last_synced_at")}


def test_rows_written_in_bulk_read_back_as_django_writes_them(tiktok_account, now):
    incoming = map_order("tiktok", tiktok_payload(order_id="577000000000000001", created=now, paid=now,
                                                  lines=(("MUG-RED", 2, "9.50"),),
                                                  rts_sla=now + dt.timedelta(days=2)))
    mine, django = new_order(tiktok_account, incoming), new_order(tiktok_account, incoming)
    django.external_id = "577000000000000002"
    django.save()
    assert insert_rows(Order, [mine], returning=("external_id", "id"), ignore_conflicts=True)[0][0] == mine.external_id
    stored = Order.objects.get(external_id=mine.external_id)
    assert stored.raw == incoming.raw and stored.recorded_at and stored.updated_at
    assert {**_columns(stored), "external_id": ""} == {**_columns(Order.objects.get(pk=django.pk)), "external_id": ""}
    # the same order again: left out, nothing returned
    assert insert_rows(Order, [new_order(tiktok_account, incoming)], returning=("external_id", "id"),
                       ignore_conflicts=True) == []

    lines = [OrderLine(order=stored, external_id=f"L{n}", channel_sku="MUG-RED", quantity=n + 1,
                       unit_price=Decimal("9.50"), channel_components=[{"sku": "A", "qty": 2}]) for n in range(3)]
    events = [OrderEvent(order=stored, kind="created", message="Received", data={"n": n, "at": None})
              for n in range(2)]
    create_rows(OrderLine, lines)
    create_rows(OrderEvent, events)
    assert [ln.pk for ln in lines] == sorted(ln.pk for ln in lines) and all(ln.pk for ln in lines)
    read = {ln.external_id: ln for ln in OrderLine.objects.filter(order=stored)}
    assert [(read[ln.external_id].pk, read[ln.external_id].quantity, read[ln.external_id].unit_price,
             read[ln.external_id].channel_components) for ln in lines] == \
        [(ln.pk, ln.quantity, Decimal("9.50"), [{"sku": "A", "qty": 2}]) for ln in lines]
    assert [(e.pk, e.data) for e in OrderEvent.objects.filter(order=stored).order_by("pk")] == \
        [(e.pk, e.data) for e in events]
    assert all(e.created_at for e in OrderEvent.objects.filter(order=stored))


def test_update_text_gives_each_row_its_text_and_all_the_same_values(tiktok_account, now):
    orders = []
    for n in range(3):
        incoming = map_order("tiktok", tiktok_payload(order_id=f"57710000000000000{n}", created=now, paid=now))
        order = new_order(tiktok_account, incoming)
        order.save()
        orders.append(order)
    later = now + dt.timedelta(minutes=5)
    written = update_text(Order, "attention_detail", {orders[0].pk: "Not enough stock. A: 2 ordered, 0 available",
                                                      orders[1].pk: "it's “quoted”; 100% – ok"},
                          attention_reason="short_stock", updated_at=later)
    assert written == 2
    got = {o.pk: (o.attention_detail, o.attention_reason, o.updated_at) for o in Order.objects.all()}
    assert got[orders[0].pk] == ("Not enough stock. A: 2 ordered, 0 available", "short_stock", later)
    assert got[orders[1].pk] == ("it's “quoted”; 100% – ok", "short_stock", later)
    assert got[orders[2].pk][:2] == (orders[2].attention_detail, orders[2].attention_reason)  # not in the update
    assert update_text(Order, "attention_detail", {}) == 0

