"""The kernel's webhook inbox (sellerhub.inbox): one row per (source, account, key), handlers per
source and topic, failed deliveries processed again when re-sent, replay, the retention rule,
and the migration that folds the three old inbox tables into it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sellerhub import inbox
from sellerhub.models import ChannelAccount, WebhookEvent

Status = WebhookEvent.Status


@pytest.fixture
def handlers():
    """A private registry for the test (the apps' handlers come back afterwards)."""
    saved = dict(inbox._handlers)
    inbox._handlers.clear()
    yield inbox._handlers
    inbox._handlers.clear()
    inbox._handlers.update(saved)


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(name="Shop", channel="woocommerce")


def test_a_delivery_is_kept_once_per_source_account_and_key(handlers, account):
    calls = []
    inbox.register("test", lambda event: calls.append(event.pk) or inbox.Outcome.processed("done"))
    first = inbox.receive(source="test", account=account, key="n-1", topic="t", payload={"a": 1})
    again = inbox.receive(source="test", account=account, key="n-1", topic="t", payload={"a": 1})
    assert first.created and again.duplicate and again.event.pk == first.event.pk
    assert calls == [first.event.pk]
    event = WebhookEvent.objects.get()
    assert (event.status, event.message, event.attempts, event.payload) == (Status.PROCESSED, "done", 1, {"a": 1})
    # The same key from another source, or for no account (twice), is another delivery, kept once.
    assert inbox.receive(source="other", account=account, key="n-1").created
    assert inbox.receive(source="test", key="n-1").created
    assert inbox.receive(source="test", key="n-1").duplicate
    assert WebhookEvent.objects.count() == 3


def test_topic_handlers_ignored_and_queued_deliveries(handlers, account):
    inbox.register("src", lambda event: None, topic="later")  # left to a job
    queued = inbox.receive(source="src", account=account, key="1", topic="later")
    assert queued.outcome is None and queued.event.status == Status.RECEIVED
    unknown = inbox.receive(source="src", account=account, key="2", topic="other")
    assert unknown.outcome.status == Status.IGNORED and unknown.event.processed_at is not None
    told = inbox.receive(source="src", account=account, key="3", topic="later", ignore="account inactive")
    assert WebhookEvent.objects.get(pk=told.event.pk).message == "account inactive"
    inbox.finish(event=queued.event, outcome=inbox.Outcome.processed("later done"))
    assert WebhookEvent.objects.get(pk=queued.event.pk).status == Status.PROCESSED


def test_a_crash_is_kept_as_failed_and_a_resent_delivery_is_processed_again(handlers, account):
    state = {"fail": True}

    def handler(event):
        ChannelAccount.objects.filter(pk=account.pk).update(name="changed")
        if state["fail"]:
            raise RuntimeError("boom")
        return inbox.Outcome.processed("ok")

    inbox.register("src", handler)
    with pytest.raises(inbox.HandlerFailed):
        inbox.receive(source="src", account=account, key="k")
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.attempts) == (Status.FAILED, "boom", 1)
    assert ChannelAccount.objects.get(pk=account.pk).name == "Shop"  # the handler's work rolled back
    state["fail"] = False
    resent = inbox.receive(source="src", account=account, key="k")
    assert resent.created and resent.outcome.status == Status.PROCESSED
    assert WebhookEvent.objects.get().attempts == 2
    assert inbox.receive(source="src", account=account, key="k").duplicate


def test_replay_processes_again_with_the_sources_handler(handlers, account):
    seen = []
    inbox.register("src", lambda event: seen.append(event.key) or inbox.Outcome.processed("again"))
    event = WebhookEvent.objects.create(source="src", account=account, key="old", status=Status.FAILED)
    WebhookEvent.objects.create(source="gone", account=account, key="x", status=Status.FAILED)
    counts = inbox.replay(event_ids=WebhookEvent.objects.values_list("pk", flat=True))
    assert counts == {"processed": 1, "queued": 0, "failed": 0, "skipped": 1}
    assert seen == ["old"] and WebhookEvent.objects.get(pk=event.pk).status == Status.PROCESSED


