"""Channel health (issue 16, acceptance 3): a channel with a wrong address can't be saved as
connected; a failing account shows "failing since ..." with a readable error and backs off (the
attempt times in the log grow, capped); it can be disconnected (scheduled jobs stop, history
stays) and reconnected (jobs resume)."""

from __future__ import annotations

import datetime as dt
import re
import socket

import django_rq
import pytest
import requests
from django.test import Client
from django.utils import timezone

from channels import health, jobs, pulls, selectors, services
from channels.models import SyncRun
from devtools.demo.emulated import emulator_connection
from integrations.channels.connectors import Unavailable
from inventory import services as stock
from inventory.models import Location
from orders.models import Order
from sellerhub import datetimes
from sellerhub.models import ChannelAccount

pytestmark = pytest.mark.django_db
State = ChannelAccount.State


def closed_port() -> int:
    """A loopback port nobody listens on (connections to it are refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def woo_form(emulator, **overrides):
    url, _shop, creds = emulator_connection("woocommerce", emulator.base_url, emulator.state.config.credentials)
    return {"channel": "woocommerce", "name": "Woo shop", "api_base_url": url, "shop_id": "",
            "consumer_key": creds["consumer_key"], "consumer_secret": creds["consumer_secret"],
            "webhook_secret": creds["webhook_secret"], **overrides}


def test_a_wrong_address_is_not_saved_as_connected(owner_client, emulator):
    wrong = f"http://127.0.0.1:{closed_port()}"
    response = owner_client.post("/channels/connect/", woo_form(emulator, api_base_url=wrong, test="1"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Not saved: SellerHub could not reach 127.0.0.1: the address refused the connection. Check the store " \
           "address" in html
    assert "ConnectionError" not in html and "Save as paused" in html
    assert not ChannelAccount.objects.filter(name="Woo shop").exists(), "nothing saved when the test fails"

    # Saved as paused instead, and said so: nothing syncs.
    response = owner_client.post("/channels/connect/", woo_form(emulator, api_base_url=wrong, pause="1"), follow=True)
    account = ChannelAccount.objects.get(name="Woo shop")
    assert (account.state, account.active) == (State.PAUSED, False)
    assert "saved as paused: nothing syncs until a connection test passes" in response.content.decode()
    assert account.pk not in [a.pk for a in services_syncable()]
    assert jobs.pull_all() == {"accounts": 0}


def services_syncable():
    return [a for a in ChannelAccount.objects.all() if health.is_due(a)]


def test_a_404_on_the_store_address_is_worded_for_the_seller(owner_client, emulator):
    response = owner_client.post("/channels/connect/", woo_form(
        emulator, api_base_url=emulator.base_url.rstrip("/") + "/no-shop-here", test="1"))
    html = response.content.decode()
    assert response.status_code == 400 and not ChannelAccount.objects.exists()
    assert re.search(r"Not saved: 127\.0\.0\.1 has no WooCommerce API at this address \(HTTP 404\)\. Check the "
                     r"store address", html), html[html.find("errors"):][:600]


def test_save_and_test_against_the_emulator_connects(owner_client, emulator, uses_rq):
    response = owner_client.post("/channels/connect/", woo_form(emulator, test="1"), follow=True)
    account = ChannelAccount.objects.get(name="Woo shop")
    assert (account.state, account.active) == (State.CONNECTED, True)
    html = response.content.decode()
    assert "Test connection: Connected to the store" in html and "is connected" in html
    assert account.credentials["consumer_secret"] not in html
    listing = Client()
    listing.force_login(response.wsgi_request.user)
    assert 'class="badge ok">connected' in listing.get("/channels/").content.decode()


@pytest.fixture
def frozen(monkeypatch):
    """The backoff's clock, moved by hand."""
    moment = {"now": timezone.now().replace(microsecond=0)}
    monkeypatch.setattr(health, "clock", lambda: moment["now"])
    return moment


def attempt_times(caplog) -> list[dt.datetime]:
    return [dt.datetime.fromisoformat(m.group(1)) for record in caplog.records
            if (m := re.search(r"attempt \d+ at (\S+) \(order pull\) failed", record.getMessage()))]


