"""Ops: job runs in the admin (read-only, filtered), the job page linked from every progress bar,
and every job, model and admin label in the user's words."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.text import capfirst

from sellerhub.job_names import JOB_NAMES, job_name
from sellerhub.models import JobRun
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
PROJECT_APPS = ("sellerhub", "inventory", "orders", "fulfilment", "channels", "metrics")
# A plural made by adding "s" where English wants "es" or "ies" ("outboxs", "pushs", "capabilitys").
BAD_PLURAL = re.compile(r"(?:x|sh|ch|ss|z|[^aeiou]y)s$")
CODE_WORDS = re.compile(r"\b(?:tik tok|sku|fbt|tiktok)\b")  # "Tik tok notifications", "sku", "fbt"


def model_names():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS or model in admin.site._registry:
            yield model._meta.label, str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


@pytest.mark.parametrize("label,singular,plural", list(model_names()), ids=lambda v: str(v))
def test_every_model_is_named_in_words(label, singular, plural):
    for word in plural.split():
        assert not BAD_PLURAL.search(word) or word in ("status",), f"{label}: {plural!r}"
    assert not CODE_WORDS.search(singular) and not CODE_WORDS.search(plural), f"{label}: {singular!r}/{plural!r}"


def test_every_admin_changelist_opens_with_its_name_in_words(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    index = client.get("/admin/").content.decode()
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert capfirst(str(meta.verbose_name_plural)) in index, meta.label
    for typo in ("Stock outboxs", "Tracking pushs", "Tik tok", "Capabilitys"):
        assert typo not in index


def test_job_names_are_words_not_codes():
    assert job_name("channels.sync_now") == "Channel sync"
    assert job_name("inventory.import_skus") == "SKU import"
    assert job_name("orders.something_new") == "Something new"
    for name in JOB_NAMES.values():
        assert "." not in name and "_" not in name


def test_ops_sees_job_runs_read_only_with_filters(client, ops_user):
    JobRun.objects.create(kind="channels.sync_now", status="succeeded", progress=100, message="5 orders read")
    failed = JobRun.objects.create(kind="inventory.import_skus", status="failed", message="Stopped")
    client.force_login(ops_user)
    page = client.get("/admin/sellerhub/jobrun/").content.decode()
    assert "Channel sync" in page and "SKU import" in page
    filtered = client.get("/admin/sellerhub/jobrun/?status__exact=failed").content.decode()
    assert "SKU import" in filtered and "5 orders read" not in filtered
    by_kind = client.get("/admin/sellerhub/jobrun/?kind=channels.sync_now").content.decode()
    assert "5 orders read" in by_kind and "Stopped" not in by_kind
    assert client.get("/admin/sellerhub/jobrun/?created_at__gte=2020-01-01T00:00:00%2B00:00").status_code == 200
    assert client.get("/admin/sellerhub/jobrun/add/").status_code == 403
    detail = client.get(f"/admin/sellerhub/jobrun/{failed.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/sellerhub/jobrun/{failed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert JobRun.objects.filter(pk=failed.pk).exists()


def test_the_progress_bar_links_to_the_job_page_which_checks_the_role(client, owner_user, warehouse_user, ops_user):
    run = JobRun.objects.create(kind="inventory.import_skus", status="succeeded", progress=100,
                                message="2 bad rows: nothing was imported", created_by=owner_user,
                                result={"bad_rows": 2, "rows": 5})
    client.force_login(owner_user)
    fragment = client.get(f"/jobs/{run.pk}/progress").content.decode()
    assert f'href="/jobs/{run.pk}/"' in fragment and "SKU import" in fragment
    assert "Succeeded" not in fragment and "Finished" in fragment  # no "Succeeded" beside "nothing imported"
    page = client.get(f"/jobs/{run.pk}/").content.decode()
    assert "SKU import" in page and "2 bad rows: nothing was imported" in page and "Bad rows" in page
    assert "inventory.import_skus" not in page  # the code name is for Ops only
    client.force_login(ops_user)
    assert "inventory.import_skus" in client.get(f"/jobs/{run.pk}/").content.decode()
    client.force_login(warehouse_user)  # another role's job
    assert client.get(f"/jobs/{run.pk}/").status_code == 403
    scheduled = JobRun.objects.create(kind="metrics.snapshots")
    assert client.get(f"/jobs/{scheduled.pk}/").status_code == 403
    client.force_login(UserFactory(role="Owner"))  # same role as whoever started it
    assert client.get(f"/jobs/{run.pk}/").status_code == 200
    assert client.get("/jobs/999999/").status_code == 404


def test_the_job_dashboard_pages_carry_no_inline_script_or_style(client, ops_user):
    client.force_login(ops_user)
    for url in ("/ops/jobs/", "/ops/jobs/queues/0/", "/ops/jobs/queues/0/finished/", "/ops/jobs/queues/0/failed/",
                "/ops/jobs/queues/0/started/", "/ops/jobs/queues/0/deferred/", "/ops/jobs/queues/0/scheduled/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert "<style" not in body and ".actions()" not in body, url
        assert url == "/ops/jobs/" or "js/job-dashboard.js" in body, url
