"""Schedules for RQ's cron scheduler (`manage.py rqcron config.cron`).

Each app adds its own entries in `<app>/cron.py` as `register(cron)`; this module collects them.
"""

import os
from importlib import import_module

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from rq import cron  # noqa: E402

from channels.cancellation_requests import pull_all_cancellations  # noqa: E402
from sellerhub import inbox  # noqa: E402
from sellerhub.jobs import prune_job_runs, sweep_job_runs  # noqa: E402

cron.register(prune_job_runs, "default", cron="17 3 * * *", name="prune_job_runs")
cron.register(inbox.purge_job, "default", cron="27 3 * * *", name="purge_webhook_inbox")
cron.register(sweep_job_runs, "default", interval=settings.JOB_SWEEP_SECONDS, name="sweep_job_runs")  # dead jobs

cron.register(pull_all_cancellations, "sync", cron="*/2 * * * *", name="channels_pull_cancellation_requests")

for app in ("inventory", "inventory.fbt", "orders", "fulfilment", "metrics", "channels"):
    try:
        module = import_module(f"{app}.cron")
    except ModuleNotFoundError:
        continue
    module.register(cron)
