"""Shipping rules: the Owner's ordered rules and each order's recorded decision, with the built-in
rule "TikTok orders: USPS only through TikTok Shipping" (on: TikTok requires, since January 2026,
that USPS labels for TikTok orders are bought through TikTok Shipping)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BUILTIN = {"builtin": "tiktok_usps_platform", "name": "TikTok orders: USPS only through TikTok Shipping",
           "channel": "tiktok", "fulfilment": "FBS", "carrier": "usps", "label_source": "platform",
           "position": 0, "enabled": True}


def add_builtin(apps, schema_editor):
    ShippingRule = apps.get_model("fulfilment", "ShippingRule")
    if not ShippingRule.objects.filter(builtin=BUILTIN["builtin"]).exists():
        ShippingRule.objects.create(**BUILTIN)


class Migration(migrations.Migration):

    dependencies = [
        ("fulfilment", "0006_webhook_inbox"),
        ("orders", "0001_initial"),
        ("sellerhub", "0003_channelaccount"),
    ]

    operations = [
        migrations.CreateModel(
            name='ShippingRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('position', models.PositiveIntegerField(db_index=True, default=0, help_text='Rules are tried from the top.')),
                ('enabled', models.BooleanField(default=True)),
                ('builtin', models.CharField(blank=True, choices=[('', 'Own rule'), ('tiktok_usps_platform', 'TikTok orders: USPS only through TikTok Shipping')], default='', editable=False, help_text='A rule SellerHub ships with: it can be switched off and moved, not edited.', max_length=32)),
                ('channel', models.CharField(blank=True, choices=[('tiktok', 'TikTok Shop'), ('woocommerce', 'WooCommerce'), ('etsy', 'Etsy'), ('square', 'Square'), ('manual', 'Manual')], max_length=20)),
                ('fulfilment', models.CharField(blank=True, choices=[('FBS', 'Fulfilled by seller'), ('FBT', 'Fulfilled by TikTok')], max_length=3)),
                ('countries', models.CharField(blank=True, help_text='Two-letter codes, comma-separated (e.g. US, CA).', max_length=200, verbose_name='destination countries')),
                ('states', models.CharField(blank=True, help_text='State or province codes, comma-separated (e.g. AK, HI).', max_length=200, verbose_name='destination states')),
                ('min_weight_grams', models.PositiveIntegerField(blank=True, help_text="The order's estimated weight, at least this.", null=True, verbose_name='weight from (g)')),
                ('max_weight_grams', models.PositiveIntegerField(blank=True, help_text="The order's estimated weight, at most this.", null=True, verbose_name='weight up to (g)')),
                ('skus', models.CharField(blank=True, help_text='Seller SKUs, comma-separated; one of them in the order matches. A trailing * matches a prefix (MUG-*).', max_length=300, verbose_name='SKUs')),
                ('has_tag', models.CharField(blank=True, help_text='The order carries this tag (set by a rule when it was confirmed).', max_length=50, verbose_name='tagged')),
                ('min_value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='order value from')),
                ('max_value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='order value up to')),
                ('due_within_hours', models.PositiveIntegerField(blank=True, help_text='The dispatch deadline is at most this many hours away.', null=True, verbose_name='ship by within (hours)')),
                ('carrier', models.CharField(blank=True, help_text='Carrier code, e.g. usps, ups, fedex.', max_length=32)),
                ('service', models.CharField(blank=True, help_text="The carrier's service, e.g. GroundAdvantage.", max_length=100)),
                ('cheapest_by_deliver_date', models.BooleanField(default=False, help_text='Instead of a fixed service: the cheapest rate whose delivery days meet the deliver-by date.', verbose_name='cheapest that arrives by the deliver-by date')),
                ('label_source', models.CharField(blank=True, choices=[('', 'No preference'), ('own', 'Own label provider'), ('platform', "The channel's platform label")], max_length=8)),
                ('hold_reason', models.CharField(blank=True, help_text='Put the order on hold with this reason when it is confirmed.', max_length=300, verbose_name='hold with reason')),
                ('tag', models.CharField(blank=True, max_length=50, verbose_name='set tag')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sellerhub.channelaccount', verbose_name='shop')),
                ('box', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='fulfilment.boxpreset')),
            ],
            options={
                'ordering': ['position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='OrderShippingDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule_name', models.CharField(blank=True, help_text='Empty: no rule matched.', max_length=100)),
                ('moment', models.CharField(choices=[('confirmed', 'When confirmed'), ('before_label', 'Before a label was bought')], max_length=12)),
                ('carrier', models.CharField(blank=True, max_length=32)),
                ('service', models.CharField(blank=True, max_length=100)),
                ('cheapest_by_deliver_date', models.BooleanField(default=False)),
                ('label_source', models.CharField(blank=True, choices=[('', 'No preference'), ('own', 'Own label provider'), ('platform', "The channel's platform label")], max_length=8)),
                ('hold_reason', models.CharField(blank=True, max_length=300)),
                ('tag', models.CharField(blank=True, max_length=50)),
                ('action_text', models.CharField(blank=True, help_text='The action in words.', max_length=400)),
                ('platform_rule', models.CharField(blank=True, help_text="The built-in rule that sends this order's USPS labels through the channel's platform (its name), when on.", max_length=100)),
                ('held_at', models.DateTimeField(blank=True, help_text='When the rule put the order on hold.', null=True)),
                ('decided_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('box', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='fulfilment.boxpreset')),
                ('order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='shipping_decision', to='orders.order')),
                ('rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='decisions', to='fulfilment.shippingrule')),
            ],
        ),
        migrations.RunPython(add_builtin, migrations.RunPython.noop)  # going back drops the table,
    ]
