"""The reservation API the orders app builds on."""

import pytest

from inventory import services
from inventory.models import ChannelListing, Reservation, StockLevel, StockMovement, StockOutbox
from inventory.selectors import available_to_sell, listings_with_quantity
from inventory.services import InsufficientStock, StockRequest
from tests.inventory.factories import AccountFactory, BinFactory, ListingFactory, LocationFactory

pytestmark = pytest.mark.django_db


def level(sku, location):
    return StockLevel.objects.get(sku=sku, location=location)


def test_reserve_release_consume_roundtrip(stocked, main):
    tee = stocked("TEE-BLK-M", 5)
    mug = stocked("MUG-01", 2)
    res = services.reserve(reference="order:1", requests=[StockRequest("1", tee.pk, 3), StockRequest("2", mug.pk, 2)])
    assert sorted((r.line_key, r.quantity) for r in res) == [("1", 3), ("2", 2)]
    assert (level(tee, main).on_hand, level(tee, main).reserved) == (5, 3)

    # confirming again reserves nothing more
    services.reserve(reference="order:1", requests=[StockRequest("1", tee.pk, 3), StockRequest("2", mug.pk, 2)])
    assert level(tee, main).reserved == 3
    assert StockMovement.objects.filter(reason="reservation").count() == 2

    assert services.consume(reference="order:1", line_keys=["1"]) == 3
    assert services.consume(reference="order:1", line_keys=["1"]) == 0
    assert (level(tee, main).on_hand, level(tee, main).reserved) == (2, 0)
    assert services.release(reference="order:1", note="cancelled") == 2
    assert services.release(reference="order:1") == 0
    assert (level(mug, main).on_hand, level(mug, main).reserved) == (2, 0)
    assert set(Reservation.objects.values_list("line_key", "state")) == {("1", "consumed"), ("2", "released")}
    sales = StockMovement.objects.filter(reason="sale").values_list("on_hand_change", "reserved_change")
    assert list(sales) == [(-3, -3)]


def test_shortfalls_name_every_short_line_and_reserve_nothing(stocked, main):
    tee = stocked("TEE-BLK-M", 2)
    mug = stocked("MUG-01", 0)
    cap = stocked("CAP-01", 9)
    with pytest.raises(InsufficientStock) as err:
        services.reserve(reference="order:2", requests=[
            StockRequest("a", cap.pk, 1), StockRequest("b", tee.pk, 3), StockRequest("c", mug.pk, 1)])
    assert str(err.value) == "Not enough stock: TEE-BLK-M needs 3, 2 available; MUG-01 needs 1, 0 available"
    assert [(s.line_key, s.seller_sku, s.requested, s.available) for s in err.value.shortfalls] == [
        ("b", "TEE-BLK-M", 3, 2), ("c", "MUG-01", 1, 0)]
    assert not Reservation.objects.exists()
    assert level(cap, main).reserved == 0


def test_split_across_locations_in_priority_order(stocked, main):
    east = LocationFactory(code="EAST")
    bin_a = BinFactory(code="A-01")
    fbt = LocationFactory(code="FBT-1", kind="fbt")
    tee = stocked("TEE-BLK-M", 1)
    services.receive(sku=tee, location=bin_a, quantity=1)
    services.receive(sku=tee, location=east, quantity=5)
    services.receive(sku=tee, location=fbt, quantity=50)
    res = services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 4)])
    assert [(r.location.code, r.quantity) for r in res] == [("MAIN", 1), ("A-01", 1), ("EAST", 2)]
    services.release(reference="o")
    res = services.reserve(reference="o2", requests=[StockRequest("1", tee.pk, 6)], location_codes=["EAST"])
    assert [(r.location.code, r.quantity) for r in res] == [("EAST", 5), ("MAIN", 1)]
    with pytest.raises(InsufficientStock, match="needs 2, 1 available"):  # FBT stock is never reserved
        services.reserve(reference="o3", requests=[StockRequest("1", tee.pk, 2)])


def test_available_to_sell_buffers_fbt_and_outbox(stocked, main):
    fbt = LocationFactory(code="FBT-1", kind="fbt")
    tee = stocked("TEE-BLK-M", 10)
    services.receive(sku=tee, location=fbt, quantity=7, reason="fbt_inbound")
    woo = AccountFactory(channel="woocommerce", stock_buffer_units=2)
    etsy = AccountFactory(channel="etsy", stock_buffer_percent=25)
    tiktok = AccountFactory(channel="tiktok")
    assert available_to_sell(sku_ids=[tee.pk], account=woo) == {tee.pk: 8}
    assert available_to_sell(sku_ids=[tee.pk], account=etsy) == {tee.pk: 7}  # 10 - ceil(2.5)
    assert available_to_sell(sku_ids=[tee.pk], account=tiktok) == {tee.pk: 10}
    ListingFactory(sku=tee, account=tiktok, is_fbt=True)
    assert available_to_sell(sku_ids=[tee.pk], account=tiktok) == {tee.pk: 17}

    listing = ListingFactory(sku=tee, account=woo)
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 9)])
    assert available_to_sell(sku_ids=[tee.pk], account=woo) == {tee.pk: 0}  # never below zero
    # The stock change writes one "SKU changed" row; the push expands it into the pushable listings
    # (not the FBT one) and computes their quantity when it runs.
    assert set(StockOutbox.objects.values_list("sku_id", "listing_id").filter(pushed_at__isnull=True)) == {
        (tee.pk, None)}
    assert services.expand_changes() == [woo.pk]
    assert list(StockOutbox.objects.filter(pushed_at__isnull=True).values_list("listing_id", flat=True)) == [listing.pk]
    assert [x.quantity for x in listings_with_quantity(ChannelListing.objects.filter(pk=listing.pk))] == [0]
    services.release(reference="o")
    assert [x.quantity for x in listings_with_quantity(ChannelListing.objects.filter(pk=listing.pk))] == [8]