def test_purge_deletes_finished_deliveries_older_than_the_retention(account, settings):
    settings.WEBHOOK_RETENTION_DAYS = 30
    now = timezone.now()
    make = WebhookEvent.objects.create
    old = now - dt.timedelta(days=31)
    make(source="s", account=account, key="1", status=Status.PROCESSED, received_at=old)
    make(source="s", account=account, key="2", status=Status.IGNORED, received_at=old)
    kept = [make(source="s", account=account, key="3", status=Status.FAILED, received_at=old).pk,
            make(source="s", account=account, key="4", status=Status.RECEIVED, received_at=old).pk,
            make(source="s", account=account, key="5", status=Status.PROCESSED, received_at=now).pk]
    assert inbox.purge(now=now) == 2
    assert sorted(WebhookEvent.objects.values_list("pk", flat=True)) == sorted(kept)
    assert inbox.purge(older_than_days=0, now=now + dt.timedelta(seconds=1)) == 1


def test_ops_read_the_inbox_and_process_again_from_the_admin(handlers, account, ops_user, client):
    inbox.register("src", lambda event: inbox.Outcome.processed("again"))
    event = WebhookEvent.objects.create(source="src", account=account, key="k", status=Status.FAILED)
    client.force_login(ops_user)
    url = "/admin/sellerhub/webhookevent/"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}{event.pk}/change/").status_code == 200
    assert client.get(f"{url}add/").status_code == 403
    answer = client.post(url, {"action": "process_again", "_selected_action": [event.pk]})
    assert answer.status_code == 302
    assert WebhookEvent.objects.get(pk=event.pk).status == Status.PROCESSED


BEFORE = [("sellerhub", "0006_webhook_inbox"), ("channels", "0001_initial"),
          ("fulfilment", "0005_trackingpush_from_kernel"), ("inventory", "0006_ledger_undo_mark")]
AFTER = [("channels", "0002_webhook_inbox"), ("fulfilment", "0006_webhook_inbox"), ("inventory", "0007_webhook_inbox")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_old_delivery_into_the_inbox_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    account = old.get_model("sellerhub", "ChannelAccount").objects.create(name="T", channel="tiktok")
    at = timezone.now() - dt.timedelta(days=3)
    for n, status in enumerate(("processed", "failed")):
        old.get_model("channels", "WebhookDelivery").objects.create(
            account=account, notification_id=f"n-{n}", topic="order", status=status, payload={"n": n},
            attempts=n + 1, error="" if n == 0 else "sample failure")
        old.get_model("fulfilment", "ProviderEvent").objects.create(
            provider="easypost", event_id=f"evt_{n}", description="tracker.updated", status=status,
            message=f"m{n}", payload={"id": f"evt_{n}"})
        old.get_model("inventory", "TikTokNotification").objects.create(
            account=account, notification_id=f"n-{n}", type=27, status=status, message=f"fbt {n}", payload={})
    old.get_model("channels", "WebhookDelivery").objects.update(received_at=at)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    events = new.get_model("sellerhub", "WebhookEvent").objects
    assert events.count() == 6
    rows = set(events.values_list("source", "account_id", "key", "topic", "status"))
    assert rows == {("tiktok", account.pk, "n-0", "order", "processed"),
                    ("tiktok", account.pk, "n-1", "order", "failed"),
                    ("easypost", None, "evt_0", "tracker.updated", "processed"),
                    ("easypost", None, "evt_1", "tracker.updated", "failed"),
                    ("tiktok_fbt", account.pk, "n-0", "27", "processed"),
                    ("tiktok_fbt", account.pk, "n-1", "27", "failed")}
    channel = events.get(source="tiktok", key="n-1")
    assert (channel.error, channel.attempts, channel.payload, channel.received_at) == (
        "sample failure", 2, {"n": 1}, at)
    assert events.get(source="easypost", key="evt_1").error == "m1"
    assert events.get(source="tiktok_fbt", key="n-0").message == "fbt 0"

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # and back: the rows return to their tables
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("channels", "WebhookDelivery").objects.count() == 2
    assert old.get_model("fulfilment", "ProviderEvent").objects.count() == 2
    assert old.get_model("inventory", "TikTokNotification").objects.filter(type=27).count() == 2
    assert not old.get_model("sellerhub", "WebhookEvent").objects.exists()
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
