"""The connectors against the emulators over real HTTP: paging, batch limits, signing and
auth, retries with backoff that honour Retry-After, error classification, token refresh."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from channels import jobs
from integrations.channels.connectors import (
    ApiRequest,
    AuthFailed,
    RateLimited,
    Rejected,
    StockPush,
    connector_for,
)
from integrations.channels.connectors.base import backoff_delay, parse_retry_after
from integrations.channels.connectors.woocommerce import stock_batch_request
from sellerhub.models import ChannelAccount

pytestmark = pytest.mark.django_db
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def calls(emulator, service, fragment):
    return [r for r in emulator.state.requests(service) if fragment in r["path"]]


def all_pages(connector):
    return [p for page in connector.iter_order_pages(since=LONG_AGO, resume=None) for p in page.payloads]


def detail_calls(emulator):
    return [r for r in emulator.state.requests("tiktok") if r["path"].endswith("/order/202309/orders")]


def test_tiktok_pages_by_token_a_hundred_at_a_time_from_the_search_alone(accounts, emulator):
    emulator.state.generate_orders("tiktok", 230)
    connector = connector_for(accounts["tiktok"])
    pages = list(connector.iter_order_pages(since=LONG_AGO, resume=None))
    assert [len(p.payloads) for p in pages] == [100, 100, 30]
    assert pages[0].resume and pages[-1].resume is None
    assert len({o["id"] for p in pages for o in p.payloads}) == 230
    assert all(o["line_items"] and o["recipient_address"] for p in pages for o in p.payloads)  # whole orders
    assert len(calls(emulator, "tiktok", "/orders/search")) == 3
    assert detail_calls(emulator) == []  # the search answered whole orders: no detail call
    # A page token carries on where the pull stopped.
    rest = list(connector.iter_order_pages(since=LONG_AGO, resume=pages[0].resume))
    assert [len(p.payloads) for p in rest] == [100, 30]


def test_tiktok_reads_by_id_the_searched_orders_that_came_without_their_lines(accounts, emulator, monkeypatch):
    emulator.state.generate_orders("tiktok", 60)
    connector = connector_for(accounts["tiktok"])
    call = connector.call

    def summaries(request):  # a search answer with some orders in short form
        answer = call(request)
        if request.operation == "orders.search":
            for order in answer.data["orders"][::3]:
                del order["line_items"]
        return answer

    monkeypatch.setattr(connector, "call", summaries)
    payloads = [p for page in connector.iter_order_pages(since=LONG_AGO, resume=None) for p in page.payloads]
    assert len(payloads) == 60 and all(o["line_items"] for o in payloads)
    assert len(detail_calls(emulator)) == 1  # the 20 short ones, in one detail call (at most 50 ids)
    searched = [o["id"] for o in emulator.state.tiktok.orders.values()]
    assert sorted(o["id"] for o in payloads) == sorted(searched)


def test_woocommerce_etsy_square_page_to_the_end(accounts, emulator):
    for channel in ("woocommerce", "etsy", "square"):
        emulator.state.generate_orders(channel, 230)
        assert len(all_pages(connector_for(accounts[channel]))) == 230, channel
    assert len(calls(emulator, "woocommerce", "/wc/v3/orders")) == 3  # X-WP-TotalPages
    assert len(calls(emulator, "etsy", "/receipts")) == 3
    assert len(calls(emulator, "square", "/orders/search")) == 3


def test_only_orders_changed_since_the_cursor_are_read(accounts, emulator):
    now = emulator.state.clock.now()
    for channel in ("tiktok", "woocommerce", "etsy", "square"):
        emulator.state.generate_orders(channel, 3, at=now - 7200)
        emulator.state.generate_orders(channel, 2, at=now)
        since = dt.datetime.fromtimestamp(now - 60, tz=dt.UTC)
        got = [p for page in connector_for(accounts[channel]).iter_order_pages(since=since, resume=None)
               for p in page.payloads]
        assert len(got) == 2, channel


def test_retry_after_is_honoured(accounts, emulator):
    emulator.state.faults.update(script=["429"], retry_after=1)
    connector = connector_for(accounts["square"])
    started = time.monotonic()
    assert "Connected" in connector.test_connection()
    assert time.monotonic() - started >= 1.0
    assert connector.calls == 2 and connector.retries == 1


@pytest.mark.parametrize("fault", ["500", "slow", "malformed"])
def test_server_errors_timeouts_and_malformed_answers_are_retried(accounts, emulator, settings, fault):
    settings.CHANNEL_SYNC_READ_TIMEOUT = 0.5
    emulator.state.faults.update(script=[fault, fault], slow_seconds=1.0)
    connector = connector_for(accounts["woocommerce"])
    assert "Connected" in connector.test_connection()
    assert connector.retries == 2 and connector.calls == 3
    assert emulator.state.faults.fired[{"500": "server_error"}.get(fault, fault)] == 2


def test_giving_up_after_the_last_attempt_raises_the_last_error(accounts, emulator, settings):
    settings.CHANNEL_SYNC_MAX_ATTEMPTS = 3
    emulator.state.faults.update(rate_limit=1.0, retry_after=0)
    connector = connector_for(accounts["etsy"])
    with pytest.raises(RateLimited) as caught:
        connector.test_connection()
    assert caught.value.retryable and connector.calls == 3


def test_refused_requests_and_credentials_are_not_retried(accounts, emulator):
    woo = connector_for(accounts["woocommerce"])
    with pytest.raises(Rejected) as caught:
        woo.call(ApiRequest("GET", "/wp-json/wc/v3/orders", params=(("orderby", "modified"),), operation="orders"))
    assert caught.value.status == 400 and not caught.value.retryable and woo.calls == 1
    account = accounts["woocommerce"]
    account.credentials = {**account.credentials, "consumer_secret": "cs_wrong"}
    wrong = connector_for(account)
    with pytest.raises(AuthFailed) as caught:
        wrong.test_connection()
    assert "Consumer secret is invalid" in str(caught.value) and wrong.calls == 1


def test_tiktok_requests_are_signed_and_a_bad_secret_is_refused(accounts, emulator):
    account = accounts["tiktok"]
    assert "SellerHub Demo Shop" in connector_for(account).test_connection()
    account.credentials = {**account.credentials, "app_secret": "not-the-secret"}
    with pytest.raises(AuthFailed) as caught:
        connector_for(account).test_connection()
    assert "signature is invalid" in str(caught.value)


def test_tiktok_token_is_refreshed_before_it_expires(accounts, emulator):
    account = accounts["tiktok"]
    account.credentials = {**account.credentials, "access_token_expire_in": int(time.time()) + 3600}
    account.save()
    old = account.credentials["access_token"]
    jobs.refresh_token(account)
    account.refresh_from_db()
    assert account.credentials["access_token"] != old
    assert account.credentials["access_token_expire_in"] > time.time() + 6 * 86400
    assert emulator.state.received("tiktok_auth", "token_issued")
    # ... and at once when TikTok says the token expired: the call is made again with the new one.
    emulator.state.tiktok.expire_access_tokens()
    emulator.state.generate_orders("tiktok", 2)
    result = jobs.pull_orders(account)
    assert result["created"] == 2
    account.refresh_from_db()
    assert len(emulator.state.received("tiktok_auth", "token_issued")) == 2


def test_etsy_refresh_tokens_rotate_and_are_stored(accounts, emulator):
    account = accounts["etsy"]
    first_refresh = account.credentials["refresh_token"]
    emulator.state.etsy.expire_access_tokens()
    emulator.state.generate_orders("etsy", 1)
    assert jobs.pull_orders(account)["created"] == 1
    account.refresh_from_db()
    assert account.credentials["refresh_token"] != first_refresh, "Etsy rotates refresh tokens"
    emulator.state.etsy.expire_access_tokens()
    emulator.state.generate_orders("etsy", 1)
    assert jobs.pull_orders(ChannelAccount.objects.get(pk=account.pk))["created"] == 1


def test_woocommerce_batches_hold_at_most_a_hundred_items_and_report_each(accounts, emulator):
    items = [StockPush(listing_id=n, product_id=str(100 + n), variant_id="", channel_sku="", quantity=5)
             for n in range(150)]
    with pytest.raises(ValueError):
        stock_batch_request(items)
    outcomes = connector_for(accounts["woocommerce"]).push_stock(items)
    assert len(calls(emulator, "woocommerce", "/products/batch")) == 2
    ok = {o.listing_id for o in outcomes if o.ok}
    assert ok == {pid - 100 for pid in emulator.state.woocommerce.products}  # the store's products; the rest fail
    refused = next(o for o in outcomes if not o.ok)
    assert "Invalid ID" in refused.error and not refused.retryable


def test_etsy_writes_a_listing_once_for_all_its_variants(accounts, emulator):
    listing = str(emulator.state.catalogue.ids("TEE-BLK-S")["etsy"]["listing_id"])
    items = [StockPush(listing_id=i, product_id=listing, variant_id=sku, channel_sku=sku, quantity=q)
             for i, (sku, q) in enumerate([("TEE-BLK-S", 3), ("TEE-BLK-M", 0), ("TEE-BLK-L", 12)])]
    outcomes = connector_for(accounts["etsy"]).push_stock(items)
    assert all(o.ok for o in outcomes)
    assert len([r for r in emulator.state.requests("etsy") if r["method"] == "PUT"]) == 1
    assert [emulator.state.etsy.stock(s) for s in ("TEE-BLK-S", "TEE-BLK-M", "TEE-BLK-L")] == [3, 0, 12]
    missing = connector_for(accounts["etsy"]).push_stock([StockPush(9, listing, "TEE-XXL", "TEE-XXL", 1)])
    assert not missing[0].ok and "no product with SKU TEE-XXL" in missing[0].error


def test_square_sku_lookup_keeps_exact_matches_only(accounts, emulator):
    connector = connector_for(accounts["square"])
    assert [r.channel_sku for r in connector.find_by_sku("MUG-RED")] == ["MUG-RED"]
    assert connector.find_by_sku("TEE-BLK") == [], "Square matches the prefix; SellerHub wants the SKU itself"
    assert connector.find_by_sku("mug-red") == []


def test_backoff_grows_with_jitter_and_respects_retry_after():
    delays = [backoff_delay(n, base=1.0, cap=30.0) for n in range(6)]
    assert all(2 ** n / 2 <= d <= 2 ** n for n, d in enumerate(delays[:5]))
    assert delays[5] <= 30.0
    assert backoff_delay(0, retry_after=7, base=0.1) == 7
    assert parse_retry_after("3") == 3.0 and parse_retry_after("") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_tiktok_test_connection_finds_the_shop_cipher_and_warehouse(accounts, emulator):
    from channels import services

    account = accounts["tiktok"]
    creds = {k: v for k, v in account.credentials.items() if k not in ("shop_cipher", "warehouse_id")}
    account = services.save_connection(account=account, channel="tiktok", name=account.name,
                                       api_base_url=account.api_base_url, shop_id=account.shop_id,
                                       credentials={**creds, "shop_cipher": None})
    assert "shop_cipher" not in account.credentials
    connector = connector_for(account)
    assert "SellerHub Demo Shop" in connector.test_connection()
    assert connector.credentials_changed
    assert connector.credentials["shop_cipher"] == emulator.state.config.credentials.tiktok_shop_cipher
    assert connector.credentials["warehouse_id"]