def test_adjust_refuses_to_go_below_reserved_or_zero(stocked, main):
    tee = stocked("TEE-BLK-M", 3)
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 1)])
    with pytest.raises(services.StockError, match="at most 2 can be removed"):
        services.adjust(sku=tee, location=main, quantity=-3, reason="adjustment")
    services.adjust(sku=tee, location=main, quantity=-2, reason="adjustment", note="damaged")
    with pytest.raises(services.StockError, match="1 are reserved"):
        services.count(sku=tee, location=main, counted=0)
    mv = services.count(sku=tee, location=main, counted=4)
    assert (mv.on_hand_change, level(tee, main).on_hand) == (3, 4)


def test_listing_quantities_agree_with_available_to_sell(stocked, main):
    from inventory.selectors import listing_quantities

    fbt = LocationFactory(code="FBT-1", kind="fbt")
    unsellable = LocationFactory(code="QUAR", sellable=False)
    tee, mug = stocked("TEE-BLK-M", 13), stocked("MUG-01", 0)
    services.receive(sku=tee, location=fbt, quantity=6, reason="fbt_inbound")
    services.receive(sku=mug, location=unsellable, quantity=9)
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 2)])
    accounts = [AccountFactory(channel="tiktok", stock_buffer_percent=15), AccountFactory(channel="etsy"),
                AccountFactory(channel="square", stock_buffer_units=3, stock_buffer_percent=40)]
    listings = [ListingFactory(sku=sku, account=account, is_fbt=(account.channel == "tiktok" and sku == tee))
                for account in accounts for sku in (tee, mug)]
    by_listing = {pk: quantity for pk, quantity, _previous in listing_quantities(sku_ids=[tee.pk, mug.pk])}
    orm = {x.pk: x.quantity for x in listings_with_quantity()}
    for listing in listings:
        expected = available_to_sell(sku_ids=[listing.sku_id], account=listing.account)[listing.sku_id]
        assert by_listing[listing.pk] == orm[listing.pk] == expected
    assert [by_listing[x.pk] for x in listings] == [14, 0, 11, 0, 6, 0]  # 17 - ceil(2.55); 11; 11 - max(3, ceil(4.4))


def test_two_lines_of_one_sku_reserve_both(stocked, main):
    """TikTok sends one line item per unit: two lines of the same SKU at the same level."""
    from inventory.selectors import reconcile

    tee = stocked("TEE-BLK-M", 5)
    mug = stocked("MUG-01", 5)
    services.reserve(reference="o", requests=[StockRequest("1", tee.pk, 1), StockRequest("2", tee.pk, 1),
                                              StockRequest("3", mug.pk, 2)])
    assert (level(tee, main).reserved, level(mug, main).reserved) == (2, 2)
    with pytest.raises(InsufficientStock, match="TEE-BLK-M needs 2, 1 available"):
        services.reserve(reference="p", requests=[StockRequest("1", tee.pk, 2), StockRequest("2", tee.pk, 2)])
    assert services.consume(reference="o") == 4
    assert (level(tee, main).on_hand, level(tee, main).reserved) == (3, 0)
    assert reconcile()[1] == []


def test_a_page_of_orders_reserves_each_whole_or_not_at_all(stocked, main, django_assert_max_num_queries):
    """Set-based page: one lock of the page's levels; the second order can't be covered and takes
    nothing, the third still gets the stock the second would have taken; re-confirming adds nothing."""
    from inventory.selectors import reconcile

    tee, mug = stocked("TEE-BLK-M", 3), stocked("MUG-01", 1)
    page = [services.PageOrder("order:a", [StockRequest("1", tee.pk, 2)]),
            services.PageOrder("order:b", [StockRequest("1", tee.pk, 2), StockRequest("2", mug.pk, 2)]),
            services.PageOrder("order:c", [StockRequest("1", mug.pk, 1), StockRequest("2", tee.pk, 1)])]
    with django_assert_max_num_queries(9):  # lock, held, 4 writes, shortfall labels (+ BEGIN/COMMIT)
        outcome = services.reserve_page(orders=page)
    assert list(outcome) == ["order:a", "order:b", "order:c"]
    assert outcome["order:a"] is None and outcome["order:c"] is None
    assert str(outcome["order:b"]) == "Not enough stock: TEE-BLK-M needs 2, 1 available; MUG-01 needs 2, 1 available"
    assert not Reservation.objects.filter(reference="order:b").exists()
    assert (level(tee, main).reserved, level(mug, main).reserved) == (3, 1)
    assert services.reserve_page(orders=page[:1] + page[2:]) == {"order:a": None, "order:c": None}
    assert StockMovement.objects.filter(reason="reservation").count() == 3
    assert reconcile()[1] == []
