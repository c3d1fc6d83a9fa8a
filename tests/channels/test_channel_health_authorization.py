"""TikTok's authorisation events (issue 12), sent by the emulator over real HTTP with a valid
signature to the live server: type 6 (the seller deauthorised SellerHub) stops the account's jobs
and asks for re-authorisation; type 7 (authorisation expiring) shows the Owner, and only the
Owner, a banner with the date and how to re-authorise, on every page."""

from __future__ import annotations

import datetime as dt

import django_rq
import pytest
import requests
from django.test import Client

from channels import health, jobs, pulls, selectors
from devtools.demo.emulated import emulator_connection
from inventory import services as stock
from inventory.models import Location
from sellerhub import datetimes
from sellerhub.models import ChannelAccount, WebhookEvent
from tests.sync.conftest import connect

pytestmark = pytest.mark.django_db(transaction=True)
State = ChannelAccount.State


def send(emulator, live_server, account, event: str, **body) -> dict:
    """Ask the emulated TikTok to send a type 6 or 7 notification to the account's webhook."""
    address = f"{live_server.url}/webhooks/tiktok/{account.pk}"
    answer = requests.post(f"{emulator.base_url}/tiktok/_authorization/{event}", json={"address": address, **body},
                           timeout=20)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_webhook_6_stops_the_accounts_jobs(live_server, emulator, skus, owner_user):
    account = connect(emulator, "tiktok")
    other = connect(emulator, "square")
    delivery = send(emulator, live_server, account, "deauthorize")
    assert delivery["status"] == 200 and delivery["type"] == 6
    event = WebhookEvent.objects.get(account=account)
    assert (event.topic, event.status) == ("SELLER_DEAUTHORIZATION", WebhookEvent.Status.PROCESSED)

    account.refresh_from_db()
    assert (account.state, account.active) == (State.NEEDS_REAUTH, False)
    assert "The seller withdrew SellerHub's authorisation on TikTok Shop" in account.last_error
    # Its jobs stop: no scheduled pull, no queued job runs, no stock push; the other account goes on.
    assert [a.pk for a in selectors.syncable_accounts() if health.is_due(a)] == [other.pk]
    assert pulls.pull_orders_job(account.pk, "schedule") == {"message": "account gone or inactive"}
    assert jobs.push_stock_job(account.pk, "outbox") == {"message": "account gone or inactive"}
    queues = [django_rq.get_queue(name) for name in ("push", "sync")]
    for queue in queues:
        queue.empty()
    stock.receive(sku=next(iter(skus.values())), location=Location.objects.get(code="MAIN"), quantity=3)
    assert not [j for queue in queues for j in queue.jobs if j.args and j.args[0] == account.pk]

    owner = Client()
    owner.force_login(owner_user)
    page = owner.get("/channels/").content.decode()
    assert "needs re-authorisation" in page
    assert f'data-authorization-banner="{account.pk}"' in page and "the seller withdrew SellerHub" in page

    # The same notification again changes nothing more (the inbox keeps it once).
    assert send(emulator, live_server, account, "deauthorize")["status"] == 200
    assert WebhookEvent.objects.filter(account=account).count() == 2  # a new notification id each time
    assert ChannelAccount.objects.get(pk=account.pk).state == State.NEEDS_REAUTH


def test_webhook_7_shows_the_owner_a_banner_and_not_the_warehouse(live_server, emulator, owner_user,
                                                                   warehouse_user, ops_user):
    account = connect(emulator, "tiktok")
    delivery = send(emulator, live_server, account, "expiring", days=30)
    assert delivery["status"] == 200 and delivery["type"] == 7
    expires = dt.datetime.fromtimestamp(delivery["body"]["data"]["expiration_time"], tz=dt.UTC)
    account.refresh_from_db()
    assert account.authorization_expires_at == expires
    assert (account.state, account.active) == (State.CONNECTED, True), "it still syncs until the date"

    owner, warehouse, ops = Client(), Client(), Client()
    owner.force_login(owner_user)
    warehouse.force_login(warehouse_user)
    ops.force_login(ops_user)
    date = datetimes.format_day(expires)  # the one date format, in the user's time zone
    for path in ("/", "/orders/", "/inventory/"):  # every page
        html = owner.get(path).content.decode()
        assert f'data-authorization-banner="{account.pk}"' in html, path
        assert f"ends on {date}" in html and "authorise it, then enter the new authorisation code or tokens" in html
    for client in (warehouse, ops):
        html = client.get("/").content.decode()
        assert "data-authorization-banner" not in html and "authorisation of SellerHub" not in html

    # Re-authorised: new tokens saved with a passing test; the banner goes.
    url, shop_id, creds = emulator_connection("tiktok", emulator.base_url, emulator.state.config.credentials)
    response = owner.post(f"/channels/accounts/{account.pk}/connection/", {
        "name": account.name, "api_base_url": url, "shop_id": shop_id, "app_key": creds["app_key"],
        "access_token": creds["access_token"], "refresh_token": creds["refresh_token"],
        "access_token_expire_in": creds["access_token_expire_in"], "shop_cipher": creds["shop_cipher"],
        "auth_base_url": creds["auth_base_url"], "test": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ChannelAccount.objects.get(pk=account.pk).authorization_expires_at is None
    assert "data-authorization-banner" not in owner.get("/").content.decode()
