"""The label provider's webhook events move into the kernel's webhook inbox
(sellerhub.WebhookEvent): every ProviderEvent row is copied (source = the provider's name, no
account, key = the event id, topic = its description; an event was processed as it arrived, so
it was processed at its arrival), then the old table is dropped. Reversible: the inbox rows
without an account go back."""

from django.db import migrations

BATCH = 1000


def to_inbox(apps, schema_editor):
    ProviderEvent = apps.get_model("fulfilment", "ProviderEvent")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    batch = []
    for old in ProviderEvent.objects.using(db).order_by("pk").iterator(chunk_size=BATCH):
        batch.append(Event(
            source=old.provider, account_id=None, key=old.event_id, topic=old.description, payload=old.payload,
            status=old.status, attempts=old.attempts, message=old.message,
            error=old.message if old.status == "failed" else "", received_at=old.received_at,
            processed_at=old.received_at))
        if len(batch) >= BATCH:
            Event.objects.using(db).bulk_create(batch)
            batch = []
    Event.objects.using(db).bulk_create(batch)


def from_inbox(apps, schema_editor):
    ProviderEvent = apps.get_model("fulfilment", "ProviderEvent")
    Event = apps.get_model("sellerhub", "WebhookEvent")
    db = schema_editor.connection.alias
    events = Event.objects.using(db).filter(account__isnull=True)
    for new in events.order_by("pk").iterator(chunk_size=BATCH):
        ProviderEvent.objects.using(db).create(
            provider=new.source[:20], event_id=new.key[:64], description=new.topic[:64],
            status=new.status if new.status != "received" else "failed", message=(new.message or new.error)[:500],
            payload=new.payload, received_at=new.received_at, attempts=max(new.attempts, 1))
    events.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0005_trackingpush_from_kernel"),
        ("sellerhub", "0006_webhook_inbox"),
    ]

    operations = [
        migrations.RunPython(to_inbox, from_inbox),
        migrations.DeleteModel(name="ProviderEvent"),
    ]
