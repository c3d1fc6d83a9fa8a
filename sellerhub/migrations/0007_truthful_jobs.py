"""Job records that never lie: each run keeps its time limit, so a sweep can give up a run that
outlived it (sellerhub.jobs.sweep_job_runs)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sellerhub", "0006_webhook_inbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobrun",
            name="timeout",
            field=models.PositiveIntegerField(default=1800, help_text="Seconds the job may run before it is given up."),
        ),
    ]
