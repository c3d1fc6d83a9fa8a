"""The order pages as people use them: the queue (filters, search, bulk actions by role), an
order, needs attention with its fixes, returns, the manual order form, channel accounts."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import ChannelListing
from orders.models import AttentionReason, Order, OrderStatus, Return
from sellerhub.models import Channel, ChannelAccount
from tests.orders.conftest import level
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory

S = OrderStatus


@pytest.fixture
def queue(stocked):
    sku = stocked("TEE-BLK-M", 10)
    now = timezone.now()
    woo = ChannelAccountFactory(name="Woo shop", channel=Channel.WOOCOMMERCE)
    orders = {
        "late": OrderFactory(external_id="TT-LATE", status=S.CONFIRMED, dispatch_due_at=now - dt.timedelta(hours=3)),
        "soon": OrderFactory(external_id="TT-SOON", status=S.AWAITING_CONFIRMATION,
                             dispatch_due_at=now + dt.timedelta(hours=1)),
        "woo": OrderFactory(external_id="WC-1001", account=woo, status=S.CONFIRMED, buyer_name="Lena Fischer",
                            dispatch_due_at=now + dt.timedelta(days=2), tracking_number="1Z5R89390357567127"),
        "gone": OrderFactory(external_id="TT-DONE", status=S.DELIVERED),
    }
    for order in orders.values():
        OrderLineFactory(order=order, sku=sku, quantity=1)
    return orders, sku


def test_the_queue_sorts_by_dispatch_deadline_and_hides_shipped_orders(owner_client, queue):
    response = owner_client.get("/orders/")
    ids = [o.external_id for o in response.context["page"].object_list]
    assert ids == ["TT-LATE", "TT-SOON", "WC-1001"]
    html = response.content.decode()
    assert "overdue" in html and "TT-DONE" not in html
    assert '<label for="id_q">Search</label>' in html


@pytest.mark.parametrize("query,expected", [
    ("channel=woocommerce", ["WC-1001"]),
    ("due=overdue", ["TT-LATE"]),
    ("status=all&q=lena", ["WC-1001"]),
    ("status=all&q=1Z5R8939", ["WC-1001"]),
    ("status=all&q=TEE-BLK", ["TT-LATE", "TT-SOON", "TT-DONE", "WC-1001"]),
    ("status=delivered", ["TT-DONE"]),
    ("status=all&sort=-due", ["WC-1001", "TT-DONE", "TT-SOON", "TT-LATE"]),
    ("fulfilment=FBT", []),
])
def test_queue_filters_and_search(owner_client, queue, query, expected):
    response = owner_client.get(f"/orders/?{query}")
    assert [o.external_id for o in response.context["page"].object_list] == expected


def test_htmx_gets_only_the_results(wh_client, queue):
    response = wh_client.get("/orders/?q=WC", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "WC-1001" in html and "HX-Request" in response["Vary"]


def test_warehouse_may_send_to_picking_but_not_confirm_or_cancel(wh_client, queue):
    orders, _sku = queue
    html = wh_client.get("/orders/").content.decode()
    assert 'value="send_to_picking"' in html and 'value="confirm"' not in html and 'value="cancel"' not in html
    ids = [orders["late"].pk, orders["woo"].pk]
    response = wh_client.post("/orders/bulk/", {"action": "send_to_picking", "ids": ids, "next": "/orders/"})
    assert response.status_code == 302
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.PICKING}
    denied = wh_client.post("/orders/bulk/", {"action": "confirm", "ids": [orders["soon"].pk]})
    assert denied.status_code == 403
    assert Order.objects.get(pk=orders["soon"].pk).status == S.AWAITING_CONFIRMATION


def test_owner_bulk_confirm_and_cancel_with_messages(owner_client, queue):
    orders, sku = queue
    response = owner_client.post("/orders/bulk/", {"action": "confirm", "ids": [orders["soon"].pk, orders["gone"].pk],
                                                   "next": "/orders/?status=all"}, follow=True)
    text = response.content.decode()
    assert "Confirm: 1 order(s) (TT-SOON)" in text and "TT-DONE" in text
    assert Order.objects.get(pk=orders["soon"].pk).status == S.CONFIRMED and level(sku) == (10, 1)
    no_reason = owner_client.post("/orders/bulk/", {"action": "cancel", "ids": [orders["soon"].pk]}, follow=True)
    assert "A reason is required to cancel orders." in no_reason.content.decode()
    owner_client.post("/orders/bulk/", {"action": "cancel", "ids": [orders["soon"].pk], "reason": "Buyer called"})
    assert Order.objects.get(pk=orders["soon"].pk).status == S.CANCELLED and level(sku) == (10, 0)


def test_bulk_ignores_a_foreign_next_url(owner_client, queue):
    orders, _sku = queue
    response = owner_client.post("/orders/bulk/", {"action": "confirm", "ids": [orders["soon"].pk],
                                                   "next": "https://evil.example/"})
    assert response["Location"] == "/orders/"


def test_order_detail_shows_lines_stock_timeline_and_the_roles_actions(owner_client, wh_client, queue):
    orders, _sku = queue
    order = orders["soon"]
    owner_client.post(f"/orders/{order.pk}/action/", {"action": "confirm"})
    response = owner_client.get(f"/orders/{order.pk}/")
    html = response.content.decode()
    (view,) = response.context["lines"]
    assert view.reserved == 1 and view.stock == {"on_hand": 10, "reserved": 1, "available": 9}
    assert "Confirmed" in html and "Timeline" in html and 'value="send_to_picking"' in html
    assert "Cancellation reason (required)" in html
    warehouse_html = wh_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'value="send_to_picking"' in warehouse_html and "Cancel order" not in warehouse_html
    assert wh_client.post(f"/orders/{order.pk}/action/", {"action": "cancel", "reason": "x"}).status_code == 403
    assert owner_client.get("/orders/999999/").status_code == 404


def test_cancel_without_a_reason_is_refused_with_a_message(owner_client, queue):
    orders, _sku = queue
    response = owner_client.post(f"/orders/{orders['late'].pk}/action/", {"action": "cancel", "reason": ""},
                                 follow=True)
    assert "A reason is required to cancel an order." in response.content.decode()
    assert Order.objects.get(pk=orders["late"].pk).status == S.CONFIRMED


def test_needs_attention_map_an_unmatched_sku(owner_client, wh_client, stocked):
    account = ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK)
    order = OrderFactory(account=account, status=S.AWAITING_CONFIRMATION,
                         attention_reason=AttentionReason.UNMATCHED_SKU,
                         attention_detail="No SKU matches channel SKU GLOW-30")
    OrderLineFactory(order=order, sku=None, channel_sku="GLOW-30", channel_product_id="17", channel_variant_id="18",
                     name="Glow serum")
    sku = stocked("SERUM-30", 3)
    page = owner_client.get("/orders/attention/")
    assert page.context["counts"]["unmatched_sku"] == 1
    assert "Glow serum" in page.content.decode() and 'list="sku-options"' in page.content.decode()
    assert "The owner maps SKUs." in wh_client.get("/orders/attention/").content.decode()
    bad = owner_client.post("/orders/map-sku/", {"account": account.pk, "channel_sku": "GLOW-30", "seller_sku": "NOPE"},
                            follow=True)
    assert "There is no SKU" in bad.content.decode()
    done = owner_client.post("/orders/map-sku/", {"account": account.pk, "channel_sku": "GLOW-30", "product_id": "17",
                                                  "variant_id": "18", "seller_sku": "serum-30"}, follow=True)
    expected = "GLOW-30 is now SERUM-30 on TikTok US: 1 line(s) in 1 order(s) matched, 1 confirmed."
    assert expected in done.content.decode()
    assert ChannelListing.objects.get(account=account).sku == sku
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and order.attention_reason == ""
    assert wh_client.post("/orders/map-sku/", {"account": account.pk}).status_code == 403


def test_needs_attention_fix_an_address(owner_client, stocked):
    sku = stocked("TEE-BLK-M", 3)
    order = OrderFactory(status=S.AWAITING_CONFIRMATION, ship_city="", attention_reason=AttentionReason.ADDRESS_PROBLEM,
                         attention_detail="The shipping address has no city")
    OrderLineFactory(order=order, sku=sku)
    page = owner_client.get("/orders/attention/").content.decode()
    assert f'id="id_o{order.pk}_ship_city"' in page
    response = owner_client.post(f"/orders/{order.pk}/address/", {"ship_city": "San Francisco",
                                                                  "next": "/orders/attention/"}, follow=True)
    assert "confirmed; its stock is reserved" in response.content.decode()
    order.refresh_from_db()
    assert order.ship_city == "San Francisco" and order.status == S.CONFIRMED and order.ship_street1


def test_needs_attention_release_a_hold(owner_client, stocked):
    sku = stocked("TEE-BLK-M", 3)
    order = OrderFactory(status=S.ON_HOLD, attention_reason=AttentionReason.ON_HOLD, attention_detail="On hold: x")
    OrderLineFactory(order=order, sku=sku)
    assert 'value="release"' in owner_client.get("/orders/attention/").content.decode()
    owner_client.post(f"/orders/{order.pk}/action/", {"action": "release"})
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and level(sku) == (3, 1)


def test_manual_order_form(owner_client, wh_client, stocked):
    stocked("TEE-BLK-M", 3)
    assert wh_client.get("/orders/new/").status_code == 403
    bad = owner_client.post("/orders/new/", {"lines": "NOPE 2"})
    assert bad.status_code == 400 and "Unknown SKU" in bad.content.decode()
    response = owner_client.post("/orders/new/", {"lines": "TEE-BLK-M 2\n", "buyer_name": "Maya", "ship_country": "US"})
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.account.channel == Channel.MANUAL and order.lines.get().quantity == 2


def test_returns_from_the_order_page(owner_client, wh_client, stocked, main):
    sku = stocked("MUG-01", 2)
    order = OrderFactory(status=S.DELIVERED, total=36)
    line = OrderLineFactory(order=order, sku=sku, quantity=2)
    assert "Record a return" in owner_client.get(f"/orders/{order.pk}/").content.decode()
    owner_client.post(f"/orders/{order.pk}/return/", {"reason": "Too big", "refund_amount": "18",
                                                      f"line_{line.pk}": "1"})
    ret = Return.objects.get()
    assert ret.lines.get().quantity == 1
    page = wh_client.get("/orders/returns/").content.decode()
    assert "Mark received" in page
    for action in ("receive", "inspect"):
        wh_client.post(f"/orders/returns/{ret.pk}/action/", {"action": action})
    wh_client.post(f"/orders/returns/{ret.pk}/action/", {"action": "restock", "location": main.pk})
    ret.refresh_from_db()
    assert ret.status == Return.Status.RESTOCKED and level(sku) == (3, 0)


def test_channel_accounts_are_the_owners(owner_client, wh_client, ops_user):
    account = ChannelAccountFactory(name="Woo", channel=Channel.WOOCOMMERCE)
    assert wh_client.get("/channels/").status_code == 403
    ops = Client()
    ops.force_login(ops_user)
    assert ops.get("/channels/").status_code == 200
    assert ops.get(f"/channels/accounts/{account.pk}/").status_code == 403
    form = {"name": "Woo", "channel": "woocommerce", "active": "on", "time_zone": "Mars/Olympus", "handling_days": 1,
            "cutoff_time": "14:00", "transit_days": 3, "holiday_country": "us", "holiday_subdivision": "",
            "stock_buffer_units": 0, "stock_buffer_percent": 0, "location_codes": "MAIN, A-01"}
    # Credentials come from the per-channel connection form; the settings form never touches them.
    ChannelAccount.objects.filter(pk=account.pk).update(
        credentials={"consumer_key": "ck_secret", "consumer_secret": "cs_secret"})
    bad = owner_client.post(f"/channels/accounts/{account.pk}/", form)
    assert bad.status_code == 400 and "unknown time zone" in bad.content.decode()
    owner_client.post(f"/channels/accounts/{account.pk}/", {**form, "time_zone": "America/New_York"})
    account.refresh_from_db()
    assert (account.time_zone, account.handling_days, account.cutoff_time) == ("America/New_York", 1, dt.time(14))
    assert account.location_priority == ["MAIN", "A-01"] and account.holiday_country == "US"
    assert account.credentials["consumer_key"] == "ck_secret"
    html = owner_client.get(f"/channels/accounts/{account.pk}/").content.decode()
    assert "ck_secret" not in html and "stored, encrypted" in html
    owner_client.post(f"/channels/accounts/{account.pk}/", {**form, "time_zone": "America/New_York"})
    account.refresh_from_db()
    assert account.credentials["consumer_key"] == "ck_secret", "empty keeps the stored credentials"
    assert ChannelAccount.objects.count() == 1


def test_the_dashboard_shows_the_orders_panel(owner_client, queue):
    html = owner_client.get("/").content.decode()
    assert "Overdue to dispatch" in html and "Need attention" in html
