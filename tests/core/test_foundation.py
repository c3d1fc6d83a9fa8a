import io
import json
import os
import subprocess
import sys
from pathlib import Path

import django_rq
import pytest
import redis
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from openapi_spec_validator import validate
from rq import SimpleWorker

from sellerhub.jobs import demo_count_job, enqueue_job
from sellerhub.models import JobRun

ROOT = Path(settings.BASE_DIR)


def test_roles_exist_with_their_capabilities(db):
    def caps(role):
        return set(Group.objects.get(name=role).permissions.filter(content_type__app_label="sellerhub",
                                                                   content_type__model="capability")
                   .values_list("codename", flat=True))

    assert "view_metrics" not in caps("Warehouse") and "manage_channels" not in caps("Warehouse")
    assert {"work_warehouse", "view_operations"} <= caps("Warehouse")
    assert {"view_metrics", "manage_channels", "manage_orders", "work_warehouse"} <= caps("Owner")
    assert "use_ops_tools" in caps("Ops") and "work_warehouse" not in caps("Ops")
    assert "use_ops_tools" not in caps("Owner")


def test_healthz_reports_database_and_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_is_down(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.Redis, "ping", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"


def test_login_page_and_logout(client, owner_user):
    page = client.get("/login/")
    assert page.status_code == 200 and b'for="id_username"' in page.content and b'for="id_password"' in page.content
    response = client.post("/login/", {"username": "own", "password": "pw-for-tests"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_login_with_wrong_password_shows_an_error(client, owner_user):
    response = client.post("/login/", {"username": "own", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_navigation_follows_the_role(client, role_users):
    expected = {
        "Warehouse": ["Dashboard", "Orders", "Pick &amp; pack", "Inventory", "Fulfilment"],
        "Owner": ["Dashboard", "Orders", "Pick &amp; pack", "Inventory", "Fulfilment", "Metrics", "Channels",
                  "Staff", "Access"],
        "Ops": ["Dashboard", "Orders", "Inventory", "Fulfilment", "Metrics", "Channels", "Admin", "Jobs"],
    }
    for role, user in role_users.items():
        client.force_login(user)
        html = client.get("/").content.decode()
        nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
        labels = [chunk.split(">", 1)[1].split("<", 1)[0] for chunk in nav.split("<a ")[1:]]
        assert labels == expected[role], role


def test_ops_reaches_admin_and_job_dashboard(client, ops_user, owner_user):
    client.force_login(ops_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/ops/jobs/").status_code == 200
    client.force_login(owner_user)
    assert client.get("/admin/").status_code == 403
    assert client.get("/ops/jobs/").status_code == 403


def test_api_token_login_and_use(client, warehouse_user):
    response = client.post("/api/v1/auth/token", {"username": "wh", "password": "pw-for-tests"},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    jobs = client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {token}")
    assert jobs.status_code == 200 and jobs.json()["results"] == []
    bad = client.post("/api/v1/auth/token", {"username": "wh", "password": "x"}, content_type="application/json")
    assert bad.status_code == 401 and "error" in bad.json()


def test_api_errors_are_json(client, warehouse_user, api_client_for):
    api = api_client_for(warehouse_user)
    missing = api.get("/api/v1/jobs/999999")
    assert missing.status_code == 404 and missing.json()["error"]
    anonymous = client.get("/api/v1/jobs")
    assert anonymous.status_code == 401 and anonymous.json()["error"]
    nowhere = client.get("/api/v1/no-such-thing")
    assert nowhere.status_code == 404 and nowhere.json() == {"error": "Not found.", "status": 404}


def test_openapi_schema_is_valid(client, owner_user):
    client.force_login(owner_user)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/auth/token" in spec["paths"]


def test_swagger_ui_uses_local_assets_only(client, owner_user):
    client.force_login(owner_user)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    for src in [part.split('"', 1)[0] for part in html.split('src="')[1:]] + \
               [part.split('"', 1)[0] for part in html.split('href="')[1:]]:
        assert not src.startswith(("http://", "https://", "//")), src
    asset = [p.split('"', 1)[0] for p in html.split('src="')[1:] if "swagger-ui-bundle" in p][0]
    assert client.get(asset).status_code == 200


def test_htmx_is_served_locally(client, owner_user):
    client.force_login(owner_user)
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx.min.js" in html
    assert client.get("/static/vendor/htmx.min.js").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_real_rq_worker(uses_rq, django_capture_on_commit_callbacks):
    run = enqueue_job(kind="demo.count", func=demo_count_job, args=[4])
    queue = django_rq.get_queue("default")
    assert queue.count == 1 and JobRun.objects.get(pk=run.pk).status == "queued"
    worker = SimpleWorker([queue], connection=queue.connection)
    assert worker.work(burst=True)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.progress == 100
    assert run.message == "Counted to 4" and run.result["steps"] == 4
    assert run.started_at and run.finished_at and run.rq_job_id


@pytest.mark.django_db(transaction=True)
def test_failed_job_records_the_error(uses_rq):
    run = enqueue_job(kind="demo.count", func=demo_count_job, args=["not a number"])
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    run.refresh_from_db()
    assert run.status == "failed" and "TypeError" in run.error


def test_job_progress_fragment_polls_until_done(client, warehouse_user):
    client.force_login(warehouse_user)
    run = JobRun.objects.create(kind="demo.count", progress=40, status="running", message="Step 2 of 5")
    html = client.get(f"/jobs/{run.pk}/progress").content.decode()
    assert 'hx-trigger="every 1s"' in html and "40%" in html and "Step 2 of 5" in html
    JobRun.objects.filter(pk=run.pk).update(status="succeeded", progress=100)
    html = client.get(f"/jobs/{run.pk}/progress").content.decode()
    assert "hx-trigger" not in html and "100%" in html


def test_demo_loader_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo_data")


def test_demo_loader_creates_a_user_per_role_once(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    users = get_user_model().objects.filter(username__in=["warehouse", "owner", "ops"])
    assert {u.groups.get().name for u in users} == {"Warehouse", "Owner", "Ops"}
    assert users.get(username="owner").check_password("owner-demo")
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "already loaded" in out.getvalue()


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "production-" + "k3y-" * 16,
        "ALLOWED_HOSTS": "shop.example.com",
        "DATABASE_URL": "sqlite:////tmp/sellerhub-check-deploy.sqlite3",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "SECRET_KEY"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    assert readme.lstrip().startswith("# SellerHub")
    head = readme[:600]
    assert "make run" in head and "make test" in head
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "TIME_ZONE", "EMAIL_HOST"):
        assert f"`{name}`" in readme, name
    assert json.dumps  # the README's demo logins are checked by the demo loader test
