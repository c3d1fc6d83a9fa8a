"""Acceptance 2 (lockout): after 10 wrong passwords for one user (or from one address), the
right password is refused with a lockout message, on /login/ and on the token endpoint, until
the Owner unlocks it or the cool-off ends; the token endpoint is throttled too."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.throttling import ScopedRateThrottle

from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
RIGHT = "pw-for-tests"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def login(username, password, *, address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/login/", {"username": username, "password": password})


def token(username, password, *, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post("/api/v1/auth/token", {"username": username, "password": password},
                                            content_type="application/json")


def fail_ten_times(attempt, username, **kwargs):
    answers = [attempt(username, f"wrong-{n}", **kwargs) for n in range(10)]
    return [a[1] if isinstance(a, tuple) else a for a in answers]


def assert_login_locked(username, **kwargs):
    client, response = login(username, RIGHT, **kwargs)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_ten_wrong_passwords_lock_the_login_until_the_owner_unlocks_it(owner_user, warehouse_user):
    answers = fail_ten_times(login, warehouse_user.username)
    assert [a.status_code for a in answers[:9]] == [200] * 9  # "enter a correct username and password"
    assert answers[9].status_code == 429
    assert_login_locked(warehouse_user.username)
    assert_login_locked(warehouse_user.username, address="10.9.9.9")  # per user: any address

    owner = Client()
    owner.force_login(owner_user)
    page = owner.get("/settings/access/").content.decode()
    assert warehouse_user.username in page and "Unlock user" in page
    owner.post("/settings/access/unlock", {"username": warehouse_user.username})
    client, response = login(warehouse_user.username, RIGHT)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(warehouse_user.pk)


@override_settings(AXES_COOLOFF_TIME=dt.timedelta(seconds=1))
def test_the_lockout_ends_after_the_cool_off(warehouse_user):
    fail_ten_times(login, warehouse_user.username)
    assert_login_locked(warehouse_user.username)
    time.sleep(1.2)
    assert login(warehouse_user.username, RIGHT)[1].status_code == 302


def test_ten_failures_from_one_address_lock_that_address(warehouse_user):
    for n in range(10):
        login(f"guess{n}", "wrong", address="10.0.0.7")
    assert login(warehouse_user.username, RIGHT, address="10.0.0.7")[1].status_code == 429
    assert login(warehouse_user.username, RIGHT, address="10.0.0.8")[1].status_code == 302


def test_the_token_endpoint_locks_too(owner_user, warehouse_user):
    answers = fail_ten_times(token, warehouse_user.username)
    assert [a.status_code for a in answers[:9]] == [401] * 9
    refused = token(warehouse_user.username, RIGHT)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.json()["error"]
    assert "token" not in refused.json()
    assert login(warehouse_user.username, RIGHT)[1].status_code == 429, "the page and the API share the lockout"

    owner = Client()
    owner.force_login(owner_user)
    owner.post("/settings/access/unlock", {"username": warehouse_user.username})
    assert token(warehouse_user.username, RIGHT).status_code == 200


def test_the_token_endpoint_is_throttled(warehouse_user, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute"})
    answers = [token(warehouse_user.username, RIGHT).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_an_admin_can_unlock_too(warehouse_user):
    fail_ten_times(login, warehouse_user.username)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    admin = Client()
    admin.force_login(superuser)
    attempts = AccessAttempt.objects.filter(username=warehouse_user.username)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "post": "yes",
                                               "_selected_action": list(attempts.values_list("pk", flat=True))})
    assert login(warehouse_user.username, RIGHT)[1].status_code == 302
