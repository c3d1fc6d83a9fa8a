"""Schedules for RQ's cron scheduler (`manage.py rqcron`). Each app adds its own entries in
`<app>/cron.py` as `register(cron)`; this module collects them."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerhub.settings")
django.setup()


from importlib import import_module

from rq import cron

from sellerhub.jobs import prune_job_runs

cron.register(prune_job_runs, "default", cron="17 3 * * *", name="prune_job_runs")

for app in ("inventory", "orders", "fulfilment", "metrics", "sellerhub.channels"):
    try:
        module = import_module(f"{app}.cron")
    except ModuleNotFoundError:
        continue
    module.register(cron)
