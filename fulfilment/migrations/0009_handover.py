"""Proof of handover: SCAN forms and manifests (HandoverRecord), the packages they list and the
carrier pickups booked for them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import fulfilment.handover.models


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0008_printers"),
        ("inventory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HandoverRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('scan_form', 'USPS SCAN form'), ('manifest', 'Handover manifest')], max_length=10)),
                ('carrier', models.CharField(help_text='Carrier code (see integrations.carriers).', max_length=32)),
                ('day', models.DateField(db_index=True, help_text="The shipping day (the labels' date).")),
                ('reference', models.CharField(help_text="Printed as the form's barcode.", max_length=64, unique=True)),
                ('provider', models.CharField(blank=True, max_length=20)),
                ('provider_id', models.CharField(blank=True, db_index=True, help_text="EasyPost's sf_... id.", max_length=64)),
                ('provider_status', models.CharField(blank=True, max_length=20)),
                ('batch_id', models.CharField(blank=True, help_text="The provider's batch of the scan form.", max_length=64)),
                ('tracking_numbers', models.JSONField(blank=True, default=list)),
                ('form_file', models.FileField(blank=True, max_length=200, upload_to=fulfilment.handover.models.form_path)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('origin', models.ForeignKey(blank=True, help_text='The warehouse the packages left from.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inventory.location')),
            ],
            options={
                'ordering': ['-day', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='HandoverPickup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider_id', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10)),
                ('window_start', models.DateTimeField()),
                ('window_end', models.DateTimeField()),
                ('instructions', models.CharField(blank=True, max_length=300)),
                ('carrier', models.CharField(blank=True, help_text='As the provider names it.', max_length=32)),
                ('service', models.CharField(blank=True, max_length=64)),
                ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                ('confirmation', models.CharField(blank=True, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pickups', to='fulfilment.handoverrecord')),
            ],
            options={
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='HandoverPackage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('package', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='handover', to='fulfilment.package')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='fulfilment.handoverrecord')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.AddIndex(
            model_name='handoverrecord',
            index=models.Index(fields=['day', 'carrier'], name='handover_day_carrier'),
        ),
    ]
