"""The one idempotent upsert: a channel payload becomes an Order; the same payload again changes
nothing; an older payload never overwrites newer data; the channel moves orders forward only."""

import datetime as dt
import threading

import pytest
from django.db import connection

from fulfilment.models import Package
from inventory.models import ChannelListing, Reservation, StockMovement
from orders import services
from orders.mapping import map_order
from orders.models import AttentionReason, Order, OrderEvent, OrderLine, OrderStatus
from orders.samples import tiktok_payload
from tests.orders.conftest import level

S = OrderStatus


def snapshot(order):
    order.refresh_from_db()
    return (order.updated_at, order.status, OrderEvent.objects.filter(order=order).count(),
            list(OrderLine.objects.filter(order=order).values_list("pk", "sku_id", "quantity")),
            StockMovement.objects.count(), Package.objects.filter(order=order).count())


def test_a_new_order_is_created_matched_and_confirmed(tiktok, stocked):
    sku = stocked("TEE-BLK-M", 5)
    result = tiktok(lines=(("TEE-BLK-M", 2, "24.00"),))
    order = result.order
    assert result.outcome == "created"
    assert order.status == S.CONFIRMED and order.channel_status == "AWAITING_SHIPMENT"
    assert [line.sku_id for line in order.lines.all()] == [sku.pk, sku.pk]
    assert level(sku) == (5, 2)
    kinds = list(order.events.values_list("kind", "to_status"))
    assert kinds == [("created", S.AWAITING_CONFIRMATION), ("status", S.CONFIRMED)]
    assert order.last_synced_at is not None and order.raw["id"] == order.external_id


def test_the_same_payload_twice_changes_nothing(tiktok, stocked):
    stocked("TEE-BLK-M", 5)
    first = tiktok(lines=(("TEE-BLK-M", 1, "24.00"),), package=None)
    before = snapshot(first.order)
    again = tiktok(lines=(("TEE-BLK-M", 1, "24.00"),), package=None)
    assert again.outcome == "unchanged" and again.order.pk == first.order.pk
    assert snapshot(first.order) == before


