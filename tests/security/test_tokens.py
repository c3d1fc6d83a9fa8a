"""Acceptance 2 (tokens): API tokens are stored hashed (what the database holds is no token),
expire, and are revoked one device at a time on the Owner's Access page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # the token endpoint's throttle counts per address
    yield
    cache.clear()


def get_token(user) -> str:
    response = Client().post("/api/v1/auth/token", {"username": user.username, "password": "pw-for-tests"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_status(key: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/jobs").status_code


def test_a_token_works_but_what_the_database_holds_does_not(warehouse_user):
    key = get_token(warehouse_user)
    assert api_status(key) == 200
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = [str(value) for value in rows[0]]
    assert key not in " ".join(stored), "the key is not stored"
    for value in stored:
        assert api_status(value) == 401, "no stored value is a usable token"
    assert api_status(key[:-1] + ("A" if key[-1] != "A" else "B")) == 401


def test_a_token_expires(warehouse_user):
    key = get_token(warehouse_user)
    token = AuthToken.objects.get(user=warehouse_user)
    assert token.expiry is not None
    assert dt.timedelta(days=29) < token.expiry - timezone.now() <= dt.timedelta(days=30)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert api_status(key) == 401


def test_an_old_drf_token_no_longer_works(warehouse_user):
    assert api_status("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b") == 401


def test_the_owner_lists_and_revokes_one_device(owner_client, warehouse_user):
    phone, scanner = get_token(warehouse_user), get_token(warehouse_user)
    assert api_status(phone) == 200 and api_status(scanner) == 200
    page = owner_client.get("/settings/access/").content.decode()
    assert page.count(f"<td>{warehouse_user.username}</td>") == 2
    for key in (phone, scanner):
        assert key not in page and key[:15] not in page
    response = owner_client.post("/settings/access/revoke", {"token": hash_token(phone)}, follow=True)
    assert "Token revoked" in response.content.decode()
    assert api_status(phone) == 401, "the revoked device must log in again"
    assert api_status(scanner) == 200, "the other device keeps working"


def test_only_the_owner_sees_the_access_page(client, warehouse_user, ops_user):
    for user in (warehouse_user, ops_user):
        client.force_login(user)
        assert client.get("/settings/access/").status_code == 403
        assert client.post("/settings/access/revoke", {"token": "x"}).status_code == 403
