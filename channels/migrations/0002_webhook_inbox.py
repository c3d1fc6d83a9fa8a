"""The channels' webhook deliveries move into the kernel's webhook inbox (sellerhub.WebhookEvent):
every row is copied (source = the account's channel, key = the notification id, the rest as it
was), then the old table (``sellerhub_webhookdelivery``) is dropped. Reversible: the inbox rows of
the channels (source = their account's channel) go back into a recreated table."""

from django.db import migrations
from django.db.models import F

BATCH = 1000
SAME = ("account_id", "topic", "payload", "status", "attempts", "error", "received_at", "processed_at")


def to_inbox(apps, schema_editor):
    Delivery = apps.get_model("channels", "WebhookDelivery")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    rows = Delivery.objects.using(db).order_by("pk").values("notification_id", "account__channel", *SAME)
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(Event(source=row["account__channel"], key=row["notification_id"], **{f: row[f] for f in SAME}))
        if len(batch) >= BATCH:
            Event.objects.using(db).bulk_create(batch)
            batch = []
    Event.objects.using(db).bulk_create(batch)


def from_inbox(apps, schema_editor):
    Delivery = apps.get_model("channels", "WebhookDelivery")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    events = Event.objects.using(db).filter(account__isnull=False, source=F("account__channel"))
    for row in events.order_by("pk").values("key", *SAME).iterator(chunk_size=BATCH):
        Delivery.objects.using(db).create(notification_id=row["key"], **{f: row[f] for f in SAME})
    events.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0001_initial"),
        ("sellerhub", "0006_webhook_inbox"),
    ]

    operations = [
        migrations.RunPython(to_inbox, from_inbox),
        migrations.DeleteModel(name="WebhookDelivery"),
    ]
