"""The channel sync models now belong to the "channels" app (its 0001 takes them over).

State only: nothing in the database changes; the tables stay where they are.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sellerhub", "0004_channel_sync"),
        ("channels", "0001_initial"),
        ("fulfilment", "0005_trackingpush_from_kernel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="WebhookDelivery"),
                migrations.DeleteModel(name="TrackingPush"),
                migrations.DeleteModel(name="SyncRun"),
                migrations.DeleteModel(name="SyncCursor"),
            ],
        ),
    ]
