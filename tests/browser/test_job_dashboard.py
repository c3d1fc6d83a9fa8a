"""Ops' job pages in a browser: the RQ dashboard's queue pages load with no console error (no
"$(...).actions is not a function", no CSP refusal), with jobs listed, and the select-all box works; a job's progress
bar links to its page."""

import django_rq
import pytest

from sellerhub.models import JobRun
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_queue_pages_have_no_console_error(page, login, uses_rq):
    UserFactory(username="ops-browser", role="Ops")
    queue = django_rq.get_queue("default")
    for _ in range(2):  # jobs waiting in the queue: its page lists them with a box each
        queue.enqueue("sellerhub.jobs.prune_job_runs")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login("ops-browser")
    for path in ("/ops/jobs/", "/ops/jobs/queues/0/", "/ops/jobs/queues/0/finished/", "/ops/jobs/queues/0/failed/"):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        if path == "/ops/jobs/queues/0/":
            boxes = page.locator("tr input.action-select")
            assert boxes.count() == 2
            page.locator("#action-toggle").check()
            assert all(boxes.nth(i).is_checked() for i in range(2))
    assert errors == []


def test_the_progress_bar_leads_to_the_job_page(page, login):
    owner = UserFactory(username="owner-browser", role="Owner")
    run = JobRun.objects.create(kind="channels.sync_now", status="succeeded", progress=100,
                                message="5 orders read: 5 new", created_by=owner)
    login("owner-browser")
    page.goto(f"/jobs/{run.pk}/progress")
    page.get_by_role("link", name=f"Details of job {run.pk}: Channel sync").click()
    page.wait_for_url(f"**/jobs/{run.pk}/")
    assert page.locator("h1").inner_text().startswith("Channel sync")
    assert page.locator("#job-state").inner_text() == "Finished"
