"""Wiring done once per process (imported by ChannelsConfig.ready, once the apps are loaded, so
its imports are module-level): stock changes request a push to the channels, shipped packages
queue their tracking upload, notifications reach the channels' inbox handler, the channel
models join the ops admin, and workers take over what a killed worker left."""

from django.db.models.signals import post_delete, post_save

from channels import admin  # noqa: F401  (registers the admin pages)
from channels.cancellation_push import enqueue_cancellation_push
from channels.cancellation_requests import request_decision_send
from channels.job_requests import (
    ask_again_after_a_kill,
    enqueue_tracking_push,
    forget_pushable_accounts,
    on_outbox_written,
)
from channels.returns_sync import enqueue_decision as enqueue_return_decision
from channels.services import fail_runs_of_job
from channels.webhook_processing import register_authorization_handlers
from channels.webhooks import register_handlers
from fulfilment import hooks as fulfilment_hooks
from inventory import services as inventory_services
from inventory.models import ChannelListing
from orders.services import cancellation_requests, seller_cancellation
from orders.services.returns import register_return_decision_queued
from sellerhub import jobs
from sellerhub.models import ChannelAccount
from sellerhub.workers import register_worker_check


def ready():
    inventory_services.on_outbox_written(on_outbox_written)
    for model in (ChannelAccount, ChannelListing):  # the accounts a stock change asks pushes of
        post_save.connect(forget_pushable_accounts, sender=model, dispatch_uid=f"pushable-{model.__name__}")
        post_delete.connect(forget_pushable_accounts, sender=model, dispatch_uid=f"pushable-del-{model.__name__}")
    fulfilment_hooks.register_tracking_queued(enqueue_tracking_push)  # a shipped package's tracking upload
    seller_cancellation.register_cancellation_queued(enqueue_cancellation_push)  # a seller's cancellation
    cancellation_requests.register_decision_queued(request_decision_send)  # a decision on a buyer's request
    register_return_decision_queued(enqueue_return_decision)  # a decision on a TikTok return
    register_handlers()  # the channels' notifications in the kernel's webhook inbox
    register_authorization_handlers()  # TikTok's deauthorisation and expiring authorisation, at once
    jobs.register_failure_handler("channels.", fail_runs_of_job)  # a dead sync job fails its sync runs
    register_worker_check(ask_again_after_a_kill)  # a killed worker's pulls and pushes go on at once
