"""Cancellation requests API: ``/api/v1/cancellation-requests`` (list with filters, detail) and the
decisions ``POST .../{id}/approve``, ``.../{id}/reject`` (``reject_reason`` from the channel's list,
optional ``comment``) and ``.../{id}/resend``. Reads through ``orders.cancellation_selectors``,
writes through ``orders.services.cancellation_requests``.

Roles: Ops, Warehouse and Owner read; the Owner decides any request; Warehouse only requests of
orders not packed yet (403 otherwise). A decision the request's state refuses is a 409."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orders import cancellation_selectors as selectors
from orders.models import CancellationRequest, CancellationRequestStatus
from orders.services import cancellation_requests as services
from sellerhub.api_base import conflict
from sellerhub.api_filters import IdFilter, MomentFilter
from sellerhub.roles import perm

ROLES_READ = "Roles: Owner, Warehouse and Ops read."
ROLES_DECIDE = ("Roles: the Owner decides any request; Warehouse only requests of orders not packed yet (403 "
                "otherwise); Ops never. 409 when the request is no longer pending or a decision is being sent.")


class CancellationRequestSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="order.external_id", read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    channel = serializers.CharField(source="account.channel", read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = CancellationRequest
        fields = ["id", "external_id", "account", "channel", "order", "order_external_id", "order_status", "status",
                  "channel_status", "initiator", "reason", "requested_at", "respond_by", "decided_at",
                  "auto_approved", "decided_by", "decision", "reject_reason", "reject_comment", "delivery",
                  "delivery_error", "refund_total", "currency"]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str:
        return obj.decided_by.get_username() if obj.decided_by_id else ""


class RejectInSerializer(serializers.Serializer):
    reject_reason = serializers.CharField(max_length=120, help_text="One of the channel's reject reasons.")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class EmptySerializer(serializers.Serializer):
    pass


class CancellationRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CancellationRequestStatus.choices)
    order = IdFilter(field_name="order_id")
    account = IdFilter(field_name="account_id")
    due_before = MomentFilter(field_name="respond_by", lookup_expr="lt")

    class Meta:
        model = CancellationRequest
        fields = ["status", "order", "account", "due_before"]


@extend_schema(description=ROLES_READ)
class CancellationRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Buyers' cancellation requests from the channels, the most urgent first."""

    read_permission = perm("view_operations")
    write_permission = perm("work_warehouse")
    serializer_class = CancellationRequestSerializer
    filterset_class = CancellationRequestFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        return selectors.queue("all").order_by("respond_by", "pk")

    def _decide(self, request, func, **kwargs):
        item = self.get_object()
        if not services.may_decide(request.user, item):
            raise PermissionDenied("Only the Owner can decide requests of orders already packed.")
        try:
            func(request=item, user=request.user, **kwargs)
        except services.CancellationRequestError as exc:
            conflict(str(exc))
        return Response(CancellationRequestSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=EmptySerializer, responses={200: CancellationRequestSerializer},
                   description="Approve: sent to the channel at once; the order is cancelled (buyer) when the "
                               "channel takes it. " + ROLES_DECIDE)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.decide, approve=True)

    @extend_schema(request=RejectInSerializer, responses={200: CancellationRequestSerializer},
                   description="Reject with one of the channel's reasons. " + ROLES_DECIDE)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, services.decide, approve=False,
                            reject_reason=data.validated_data["reject_reason"],
                            comment=data.validated_data.get("comment", ""))

    @extend_schema(request=EmptySerializer, responses={200: CancellationRequestSerializer},
                   description="Send a decision the channel did not take again. " + ROLES_DECIDE)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        return self._decide(request, services.resend)


def register(router):
    router.register("cancellation-requests", CancellationRequestViewSet, basename="cancellation-request")
