"""/api/v1/returns: local and channel returns with their decisions. Reads through
orders.selectors_returns, writes through orders.services. Roles: every role reads; the Owner opens
local returns, decides (`decide`) and writes off; the warehouse receives (`scan`, `receive`),
inspects and restocks."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import services as stock
from inventory.models import Location
from orders import selectors_returns, services
from orders.models import Order, Return, ReturnKind
from orders.serializers_returns import (
    DecisionInSerializer,
    InspectionInSerializer,
    RestockInSerializer,
    ReturnDetailSerializer,
    ReturnInSerializer,
    ReturnNoteInSerializer,
    ReturnSerializer,
    ScanInSerializer,
)
from sellerhub.api_filters import IdFilter
from sellerhub.roles import perm


def _conflict(message, **extra):
    return Response({"error": message, "status": 409, **extra}, status=status.HTTP_409_CONFLICT)


def _not_found(message, **extra):
    return Response({"error": message, "status": 404, **extra}, status=status.HTTP_404_NOT_FOUND)


def _bad_request(message, fields=None):
    body = {"error": message, "status": 400}
    if fields:
        body["fields"] = fields
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class ReturnFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Return.Status.choices)
    order = IdFilter(field_name="order_id")
    account = IdFilter(field_name="account_id")
    kind = django_filters.ChoiceFilter(choices=ReturnKind.choices)
    channel_status = django_filters.CharFilter(max_length=40)
    auto_approved = django_filters.BooleanFilter()

    class Meta:
        model = Return
        fields = ["status", "order", "account", "kind", "channel_status", "auto_approved"]


RETURN_WRITE = {
    "create": perm("manage_orders"),
    "write_off": perm("manage_orders"),
    "decide": perm("manage_orders"),
    "receive": perm("work_warehouse"),
    "scan": perm("work_warehouse"),
    "inspect": perm("work_warehouse"),
    "inspect_lines": perm("work_warehouse"),
    "restock": perm("work_warehouse"),
}
ERRORS = {400: OpenApiResponse(description="Invalid body: `error` and `fields`."),
          404: OpenApiResponse(description="What the body names is not there: `error` says what."),
          409: OpenApiResponse(description="Not possible now: `error` says why.")}


class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Returns, local and from the channels (TikTok), soonest seller deadline first. Roles: Warehouse,
    Owner and Ops read; the Owner opens local returns, decides on channel returns and writes off;
    Warehouse and Owner receive, inspect and restock."""

    read_permission = perm("view_operations")
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    @property
    def write_permission(self):
        return RETURN_WRITE.get(getattr(self, "action", None) or "", perm("manage_orders"))

    def get_queryset(self):
        return selectors_returns.return_list("all")

    def get_serializer_class(self):
        return ReturnSerializer if self.action == "list" else ReturnDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        return self._out(self.get_object())

    def _out(self, ret, code=status.HTTP_200_OK):
        return Response(ReturnDetailSerializer(selectors_returns.return_detail(ret.pk)).data, status=code)

    @extend_schema(request=ReturnInSerializer, responses={201: ReturnDetailSerializer, **ERRORS})
    def create(self, request):
        """Open a local return for a shipped order (Owner)."""
        data = ReturnInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid return.", data.errors)
        body = data.validated_data
        order = Order.objects.filter(pk=body["order"]).first()
        if order is None:
            return _not_found(f"No order {body['order']}.")
        lines = [(ln["line"], ln["quantity"]) for ln in body.get("lines") or []] or None
        try:
            ret = services.request_return(order=order, reason=body["reason"], lines=lines,
                                          refund_amount=body.get("refund_amount") or 0,
                                          external_id=body.get("external_id", ""), user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return self._out(ret, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide on a channel return (Owner): approve, reject with one of the channel's reasons, offer a
        partial refund, approve a replacement, accept or reject the returned package. Sent to the
        channel by a job with an idempotency key; `decisions` shows whether the channel has it."""
        ret = self.get_object()
        data = DecisionInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid decision.", data.errors)
        body = data.validated_data
        try:
            services.decide_return(ret=ret, decision=body["decision"], user=request.user,
                                   reject_reason=body.get("reject_reason") or "", comment=body.get("comment") or "",
                                   partial_refund=body.get("partial_refund"))
        except services.OrderError as exc:
            return _conflict(str(exc))
        return self._out(ret)

    @extend_schema(request=ScanInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def scan(self, request):
        """The warehouse scanned a returned parcel: the return whose tracking number or order
        number it is becomes received."""
        data = ScanInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid scan.", data.errors)
        code = data.validated_data["code"]
        found = selectors_returns.returns_for_scan(code)
        if not found:
            return _not_found(f"No return waiting for its parcel matches {code}.")
        if len(found) > 1:
            return _conflict(f"{code} matches {len(found)} returns: scan the return tracking number instead.")
        try:
            ret = services.receive_returned_parcel(ret=found[0], user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return self._out(ret)

    @extend_schema(request=InspectionInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="inspect-lines")
    def inspect_lines(self, request, pk=None):
        """Each line's units restocked into a bin or written off with a reason (through the stock
        ledger); for a channel return, the received package is then accepted on the channel."""
        ret = self.get_object()
        data = InspectionInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid inspection.", data.errors)
        codes = {i["location"] for i in data.validated_data["lines"] if i.get("location")}
        locations = {loc.code: loc for loc in Location.objects.filter(code__in=codes, kind__in=stock.OWN_KINDS,
                                                                      active=True)}
        unknown = sorted(codes - set(locations))
        if unknown:
            return _not_found("Unknown location: " + ", ".join(f"no active bin {c!r}" for c in unknown) + ".")
        inspections = [services.LineInspection(line_id=i["line"], restock=i["restock"],
                                               location=locations.get(i.get("location") or ""),
                                               write_off=i["write_off"], reason=i.get("reason") or "")
                       for i in data.validated_data["lines"]]
        try:
            services.inspect_returned_lines(ret=ret, inspections=inspections, user=request.user)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return self._out(ret)

    def _move(self, request, func, **kwargs):
        ret = self.get_object()
        data = ReturnNoteInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Invalid note.", data.errors)
        try:
            func(ret=ret, note=data.validated_data.get("note", ""), user=request.user, **kwargs)
        except services.OrderError as exc:
            return _conflict(str(exc))
        return self._out(ret)

    @extend_schema(request=ReturnNoteInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """A local return's goods arrived."""
        return self._move(request, services.receive_return)

    @extend_schema(request=ReturnNoteInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        """A local return was inspected."""
        return self._move(request, services.inspect_return)

    @extend_schema(request=RestockInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def restock(self, request, pk=None):
        """Put a local return's units back on the shelf at `location` (ledger reason return)."""
        data = RestockInSerializer(data=request.data)
        if not data.is_valid():
            return _bad_request("Give the location to restock into.", data.errors)
        code = data.validated_data["location"]
        location = Location.objects.filter(code=code).first()
        if location is None:
            return _not_found(f"No location {code!r}.")
        return self._move(request, services.restock_return, location=location)

    @extend_schema(request=ReturnNoteInSerializer, responses={200: ReturnDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Write a local return's goods off; a `note` saying why is required."""
        return self._move(request, services.write_off_return)
