"""Acceptance 1 (least privilege): as Ops, over HTTP, a channel account's endpoint and
credentials cannot be changed; no page, admin screen or API answer shows a token key; a pull
after an Ops action sends the credentials only to the account's configured host, and the client
refuses any other host outside DEBUG."""

from __future__ import annotations

import http.server
import threading

import pytest
from django.test import Client, override_settings

from channels import pulls
from channels.connection_forms import ConnectionForm
from channels.models import SyncRun
from integrations.channels import hosts
from sellerhub.models import ChannelAccount
from tests.core.factories import UserFactory
from tests.sync.conftest import accounts, emu, emulator  # noqa: F401

pytestmark = pytest.mark.django_db

ACCOUNT_FORM = {"name": "renamed", "channel": "woocommerce", "active": "on", "shop_id": "",
                "time_zone": "America/Los_Angeles", "handling_days": 2, "cutoff_time": "23:59", "transit_days": 5,
                "holiday_country": "US", "holiday_subdivision": "", "location_priority": '["MAIN"]',
                "stock_buffer_units": 0, "stock_buffer_percent": 0}


class Trap:
    """A loopback HTTP server standing in for an attacker's host: it records every request."""

    def __init__(self):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 -- http.server's name
                seen.append((self.path, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"[]")

            do_POST = do_PUT = do_GET  # noqa: N815 -- http.server's names

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap():
    server = Trap()
    yield server
    server.close()


@pytest.fixture
def ops_client(ops_user):
    client = Client()
    client.force_login(ops_user)
    return client


def test_ops_reads_an_account_but_cannot_change_its_endpoint_or_credentials(
        ops_client, accounts, api_client_for, ops_user):  # noqa: F811 -- the sync tests' fixtures
    account = accounts["woocommerce"]
    before = (account.api_base_url, dict(account.credentials))
    page = ops_client.get(f"/admin/sellerhub/channelaccount/{account.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert account.api_base_url in html, "Ops reads the endpoint"
    assert 'name="api_base_url"' not in html and 'name="credentials"' not in html, "…but gets no input for it"

    response = ops_client.post(f"/admin/sellerhub/channelaccount/{account.pk}/change/",
                               {**ACCOUNT_FORM, "api_base_url": "https://attacker.example/wp",
                                "credentials": '{"consumer_key": "ck_attacker"}'})
    assert response.status_code in (200, 302, 403)
    account.refresh_from_db()
    assert (account.api_base_url, account.credentials) == before, "the endpoint and credentials are unchanged"

    assert ops_client.get("/admin/sellerhub/channelaccount/add/").status_code == 403
    assert ops_client.post(f"/admin/sellerhub/channelaccount/{account.pk}/delete/", {"post": "yes"}).status_code == 403
    # The app's own connection and settings pages, and the API, are the Owner's.
    for path in (f"/channels/accounts/{account.pk}/connection/", f"/channels/accounts/{account.pk}/"):
        assert ops_client.post(path, {"name": "x", "api_base_url": "https://attacker.example"}).status_code in (403,
                                                                                                                 404)
    api = api_client_for(ops_user)
    assert api.patch(f"/api/v1/channel-accounts/{account.pk}/", {"api_base_url": "https://attacker.example"},
                     format="json").status_code in (403, 405)
    account.refresh_from_db()
    assert (account.api_base_url, account.credentials) == before


def test_a_pull_after_an_ops_action_sends_credentials_only_to_the_configured_host(
        ops_client, accounts, trap, emulator):  # noqa: F811 -- the sync tests' fixtures
    account = accounts["woocommerce"]
    emulator.state.generate_orders("woocommerce", 2)
    attacker = f"http://localhost:{trap.port}/wp"
    ops_client.post(f"/admin/sellerhub/channelaccount/{account.pk}/change/", {**ACCOUNT_FORM, "api_base_url": attacker})
    pulls.pull_orders(ChannelAccount.objects.get(pk=account.pk))
    assert trap.seen == [], "nothing reached the address Ops typed"
    assert SyncRun.objects.filter(account=account, status="succeeded").exists(), "the pull used the configured host"

    # Even an endpoint written behind the forms' back (a restored dump, a database edit) gets no
    # credentials outside DEBUG: the client checks the host right before sending.
    ChannelAccount.objects.filter(pk=account.pk).update(api_base_url=attacker)
    with override_settings(CHANNEL_API_EXTRA_HOSTS=["127.0.0.1"]):  # the emulator's host only
        pulls.pull_orders(ChannelAccount.objects.get(pk=account.pk))
    assert trap.seen == []
    failed = SyncRun.objects.filter(account=account).order_by("-pk").first()
    assert failed.status != "succeeded" and "refused to send credentials" in (failed.message + failed.error)


@pytest.mark.parametrize("channel,url,ok", [
    ("tiktok", "https://open-api.tiktokglobalshop.com", True),
    ("tiktok", "https://open-api.tiktokglobalshop.com.attacker.example", False),
    ("tiktok", "http://open-api.tiktokglobalshop.com", False),
    ("etsy", "https://api.etsy.com", True),
    ("etsy", "https://attacker.example", False),
    ("square", "https://connect.squareupsandbox.com", True),
    ("woocommerce", "https://shop.example.com", True),
    ("woocommerce", "http://shop.example.com", False),
])
def test_the_connection_form_takes_only_https_on_the_channels_hosts(channel, url, ok):
    form = ConnectionForm({"name": "A", "api_base_url": url, "shop_id": "1", "app_key": "k", "app_secret": "s",
                           "access_token": "t", "consumer_key": "ck", "consumer_secret": "cs", "keystring": "k",
                           "shared_secret": "s", "refresh_token": "r"}, channel=channel)
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert "api_base_url" in form.errors


def test_the_client_refuses_another_host_than_the_stores():
    with override_settings(CHANNEL_API_EXTRA_HOSTS=[]):
        hosts.check_request_url("woocommerce", "https://shop.example.com/wp-json/wc/v3/orders",
                                base_url="https://shop.example.com")
        hosts.check_request_url("tiktok", "https://auth.tiktok-shops.com/api/v2/token/refresh",
                                base_url="https://open-api.tiktokglobalshop.com")
        for channel, url, base in (("woocommerce", "https://evil.example/x", "https://shop.example.com"),
                                   ("woocommerce", "http://shop.example.com/x", "http://shop.example.com"),
                                   ("tiktok", "https://evil.example/x", "https://open-api.tiktokglobalshop.com")):
            with pytest.raises(hosts.UntrustedHost):
                hosts.check_request_url(channel, url, base_url=base)
    with override_settings(DEBUG=True, CHANNEL_API_EXTRA_HOSTS=[]):  # the demo's emulator
        hosts.check_request_url("tiktok", "http://127.0.0.1:8010/tiktok", base_url="")


def test_no_admin_screen_page_or_api_answer_shows_a_token_key(client, ops_client, owner_user, ops_user):
    key = client.post("/api/v1/auth/token", {"username": owner_user.username, "password": "pw-for-tests"},
                      content_type="application/json").json()["token"]
    secrets = (key, key[:15])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    admin_client = Client()
    admin_client.force_login(superuser)
    owner_client = Client()
    owner_client.force_login(owner_user)
    for path in ("/admin/knox/authtoken/", "/admin/knox/authtoken/add/", "/admin/authtoken/tokenproxy/"):
        assert ops_client.get(path).status_code == 404, path  # no token admin at all
        assert admin_client.get(path).status_code == 404, path
    pages = [(ops_client, "/admin/"), (admin_client, "/admin/"), (admin_client, "/admin/auth/user/"),
             (admin_client, f"/admin/auth/user/{owner_user.pk}/change/"), (owner_client, "/settings/access/"),
             (owner_client, "/")]
    for who, path in pages:
        response = who.get(path)
        assert response.status_code == 200, path
        for secret in secrets:
            assert secret not in response.content.decode(), path
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for path in ("/api/v1/", "/api/v1/jobs", "/api/schema/"):
        body = api.get(path).content.decode()
        assert key[:15] not in body, path
    assert ops_user.username in ops_client.get("/admin/").content.decode()


def test_users_and_groups_only_when_the_owner_grants_it(ops_client, owner_user, ops_user):
    assert ops_client.get("/admin/auth/user/").status_code == 403
    assert ops_client.get("/admin/auth/group/").status_code == 403
    owner = Client()
    owner.force_login(owner_user)
    assert owner.get("/settings/access/").status_code == 200
    assert owner.post("/settings/access/staff-right", {"allowed": "on"}).status_code == 302
    ops = Client()
    ops.force_login(ops_user)  # a fresh session: permissions are cached per user object
    assert ops.get("/admin/auth/user/").status_code == 200
    page = ops.get(f"/admin/auth/user/{ops_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page, "only a superuser makes superusers"
    owner.post("/settings/access/staff-right", {})
    ops = Client()
    ops.force_login(ops_user)
    assert ops.get("/admin/auth/user/").status_code == 403
