"""Listing edits: the owner's title and price changes pushed to the channel, with the answer."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_labels_in_users_words"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingEdit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(blank=True, help_text="The new title (empty: unchanged).", max_length=200)),
                ("price", models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True,
                                              help_text="The new price (empty: unchanged).")),
                ("previous_title", models.CharField(blank=True, max_length=200)),
                ("previous_price", models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                ("status", models.CharField(choices=[("pending", "Waiting to be sent"),
                                                     ("sent", "Sent: the channel accepted it"), ("failed", "Failed")],
                                            db_index=True, default="pending", max_length=10)),
                ("message", models.CharField(blank=True, help_text="The channel's answer, in words.", max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL)),
                ("listing", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="edits",
                                              to="inventory.channellisting")),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
    ]