def test_a_failing_account_backs_off_and_comes_back(emulator, frozen, caplog, owner_client):
    url, shop_id, creds = emulator_connection("woocommerce", emulator.base_url, emulator.state.config.credentials)
    account = services.save_connection(channel="woocommerce", name="Woo shop", api_base_url=url, shop_id=shop_id,
                                       credentials=creds)
    wrong = f"http://127.0.0.1:{closed_port()}"
    ChannelAccount.objects.filter(pk=account.pk).update(api_base_url=wrong)  # the shop moved away
    caplog.set_level("INFO", logger="channels")
    start = frozen["now"]
    pulled_at = []
    for minute in range(200):  # the schedule asks every minute
        frozen["now"] = start + dt.timedelta(minutes=minute)
        result = pulls.pull_orders_job(account.pk, "schedule")
        if not result.get("skipped"):
            pulled_at.append(minute)
    assert pulled_at == [0, 1, 3, 7, 15, 31, 63, 123, 183], "1, 2, 4 ... minutes apart, capped at 60"
    times = attempt_times(caplog)
    gaps = [(b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [1, 2, 4, 8, 16, 32, 60, 60], "the attempt times in the log grow"
    assert SyncRun.objects.filter(account=account, kind="pull_orders", status="failed").count() == 9

    account.refresh_from_db()
    assert account.state == State.FAILING and account.failing_since == start and account.failures == 9
    assert account.next_retry_at == start + dt.timedelta(minutes=243)
    assert account.last_error.startswith("SellerHub could not reach 127.0.0.1: the address refused the connection.")
    page = owner_client.get("/channels/").content.decode()
    assert f"failing since <time datetime=\"{timezone.localtime(start).isoformat()}\">{datetimes.format_when(start)}" \
        in page
    assert "the address refused the connection. Check the store address" in page
    assert "9 attempts failed; next retry" in page
    detail = owner_client.get(f"/channels/accounts/{account.pk}/sync/").content.decode()
    assert "failing since" in detail and "ConnectionError" not in detail.split("Recent sync runs")[0]
    dashboard = owner_client.get("/").content.decode()
    assert "failing since" in dashboard and "9 attempts failed; next retry" in dashboard
    api = owner_client.get(f"/api/v1/channel-accounts/{account.pk}/").json()
    assert api["state"] == "failing" and api["failures"] == 9 and "refused the connection" in api["state_reason"]

    # The schedule leaves it alone until its next retry; then the address works again: connected.
    frozen["now"] = start + dt.timedelta(minutes=200)
    assert jobs.pull_all() == {"accounts": 0}
    ChannelAccount.objects.filter(pk=account.pk).update(api_base_url=url)
    frozen["now"] = start + dt.timedelta(minutes=243)
    assert jobs.pull_all() == {"accounts": 1}
    result = pulls.pull_orders_job(account.pk, "schedule")
    assert not result.get("failed") and not result.get("skipped")
    account.refresh_from_db()
    assert (account.state, account.failures, account.failing_since, account.next_retry_at, account.last_error) == (
        State.CONNECTED, 0, None, None, "")
    assert any("connected again" in r.getMessage() for r in caplog.records)


def test_a_failing_accounts_stock_changes_wait_for_its_next_retry(listed, emulator, frozen):
    account = listed["square"]
    health.record_failure(account=account, error=_refused(), operation="stock push")
    assert health.due_ids([a.pk for a in listed.values()]) == sorted(a.pk for a in listed.values()
                                                                     if a.pk != account.pk)
    assert pulls.pull_orders_job(account.pk, "webhook")["skipped"]
    result = jobs.push_stock_job(account.pk, "outbox")
    assert result["skipped"] and "failing: next retry at" in result["message"]
    # A person's "Sync now" or Retry runs whatever the backoff says.
    assert not jobs.push_stock_job(account.pk, "manual").get("skipped")


def _refused():
    error = Unavailable("connection failed: ConnectionError")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return error


def test_disconnect_asks_stops_the_jobs_keeps_history_and_reconnect_resumes(owner_client, listed, emulator, ops_user,
                                                                             django_capture_on_commit_callbacks):
    account = listed["woocommerce"]
    emulator.state.generate_orders("woocommerce", 2)
    jobs.pull_orders(account)
    orders, runs = Order.objects.filter(account=account).count(), SyncRun.objects.filter(account=account).count()
    assert orders == 2

    ops = Client()
    ops.force_login(ops_user)
    assert ops.get(f"/channels/accounts/{account.pk}/disconnect/").status_code == 403
    assert ops.post(f"/channels/accounts/{account.pk}/disconnect/", {"confirm": "yes"}).status_code == 403
    assert ops.post(f"/channels/accounts/{account.pk}/reconnect/").status_code == 403

    page = owner_client.get(f"/channels/accounts/{account.pk}/disconnect/").content.decode()
    assert "Its orders, listings and sync log stay" in page and 'name="confirm"' in page
    unconfirmed = owner_client.post(f"/channels/accounts/{account.pk}/disconnect/")
    assert unconfirmed.status_code == 400 and ChannelAccount.objects.get(pk=account.pk).state == State.CONNECTED
    response = owner_client.post(f"/channels/accounts/{account.pk}/disconnect/", {"confirm": "yes"}, follow=True)
    assert "is disconnected" in response.content.decode()
    account.refresh_from_db()
    assert (account.state, account.active) == (State.DISCONNECTED, False)

    # Scheduled jobs stop: no pull, no push of stock changes, no queued job runs.
    queue, push_queue = django_rq.get_queue("sync"), django_rq.get_queue("push")
    queue.empty()
    push_queue.empty()
    assert account.pk not in _scheduled_pulls()
    sku = next(iter(listed["woocommerce"].listings.filter(sku__isnull=False))).sku
    stock.receive(sku=sku, location=Location.objects.get(code="MAIN"), quantity=5)
    assert account.pk not in selectors.accounts_with_backlog() and account.pk not in health.due_ids([account.pk])
    assert pulls.pull_orders_job(account.pk, "schedule") == {"message": "account gone or inactive"}
    assert not [j for j in queue.jobs + push_queue.jobs if j.args and j.args[0] == account.pk]
    # History stays.
    assert Order.objects.filter(account=account).count() == orders
    assert SyncRun.objects.filter(account=account).count() == runs
    listing_page = owner_client.get("/channels/").content.decode()
    assert 'class="badge ">disconnected' in listing_page and f'Reconnect {account.name}' in listing_page

    # Reconnect: the connection is tested, the account syncs again and catches up.
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/channels/accounts/{account.pk}/reconnect/", follow=True)
    assert "is connected again" in response.content.decode()
    account.refresh_from_db()
    assert (account.state, account.active) == (State.CONNECTED, True)
    assert account.pk in _scheduled_pulls()
    queued = {(j.func_name, j.args[0]) for j in queue.jobs + push_queue.jobs if j.args}
    assert {("channels.pulls.pull_orders_job", account.pk), ("channels.stock_push.push_stock_job", account.pk)} \
        <= queued, "it catches up at once"


def _scheduled_pulls() -> list[int]:
    return [a.pk for a in selectors.syncable_accounts() if health.is_due(a)]


def test_reconnect_refuses_while_the_address_is_still_wrong(owner_client, listed, emulator):
    account = listed["etsy"]
    health.disconnect(account=account)
    ChannelAccount.objects.filter(pk=account.pk).update(api_base_url=f"http://127.0.0.1:{closed_port()}")
    response = owner_client.post(f"/channels/accounts/{account.pk}/reconnect/", follow=True)
    assert "is still disconnected: SellerHub could not reach 127.0.0.1" in response.content.decode()
    assert ChannelAccount.objects.get(pk=account.pk).state == State.DISCONNECTED


def test_a_refused_token_needs_reauthorisation_and_stops(listed, emulator):
    account = listed["square"]
    services.save_connection(account=account, channel="square", name=account.name,
                             api_base_url=account.api_base_url, shop_id=account.shop_id,
                             credentials={"access_token": "revoked"})
    account.refresh_from_db()
    result = jobs.pull_orders(account)
    assert result["failed"]
    account.refresh_from_db()
    assert (account.state, account.active) == (State.NEEDS_REAUTH, False)
    assert account.last_error.startswith("Square refused SellerHub's credentials (HTTP 401")
    assert "Enter a valid access token" in account.last_error


def test_tiktok_is_authorised_with_the_sellers_code(owner_client, emulator):
    url, shop_id, creds = emulator_connection("tiktok", emulator.base_url, emulator.state.config.credentials)
    form = {"channel": "tiktok", "name": "TikTok shop", "api_base_url": url, "shop_id": shop_id,
            "app_key": creds["app_key"], "app_secret": creds["app_secret"], "service_id": "7001",
            "auth_base_url": creds["auth_base_url"]}
    missing = owner_client.post("/channels/connect/", {**form, "test": "1"})
    assert missing.status_code == 400 and "Paste the authorisation code from TikTok" in missing.content.decode()
    # The seller authorises on TikTok's page, which hands back a one-use code.
    code = requests.get(f"{creds['auth_base_url']}/open/authorize", params={"service_id": "7001"}, timeout=10,
                        allow_redirects=False).json()["code"]
    response = owner_client.post("/channels/connect/", {**form, "auth_code": code, "test": "1"}, follow=True)
    account = ChannelAccount.objects.get(name="TikTok shop")
    assert (account.state, account.active) == (State.CONNECTED, True)
    assert account.credentials["access_token"] and account.credentials["refresh_token"]
    assert "auth_code" not in account.credentials and code not in response.content.decode()
    page = owner_client.get(f"/channels/accounts/{account.pk}/connection/").content.decode()
    assert f'href="{creds["auth_base_url"]}/open/authorize?service_id=7001"' in page
    # A code is used once: the same code again is refused, in words, and nothing changes.
    again = owner_client.post(f"/channels/accounts/{account.pk}/connection/", {**form, "auth_code": code, "test": "1"})
    assert again.status_code == 400 and "Not saved: TikTok Shop refused the request" in again.content.decode()
