"""The ops admin: search by external id, filters by channel and status, re-run confirmation,
re-fetch from the channel (a job, or a clear refusal)."""

import pytest
from django.contrib.messages import get_messages

from orders import jobs
from orders.mapping import map_order
from orders.models import Order, OrderStatus
from orders.samples import tiktok_payload
from sellerhub.models import Channel, JobRun
from tests.orders.factories import ChannelAccountFactory, OrderFactory, OrderLineFactory

S = OrderStatus


@pytest.fixture
def ops_client(client, ops_user):
    client.force_login(ops_user)
    return client


def listed(response):
    return sorted(o.external_id for o in response.context["cl"].result_list)


def test_search_and_filters(ops_client, db):
    woo = ChannelAccountFactory(channel=Channel.WOOCOMMERCE)
    OrderFactory(external_id="576461413038785001", status=S.CONFIRMED)
    OrderFactory(external_id="WC-1001", account=woo, status=S.DELIVERED)
    assert listed(ops_client.get("/admin/orders/order/?q=38785001")) == ["576461413038785001"]
    assert listed(ops_client.get("/admin/orders/order/?account__channel__exact=woocommerce")) == ["WC-1001"]
    assert listed(ops_client.get("/admin/orders/order/?status__exact=confirmed")) == ["576461413038785001"]


def test_the_change_page_shows_but_does_not_edit_the_status(ops_client, db):
    order = OrderFactory(status=S.CONFIRMED)
    page = ops_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()


def test_rerun_confirmation_action(ops_client, stocked):
    sku = stocked("TEE-BLK-M", 1)
    order = OrderFactory(status=S.AWAITING_CONFIRMATION, attention_reason="short_stock")
    OrderLineFactory(order=order, sku=sku)
    response = ops_client.post("/admin/orders/order/", {"action": "rerun_confirmation", "_selected_action": [order.pk]},
                               follow=True)
    assert "Confirmed 1; still waiting 0" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.CONFIRMED


def test_refetch_says_clearly_when_it_cannot(ops_client, db):
    manual = OrderFactory(account=ChannelAccountFactory(name="Manual", channel=Channel.MANUAL))
    unconnected = OrderFactory(account=ChannelAccountFactory(name="TikTok US", channel=Channel.TIKTOK))
    response = ops_client.post("/admin/orders/order/", {
        "action": "refetch_from_channel", "_selected_action": [manual.pk, unconnected.pk]}, follow=True)
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    page = " ".join(texts)
    assert "manual orders have no channel to re-fetch from" in page
    assert "TikTok US: no credentials are stored" in page or "not available until its channel connector" in page
    assert not JobRun.objects.exists()


class FakeConnector:
    def __init__(self, payloads):
        self.payloads = payloads

    def fetch_order_payloads(self, external_ids):
        return [p for p in self.payloads if p["id"] in external_ids]


def test_the_refetch_job_upserts_what_the_connector_returns(monkeypatch, tiktok, tiktok_account, now, stocked):
    stocked("TEE-BLK-M", 5)
    order = tiktok("576000000000000301").order
    shipped = tiktok_payload(order_id="576000000000000301", status="AWAITING_COLLECTION", created=order.created_at,
                             paid=order.paid_at, package=("USPS", "9400111206206406260787"), rts=now, updated=now)
    monkeypatch.setattr(jobs, "connector_for", lambda account: FakeConnector([shipped]))
    tiktok_account.credentials = {"app_key": "k"}
    tiktok_account.save()
    runs, refused = jobs.start_refetch(orders=[order])
    assert len(runs) == 1 and not refused
    result = jobs.refetch_orders_job.__wrapped__(runs[0].pk, tiktok_account.pk, [order.external_id])
    assert result["updated"] == 1 and result["missing"] == []
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert map_order("tiktok", order.raw).channel_status == "AWAITING_COLLECTION"
    assert Order.objects.count() == 1
