"""Labels in the user's words: tracking pushes show as "tracking uploads"."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0009_handover")]

    operations = [
        migrations.AlterModelOptions(
            name="trackingpush",
            options={"verbose_name": "tracking upload", "verbose_name_plural": "tracking uploads"},
        ),
    ]
