"""Channel accounts and sync runs over the API (read-only). Credentials never appear: an
account says only whether credentials are stored and which keys."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from channels import refunds_api, selectors
from channels.models import SyncRun
from sellerhub.api_filters import IdFilter
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm


class ChannelAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    channel = serializers.CharField()
    active = serializers.BooleanField(help_text="Whether the scheduled jobs sync it (connected or failing).")
    state = serializers.ChoiceField(
        choices=ChannelAccount.State.choices,
        help_text="Connection state: connected, failing, needs_reauth, paused, disconnected.")
    failing_since = serializers.DateTimeField(allow_null=True, help_text="Set while the state is failing.")
    failures = serializers.IntegerField(help_text="Failed attempts in a row.")
    next_retry_at = serializers.DateTimeField(allow_null=True,
                                              help_text="A failing account is left alone until then (backoff).")
    state_reason = serializers.CharField(source="last_error",
                                         help_text="Why it is not connected, in the seller's words.")
    authorization_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the channel says the seller's authorisation ends (TikTok).")
    api_base_url = serializers.CharField()
    shop_id = serializers.CharField()
    has_credentials = serializers.SerializerMethodField()
    credential_keys = serializers.SerializerMethodField(help_text="Which credentials are stored (never their values).")
    orders_synced_since = serializers.DateTimeField(source="cursor_since", allow_null=True)
    last_order_sync_at = serializers.DateTimeField(source="cursor_success", allow_null=True)
    last_error = serializers.CharField(source="cursor_error", allow_null=True)
    stock_backlog = serializers.IntegerField(source="backlog", help_text="Stock changes waiting to be pushed.")
    unmatched_listings = serializers.IntegerField()

    @extend_schema_field(serializers.BooleanField())
    def get_has_credentials(self, obj):
        return bool(obj.credentials)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_credential_keys(self, obj):
        return sorted((obj.credentials or {}).keys())


class ChannelAccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Channel accounts with their connection state and sync state (no secrets); read: Owner, Ops."""

    serializer_class = ChannelAccountSerializer
    read_permission = perm("view_channels")
    filter_backends = []

    def get_queryset(self):
        return selectors.accounts_overview()


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = ["id", "account", "kind", "trigger", "status", "started_at", "finished_at", "pages", "items_ok",
                  "items_failed", "counts", "message", "error", "retryable", "cursor_before", "cursor_after"]


class SyncRunFilter(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", help_text="Only this channel account's runs.")

    class Meta:
        model = SyncRun
        fields = ["account", "kind", "status", "trigger"]


class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    """The sync log: every pull, push, tracking upload and token refresh, newest first."""

    serializer_class = SyncRunSerializer
    read_permission = perm("view_channels")
    filterset_class = SyncRunFilter
    ordering_fields = ["started_at"]
    queryset = SyncRun.objects.order_by("-started_at", "-pk")


def register(router):
    router.register("channel-accounts", ChannelAccountViewSet, basename="channelaccount")
    router.register("sync-runs", SyncRunViewSet, basename="syncrun")
    refunds_api.register(router)
