import os
import shutil

import pytest
from django.db import connection

from tests.core.factories import UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"
BROWSER_NOTICE = "Chromium not found: browser tests skipped (install it with: apt-get install -y chromium)"


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [
        f"sellerhub: database {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('NAME')}), redis {settings.REDIS_URL}",
        f"sellerhub: chromium {CHROMIUM or 'missing'}{' (CI)' if IN_CI else ''}",
    ]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM or IN_CI:
        return
    skip = pytest.mark.skip(reason=BROWSER_NOTICE)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not CHROMIUM and not IN_CI:
        terminalreporter.write_sep("!", BROWSER_NOTICE, yellow=True, bold=True)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    return True


@pytest.fixture
def warehouse_user(db):
    return UserFactory(role="Warehouse", username="wh")


@pytest.fixture
def owner_user(db):
    return UserFactory(role="Owner", username="own")


@pytest.fixture
def ops_user(db):
    return UserFactory(role="Ops", username="opsuser")


@pytest.fixture
def roleless_user(db):
    return UserFactory(role=None, username="nobody")


@pytest.fixture
def role_users(warehouse_user, owner_user, ops_user):
    return {"Warehouse": warehouse_user, "Owner": owner_user, "Ops": ops_user}


@pytest.fixture
def owner_client(client, owner_user):
    client.force_login(owner_user)
    return client


@pytest.fixture
def warehouse_client(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def api_client_for():
    """An API client authenticated with a token for the given user."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        _instance, key = AuthToken.objects.create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


@pytest.fixture
def uses_rq():
    import django_rq
    from django.conf import settings
    from rq.registry import ScheduledJobRegistry

    def empty():
        for name in settings.JOB_QUEUES:
            queue = django_rq.get_queue(name)
            queue.empty()
            scheduled = ScheduledJobRegistry(queue=queue)
            for job_id in scheduled.get_job_ids():
                scheduled.remove(job_id, delete_job=True)

    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def _fresh_channel_quotas():
    """Each test starts with no channel pacing left from an earlier test's calls (the emulators
    start afresh for every test too)."""
    from integrations.channels.connectors import pacing

    pacing.forget()
    yield
    pacing.forget()
