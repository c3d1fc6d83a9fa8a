"""Channel stock rules on the account: a share of available, a maximum shown, show 0 at or below N."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sellerhub", "0010_staff_and_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="channelaccount",
            name="stock_max_shown",
            field=models.PositiveIntegerField(blank=True, help_text="Never show more than this (empty: no maximum).",
                                              null=True),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="stock_share_percent",
            field=models.PositiveSmallIntegerField(
                default=100, help_text="Percentage of available (after the buffer) shown on this channel."),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="stock_zero_at_or_below",
            field=models.PositiveIntegerField(default=0,
                                              help_text="Show 0 when this many or fewer are available (0: off)."),
        ),
        migrations.AddConstraint(
            model_name="channelaccount",
            constraint=models.CheckConstraint(condition=models.Q(("stock_share_percent__lte", 100)),
                                              name="account_share_pct_le_100"),
        ),
    ]
