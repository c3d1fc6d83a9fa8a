"""Acceptance 5: account credentials are not readable in a database dump, the admin, the API or
the pages; secrets are write-only in the connect form."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from channels import services
from sellerhub.models import ChannelAccount

pytestmark = pytest.mark.django_db

SECRETS = {"app_secret": "tt-secret-0f1e2d3c4b5a", "access_token": "TTP_access_9a8b7c6d5e4f",
           "refresh_token": "TTP_refresh_1234abcd5678"}


@pytest.fixture
def account(db):
    return services.save_connection(channel="tiktok", name="TikTok US",
                                    api_base_url="https://open-api.tiktokglobalshop.com",
                                    shop_id="7495000000000000001",
                                    credentials={"app_key": "29a39d", "shop_cipher": "ROW_cipher", **SECRETS})


def test_a_database_dump_holds_no_secret(account):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {ChannelAccount._meta.db_table} WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    for secret in (*SECRETS.values(), "29a39d", "ROW_cipher"):
        assert secret not in stored
    assert ChannelAccount.objects.get(pk=account.pk).credentials["app_secret"] == SECRETS["app_secret"]


def test_the_admin_never_shows_a_secret(account, ops_user):
    client = Client()
    client.force_login(ops_user)
    for path in (f"/admin/sellerhub/channelaccount/{account.pk}/change/", "/admin/sellerhub/channelaccount/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        for secret in SECRETS.values():
            assert secret not in html
    assert "access_token" in client.get(f"/admin/sellerhub/channelaccount/{account.pk}/change/").content.decode(), \
        "the admin says which credentials are stored"
    # Saving the account in the admin keeps the credentials (the field is not on the form).
    data = {"name": "TikTok US (renamed)", "channel": "tiktok", "active": "on", "api_base_url": account.api_base_url,
            "shop_id": account.shop_id, "time_zone": "America/Los_Angeles", "handling_days": 2, "cutoff_time": "23:59",
            "transit_days": 5, "holiday_country": "US", "holiday_subdivision": "", "location_priority": '["MAIN"]',
            "stock_buffer_units": 0, "stock_buffer_percent": 0, "stock_share_percent": 100, "stock_max_shown": "",
            "stock_zero_at_or_below": 0}
    response = client.post(f"/admin/sellerhub/channelaccount/{account.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.name == "TikTok US (renamed)" and account.credentials["app_secret"] == SECRETS["app_secret"]


def test_the_api_never_shows_a_secret(account, owner_user, api_client_for):
    api = api_client_for(owner_user)
    for path in ("/api/v1/channel-accounts/", f"/api/v1/channel-accounts/{account.pk}/", "/api/v1/sync-runs/"):
        response = api.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        for secret in SECRETS.values():
            assert secret not in body
    detail = api.get(f"/api/v1/channel-accounts/{account.pk}/").json()
    assert detail["has_credentials"] is True and "app_secret" in detail["credential_keys"]
    assert api.post("/api/v1/channel-accounts/", {"name": "x"}).status_code in (403, 405)


def test_the_pages_never_show_a_secret_and_blank_keeps_it(account, owner_client):
    for path in ("/channels/", f"/channels/accounts/{account.pk}/sync/", f"/channels/accounts/{account.pk}/connection/",
                 f"/channels/accounts/{account.pk}/"):
        html = owner_client.get(path).content.decode()
        for secret in SECRETS.values():
            assert secret not in html, path
    form = {"name": "TikTok US", "api_base_url": "https://open-api.tiktokglobalshop.com",
            "shop_id": "7495000000000000001", "app_key": "29a39d", "shop_cipher": "ROW_cipher", "app_secret": "",
            "access_token": "", "refresh_token": ""}
    response = owner_client.post(f"/channels/accounts/{account.pk}/connection/", form)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.credentials["access_token"] == SECRETS["access_token"], "a blank secret keeps the stored one"
    response = owner_client.post(f"/channels/accounts/{account.pk}/connection/", {**form, "access_token": "TTP_new"})
    account.refresh_from_db()
    assert account.credentials["access_token"] == "TTP_new"
