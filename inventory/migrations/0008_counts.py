"""Counts a scanner can do: when each stock level was last counted (the cycle-count list)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0007_webhook_inbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="stocklevel",
            name="last_counted_at",
            field=models.DateTimeField(blank=True, help_text="When the shelf was last counted.", null=True),
        ),
    ]
