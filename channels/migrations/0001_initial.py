"""The channel sync models move from the kernel app ("sellerhub") to this app.

State only: the tables keep their names (``sellerhub_synccursor`` and so on), so an existing
database upgrades by ``migrate`` with every row kept and no table rebuilt. The content types of
the three models are relabelled, so permissions granted on them stay granted.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("synccursor", "syncrun", "webhookdelivery")


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="channels", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="sellerhub", model__in=MODELS).update(app_label="channels")


def unlabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="channels", model__in=MODELS).update(app_label="sellerhub")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("fulfilment", "0001_initial"),
        ("sellerhub", "0004_channel_sync"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='SyncCursor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stream', models.CharField(choices=[('orders', 'Orders')], default='orders', max_length=20)),
                        ('since', models.DateTimeField(blank=True, help_text="Orders changed at or after this time (the channel's clock) are fetched next.", null=True)),
                        ('position', models.JSONField(blank=True, default=dict, help_text='A pull in progress: its window, the next page and what it has seen.')),
                        ('last_success_at', models.DateTimeField(blank=True, null=True)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('failures', models.PositiveIntegerField(default=0, help_text='Failed pulls in a row.')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_cursors', to='sellerhub.channelaccount')),
                    ],
                    options={
                        'db_table': 'sellerhub_synccursor',
                        'constraints': [models.UniqueConstraint(fields=('account', 'stream'), name='synccursor_unique_account_stream')],
                    },
                ),
                migrations.CreateModel(
                    name='SyncRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('pull_orders', 'Pull orders'), ('push_stock', 'Push stock'), ('push_tracking', 'Push tracking'), ('refresh_token', 'Refresh token'), ('webhook', 'Process webhook'), ('import_listings', 'Import listings')], db_index=True, max_length=20)),
                        ('trigger', models.CharField(choices=[('schedule', 'Schedule'), ('webhook', 'Webhook'), ('manual', 'Sync now'), ('outbox', 'Stock change'), ('shipment', 'Package shipped'), ('retry', 'Retry')], default='schedule', max_length=10)),
                        ('status', models.CharField(choices=[('running', 'Running'), ('succeeded', 'Succeeded'), ('partial', 'Partly failed'), ('failed', 'Failed'), ('interrupted', 'Interrupted')], db_index=True, default='running', max_length=12)),
                        ('args', models.JSONField(blank=True, default=dict, help_text='What the run was about (e.g. the package id).')),
                        ('started_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('pages', models.PositiveIntegerField(default=0)),
                        ('items_ok', models.PositiveIntegerField(default=0, help_text='Orders stored, listings or packages pushed.')),
                        ('items_failed', models.PositiveIntegerField(default=0)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('cursor_before', models.CharField(blank=True, max_length=64)),
                        ('cursor_after', models.CharField(blank=True, max_length=64)),
                        ('message', models.CharField(blank=True, max_length=500)),
                        ('error', models.TextField(blank=True)),
                        ('retryable', models.BooleanField(blank=True, help_text='Whether retrying may help.', null=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_runs', to='sellerhub.channelaccount')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('job_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sellerhub.jobrun')),
                        ('retry_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='retries', to='channels.syncrun')),
                    ],
                    options={
                        'db_table': 'sellerhub_syncrun',
                        'ordering': ['-started_at', '-id'],
                        'indexes': [models.Index(fields=['account', 'kind', '-started_at'], name='syncrun_account_kind_started')],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('notification_id', models.CharField(help_text="The channel's id of the notification.", max_length=200)),
                        ('topic', models.CharField(blank=True, max_length=100)),
                        ('payload', models.JSONField(blank=True, default=dict, help_text='The verified body.')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('processed', 'Processed'), ('ignored', 'Ignored'), ('failed', 'Failed')], db_index=True, default='received', max_length=10)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('received_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('processed_at', models.DateTimeField(blank=True, null=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_deliveries', to='sellerhub.channelaccount')),
                    ],
                    options={
                        'db_table': 'sellerhub_webhookdelivery',
                        'verbose_name_plural': 'webhook deliveries',
                        'ordering': ['-received_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('account', 'notification_id'), name='webhook_unique_account_notification')],
                    },
                ),
    
            ],
        ),
        migrations.RunPython(relabel_content_types, unlabel_content_types),
    ]
