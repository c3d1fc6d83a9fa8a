"""Channel health: each account's connection state (connected, failing, needs re-authorisation,
paused, disconnected), its failures and backoff, and when the seller's authorisation ends.

Accounts that were inactive become "paused"; going back, ``active`` is set from the state
(connected and failing accounts sync), so the field keeps its meaning both ways."""

from django.db import migrations, models

SYNCING = ("connected", "failing")


def states_from_active(apps, schema_editor):
    ChannelAccount = apps.get_model("sellerhub", "ChannelAccount")
    ChannelAccount.objects.filter(active=False).update(state="paused")


def active_from_states(apps, schema_editor):
    ChannelAccount = apps.get_model("sellerhub", "ChannelAccount")
    ChannelAccount.objects.filter(state__in=SYNCING).update(active=True)
    ChannelAccount.objects.exclude(state__in=SYNCING).update(active=False)


class Migration(migrations.Migration):
    dependencies = [("sellerhub", "0008_access")]

    operations = [
        migrations.AddField(
            model_name="channelaccount",
            name="authorization_expires_at",
            field=models.DateTimeField(
                blank=True, null=True,
                help_text="When the channel says the seller's authorisation ends (TikTok type 7)."),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="failing_since",
            field=models.DateTimeField(blank=True, help_text="First failure of the current run of them.", null=True),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="failures",
            field=models.PositiveIntegerField(default=0, help_text="Failed attempts in a row."),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="last_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="last_error",
            field=models.CharField(blank=True, help_text="The last failure, in the seller's words.", max_length=500),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="next_retry_at",
            field=models.DateTimeField(blank=True, help_text="Scheduled jobs skip the account until then.", null=True),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="state",
            field=models.CharField(choices=[("connected", "Connected"), ("failing", "Failing"),
                                            ("needs_reauth", "Needs re-authorisation"), ("paused", "Paused"),
                                            ("disconnected", "Disconnected")],
                                   db_index=True, default="connected", max_length=16),
        ),
        migrations.AddField(
            model_name="channelaccount",
            name="state_changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(states_from_active, active_from_states),
    ]
