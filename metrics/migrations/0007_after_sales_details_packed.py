"""The after-sales snapshots' returned orders and response times, from JSON lists to packed 64-bit
integers (metrics/fields.py): the same numbers, read back several times faster."""

import json

from django.db import migrations

import metrics.fields

DETAILS = ("returned_orders", "response_times")


def _as_list(value):
    return json.loads(value) if isinstance(value, str) else value


def pack_details(apps, schema_editor):
    snapshot = apps.get_model("metrics", "AfterSalesSnapshot")
    changed = []
    rows = snapshot.objects.exclude(returned_orders__isnull=True, response_times__isnull=True)
    for row in rows.iterator(chunk_size=2000):
        for name in DETAILS:
            value = _as_list(getattr(row, name))
            setattr(row, f"{name}_packed", None if value is None else [int(v) for v in value])
        changed.append(row)
        if len(changed) >= 2000:
            snapshot.objects.bulk_update(changed, [f"{name}_packed" for name in DETAILS])
            changed = []
    snapshot.objects.bulk_update(changed, [f"{name}_packed" for name in DETAILS])


def unpack_details(apps, schema_editor):
    snapshot = apps.get_model("metrics", "AfterSalesSnapshot")
    changed = []
    rows = snapshot.objects.exclude(returned_orders_packed__isnull=True, response_times_packed__isnull=True)
    for row in rows.iterator(chunk_size=2000):
        for name in DETAILS:
            setattr(row, name, getattr(row, f"{name}_packed"))
        changed.append(row)
    snapshot.objects.bulk_update(changed, list(DETAILS), batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0006_after_sales_day_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="aftersalessnapshot",
            name="returned_orders_packed",
            field=metrics.fields.PackedIntegersField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="aftersalessnapshot",
            name="response_times_packed",
            field=metrics.fields.PackedIntegersField(blank=True, null=True),
        ),
        migrations.RunPython(pack_details, unpack_details, elidable=False),
        migrations.RemoveField(model_name="aftersalessnapshot", name="returned_orders"),
        migrations.RemoveField(model_name="aftersalessnapshot", name="response_times"),
        migrations.RenameField(model_name="aftersalessnapshot", old_name="returned_orders_packed",
                               new_name="returned_orders"),
        migrations.RenameField(model_name="aftersalessnapshot", old_name="response_times_packed",
                               new_name="response_times"),
        migrations.AlterField(
            model_name="aftersalessnapshot",
            name="returned_orders",
            field=metrics.fields.PackedIntegersField(
                blank=True, null=True,
                help_text="Ids of the orders with a return against the seller requested that day (null: not stored "
                          "yet)."),
        ),
        migrations.AlterField(
            model_name="aftersalessnapshot",
            name="response_times",
            field=metrics.fields.PackedIntegersField(
                blank=True, null=True,
                help_text="Response time of each request decided that day, in microseconds (null: not stored yet)."),
        ),
    ]
