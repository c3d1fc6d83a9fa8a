"""Orders API: /api/v1/orders (list, filters, detail, manual orders, confirm, cancel, hold, release,
send to picking) and /api/v1/returns (its view set: orders/api_returns.py). Reads through
orders.selectors, writes through orders.services.

Errors: 400 for bad input (with "fields"), 409 when the order's state refuses the change (an
illegal transition, short stock, unmatched SKUs), each with a message saying what to do."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from orders import refund_selectors, selectors, services
from orders.api_returns import ReturnViewSet
from orders.models import AttentionReason, Fulfilment, Order, OrderStatus
from orders.refund_serializers import CancelInSerializer, SellerCancellationSerializer
from orders.serializers import (
    ConfirmConflictSerializer,
    ManualOrderInSerializer,
    OrderDetailSerializer,
    OrderListSerializer,
    ReasonInSerializer,
)
from orders.services import seller_cancellation
from sellerhub.api_filters import IdFilter, MomentFilter
from sellerhub.models import Channel
from sellerhub.roles import perm


def _conflict(message, **extra):
    return Response({"error": message, "status": 409, **extra}, status=status.HTTP_409_CONFLICT)


def _bad_request(message, fields=None):
    body = {"error": message, "status": 400}
    if fields:
        body["fields"] = fields
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


_STATUS_WORDS = "|".join(sorted(set(OrderStatus.values) | set(selectors.STATUS_VIEWS)))


@extend_schema_field({"type": "string", "pattern": rf"^\s*({_STATUS_WORDS})\s*(,\s*({_STATUS_WORDS})\s*)*$"})
class _StatusListFilter(django_filters.CharFilter):
    """Statuses separated by commas (the schema's pattern lists the words the filter knows)."""


@extend_schema_field({"type": "string", "enum": ["any", *AttentionReason.values]})
class _AttentionFilter(django_filters.CharFilter):
    """The word any, or one attention reason (the schema lists them)."""


class OrderFilter(django_filters.FilterSet):
    status = _StatusListFilter(method="filter_status",
                                       help_text="A status, several separated by commas, or to_ship / shipped.")
    channel = django_filters.ChoiceFilter(field_name="account__channel", choices=Channel.choices)
    account = IdFilter(field_name="account_id")
    fulfilment = django_filters.ChoiceFilter(choices=Fulfilment.choices)
    attention = _AttentionFilter(method="filter_attention",
                                          help_text='"any" or a reason: unmatched_sku, short_stock, on_hold, '
                                                    'address_problem.')
    due = django_filters.ChoiceFilter(method="filter_due", choices=[("today", "Due today"), ("overdue", "Overdue")])
    q = django_filters.CharFilter(method="filter_q", help_text="Order id, buyer, SKU or tracking number.")
    external_id = django_filters.CharFilter()
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    updated_after = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Order
        fields = ["status", "channel", "account", "fulfilment", "attention", "due", "q", "external_id"]

    def filter_status(self, queryset, name, value):
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        statuses = set()
        for item in wanted:
            if item in selectors.STATUS_VIEWS:
                statuses.update(selectors.STATUS_VIEWS[item][1] or OrderStatus.values)
            elif item in OrderStatus.values:
                statuses.add(item)
            else:
                raise _FilterInputError({"status": [f"Unknown status {item!r}."]})
        return queryset.filter(status__in=statuses)

    def filter_attention(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(attention_reason="")
        if value not in AttentionReason.values or not value:
            raise _FilterInputError({"attention": [f"Unknown reason {value!r}."]})
        return queryset.filter(attention_reason=value)

    def filter_due(self, queryset, name, value):
        return queryset.filter(selectors.due_condition(value, timezone.now())) if value else queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(selectors.search_condition(value)) if value.strip() else queryset


class _FilterInputError(Exception):
    def __init__(self, fields):
        self.fields = fields


ACTION_WRITE = {
    "create": perm("manage_orders"),
    "confirm": perm("manage_orders"),
    "cancel": perm("manage_orders"),
    "retry_cancellation": perm("manage_orders"),
    "hold": perm("manage_orders"),
    "release": perm("manage_orders"),
    "send_to_picking": perm("work_warehouse"),
}


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders from every channel. Filter with `status` (comma-separated; `to_ship`, `shipped`),
    `channel`, `account`, `fulfilment`, `attention`, `due` (today / overdue: FBS orders not shipped,
    "today" being each shop's own day, docs/domain/words.md), `q` (order id, buyer, SKU, tracking number),
    `created_after`, `created_before`, `updated_after`; sort with `ordering` (`dispatch_due_at`,
    `created_at`, `-…`). `POST` creates a manual order."""

    read_permission = perm("view_operations")
    filterset_class = OrderFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["dispatch_due_at", "created_at", "updated_at", "id"]
    ordering = ["dispatch_due_at", "id"]

    @property
    def write_permission(self):
        return ACTION_WRITE.get(getattr(self, "action", None) or "", perm("manage_orders"))

    def get_queryset(self):
        if self.action == "retrieve":
            return Order.objects.select_related("account").prefetch_related(
                "lines__sku", "packages", "events", "returns")
        return selectors.order_rows()

    def get_serializer_class(self):
        return OrderListSerializer if self.action == "list" else OrderDetailSerializer

    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        except _FilterInputError as exc:
            return _bad_request("Invalid filter.", exc.fields)

    def _detail(self, order, **extra):
        fresh = self.get_queryset().model.objects.select_related("account").prefetch_related(
            "lines__sku", "packages", "events", "returns").get(pk=order.pk)
        return {**OrderDetailSerializer(fresh, context=self.get_serializer_context()).data, **extra}

    @extend_schema(request={"application/json": ManualOrderInSerializer},
                   responses={201: OrderDetailSerializer, 200: OrderDetailSerializer})
    def create(self, request):
        """A manual order awaiting confirmation: minimal body `{"lines": [{"sku": "<seller sku>",
        "quantity": 1}]}`; `buyer` and `address` optional (the address is needed before shipping)."""
        data = ManualOrderInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid order.", data.errors)
        body = data.validated_data
        try:
            result = services.create_manual_order(
                lines=[{"sku": ln["sku"], "quantity": ln["quantity"], "unit_price": ln.get("unit_price")}
                       for ln in body["lines"]],
                buyer=dict(body.get("buyer") or {}), address=dict(body.get("address") or {}),
                external_id=body.get("external_id", ""), paid_at=body.get("paid_at"),
                currency=body.get("currency", "USD"), shipping_total=body.get("shipping_total"),
                note=body.get("note", ""), user=request.user)
        except services.ManualOrderError as exc:
            if exc.errors and set(exc.errors) <= exc.missing:  # well formed, but names SKUs that aren't there
                return Response({"error": str(exc), "status": 404, "fields": exc.errors},
                                status=status.HTTP_404_NOT_FOUND)
            return _bad_request("Invalid order: " + str(exc), exc.errors)
        code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
        return Response(self._detail(result.order), status=code)

    @extend_schema(request=None, responses={200: OrderDetailSerializer,
                                            409: OpenApiResponse(ConfirmConflictSerializer)})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Reserve every line's stock and confirm (200). Short stock or unmatched SKUs: 409 naming
        the lines, nothing reserved. Already confirmed: 200, nothing more reserved."""
        order = self.get_object()
        try:
            result = services.confirm_order(order=order, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        if not result.confirmed:
            return _conflict(result.message, reason=result.reason, short_lines=result.shortfalls,
                             unmatched_lines=result.unmatched, order=order.pk)
        return Response(self._detail(result.order, already_confirmed=result.already, message=result.message))

    @extend_schema(request=CancelInSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The seller cancels with a `reason_code` from the list (required for a channel's order, which
        is then told: see `seller_cancellation` in the answer) and an optional `reason` note;
        reservations are released. Shipped orders can't be cancelled (409). Roles: Owner."""
        order = self.get_object()
        data = CancelInSerializer(data=request.data)
        if not data.is_valid():
            first = next(iter(data.errors.values()))[0]
            return _bad_request(str(first), data.errors)
        code, reason = data.validated_data.get("reason_code", ""), data.validated_data.get("reason", "")
        try:
            if services.allowed(order.status, OrderStatus.CANCELLED, services.SELLER):
                seller_cancellation.check_reason(order=order, reason_code=code, reason=reason)
        except services.OrderError as exc:
            return _bad_request(str(exc), {"reason_code" if code or reason else "reason": [str(exc)]})
        try:
            services.cancel_order(order=order, reason=reason, reason_code=code, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return Response(self._detail(order))

    @extend_schema(request=None, responses={200: SellerCancellationSerializer})
    @action(detail=True, methods=["post"], url_path="retry-cancellation")
    def retry_cancellation(self, request, pk=None):
        """Send a failed seller cancellation to the channel again (409 when it is not failed). Roles: Owner."""
        order = self.get_object()
        row = refund_selectors.seller_cancellation(order.pk)
        if row is None:
            return _conflict(f"Order {order.external_id} has no cancellation to send.")
        try:
            row = seller_cancellation.retry_cancellation(cancellation=row, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return Response(SellerCancellationSerializer(row).data)

    @extend_schema(request=ReasonInSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        order = self.get_object()
        data = ReasonInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Say why the order is put on hold.", data.errors)
        try:
            services.hold_order(order=order, reason=data.validated_data["reason"], user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return Response(self._detail(order))

    @extend_schema(request=None, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        order = self.get_object()
        try:
            result = services.release_hold(order=order, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return Response(self._detail(order, message=result.message))

    @extend_schema(request=None, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"], url_path="send-to-picking")
    def send_to_picking(self, request, pk=None):
        order = self.get_object()
        try:
            services.send_to_picking(order=order, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return Response(self._detail(order))


def register(router):
    """Register this app's API view sets on the /api/v1/ router."""
    router.register("orders", OrderViewSet, basename="order")
    router.register("returns", ReturnViewSet, basename="return")  # orders/api_returns.py
