"""``/api/v1/refunds``: every order's refunds read from the channels or made from SellerHub (read:
Owner, Warehouse, Ops), and a WooCommerce refund created from SellerHub (Owner: ``POST``, queued
as a job; the answer carries its JobRun)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channels import refunds
from orders import refund_selectors
from orders.models import Order, Refund
from orders.refund_serializers import RefundInSerializer, RefundSerializer
from sellerhub.api_filters import IdFilter
from sellerhub.roles import perm


class RefundFilter(django_filters.FilterSet):
    order = IdFilter(field_name="order_id", help_text="Only this order's refunds.")
    account = IdFilter(field_name="account_id", help_text="Only this channel account's refunds.")
    ret = IdFilter(field_name="ret_id", help_text="Only the refunds linked to this return.")
    source = django_filters.ChoiceFilter(choices=Refund.Source.choices)

    class Meta:
        model = Refund
        fields = ["order", "account", "ret", "source"]


def _error(message: str, code: int, fields=None) -> Response:
    body = {"error": message, "status": code}
    if fields:
        body["fields"] = fields
    return Response(body, status=code)


class RefundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Refunds of the orders, newest first. Roles: Owner, Warehouse and Ops read; the Owner creates. `POST` creates a
    WooCommerce refund: `{order, amount, reason, api_refund}`; `api_refund` false (the default)
    only records it on WooCommerce, true refunds through the payment gateway. Answers 202 with the
    job that creates it; the refund then appears in this list."""

    serializer_class = RefundSerializer
    read_permission = perm("view_operations")
    write_permission = perm("manage_orders")
    filterset_class = RefundFilter

    def get_queryset(self):
        return refund_selectors.refunds()

    @extend_schema(request=RefundInSerializer, responses={
        202: inline_serializer("RefundQueued", {"job_run": serializers.IntegerField(),
                                                "message": serializers.CharField()}),
        400: OpenApiResponse(description="Bad input (the message says what to send)."),
        404: OpenApiResponse(description="No such order."),
        409: OpenApiResponse(description="A refund the channel can't make for this order (the message says why)."),
    })
    def create(self, request):
        data = RefundInSerializer(data=request.data)
        if not data.is_valid():
            return _error("The refund is not valid.", status.HTTP_400_BAD_REQUEST, data.errors)
        order = Order.objects.select_related("account").filter(pk=data.validated_data["order"]).first()
        if order is None:
            return _error("No such order.", status.HTTP_404_NOT_FOUND, {"order": ["No such order."]})
        try:
            run = refunds.request_refund(order=order, amount=data.validated_data["amount"],
                                         reason=data.validated_data["reason"],
                                         api_refund=data.validated_data["api_refund"], user=request.user)
        except refunds.RefundError as exc:
            return _error(str(exc), status.HTTP_409_CONFLICT)
        return Response({"job_run": run.pk, "message": run.message}, status=status.HTTP_202_ACCEPTED)


def register(router):
    router.register("refunds", RefundViewSet, basename="refund")
