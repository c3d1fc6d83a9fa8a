"""Labels in the user's words: "capabilities", "job runs", and a finished job shown as "Finished"
(not "Succeeded", which contradicted a job that refused its input)."""

from django.db import migrations, models

# The capabilities as they stand at this migration (frozen: later ones come with their own migration).
CAPABILITIES = [
    ("view_operations", "Can see orders, inventory and fulfilment"),
    ("work_warehouse", "Can pick, pack, ship, count and receive stock"),
    ("manage_orders", "Can confirm, hold and cancel orders and handle returns"),
    ("manage_catalogue", "Can edit SKUs, locations, adjustments and imports"),
    ("view_metrics", "Can see shop metrics"),
    ("view_channels", "Can see channel accounts and sync state"),
    ("manage_channels", "Can connect channels and change settings"),
    ("use_ops_tools", "Can use the Django admin and the job dashboard"),
    ("manage_shipping_rules", "Can set the shipping rules"),
    ("manage_access", "Can list and revoke API tokens, unlock logins and grant Ops the staff right"),
    ("manage_staff", "Can change users and groups in the Django admin"),
]


class Migration(migrations.Migration):
    dependencies = [("sellerhub", "0009_channel_health")]

    operations = [
        migrations.AlterModelOptions(
            name="capability",
            options={"default_permissions": (), "managed": False,
                     "permissions": CAPABILITIES,
                     "verbose_name_plural": "capabilities"},
        ),
        migrations.AlterModelOptions(
            name="jobrun",
            options={"ordering": ["-created_at", "-id"], "verbose_name": "job run", "verbose_name_plural": "job runs"},
        ),
        migrations.AlterField(
            model_name="jobrun",
            name="status",
            field=models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Finished"),
                                            ("failed", "Failed")], db_index=True, default="queued", max_length=16),
        ),
    ]
