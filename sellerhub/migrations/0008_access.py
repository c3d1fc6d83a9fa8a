"""Least privilege and tokens (placeholder filled by the access work)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sellerhub", "0007_truthful_jobs"),
    ]

    operations = []
