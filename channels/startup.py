"""Wiring done once per process (imported by ChannelsConfig.ready, once the apps are loaded, so
its imports are module-level): stock changes request a push to the channels, shipped packages
queue their tracking upload, notifications reach the channels' inbox handler, and the channel
models join the ops admin."""

from channels import admin  # noqa: F401  (registers the admin pages)
from channels.job_requests import enqueue_tracking_push, on_outbox_written
from channels.services import fail_runs_of_job
from channels.webhooks import register_handlers
from fulfilment import hooks as fulfilment_hooks
from inventory import services as inventory_services
from sellerhub import jobs


def ready():
    inventory_services.on_outbox_written(on_outbox_written)
    fulfilment_hooks.register_tracking_queued(enqueue_tracking_push)  # a shipped package's tracking upload
    register_handlers()  # the channels' notifications in the kernel's webhook inbox
    jobs.register_failure_handler("channels.", fail_runs_of_job)  # a dead sync job fails its sync runs
