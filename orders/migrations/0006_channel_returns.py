"""Channel returns: the return's channel fields (account, kind, channel status, deadline, refund,
tracking, arbitration, replacement order), inspection per line, the timeline and the decisions."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_cancellation_requests"),
        ("inventory", "0009_return_inspection"),
        ("sellerhub", "0003_channelaccount"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReturnDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('APPROVE_REFUND', 'Approve the refund'), ('APPROVE_RETURN', 'Approve the return'), ('APPROVE_REPLACEMENT', 'Approve a replacement'), ('OFFER_PARTIAL_REFUND', 'Offer a partial refund'), ('APPROVE_RECEIVED_PACKAGE', 'Accept the returned package'), ('REJECT_REFUND', 'Reject the refund'), ('REJECT_RETURN', 'Reject the return'), ('REJECT_REPLACEMENT', 'Reject the replacement'), ('REJECT_RECEIVED_PACKAGE', 'Reject the returned package')], max_length=30)),
                ('reject_reason', models.CharField(blank=True, max_length=120)),
                ('comment', models.CharField(blank=True, max_length=500)),
                ('partial_refund', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ('idempotency_key', models.CharField(max_length=64, unique=True)),
                ('state', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sent', 'Accepted by the channel'), ('failed', 'Failed')], db_index=True, default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReturnEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurred_at', models.DateTimeField(db_index=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.CharField(blank=True, help_text='A username, "TikTok", "buyer", "system".', max_length=60)),
                ('kind', models.CharField(max_length=40)),
                ('message', models.CharField(blank=True, max_length=500)),
                ('key', models.CharField(blank=True, help_text='What makes a channel step unique.', max_length=200)),
                ('data', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'ordering': ['occurred_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='return',
            name='account',
            field=models.ForeignKey(blank=True, help_text='The channel account; empty for a local return.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='sellerhub.channelaccount'),
        ),
        migrations.AddField(
            model_name='return',
            name='arbitration_status',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='return',
            name='auto_approved',
            field=models.BooleanField(default=False, help_text='The channel approved it: the seller missed the deadline.'),
        ),
        migrations.AddField(
            model_name='return',
            name='buyer_images',
            field=models.JSONField(blank=True, default=list, help_text="Links to the buyer's photos."),
        ),
        migrations.AddField(
            model_name='return',
            name='buyer_note',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='return',
            name='channel_status',
            field=models.CharField(blank=True, db_index=True, help_text="The return's status as the channel reports it.", max_length=40),
        ),
        migrations.AddField(
            model_name='return',
            name='channel_updated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='return',
            name='currency',
            field=models.CharField(default='USD', max_length=3),
        ),
        migrations.AddField(
            model_name='return',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='return',
            name='kind',
            field=models.CharField(choices=[('refund_only', 'Refund only'), ('return_and_refund', 'Return and refund'), ('replacement', 'Replacement')], default='return_and_refund', max_length=20),
        ),
        migrations.AddField(
            model_name='return',
            name='next_action',
            field=models.CharField(blank=True, help_text='What the channel waits for from the seller.', max_length=60),
        ),
        migrations.AddField(
            model_name='return',
            name='partial_refund',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='A partial refund offered instead of the full one.', max_digits=12, null=True),
        ),
        migrations.AddField(
            model_name='return',
            name='raw',
            field=models.JSONField(blank=True, default=dict, help_text="The channel's return as last received."),
        ),
        migrations.AddField(
            model_name='return',
            name='reason_code',
            field=models.CharField(blank=True, help_text="The channel's reason code.", max_length=120),
        ),
        migrations.AddField(
            model_name='return',
            name='refund_shipping',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
        ),
        migrations.AddField(
            model_name='return',
            name='refund_tax',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
        ),
        migrations.AddField(
            model_name='return',
            name='refund_total',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
        ),
        migrations.AddField(
            model_name='return',
            name='replacement_order',
            field=models.ForeignKey(blank=True, help_text='The replacement or exchange order sent for it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replaces_returns', to='orders.order'),
        ),
        migrations.AddField(
            model_name='return',
            name='requested_at',
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name='return',
            name='respond_by',
            field=models.DateTimeField(blank=True, db_index=True, help_text="The seller's deadline for the next action; empty when none.", null=True),
        ),
        migrations.AddField(
            model_name='return',
            name='return_carrier',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='return',
            name='return_tracking_number',
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name='return',
            name='seller_fault',
            field=models.BooleanField(blank=True, help_text="True when the reason is not the buyer's fault; empty when unknown.", null=True),
        ),
        migrations.AddField(
            model_name='returnline',
            name='external_id',
            field=models.CharField(blank=True, help_text="The channel's return line id.", max_length=64),
        ),
        migrations.AddField(
            model_name='returnline',
            name='refund_amount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
        ),
        migrations.AddField(
            model_name='returnline',
            name='restock_location',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.location'),
        ),
        migrations.AddField(
            model_name='returnline',
            name='restocked_quantity',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='returnline',
            name='write_off_reason',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='returnline',
            name='written_off_quantity',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='return',
            constraint=models.UniqueConstraint(condition=models.Q(('account__isnull', False)), fields=('account', 'external_id'), name='return_unique_account_external_id'),
        ),
        migrations.AddField(
            model_name='returndecision',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='returndecision',
            name='ret',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='orders.return'),
        ),
        migrations.AddField(
            model_name='returnevent',
            name='ret',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timeline', to='orders.return'),
        ),
        migrations.AddField(
            model_name='returnevent',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='returnevent',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('ret', 'key'), name='returnevent_unique_key'),
        ),
    ]
