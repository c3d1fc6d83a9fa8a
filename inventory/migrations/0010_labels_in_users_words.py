"""Labels in the user's words: the stock outbox shows as "stock updates to push"; an import that
would change existing SKUs or stock waits in "Waiting for your confirmation" (its preview)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0009_return_inspection")]

    operations = [
        migrations.AlterModelOptions(
            name="stockoutbox",
            options={"ordering": ["id"], "verbose_name": "stock update to push",
                     "verbose_name_plural": "stock updates to push"},
        ),
        migrations.AlterField(
            model_name="importfile",
            name="status",
            field=models.CharField(choices=[("pending", "Waiting"), ("validating", "Validating"),
                                            ("preview", "Waiting for your confirmation"),
                                            ("rejected", "Rejected: nothing imported"), ("applied", "Imported"),
                                            ("failed", "Failed: nothing imported")],
                                   db_index=True, default="pending", max_length=12),
        ),
    ]
