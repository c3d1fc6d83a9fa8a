"""Label speed and search: the packages' tracking numbers get a pg_trgm GIN index (PostgreSQL
only; the extension is created by orders/migrations/0010_search_indexes.py), on the expression
Django writes for ``icontains``, for the order search by tracking number. Nothing on SQLite.
The label work itself (documents/pool.py) needs no schema change."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute('CREATE INDEX CONCURRENTLY IF NOT EXISTS "package_tracking_number_trgm" '
                          'ON "fulfilment_package" USING gin ((UPPER("tracking_number"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX CONCURRENTLY IF EXISTS "package_tracking_number_trgm"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("fulfilment", "0011_bundles"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
