"""The webhook inbox: one table for the verified deliveries of every source (channels, the label
provider, TikTok's FBT notifications). The apps' migrations copy their old rows into it."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sellerhub', '0005_channel_models_move_to_channels'),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(help_text='Who sent it: a channel code, "easypost", "tiktok_fbt"...', max_length=32)),
                ('key', models.CharField(help_text="The sender's id of the delivery (its notification or event id).", max_length=200)),
                ('topic', models.CharField(blank=True, max_length=100)),
                ('payload', models.JSONField(blank=True, default=dict, help_text='The verified body.')),
                ('status', models.CharField(choices=[('received', 'Received'), ('processed', 'Processed'), ('ignored', 'Ignored'), ('failed', 'Failed')], db_index=True, default='received', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Times it was processed.')),
                ('message', models.CharField(blank=True, help_text='What the processing did.', max_length=500)),
                ('error', models.TextField(blank=True)),
                ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='webhook_events', to='sellerhub.channelaccount')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook inbox',
                'ordering': ['-received_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('source', 'account', 'key'), name='webhookevent_unique_source_account_key'), models.UniqueConstraint(condition=models.Q(('account__isnull', True)), fields=('source', 'key'), name='webhookevent_unique_source_key_no_account')],
            },
        ),
    ]
