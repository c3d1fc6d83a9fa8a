"""Stock speed: the stock outbox takes "SKU changed" rows (written by the stock transaction, turned
into listing rows by the push job), and listing rows no longer carry a quantity computed at write."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0011_purchasing"),
    ]

    operations = [
        migrations.AddField(
            model_name="stockoutbox",
            name="sku",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="inventory.sku",
                help_text="The SKU whose stock changed (a change waiting to become listing rows)."),
        ),
        migrations.AlterField(
            model_name="stockoutbox",
            name="listing",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="outbox", to="inventory.channellisting"),
        ),
        migrations.AlterField(
            model_name="stockoutbox",
            name="quantity",
            field=models.IntegerField(
                blank=True, null=True,
                help_text="Available to sell when a push was asked for (empty: computed at push)."),
        ),
        migrations.AddIndex(
            model_name="stockoutbox",
            index=models.Index(condition=models.Q(("listing__isnull", True), ("pushed_at__isnull", True)),
                               fields=["id"], name="outbox_changes_waiting"),
        ),
    ]
