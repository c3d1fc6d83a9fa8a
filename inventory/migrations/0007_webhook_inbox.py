"""TikTok's FBT and logistics notifications move into the kernel's webhook inbox
(sellerhub.WebhookEvent): every TikTokNotification row is copied (source "tiktok_fbt", key = the
notification id, topic = its type), then the old table is dropped. Reversible: the inbox rows of
that source go back."""

from django.db import migrations

BATCH = 1000
SOURCE = "tiktok_fbt"
SAME = ("account_id", "payload", "status", "message", "attempts", "received_at", "processed_at")


def to_inbox(apps, schema_editor):
    Notification = apps.get_model("inventory", "TikTokNotification")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    batch = []
    for row in Notification.objects.using(db).order_by("pk").values("notification_id", "type", *SAME).iterator(
            chunk_size=BATCH):
        batch.append(Event(source=SOURCE, key=row["notification_id"], topic=str(row["type"]),
                           error=row["message"] if row["status"] == "failed" else "", **{f: row[f] for f in SAME}))
        if len(batch) >= BATCH:
            Event.objects.using(db).bulk_create(batch)
            batch = []
    Event.objects.using(db).bulk_create(batch)


def from_inbox(apps, schema_editor):
    Notification = apps.get_model("inventory", "TikTokNotification")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    events = Event.objects.using(db).filter(source=SOURCE, account__isnull=False)
    for row in events.order_by("pk").values("key", "topic", "error", *SAME).iterator(chunk_size=BATCH):
        values = {f: row[f] for f in SAME}
        values["message"] = (row["message"] or row["error"])[:500]
        Notification.objects.using(db).create(notification_id=row["key"][:64],
                                              type=int(row["topic"]) if row["topic"].isdigit() else 0, **values)
    Event.objects.using(db).filter(source=SOURCE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0006_ledger_undo_mark"),
        ("sellerhub", "0006_webhook_inbox"),
    ]

    operations = [
        migrations.RunPython(to_inbox, from_inbox),
        migrations.DeleteModel(name="TikTokNotification"),
    ]