def test_an_older_payload_never_moves_the_status_back(tiktok, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    old = dict(lines=(("TEE-BLK-M", 1, "24.00"),), updated=now - dt.timedelta(minutes=30))
    tiktok(status="AWAITING_SHIPMENT", **old)
    shipped = tiktok(status="AWAITING_COLLECTION", lines=old["lines"], package=("USPS", "9400111206206406260787"),
                     rts=now - dt.timedelta(minutes=5), updated=now - dt.timedelta(minutes=5))
    assert shipped.outcome == "updated" and shipped.order.status == S.SHIPPED
    assert level(sku) == (4, 0), "shipping consumed the reservation"
    before = snapshot(shipped.order)

    stale = tiktok(status="AWAITING_SHIPMENT", **old)
    assert stale.outcome == "stale" and "older than what is stored" in stale.notes[0]
    assert snapshot(shipped.order) == before
    assert shipped.order.status == S.SHIPPED


def test_packages_become_fulfilment_packages_with_judged_tracking(tiktok, stocked, now):
    stocked("TEE-BLK-M", 5)
    result = tiktok(status="AWAITING_COLLECTION", package=("USPS", "9400111206206406260787"),
                    rts=now - dt.timedelta(hours=1))
    package = Package.objects.get(order=result.order)
    assert (package.carrier, package.carrier_name, package.tracking_format_valid) == ("usps", "USPS", True)
    assert package.tracking_uploaded_at == now - dt.timedelta(hours=1)
    assert package.status == Package.Status.SHIPPED
    assert list(package.lines.values_list("order_line__external_id", flat=True)) == list(
        result.order.lines.values_list("external_id", flat=True))
    assert result.order.tracking_uploaded_at == now - dt.timedelta(hours=1)

    bad = tiktok("576000000000000002", status="AWAITING_COLLECTION", package=("USPS", "9400111206206406260780"),
                 rts=now)
    assert Package.objects.get(order=bad.order).tracking_format_valid is False


def test_a_package_shipped_here_is_adopted_not_duplicated(tiktok, stocked, now):
    stocked("TEE-BLK-M", 5)
    order = tiktok().order
    Package.objects.create(order=order, tracking_number="9400 1112 0620 6406 2607 87", carrier="usps",
                           status=Package.Status.SHIPPED)
    tiktok(status="AWAITING_COLLECTION", package=("USPS", "9400111206206406260787"), rts=now, updated=now)
    (package,) = Package.objects.filter(order=order)
    assert package.external_id.startswith("1153")


def test_a_channel_cancellation_releases_the_reservation(tiktok, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    order = tiktok(updated=now - dt.timedelta(minutes=10)).order
    assert level(sku) == (5, 1)
    result = tiktok(status="CANCELLED", cancelled=now, cancel_initiator="BUYER", cancel_reason="Changed my mind",
                    updated=now)
    order.refresh_from_db()
    assert result.outcome == "updated" and order.status == S.CANCELLED
    assert (order.cancel_initiator, order.cancel_reason, order.cancelled_at) == ("BUYER", "Changed my mind", now)
    assert level(sku) == (5, 0)
    assert not Reservation.objects.filter(reference=order.reservation_reference, state="active").exists()


def test_the_channel_never_undoes_local_progress(tiktok, stocked, now):
    stocked("TEE-BLK-M", 5)
    order = tiktok(updated=now - dt.timedelta(minutes=10)).order
    services.send_to_picking(order=order)
    raw = tiktok(updated=now, address=3)  # still AWAITING_SHIPMENT on TikTok, newer (the address changed)
    order.refresh_from_db()
    assert raw.outcome == "updated" and order.status == S.PICKING and order.ship_city == "Boston"


def test_a_sellers_hold_is_not_released_by_the_channel(tiktok, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    order = tiktok(updated=now - dt.timedelta(minutes=10)).order
    services.hold_order(order=order, reason="Buyer wants another size")
    assert level(sku) == (5, 0)
    tiktok(updated=now - dt.timedelta(minutes=5), address=2)
    order.refresh_from_db()
    assert order.status == S.ON_HOLD
    assert order.events.filter(kind="sync_note", message__contains="on hold in SellerHub").exists()
    tiktok(status="CANCELLED", cancelled=now, updated=now)
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_a_local_address_fix_survives_a_sync_that_did_not_change_it(tiktok, stocked, now):
    stocked("TEE-BLK-M", 5)
    order = tiktok(updated=now - dt.timedelta(minutes=10)).order
    services.update_address(order=order, values={"ship_street2": "Apt 4B", "ship_city": "SF"})
    tiktok(status="AWAITING_SHIPMENT", updated=now, sample=True)  # something else changed
    order.refresh_from_db()
    assert (order.ship_street2, order.ship_city, order.is_sample) == ("Apt 4B", "SF", True)
    tiktok(status="AWAITING_SHIPMENT", updated=now + dt.timedelta(minutes=1), sample=True, address=1)
    order.refresh_from_db()
    assert order.ship_city == "Brooklyn", "the channel changed the address: its version wins"


def test_an_unknown_seller_sku_becomes_an_unmatched_line(tiktok):
    order = tiktok(lines=(("GLOW-SERUM-30", 1, "19.00"),)).order
    assert order.status == S.AWAITING_CONFIRMATION
    assert order.attention_reason == AttentionReason.UNMATCHED_SKU and "GLOW-SERUM-30" in order.attention_detail
    assert order.lines.get().sku is None


def test_a_mapped_listing_matches_later_orders_by_channel_ids(tiktok, tiktok_account, stocked):
    sku = stocked("SERUM-30ML", 4)
    order = tiktok(lines=(("GLOW-SERUM-30", 1, "19.00"),)).order
    result = services.map_channel_sku(account=tiktok_account, sku=sku, channel_sku="GLOW-SERUM-30")
    listing = ChannelListing.objects.get(account=tiktok_account)
    assert listing.sku == sku and listing.channel_sku == "GLOW-SERUM-30" and listing.external_variant_id
    order.refresh_from_db()
    assert result.lines == 1 and order.status == S.CONFIRMED and order.attention_reason == ""
    later = tiktok("576000000000000077", lines=(("GLOW-SERUM-30", 2, "19.00"),)).order
    assert later.status == S.CONFIRMED and set(later.lines.values_list("sku_id", flat=True)) == {sku.pk}


def test_on_hold_then_released_by_tiktok(tiktok, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    order = tiktok(status="ON_HOLD", hold=True, updated=now - dt.timedelta(minutes=30)).order
    assert order.status == S.ON_HOLD and order.attention_reason == AttentionReason.ON_HOLD
    assert "buyer may still cancel" in order.attention_detail
    with pytest.raises(services.OrderError, match="releases them itself"):
        services.release_hold(order=order)
    tiktok(status="AWAITING_SHIPMENT", updated=now)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and order.attention_reason == "" and level(sku) == (5, 1)


def test_auto_confirm_off_flags_short_stock_without_reserving(tiktok, stocked, settings):
    settings.AUTO_CONFIRM_ORDERS = False
    sku = stocked("TEE-BLK-M", 1)
    order = tiktok(lines=(("TEE-BLK-M", 2, "24.00"),)).order
    assert order.status == S.AWAITING_CONFIRMATION
    assert order.attention_reason == AttentionReason.SHORT_STOCK and "2 ordered, 1 available" in order.attention_detail
    assert level(sku) == (1, 0)
    stocked("OTHER", 3)
    fine = tiktok("576000000000000005", lines=(("OTHER", 1, "5.00"),)).order
    assert fine.status == S.AWAITING_CONFIRMATION and fine.attention_reason == ""


def test_fbt_orders_reserve_no_own_stock(tiktok, stocked):
    sku = stocked("TEE-BLK-M", 5)
    order = tiktok(fbt=True).order
    assert order.status == S.CONFIRMED and level(sku) == (5, 0)
    assert "fulfilled by TikTok" in order.events.get(kind="status").message


def test_a_cancellation_of_a_shipped_order_is_not_applied(tiktok, stocked, now):
    stocked("TEE-BLK-M", 5)
    order = tiktok(status="AWAITING_COLLECTION", package=("USPS", "9400111206206406260787"), rts=now,
                   updated=now - dt.timedelta(minutes=5)).order
    result = tiktok(status="CANCELLED", cancelled=now, updated=now)
    order.refresh_from_db()
    assert order.status == S.SHIPPED and "not applied" in result.notes[0]
    assert order.events.filter(kind="sync_note").count() == 1


def test_a_partially_cancelled_line_is_not_reserved(tiktok_account, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    raw = tiktok_payload(order_id="576000000000000099", lines=(("TEE-BLK-M", 3, "24.00"),), created=now, paid=now)
    raw["line_items"][2]["display_status"] = "CANCELLED"
    order = services.upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw)).order
    assert order.status == S.CONFIRMED and level(sku) == (5, 2)
    assert order.lines.filter(cancelled=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_upserting_the_same_new_order_make_one(on_postgres, tiktok_account, stocked, now):
    stocked("TEE-BLK-M", 10)
    raw = tiktok_payload(order_id="576000000000000123", created=now, paid=now)
    outcomes, errors = [], []
    barrier = threading.Barrier(4)

    def work():
        try:
            barrier.wait()
            outcomes.append(services.upsert_order(account=tiktok_account, incoming=map_order("tiktok", raw)).outcome)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(outcomes) == ["created", "unchanged", "unchanged", "unchanged"]
    order = Order.objects.get(external_id="576000000000000123")
    assert order.events.filter(kind="created").count() == 1
    assert Reservation.objects.filter(reference=order.reservation_reference).count() == 1


def test_a_line_cancelled_after_confirmation_frees_its_stock(tiktok, stocked, now):
    sku = stocked("TEE-BLK-M", 5)
    lines = (("TEE-BLK-M", 3, "24.00"),)
    order = tiktok(lines=lines, updated=now - dt.timedelta(minutes=10)).order
    assert order.status == S.CONFIRMED and level(sku) == (5, 3)
    raw = tiktok_payload(order_id=order.external_id, lines=lines, created=order.created_at, paid=order.paid_at,
                         rts_sla=order.dispatch_due_at, updated=now)
    raw["line_items"][0].update(display_status="CANCELLED", package_status="CANCELLED")
    result = services.upsert_order(account=order.account, incoming=map_order("tiktok", raw))
    assert result.outcome == "updated" and level(sku) == (5, 2)
    assert result.notes == ["a line was cancelled on the channel: its 1 reserved unit(s) are free again"]
    order.refresh_from_db()
    assert order.status == S.CONFIRMED
